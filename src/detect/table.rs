//! The table reader: a notice's candidate tables read from its lines and
//! rules, the way a person reads a table they have never seen.
//!
//! Input: one revision's [`Line`]s (page by page, top to bottom, each a
//! row of boxed [`Cell`]s) and [`Rule`]s, from any format (Word, HTML and
//! text arrive laid out on a grid with every cell ruled, see
//! `extract::grid`). Output: [`Item`]s in reading order: each line outside
//! a candidate table as a [`ItemKind::Free`] item, each table header as
//! one [`ItemKind::Header`], and each candidate's row as one
//! [`ItemKind::Body`] item whose cells carry their column's [`Role`].
//!
//! How a table is read:
//!
//! * **Header.** A band of lines whose words are header words (the column
//!   vocabulary of `rules/layout.toml`, numbering such as "1.", footnote
//!   marks) and which names a name or surname column and an address,
//!   description or agent column. The band stops at a horizontal rule and
//!   at a gap wider than a line; its cells are merged by column, so "1." over
//!   "SURNAME", or "NAME AND ADDRESS OF" over "CANDIDATE", is one header
//!   cell.
//! * **Columns.** Each header cell is a column; the boundary between two
//!   columns is the vertical rule between their header cells where one is
//!   drawn, else the middle of the gap between them. A body cell belongs to
//!   the column it overlaps most.
//! * **Body.** Lines under the header that fit its columns: no cell spans
//!   two column boundaries (a paragraph does), and, in a ruled table, the
//!   line lies within the drawn columns. A table-end phrase ("Dated",
//!   "Printed and published by", "situation of polling stations"), a
//!   paragraph, or the next header ends the body; after a footer or a
//!   paragraph the table may go on over the page, with or without a
//!   repeated header, when a later page's first fitting line has both a
//!   name and an address.
//! * **Rows.** Where horizontal rules cross the name column between body
//!   lines, they separate rows. Where none are drawn, a row starts at each
//!   new entry in the name (or surname) column: a line there after a gap
//!   wider than the table's line spacing, or a surname in capitals after
//!   the other names of the entry above. Every line of every column from a
//!   row's top down to the next row's top is that row's.
//!
//! The reader never decides what a cell says (names, addresses, posts):
//! that is segmentation, which walks the items in order.

use std::collections::HashSet;

use super::rules::Role;
use super::text::{PhraseSet, key_into, normalise_into};
use crate::extract::layout::merge_into_row;
use crate::model::{Cell, Line, Rule};

/// Baselines further apart than this many text heights end a header band
/// (where no ruled band holds it).
const HEADER_GAP: f32 = 1.9;
/// The same inside one ruled band, whose cells may be centred vertically.
const RULED_HEADER_GAP: f32 = 4.0;
/// Most lines in one header band.
const MAX_HEADER_LINES: usize = 10;
/// A row starts after a gap in the name column of more than this many
/// times the spacing of a cell's wrapped lines...
const ROW_GAP: f32 = 1.45;
/// ...and more than this many text heights.
const ROW_GAP_SIZE: f32 = 1.35;
/// Lines of one column closer than this many text heights are one cell's
/// wrapped lines (what the wrapped-line spacing is measured on).
const WRAP_GAP: f32 = 1.6;
/// The wrapped-line spacing where a table has no wrapped line, in text
/// heights.
const DEFAULT_WRAP: f32 = 1.2;
/// A cell crosses a column boundary when it reaches this share of its
/// text height past it on both sides.
const CROSSING: f32 = 1.0;

/// What an item of the notice is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ItemKind {
    /// A line outside any candidate table. `table_end` is `Some(true)` for
    /// a footer ("Dated", "Printed and published by"), `Some(false)` for
    /// another table end (polling stations).
    Free { table_end: Option<bool> },
    /// A candidate table's header (or header text left over under it).
    Header,
    /// One row of a candidate table. `continues` marks cells that carry
    /// on the row above, from the foot of the previous page.
    Body { continues: bool },
}

/// One piece of the notice, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// The page it starts on.
    pub page: u32,
    /// Its cells, left to right; a cell's lines joined by `\n`. Hidden
    /// cells are kept apart from visible ones.
    pub cells: Vec<Cell>,
    /// Each cell's column role (headers and body rows; `None` elsewhere).
    pub roles: Vec<Option<Role>>,
    /// The visible text, normalised (free lines only, else empty).
    pub normal: String,
}

/// A column of a candidate table.
#[derive(Clone, Copy, Debug)]
struct Column {
    role: Option<Role>,
    /// Where the column's cells start and end on the page (the header
    /// cell's extent).
    left: f32,
    right: f32,
}

/// A candidate table being read.
#[derive(Clone, Debug)]
struct Table {
    columns: Vec<Column>,
    /// Boundaries between neighbouring columns (`columns.len() - 1`).
    bounds: Vec<f32>,
    /// The name (or surname) column rows are keyed on.
    key: usize,
    /// The address column, if any (a row resuming the table needs one).
    address: Option<usize>,
    /// The table's vertical rules were drawn: body lines lie within them.
    ruled: bool,
    /// Rows emitted so far.
    rows: usize,
    state: State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Reading,
    /// Ended on this page by a footer or a paragraph: a later page may go
    /// on with it.
    Paused(u32),
    /// Ended by a section end: only a new header starts a table.
    Closed,
}

impl Table {
    /// The column of a cell: the one its box overlaps most.
    fn column_of(&self, cell: &Cell) -> usize {
        let middle = (cell.x + cell.right) / 2.0;
        let mut best = (f32::NEG_INFINITY, 0);
        for i in 0..self.columns.len() {
            let left = if i == 0 {
                f32::NEG_INFINITY
            } else {
                self.bounds[i - 1]
            };
            let right = self.bounds.get(i).copied().unwrap_or(f32::INFINITY);
            let overlap = if cell.right > cell.x {
                cell.right.min(right) - cell.x.max(left)
            } else if (left..right).contains(&middle) {
                1.0
            } else {
                -1.0
            };
            if overlap > best.0 {
                best = (overlap, i);
            }
        }
        best.1
    }

    fn left(&self) -> f32 {
        self.columns.first().map_or(0.0, |c| c.left)
    }

    fn right(&self) -> f32 {
        self.columns.last().map_or(0.0, |c| c.right)
    }
}

/// What the reader asks of the cells' content, which it does not read
/// itself: segmentation knows posts and addresses.
pub(crate) trait Cues {
    /// Whether a line of one cell names a new post (a table may be
    /// interrupted by the next post's heading and go on under it).
    fn is_post(&self, text: &str, normal: &str) -> bool;
    /// Whether an address cell's text is complete: it ends with a postcode
    /// or is a whole withheld-area statement. A new line in the address
    /// column after a complete address starts the next candidate's row.
    fn address_complete(&self, text: &str) -> bool;
}

/// The compiled vocabulary of table headers and ends.
#[derive(Clone, Debug)]
pub(crate) struct TableReader {
    columns: PhraseSet,
    column_roles: Vec<Role>,
    /// Every word a header may hold.
    header_words: HashSet<String>,
    table_end: PhraseSet,
}

/// Group of footer phrases in [`TableReader::table_end`].
const FOOTER: usize = 0;
/// Group of other table ends.
const SECTION_END: usize = 1;

/// A line as the reader sees it: its visible cells' normal forms.
struct Seen {
    /// Indexes into the line's cells of its visible, non-blank cells.
    visible: Vec<usize>,
    /// Their normal forms.
    norms: Vec<String>,
}

impl TableReader {
    /// Compiles the header vocabulary (`columns`: role and phrases, in
    /// priority order), the extra words headers use, and the table-end and
    /// footer phrases.
    pub(crate) fn new(
        columns: &[(Role, Vec<String>)],
        header_words: &[String],
        table_end: &[String],
        footer: &[String],
    ) -> TableReader {
        let mut words = HashSet::new();
        let mut buffer = String::new();
        for phrase in columns
            .iter()
            .flat_map(|(_, phrases)| phrases)
            .chain(header_words)
        {
            key_into(phrase, &mut buffer);
            words.extend(
                buffer
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(String::from),
            );
        }
        TableReader {
            columns: PhraseSet::new(
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, phrases))| (i, phrases.as_slice())),
            ),
            column_roles: columns.iter().map(|(role, _)| *role).collect(),
            header_words: words,
            table_end: PhraseSet::new([(FOOTER, footer), (SECTION_END, table_end)]),
        }
    }

    /// `Some(true)` for a footer, `Some(false)` for another table end, from
    /// the cells' normal forms: a cell that starts (list numbers and marks
    /// aside) with a table-end phrase.
    pub(crate) fn table_end(&self, norms: &[String]) -> Option<bool> {
        norms.iter().find_map(|normal| {
            let start = normal.find(|c: char| c.is_alphabetic()).filter(|&i| {
                normal[..i]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ')
            })?;
            self.table_end
                .at_start(&normal[start..])
                .map(|(group, _)| group == FOOTER)
        })
    }

    /// The role a header cell's normal form names, if any.
    fn role_of(&self, normal: &str) -> Option<Role> {
        self.columns
            .first_group(normal)
            .and_then(|g| self.column_roles.get(g).copied())
    }

    /// Whether every word of a cell is one headers use (or a number or a
    /// mark).
    fn header_like(&self, text: &str, buffer: &mut String) -> bool {
        key_into(text, buffer);
        buffer.split(' ').filter(|w| !w.is_empty()).all(|word| {
            word.chars().all(|c| c.is_ascii_digit())
                || self.header_words.contains(word)
                || (word.len() == 1 && word.chars().all(|c| c.is_ascii_lowercase()))
        })
    }

    /// Reads `lines` and `rules` into items, asking `cues` about posts and
    /// addresses.
    pub(crate) fn read(&self, lines: &[Line], rules: &[Rule], cues: &dyn Cues) -> Vec<Item> {
        let mut items = Vec::with_capacity(lines.len());
        let mut table: Option<Table> = None;
        let mut start = 0;
        while start < lines.len() {
            let page = lines[start].page;
            let end = lines[start..]
                .iter()
                .position(|l| l.page != page)
                .map_or(lines.len(), |n| start + n);
            let page_rules: Vec<Rule> = rules.iter().filter(|r| r.page == page).copied().collect();
            self.read_page(
                &lines[start..end],
                &page_rules,
                &mut table,
                &mut items,
                cues,
            );
            start = end;
        }
        items
    }

    fn read_page(
        &self,
        lines: &[Line],
        rules: &[Rule],
        open: &mut Option<Table>,
        items: &mut Vec<Item>,
        cues: &dyn Cues,
    ) {
        let page = lines.first().map_or(1, |l| l.page);
        let seen: Vec<Seen> = lines.iter().map(seen).collect();
        // Body lines of the table being read, not yet grouped into rows.
        let mut body: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            if let Some((table, end)) = self.header_at(lines, &seen, i, rules) {
                if let Some(open) = open.as_mut() {
                    flush(open, lines, rules, &mut body, items, cues);
                }
                items.push(header_item(&lines[i..end], &table));
                *open = Some(table);
                i = end;
                continue;
            }
            let line = &lines[i];
            let norms = &seen[i].norms;
            let table_end = self.table_end(norms);
            let Some(table) = open.as_mut().filter(|t| t.state != State::Closed) else {
                items.push(free_item(line, &seen[i], table_end));
                i += 1;
                continue;
            };
            if let State::Paused(at) = table.state {
                let resumes = at < page
                    && table_end.is_none()
                    && fits(table, line, &seen[i], rules)
                    && resumes(table, line, &seen[i]);
                if !resumes {
                    items.push(free_item(line, &seen[i], table_end));
                    i += 1;
                    continue;
                }
                table.state = State::Reading;
            }
            if let Some(footer) = table_end {
                flush(table, lines, rules, &mut body, items, cues);
                table.state = if footer {
                    State::Paused(page)
                } else {
                    State::Closed
                };
                items.push(free_item(line, &seen[i], table_end));
                i += 1;
                continue;
            }
            let post = seen[i].visible.len() == 1 && {
                let text = &line.cells[seen[i].visible[0]].text;
                cues.is_post(text, &norms[0])
            };
            if post {
                flush(table, lines, rules, &mut body, items, cues);
                items.push(free_item(line, &seen[i], None));
                i += 1;
                continue;
            }
            if !fits(table, line, &seen[i], rules) {
                if !body.is_empty() || !seen[i].visible.is_empty() && table.rows > 0 {
                    flush(table, lines, rules, &mut body, items, cues);
                    table.state = State::Paused(page);
                }
                items.push(free_item(line, &seen[i], None));
                i += 1;
                continue;
            }
            body.push(i);
            i += 1;
        }
        if let Some(table) = open.as_mut() {
            flush(table, lines, rules, &mut body, items, cues);
        }
    }

    /// The header band starting at line `at`, if one does: the table it
    /// heads and the index after its last line.
    fn header_at(
        &self,
        lines: &[Line],
        seen: &[Seen],
        at: usize,
        rules: &[Rule],
    ) -> Option<(Table, usize)> {
        let named = |i: usize| {
            seen.get(i)
                .is_some_and(|s| s.norms.iter().any(|n| self.role_of(n).is_some()))
        };
        let mut buffer = String::new();
        let mut header_like = |i: usize| {
            let line = &lines[i];
            !seen[i].visible.is_empty()
                && seen[i]
                    .visible
                    .iter()
                    .all(|&c| self.header_like(&line.cells[c].text, &mut buffer))
        };
        // A band starts at a line naming a column, or at numbering or
        // header words just above one.
        let starts = named(at)
            || (header_like(at) && named(at + 1) && close(lines, at, at + 1, rules));
        if !starts {
            return None;
        }
        let mut end = at + 1;
        while end < lines.len()
            && end - at < MAX_HEADER_LINES
            && close(lines, end - 1, end, rules)
            && header_like(end)
        {
            end += 1;
        }
        let mut row = Line {
            page: lines[at].page,
            baseline: lines[at].baseline,
            cells: Vec::new(),
        };
        for (i, line) in lines.iter().enumerate().take(end).skip(at) {
            let visible = Line {
                cells: seen[i]
                    .visible
                    .iter()
                    .map(|&c| line.cells[c].clone())
                    .collect(),
                ..line.clone()
            };
            if row.cells.is_empty() {
                row.cells = visible.cells;
            } else {
                merge_into_row(&mut row, &visible, rules);
            }
        }
        let mut columns: Vec<Column> = Vec::with_capacity(row.cells.len());
        let mut normal = String::new();
        let top = lines[at].baseline + lines[at].cells.iter().map(|c| c.size).fold(0.0, f32::max);
        let bottom = lines[end - 1].baseline;
        for cell in &row.cells {
            normalise_into(&cell.text, &mut normal);
            let role = self.role_of(&normal);
            // A header cell's text split at a wide gap ("Names of Proposer,
            // Seconder &" ... "Assenters") continues the column on its left.
            if role.is_none()
                && let Some(last) = columns.last_mut()
                && !vertical_between(rules, last.right, cell.x, top, bottom)
            {
                last.right = last.right.max(cell.right);
                continue;
            }
            columns.push(Column {
                role,
                left: cell.x,
                right: cell.right,
            });
        }
        let has = |wanted: &[Role]| {
            columns
                .iter()
                .any(|c| c.role.is_some_and(|r| wanted.contains(&r)))
        };
        let key_roles = [Role::Surname, Role::Name, Role::NameAndAddress];
        let detailed = has(&[
            Role::HomeAddress,
            Role::NameAndAddress,
            Role::Description,
            Role::AgentName,
            Role::AgentOffice,
        ]);
        if columns.len() < 2 || !has(&key_roles) || !detailed {
            return None;
        }
        let key = key_roles
            .iter()
            .find_map(|wanted| columns.iter().position(|c| c.role == Some(*wanted)))?;
        let address = columns
            .iter()
            .position(|c| matches!(c.role, Some(Role::HomeAddress | Role::NameAndAddress)));
        let mut bounds = Vec::with_capacity(columns.len() - 1);
        let mut ruled = false;
        for pair in columns.windows(2) {
            let (left, right) = (pair[0].right, pair[1].left);
            let middle = (left + right) / 2.0;
            let drawn = rules
                .iter()
                .filter(|r| {
                    r.vertical
                        && r.from <= top
                        && r.to >= bottom
                        && r.at >= left.min(right) - 1.0
                        && r.at <= right.max(left) + 1.0
                })
                .map(|r| r.at)
                .min_by(|a, b| (a - middle).abs().total_cmp(&(b - middle).abs()));
            ruled |= drawn.is_some();
            bounds.push(drawn.unwrap_or(middle));
        }
        Some((
            Table {
                columns,
                bounds,
                key,
                address,
                ruled,
                rows: 0,
                state: State::Reading,
            },
            end,
        ))
    }
}

/// A line's visible, non-blank cells and their normal forms.
fn seen(line: &Line) -> Seen {
    let visible: Vec<usize> = line
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.visibility.is_hidden() && c.text.chars().any(|ch| !ch.is_whitespace()))
        .map(|(i, _)| i)
        .collect();
    let norms = visible
        .iter()
        .map(|&i| {
            let mut normal = String::new();
            normalise_into(&line.cells[i].text, &mut normal);
            normal
        })
        .collect();
    Seen { visible, norms }
}

/// The tallest text of a line.
fn size_of(line: &Line) -> f32 {
    line.cells
        .iter()
        .map(|c| c.size)
        .fold(0.0, f32::max)
        .max(1.0)
}

/// Whether lines `a` and `b` (b under a) are close enough to be one
/// header band: no horizontal rule between them, and a small gap.
fn close(lines: &[Line], a: usize, b: usize, rules: &[Rule]) -> bool {
    let (Some(upper), Some(lower)) = (lines.get(a), lines.get(b)) else {
        return false;
    };
    let size = size_of(upper).max(size_of(lower));
    let gap = upper.baseline - lower.baseline;
    let left = upper
        .cells
        .iter()
        .chain(&lower.cells)
        .map(|c| c.x)
        .fold(f32::INFINITY, f32::min);
    let right = upper
        .cells
        .iter()
        .chain(&lower.cells)
        .map(|c| c.right)
        .fold(f32::NEG_INFINITY, f32::max);
    let between = rules.iter().any(|r| {
        !r.vertical
            && r.at < upper.baseline
            && r.at > lower.baseline + 0.8 * size_of(lower)
            && r.from < right
            && r.to > left
    });
    let ruled_band = rules
        .iter()
        .any(|r| !r.vertical && r.at > upper.baseline && r.from < right && r.to > left)
        && rules
            .iter()
            .any(|r| !r.vertical && r.at < lower.baseline && r.from < right && r.to > left);
    let limit = if ruled_band {
        RULED_HEADER_GAP
    } else {
        HEADER_GAP
    };
    !between && gap > 0.0 && gap <= limit * size
}

/// Whether a vertical rule runs between x `left` and `right` across the
/// band from `top` down to `bottom`.
fn vertical_between(rules: &[Rule], left: f32, right: f32, top: f32, bottom: f32) -> bool {
    rules.iter().any(|r| {
        r.vertical && r.at > left - 0.5 && r.at < right + 0.5 && r.from <= top && r.to >= bottom
    })
}

/// Whether a line reads as part of a table's body: no visible cell spans
/// two column boundaries, some cell lies within the table, and in a ruled
/// table a vertical rule of the table runs past it.
fn fits(table: &Table, line: &Line, seen: &Seen, rules: &[Rule]) -> bool {
    let size = size_of(line);
    let (left, right) = (table.left() - 2.0 * size, table.right() + 2.0 * size);
    let mut inside = false;
    for &c in &seen.visible {
        let cell = &line.cells[c];
        if cell.right < left || cell.x > right {
            continue;
        }
        inside = true;
        let margin = CROSSING * cell.size.max(1.0);
        let crossed = table
            .bounds
            .iter()
            .filter(|&&b| cell.x < b - margin && cell.right > b + margin)
            .count();
        if crossed >= 2 {
            return false;
        }
    }
    if seen.visible.is_empty() {
        // Hidden text alone: where the table is, it belongs to it.
        inside = line.cells.iter().any(|c| c.right >= left && c.x <= right);
    }
    if !inside {
        return false;
    }
    !table.ruled
        || rules.iter().any(|r| {
            r.vertical
                && r.at >= table.left() - size
                && r.at <= table.right() + size
                && r.from <= line.baseline + 0.5 * size
                && r.to >= line.baseline
        })
}

/// Whether a line on a later page starts a row of a paused table: it has
/// a name and, where the table has an address column, an address.
fn resumes(table: &Table, line: &Line, seen: &Seen) -> bool {
    let columns: Vec<usize> = seen
        .visible
        .iter()
        .map(|&c| table.column_of(&line.cells[c]))
        .collect();
    columns.contains(&table.key) && table.address.is_none_or(|a| columns.contains(&a))
}

/// A free line as an item.
fn free_item(line: &Line, seen: &Seen, table_end: Option<bool>) -> Item {
    Item {
        kind: ItemKind::Free { table_end },
        page: line.page,
        cells: line.cells.clone(),
        roles: vec![None; line.cells.len()],
        normal: seen.norms.join(" "),
    }
}

/// The header band's lines as one item, its cells merged by column.
fn header_item(band: &[Line], table: &Table) -> Item {
    let mut cells: Vec<Cell> = Vec::new();
    let mut columns: Vec<usize> = Vec::new();
    for line in band {
        for cell in &line.cells {
            add_to_column(&mut cells, &mut columns, table.column_of(cell), cell);
        }
    }
    Item {
        kind: ItemKind::Header,
        page: band.first().map_or(1, |l| l.page),
        roles: columns.iter().map(|&c| table.columns[c].role).collect(),
        cells,
        normal: String::new(),
    }
}

/// Adds `cell` to the merged cell of its column and visibility, keeping
/// cells in column order.
fn add_to_column(cells: &mut Vec<Cell>, columns: &mut Vec<usize>, column: usize, cell: &Cell) {
    if let Some(at) = cells
        .iter()
        .zip(columns.iter())
        .position(|(c, &k)| k == column && c.visibility == cell.visibility)
    {
        let merged = &mut cells[at];
        merged.text.push('\n');
        merged.text.push_str(&cell.text);
        merged.x = merged.x.min(cell.x);
        merged.right = merged.right.max(cell.right);
        merged.size = merged.size.max(cell.size);
        return;
    }
    let at = columns
        .iter()
        .position(|&k| k > column)
        .unwrap_or(columns.len());
    cells.insert(at, cell.clone());
    columns.insert(at, column);
}

/// Groups the body lines read so far into rows and emits them.
fn flush(
    table: &mut Table,
    lines: &[Line],
    rules: &[Rule],
    body: &mut Vec<usize>,
    items: &mut Vec<Item>,
    cues: &dyn Cues,
) {
    if body.is_empty() {
        return;
    }
    let rows = group_rows(table, lines, rules, body, cues);
    for (start, members) in rows {
        let mut cells = Vec::new();
        let mut columns = Vec::new();
        for &i in &members {
            for cell in lines[i]
                .cells
                .iter()
                .filter(|c| c.text.chars().any(|ch| !ch.is_whitespace()))
            {
                add_to_column(&mut cells, &mut columns, table.column_of(cell), cell);
            }
        }
        let Some(&first) = members.first() else {
            continue;
        };
        let kind = match start {
            true => ItemKind::Body { continues: false },
            false if table.rows == 0 => ItemKind::Header,
            false => ItemKind::Body { continues: true },
        };
        if start {
            table.rows += 1;
        }
        items.push(Item {
            kind,
            page: lines[first].page,
            roles: columns.iter().map(|&c| table.columns[c].role).collect(),
            cells,
            normal: String::new(),
        });
    }
    body.clear();
}

/// The body lines `body` as rows: (whether the row starts a new entry,
/// its lines). Lines above the first entry come first, as a row that
/// starts none.
fn group_rows(
    table: &Table,
    lines: &[Line],
    rules: &[Rule],
    body: &[usize],
    cues: &dyn Cues,
) -> Vec<(bool, Vec<usize>)> {
    let keyed = |i: usize| {
        lines[i].cells.iter().any(|c| {
            !c.visibility.is_hidden()
                && c.text.chars().any(char::is_alphabetic)
                && table.column_of(c) == table.key
        })
    };
    let key_column = table.columns[table.key];
    let key_middle = (key_column.left + key_column.right) / 2.0;
    let next_middle = table
        .columns
        .get(table.key + 1)
        .map_or(key_column.right, |c| (c.left + c.right) / 2.0);
    let (top, bottom) = (
        lines[body[0]].baseline + size_of(&lines[body[0]]),
        lines[body[body.len() - 1]].baseline,
    );
    let mut separators: Vec<f32> = rules
        .iter()
        .filter(|r| {
            !r.vertical
                && r.from <= key_middle
                && r.to >= next_middle
                && r.at < top
                && r.at > bottom
        })
        .map(|r| r.at)
        .collect();
    separators.sort_by(|a, b| b.total_cmp(a));
    separators.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    let mut rows: Vec<(bool, Vec<usize>)> = Vec::new();
    if !separators.is_empty() {
        // Ruled rows: the lines between two separators.
        let band = |i: usize| {
            separators
                .iter()
                .filter(|&&s| s > lines[i].baseline)
                .count()
        };
        let mut current: Option<usize> = None;
        for &i in body {
            let b = band(i);
            if current == Some(b) {
                if let Some(row) = rows.last_mut() {
                    row.0 |= keyed(i);
                    row.1.push(i);
                }
                continue;
            }
            current = Some(b);
            let starts = body.iter().any(|&j| band(j) == b && keyed(j));
            rows.push((starts, vec![i]));
        }
        // A band without a name carries on the row above.
        let mut merged: Vec<(bool, Vec<usize>)> = Vec::new();
        for row in rows {
            match merged.last_mut() {
                Some(last) if !row.0 => last.1.extend(row.1),
                _ => merged.push(row),
            }
        }
        return merged;
    }
    // Unruled rows: entries in the key column.
    let wrap = wrap_spacing(table, lines, body);
    let text_in = |i: usize, column: usize| -> String {
        let texts: Vec<&str> = lines[i]
            .cells
            .iter()
            .filter(|c| !c.visibility.is_hidden() && table.column_of(c) == column)
            .map(|c| c.text.as_str())
            .collect();
        texts.join(" ")
    };
    let mut tops: Vec<f32> = Vec::new();
    let mut previous: Option<(usize, bool)> = None; // key line, mixed case
    // The address text of the entry being read.
    let mut address = String::new();
    for &i in body {
        let line = &lines[i];
        let new_address = table.address.map(|a| text_in(i, a)).unwrap_or_default();
        if !keyed(i) {
            push_line(&mut address, &new_address);
            continue;
        }
        let size = size_of(line);
        let key_text = text_in(i, table.key);
        let mixed = key_text.chars().any(char::is_lowercase);
        let capitals = !mixed
            && key_text
                .chars()
                .filter(|c| c.is_alphabetic())
                .nth(1)
                .is_some();
        let new_entry = match previous {
            None => true,
            Some((p, previous_mixed)) => {
                let gap = lines[p].baseline - line.baseline;
                gap > (ROW_GAP * wrap).max(ROW_GAP_SIZE * size)
                    || (table.columns[table.key].role == Some(Role::Name)
                        && previous_mixed
                        && capitals)
                    || (!new_address.is_empty() && cues.address_complete(&address))
            }
        };
        if new_entry {
            tops.push(line.baseline + size);
            address.clear();
        }
        push_line(&mut address, &new_address);
        previous = Some((i, mixed));
    }
    // Rows started so far.
    let mut started = 0;
    for &i in body {
        let line = &lines[i];
        let middle = line.baseline + 0.4 * size_of(line);
        let entry = tops.iter().filter(|&&t| t >= middle).count();
        match rows.last_mut() {
            Some(row) if entry == started => row.1.push(i),
            _ if entry == 0 => rows.push((false, vec![i])),
            _ => {
                started = entry;
                rows.push((true, vec![i]));
            }
        }
    }
    rows
}

/// Appends a line to a cell's text.
fn push_line(text: &mut String, line: &str) {
    if line.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(line);
}

/// The usual distance between a cell's wrapped lines: the median gap
/// between neighbouring lines of one column that are close enough to be
/// one cell's.
fn wrap_spacing(table: &Table, lines: &[Line], body: &[usize]) -> f32 {
    let mut last: Vec<Option<f32>> = vec![None; table.columns.len()];
    let mut gaps: Vec<f32> = Vec::new();
    let mut size: f32 = 0.0;
    for &i in body {
        let line = &lines[i];
        size = size.max(size_of(line));
        for cell in line.cells.iter().filter(|c| !c.visibility.is_hidden()) {
            let column = table.column_of(cell);
            if let Some(above) = last[column] {
                let gap = above - line.baseline;
                if gap > 0.5 && gap < WRAP_GAP * cell.size.max(1.0) {
                    gaps.push(gap);
                }
            }
            last[column] = Some(line.baseline);
        }
    }
    if gaps.is_empty() {
        return DEFAULT_WRAP * size.max(1.0);
    }
    gaps.sort_by(f32::total_cmp);
    gaps[gaps.len() / 2]
}
