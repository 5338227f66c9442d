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
//!   the column whose header it starts aligned with (a long surname running
//!   over the next column), else to the one it overlaps most. A header
//!   found inside an open table with fewer columns than it and than three
//!   is a body line holding a few header words, not a new table.
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
//!
//! * **Side by side.** A header band whose columns repeat (name, address,
//!   description, then name, address, description again) heads two
//!   tables side by side. The page's lines from the tables' headings down
//!   to the first line that spans the gap between them are parted at that
//!   gap and read left table first, then right, each as a table of its own.
//!
//! * **Groups.** In a list election the rows come grouped by party: either
//!   a party column whose cell heads the group's first row (segmentation
//!   carries it down), or a short heading across the table's columns with
//!   a row starting under it, read as a [`ItemKind::Group`] item; the
//!   table goes on under it.
//!
//! A notice from which no candidate is read is reported as
//! `unparsed-notice`, never as clean.

use std::collections::HashSet;

use regex::RegexSet;

use super::rules::{Role, Rules};
use super::text::{PhraseSet, key_into, normalise_into, normalise_onto, words_of};
use crate::extract::layout::merge_into_row;
use crate::model::{Cell, Line, Rule};
use std::borrow::Cow;
use std::ops::Range;

/// Baselines further apart than this many text heights end a header band
/// (where no ruled band holds it).
const HEADER_GAP: f32 = 1.9;
/// The same inside one ruled band, whose cells may be centred vertically.
const RULED_HEADER_GAP: f32 = 4.0;
/// Most lines in one header band.
const MAX_HEADER_LINES: usize = 10;
/// In a table without drawn columns, a line further below the table's
/// last line than this many text heights is not the table's (a page
/// footer, the next section) unless it starts a new row.
const MAX_BODY_GAP: f32 = 5.0;
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
    /// A heading across a candidate table that groups the rows under it:
    /// the party whose list they are, in a list election.
    Group,
}

/// One piece of the notice, in reading order; a free line's cells are
/// borrowed from the line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Item<'l> {
    /// What it is.
    pub kind: ItemKind,
    /// The page it starts on.
    pub page: u32,
    /// Its cells, left to right; a cell's lines joined by `\n`. Hidden
    /// cells are kept apart from visible ones.
    pub cells: Cow<'l, [Cell]>,
    /// Each cell's column role (headers and body rows; empty for free
    /// lines, whose cells have none): read it with
    /// [`Item::cells_with_roles`].
    pub roles: Vec<Option<Role>>,
    /// The visible text, normalised (free lines only, else empty).
    pub normal: String,
}

impl Item<'_> {
    /// Each cell with its column role, if it has one.
    pub(crate) fn cells_with_roles(&self) -> impl Iterator<Item = (&Cell, Option<Role>)> {
        self.cells
            .iter()
            .enumerate()
            .map(|(i, cell)| (cell, self.roles.get(i).copied().flatten()))
    }

    /// The item with its cells its own, so it outlives the lines.
    pub(crate) fn into_owned<'any>(self) -> Item<'any> {
        Item {
            kind: self.kind,
            page: self.page,
            cells: Cow::Owned(self.cells.into_owned()),
            roles: self.roles,
            normal: self.normal,
        }
    }
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
    /// The header's text height: the margin of the table's extent.
    size: f32,
    /// Where, on the page being read, the table's vertical rules run: the
    /// y ranges they cover, bottom to top, disjoint.
    drawn: Vec<(f32, f32)>,
    /// Rows emitted so far.
    rows: usize,
    /// The spacing of a row's wrapped lines, as last measured (see
    /// `Body::wrap_spacing`): a page that shows none goes by the last.
    wrap: Option<f32>,
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
        // Most cells lie within one column: the one both edges fall in.
        let starts = self.bounds.partition_point(|&b| b <= cell.x);
        if self.bounds.partition_point(|&b| b < cell.right) == starts {
            return starts;
        }
        // Text that starts where its column's header starts is that
        // column's, however far it runs on (a long surname over the other
        // names' column).
        if self
            .columns
            .get(starts)
            .is_some_and(|c| (cell.x - c.left).abs() <= ALIGNED * cell.size.max(1.0))
        {
            return starts;
        }
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

    /// Whether this table, found while `open` is being read, is more
    /// likely a body line of `open` that holds a few header words (an
    /// address wrapped beside "Candidate"): it has fewer columns than
    /// `open` and fewer than a candidate table's usual three.
    fn is_fragment_of(&self, open: &Table) -> bool {
        self.columns.len() < open.columns.len() && self.columns.len() < 3
    }

    fn left(&self) -> f32 {
        self.columns.first().map_or(0.0, |c| c.left)
    }

    /// Where the header's columns start over again, when they do: two
    /// tables side by side under one header band. The column roles from
    /// there repeat the table's own from its first column, over at least
    /// two columns, the key column among them.
    fn repeat_start(&self) -> Option<usize> {
        let roles: Vec<Option<Role>> = self.columns.iter().map(|c| c.role).collect();
        let key = roles[self.key];
        (self.key + 2..roles.len()).find_map(|again| {
            let start = again - self.key;
            let overlap = start.min(roles.len() - start);
            (roles[again] == key
                && overlap >= 2
                && overlap > self.key
                && (0..overlap).all(|i| roles[start + i] == roles[i]))
            .then_some(start)
        })
    }

    /// Finds where the table's vertical rules run on a page whose rules
    /// are `rules`.
    fn find_drawn(&mut self, rules: &[Rule]) {
        self.drawn.clear();
        if !self.ruled {
            return;
        }
        let (left, right) = (self.left() - self.size, self.right() + self.size);
        let mut spans: Vec<(f32, f32)> = rules
            .iter()
            .filter(|r| r.vertical && r.at >= left && r.at <= right)
            .map(|r| (r.from, r.to))
            .collect();
        // Rules come top to bottom or bottom to top, as the page drew them.
        if spans.is_sorted_by(|a, b| a.0 >= b.0) {
            spans.reverse();
        } else if !spans.is_sorted_by(|a, b| a.0 <= b.0) {
            spans.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        }
        for (from, to) in spans {
            match self.drawn.last_mut() {
                Some(last) if from <= last.1 + 1.0 => last.1 = last.1.max(to),
                _ => self.drawn.push((from, to)),
            }
        }
    }

    /// Whether the table's vertical rules run past a line at `baseline`
    /// whose text is `size` high.
    fn drawn_at(&self, baseline: f32, size: f32) -> bool {
        let at = self
            .drawn
            .partition_point(|&(from, _)| from <= baseline + 0.5 * size);
        at > 0 && self.drawn[at - 1].1 >= baseline
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
    /// Each column's phrases without their spaces and marks, in priority
    /// order, for header words an OCR layer broke ("DESCRI PTI ON").
    squeezed_columns: Vec<(Role, Vec<String>)>,
    /// The phrases of the columns rows are keyed on (a header names one).
    key_phrases: PhraseSet,
    /// Every word a header may hold.
    header_words: HashSet<String, foldhash::fast::RandomState>,
    /// The words a header's first cell may start with: the column
    /// phrases' and `header_first_words`.
    first_words: HashSet<String, foldhash::fast::RandomState>,
    table_end: PhraseSet,
    /// Page numbers and the like: lines that belong to no table.
    page_marks: RegexSet,
}

/// Shortest column phrase (letters run together) looked for in a header
/// cell's squeezed letters: shorter ones hide inside other words.
const MIN_SQUEEZED_PHRASE: usize = 6;

/// Letters and digits only, lowercased: "DESCRI PTI ON (if any)" is
/// "descriptionifany".
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Most cells of a line of page furniture.
const MAX_PAGE_MARK_CELLS: usize = 3;
/// Longest cell of page furniture, in bytes (a page's address).
const MAX_PAGE_MARK: usize = 300;

/// Most words in a heading that groups a table's rows (a party's name and
/// perhaps its description).
const MAX_GROUP_WORDS: usize = 12;
/// Most bands of tables side by side parted on one page.
const MAX_SIDE_BY_SIDE: usize = 8;
/// Most lines above a band of tables side by side read as their headings...
const MAX_HEADINGS: usize = 6;
/// ...each at most this many text heights above the next.
const MAX_HEADING_GAP: f32 = 3.0;

/// How far (in text heights) a cell's left edge may lie from its header's
/// and still be aligned with it.
const ALIGNED: f32 = 0.3;

/// The roles a table's rows are keyed on, in order of preference.
const KEY_ROLES: [Role; 3] = [Role::Surname, Role::Name, Role::NameAndAddress];

/// Group of footer phrases in [`TableReader::table_end`].
const FOOTER: usize = 0;
/// Group of other table ends.
const SECTION_END: usize = 1;

/// The visible cells of a page's lines and their normal forms, kept in
/// one buffer for the whole page (reused from page to page).
#[derive(Default)]
struct PageText {
    /// Indexes into each line's cells of its visible, non-blank cells,
    /// line after line.
    visible: Vec<usize>,
    /// Where each of those cells' normal form lies in `text`.
    spans: Vec<(usize, usize)>,
    /// The normal forms.
    text: String,
    /// Where each line's cells start in `visible` (and one past the last).
    starts: Vec<usize>,
    /// Whether each line is page furniture ([`TableReader::is_page_mark`]),
    /// judged once for the header search and the reading alike.
    marks: Vec<bool>,
}

impl PageText {
    /// Reads `lines` afresh; `is_mark` tells page furniture.
    fn fill(&mut self, lines: &[Line], is_mark: impl Fn(Seen<'_>) -> bool) {
        self.visible.clear();
        self.spans.clear();
        self.text.clear();
        self.starts.clear();
        self.marks.clear();
        // One allocation a buffer (normal forms are about as long as the
        // text), not one each time it doubles.
        let cells = lines.iter().map(|l| l.cells.len()).sum();
        let bytes = lines
            .iter()
            .flat_map(|l| &l.cells)
            .map(|c| c.text.len())
            .sum();
        self.visible.reserve(cells);
        self.spans.reserve(cells);
        self.text.reserve(bytes);
        self.starts.reserve(lines.len() + 1);
        self.marks.reserve(lines.len());
        for line in lines {
            self.starts.push(self.visible.len());
            for (i, cell) in line.cells.iter().enumerate() {
                if cell.visibility.is_hidden() {
                    continue;
                }
                let start = self.text.len();
                normalise_onto(&cell.text, &mut self.text);
                // A blank cell's normal form is empty.
                if self.text.len() > start {
                    self.visible.push(i);
                    self.spans.push((start, self.text.len()));
                }
            }
        }
        self.starts.push(self.visible.len());
        let mut marks = std::mem::take(&mut self.marks);
        marks.extend((0..lines.len()).map(|i| is_mark(self.line(lines, i))));
        self.marks = marks;
    }

    /// Whether line `i` is page furniture.
    fn is_mark(&self, i: usize) -> bool {
        self.marks.get(i).copied().unwrap_or(false)
    }

    /// Line `i` of `lines` as the reader sees it.
    fn line<'p>(&'p self, lines: &'p [Line], i: usize) -> Seen<'p> {
        let (from, to) = (self.starts[i], self.starts[i + 1]);
        Seen {
            visible: &self.visible[from..to],
            spans: &self.spans[from..to],
            text: &self.text,
            line: &lines[i],
        }
    }
}

/// A line as the reader sees it: its visible cells and their normal forms.
#[derive(Clone, Copy)]
struct Seen<'p> {
    /// Indexes into the line's cells of its visible, non-blank cells.
    visible: &'p [usize],
    spans: &'p [(usize, usize)],
    text: &'p str,
    line: &'p Line,
}

impl<'p> Seen<'p> {
    /// The normal forms of the visible cells, in order.
    fn norms(&self) -> impl Iterator<Item = &'p str> + use<'p> {
        let text = self.text;
        self.spans.iter().map(move |&(a, b)| &text[a..b])
    }

    /// The normal forms joined by spaces: the line's normal form.
    fn normal(&self) -> String {
        let length = self.spans.iter().map(|&(a, b)| b - a + 1).sum();
        let mut normal = String::with_capacity(length);
        for (i, part) in self.norms().enumerate() {
            if i > 0 {
                normal.push(' ');
            }
            normal.push_str(part);
        }
        normal
    }
}

/// The tests [`TableReader::header_at`] runs on a line.
#[derive(Clone, Copy)]
enum Test {
    /// [`TableReader::starts_like_header`].
    Starts,
    /// [`TableReader::named`].
    Named,
    /// [`TableReader::header_like`].
    HeaderLike,
}

/// The outcomes of each line's header tests on one page, so that each test
/// runs once per line: the reader tries a band from every line, and the
/// lines below the first are tested again as the next band's.
struct Tested {
    /// Three outcomes per line, in [`Test`] order.
    outcomes: Vec<Option<bool>>,
}

impl Tested {
    fn new(lines: usize) -> Tested {
        Tested {
            outcomes: vec![None; 3 * lines],
        }
    }

    /// The outcome of `test` on line `line`, running it the first time.
    fn run(&mut self, test: Test, line: usize, run: impl FnOnce() -> bool) -> bool {
        let slot = &mut self.outcomes[3 * line + test as usize];
        *slot.get_or_insert_with(run)
    }
}

/// At least this share of a line's words must be header words for the
/// line to be part of a header band (a misspelt or unlisted word or two
/// aside, "Names of Proposer, Seconder & Assenters").
const HEADER_WORDS_SHARE: f32 = 0.7;
/// A line with more words than this that are not header words is no
/// header line, whatever its length.
const MAX_OTHER_WORDS: usize = 3;

impl TableReader {
    /// Compiles the header vocabulary (`rules.columns`: role and phrases,
    /// in priority order), the extra words headers use, the table-end and
    /// footer phrases and the page marks.
    pub(crate) fn new(rules: &Rules) -> TableReader {
        let columns = &rules.columns;
        let column_words = || columns.iter().flat_map(|(_, phrases)| phrases);
        let words = words_of_phrases(column_words().chain(&rules.header_words));
        let first_words = words_of_phrases(column_words().chain(&rules.header_first_words));
        TableReader {
            columns: PhraseSet::new(
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, phrases))| (i, phrases.as_slice())),
            ),
            column_roles: columns.iter().map(|(role, _)| *role).collect(),
            squeezed_columns: columns
                .iter()
                .map(|(role, phrases)| {
                    let squeezed = phrases
                        .iter()
                        .map(|p| squeeze(p))
                        .filter(|p| p.len() >= MIN_SQUEEZED_PHRASE)
                        .collect();
                    (*role, squeezed)
                })
                .collect(),
            key_phrases: PhraseSet::new(
                columns
                    .iter()
                    .filter(|(role, _)| KEY_ROLES.contains(role))
                    .map(|(_, phrases)| (0, phrases.as_slice())),
            ),
            header_words: words,
            first_words,
            table_end: PhraseSet::new([
                (FOOTER, rules.footer.as_slice()),
                (SECTION_END, rules.table_end.as_slice()),
            ]),
            page_marks: RegexSet::new(
                rules
                    .page_marks
                    .iter()
                    .map(|p| format!("(?i:{})", p.as_str())),
            )
            // Each pattern compiled alone when the rules were loaded.
            .unwrap_or_else(|_| RegexSet::empty()),
        }
    }

    /// `Some(true)` for a footer, `Some(false)` for another table end, from
    /// the cells' normal forms: a cell that starts (list numbers and marks
    /// aside) with a table-end phrase.
    fn table_end(&self, seen: Seen<'_>) -> Option<bool> {
        seen.norms().find_map(|normal| {
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

    /// Whether a line is only page furniture: a page number ("Page 2 of
    /// 3", "- 2 -"), or what a browser prints at the foot of a page it
    /// printed (the page's address beside "1/3"). Every visible cell (at
    /// most [`MAX_PAGE_MARK_CELLS`]) must be one of the `page_marks`.
    fn is_page_mark(&self, seen: Seen<'_>) -> bool {
        let cells = || seen.visible.iter().map(|&c| seen.line.cells[c].text.trim());
        // Cheap tests first, on every cell's bytes: a page number is short
        // and holds a digit, an address is one word with a dot or a slash.
        let may_be_mark = |text: &str| {
            let bytes = text.as_bytes();
            bytes.len() <= 24 && bytes.iter().any(u8::is_ascii_digit)
                || bytes.len() <= MAX_PAGE_MARK
                    && !bytes.contains(&b' ')
                    && bytes.iter().any(|&b| b == b'.' || b == b'/')
        };
        (1..=MAX_PAGE_MARK_CELLS).contains(&seen.visible.len())
            && cells().all(may_be_mark)
            && cells().all(|text| self.page_marks.is_match(text))
    }

    /// The role a header cell's normal form names, if any.
    fn role_of(&self, normal: &str) -> Option<Role> {
        self.columns
            .first_group(normal)
            .and_then(|g| self.column_roles.get(g).copied())
    }

    /// The role a header cell names once the spaces inside its words are
    /// taken out: the phrases of [`TableReader::squeezed_columns`] found in
    /// the cell's letters run together.
    fn role_of_squeezed(&self, normal: &str) -> Option<Role> {
        let cell = squeeze(normal);
        self.squeezed_columns
            .iter()
            .find(|(_, phrases)| phrases.iter().any(|p| cell.contains(p.as_str())))
            .map(|(role, _)| *role)
    }

    /// Whether most of a line's words are header words (or it holds only
    /// numbers and marks): it may be part of a header band.
    fn header_like(&self, seen: Seen<'_>) -> bool {
        let (mut words, mut other) = (0usize, 0usize);
        for word in seen.norms().flat_map(words_of) {
            // Numbers ("1."), single letters and marks count for neither.
            if !is_real_word(word) {
                continue;
            }
            words += 1;
            if !self.header_words.contains(word) {
                other += 1;
                // Most lines (candidates' rows) end here.
                if other > MAX_OTHER_WORDS {
                    return false;
                }
            }
        }
        !seen.visible.is_empty() && (words - other) as f32 >= HEADER_WORDS_SHARE * words as f32
    }

    /// Whether a line's first visible cell starts with a header word or a
    /// number, as a header's first cell does: most lines (a candidate's
    /// name first) are told by one word.
    fn starts_like_header(&self, seen: Seen<'_>) -> bool {
        let Some(first) = seen.norms().next() else {
            return false;
        };
        let starts = first_real_word(first).is_none_or(|w| self.first_words.contains(w));
        // "Name: ..." is a label and its value, not a header cell.
        starts && first.find(':').is_none_or(|at| at + 1 >= first.len())
    }

    /// Whether a line has a cell holding a column header phrase.
    fn named(&self, seen: Seen<'_>) -> bool {
        seen.norms().any(|n| self.columns.any(n))
    }

    /// Reads `lines` and `rules` into items, asking `cues` about posts and
    /// addresses.
    pub(crate) fn read<'l>(
        &self,
        lines: &'l [Line],
        rules: &[Rule],
        cues: &dyn Cues,
    ) -> Vec<Item<'l>> {
        let mut items = Vec::with_capacity(lines.len());
        let mut table: Option<Table> = None;
        let mut text = PageText::default();
        let mut page_rules: Vec<Rule> = Vec::new();
        let mut start = 0;
        while start < lines.len() {
            let page = lines[start].page;
            let end = lines[start..]
                .iter()
                .position(|l| l.page != page)
                .map_or(lines.len(), |n| start + n);
            page_rules.clear();
            page_rules.extend(rules.iter().filter(|r| r.page == page));
            let page_lines = &lines[start..end];
            text.fill(page_lines, |seen| self.is_page_mark(seen));
            let headers = self.headers(page_lines, &text, &page_rules);
            match self.side_by_side(page_lines, &headers) {
                None => self.read_page(
                    page_lines,
                    &text,
                    &page_rules,
                    headers,
                    &mut table,
                    &mut items,
                    cues,
                ),
                Some(mut arranged) => {
                    // Each round parts one band of tables side by side;
                    // three abreast take two rounds.
                    let mut headers;
                    let mut rounds = 1;
                    loop {
                        text.fill(&arranged, |seen| self.is_page_mark(seen));
                        headers = self.headers(&arranged, &text, &page_rules);
                        match self.side_by_side(&arranged, &headers) {
                            Some(next) if rounds < MAX_SIDE_BY_SIDE => arranged = next,
                            _ => break,
                        }
                        rounds += 1;
                    }
                    let mut own = Vec::new();
                    self.read_page(
                        &arranged,
                        &text,
                        &page_rules,
                        headers,
                        &mut table,
                        &mut own,
                        cues,
                    );
                    items.extend(own.into_iter().map(Item::into_owned));
                }
            }
            start = end;
        }
        items
    }

    /// Every header band of a page, as the reader meets them: (first
    /// line, table, index after the last line). A band too narrow to be
    /// more than a fragment of a wider table is skipped by one line only,
    /// as the reader may read it as a body line.
    fn headers(
        &self,
        lines: &[Line],
        text: &PageText,
        rules: &[Rule],
    ) -> Vec<(usize, Table, usize)> {
        let mut found = Vec::new();
        let mut tested = Tested::new(lines.len());
        let mut i = 0;
        while i < lines.len() {
            if text.is_mark(i) {
                i += 1;
                continue;
            }
            match self.header_at(lines, text, &mut tested, i, rules) {
                Some((table, end)) => {
                    let next = if table.columns.len() < 3 { i + 1 } else { end };
                    found.push((i, table, end));
                    i = next;
                }
                None => i += 1,
            }
        }
        found
    }

    /// The page's lines rearranged when a header band holds two tables
    /// side by side (its columns repeat): the lines from just above that
    /// band (the tables' headings) down to the first line that spans the
    /// gap between the tables, each parted at the gap, the left parts
    /// first. `None` when no band repeats.
    fn side_by_side(&self, lines: &[Line], headers: &[(usize, Table, usize)]) -> Option<Vec<Line>> {
        let (at, band, split, right_table, end) = headers.iter().find_map(|(at, table, end)| {
            let parted = table.repeat_start()?;
            let right_table = table.columns[parted].left;
            Some((
                *at,
                table.left(),
                table.bounds[parted - 1],
                right_table,
                *end,
            ))
        })?;
        // A line is not the tables' when a cell starts left of them, or
        // starts left of the gap and runs on into the right table.
        let crosses = |line: &Line| {
            line.cells.iter().any(|c| {
                let margin = CROSSING * c.size.max(1.0);
                c.x < band - margin || c.x < split && c.right > right_table + margin
            })
        };
        let mut top = at;
        while top > 0 && at - top < MAX_HEADINGS {
            let (above, below) = (&lines[top - 1], &lines[top]);
            let gap = above.baseline - below.baseline;
            if crosses(above) || gap <= 0.0 || gap > MAX_HEADING_GAP * size_of(above) {
                break;
            }
            top -= 1;
        }
        let mut bottom = end;
        while bottom < lines.len()
            && !crosses(&lines[bottom])
            && lines[bottom].baseline <= lines[bottom - 1].baseline
            && !headers.iter().any(|(start, _, _)| *start == bottom)
        {
            bottom += 1;
        }
        let part = |line: &Line, left: bool| Line {
            cells: line
                .cells
                .iter()
                .filter(|c| (c.x < split) == left)
                .cloned()
                .collect(),
            ..line.clone()
        };
        let region = &lines[top..bottom];
        let mut arranged = Vec::with_capacity(lines.len() + region.len());
        arranged.extend_from_slice(&lines[..top]);
        for left in [true, false] {
            arranged.extend(
                region
                    .iter()
                    .map(|line| part(line, left))
                    .filter(|line| !line.cells.is_empty()),
            );
        }
        arranged.extend_from_slice(&lines[bottom..]);
        Some(arranged)
    }

    #[allow(clippy::too_many_arguments)]
    fn read_page<'l>(
        &self,
        lines: &'l [Line],
        text: &PageText,
        rules: &[Rule],
        headers: Vec<(usize, Table, usize)>,
        open: &mut Option<Table>,
        items: &mut Vec<Item<'l>>,
        cues: &dyn Cues,
    ) {
        let page = lines.first().map_or(1, |l| l.page);
        if let Some(table) = open.as_mut() {
            table.find_drawn(rules);
        }
        // Body lines of the table being read, not yet grouped into rows.
        let mut body: Vec<usize> = Vec::new();
        // The baseline of this page's last body line.
        let mut last_body: Option<f32> = None;
        // Page marks among the body lines not yet emitted, by line.
        let mut marks: Vec<(usize, Item<'l>)> = Vec::new();
        let mut headers = headers.into_iter().peekable();
        let mut i = 0;
        while i < lines.len() {
            let seen = text.line(lines, i);
            if text.is_mark(i) {
                // Page furniture keeps its place among the rows being read.
                let mark = free_item(&lines[i], seen, None);
                if body.is_empty() {
                    items.push(mark);
                } else {
                    marks.push((i, mark));
                }
                i += 1;
                continue;
            }
            if let Some((_, mut table, end)) = headers
                .next_if(|(at, _, _)| *at == i)
                .filter(|(_, new, _)| open.as_ref().is_none_or(|open| !new.is_fragment_of(open)))
            {
                while headers.next_if(|(at, _, _)| *at < end).is_some() {}
                table.find_drawn(rules);
                if let Some(open) = open.as_mut() {
                    flush(open, lines, rules, &mut body, &mut marks, items, cues);
                }
                items.push(header_item(&lines[i..end], &table));
                *open = Some(table);
                i = end;
                continue;
            }
            let line = &lines[i];
            let table_end = self.table_end(seen);
            let Some(table) = open.as_mut().filter(|t| t.state != State::Closed) else {
                items.push(free_item(&lines[i], seen, table_end));
                i += 1;
                continue;
            };
            if let State::Paused(at) = table.state {
                let resumes =
                    at < page && table_end.is_none() && fits(table, seen) && resumes(table, seen);
                if !resumes {
                    items.push(free_item(&lines[i], seen, table_end));
                    i += 1;
                    continue;
                }
                table.state = State::Reading;
            }
            if let Some(footer) = table_end {
                flush(table, lines, rules, &mut body, &mut marks, items, cues);
                table.state = if footer {
                    State::Paused(page)
                } else {
                    State::Closed
                };
                items.push(free_item(&lines[i], seen, table_end));
                i += 1;
                continue;
            }
            let post = match (seen.visible, seen.norms().next()) {
                ([only], Some(normal)) => cues.is_post(&line.cells[*only].text, normal),
                _ => false,
            };
            if post {
                flush(table, lines, rules, &mut body, &mut marks, items, cues);
                items.push(free_item(&lines[i], seen, None));
                i += 1;
                continue;
            }
            // Far below the last body line, only a new row (a name and an
            // address in the table's columns) goes on with the table.
            let far = !table.ruled
                && last_body.is_some_and(|y| y - line.baseline > MAX_BODY_GAP * size_of(line))
                && !(fits(table, seen) && resumes(table, seen));
            if far || !fits(table, seen) {
                // A heading across the columns never fits them.
                if !far && self.is_group_heading(table, lines, text, i) {
                    flush(table, lines, rules, &mut body, &mut marks, items, cues);
                    items.push(Item {
                        kind: ItemKind::Group,
                        ..free_item(line, seen, None)
                    });
                    i += 1;
                    continue;
                }
                if !body.is_empty() || !seen.visible.is_empty() && table.rows > 0 {
                    flush(table, lines, rules, &mut body, &mut marks, items, cues);
                    table.state = State::Paused(page);
                }
                items.push(free_item(&lines[i], seen, None));
                i += 1;
                continue;
            }
            body.push(i);
            last_body = Some(line.baseline);
            i += 1;
        }
        if let Some(table) = open.as_mut() {
            flush(table, lines, rules, &mut body, &mut marks, items, cues);
        }
    }

    /// Whether line `at` heads a group of the table's rows (a party's
    /// list): one short cell across two or more of the table's columns,
    /// no sentence and no number, with a row of the table starting on the
    /// next line.
    fn is_group_heading(&self, table: &Table, lines: &[Line], text: &PageText, at: usize) -> bool {
        let seen = text.line(lines, at);
        let [only] = seen.visible else {
            return false;
        };
        let cell = &lines[at].cells[*only];
        let words = cell.text.split_whitespace().count();
        let margin = CROSSING * cell.size.max(1.0);
        let crossed = table
            .bounds
            .iter()
            .filter(|&&b| cell.x < b - margin && cell.right > b + margin)
            .count();
        let plain = cell.text.chars().any(char::is_alphabetic)
            && !cell.text.chars().any(|c| c.is_ascii_digit())
            && !cell.text.trim_end().ends_with(['.', ':', ';']);
        if crossed < 2 || words > MAX_GROUP_WORDS || !plain || at + 1 >= lines.len() {
            return false;
        }
        let next = text.line(lines, at + 1);
        let gap = lines[at].baseline - lines[at + 1].baseline;
        gap > 0.0
            && gap <= MAX_BODY_GAP * size_of(&lines[at])
            && fits(table, next)
            && next
                .visible
                .iter()
                .any(|&c| table.column_of(&lines[at + 1].cells[c]) == table.key)
    }

    /// The header band starting at line `at`, if one does: the table it
    /// heads and the index after its last line.
    fn header_at(
        &self,
        lines: &[Line],
        text: &PageText,
        tested: &mut Tested,
        at: usize,
        rules: &[Rule],
    ) -> Option<(Table, usize)> {
        // A band starts at a line of header words naming a column, or at
        // numbering or header words just above one. The cheap tests first:
        // a header word first, a header phrase, then the share of header
        // words.
        let seen = |i| text.line(lines, i);
        if !tested.run(Test::Starts, at, || self.starts_like_header(seen(at))) {
            return None;
        }
        let starts = if tested.run(Test::Named, at, || self.named(seen(at))) {
            tested.run(Test::HeaderLike, at, || self.header_like(seen(at)))
        } else {
            at + 1 < lines.len()
                && tested.run(Test::Starts, at + 1, || {
                    self.starts_like_header(seen(at + 1))
                })
                && tested.run(Test::Named, at + 1, || self.named(seen(at + 1)))
                && close(lines, at, at + 1, rules)
                && tested.run(Test::HeaderLike, at, || self.header_like(seen(at)))
                && tested.run(Test::HeaderLike, at + 1, || self.header_like(seen(at + 1)))
        };
        if !starts {
            return None;
        }
        let mut end = at + 1;
        while end < lines.len()
            && end - at < MAX_HEADER_LINES
            && tested.run(Test::HeaderLike, end, || self.header_like(seen(end)))
            && close(lines, end - 1, end, rules)
        {
            end += 1;
        }
        // A header names the column its rows are keyed on.
        let keyed = (at..end).any(|i| text.line(lines, i).norms().any(|n| self.key_phrases.any(n)));
        if !keyed {
            return None;
        }
        let mut row = Line {
            page: lines[at].page,
            baseline: lines[at].baseline,
            cells: Vec::new(),
        };
        for (i, line) in lines.iter().enumerate().take(end).skip(at) {
            let visible = Line {
                page: line.page,
                baseline: line.baseline,
                cells: text
                    .line(lines, i)
                    .visible
                    .iter()
                    .map(|&c| line.cells[c].clone())
                    .collect(),
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
            let role = self
                .role_of(&normal)
                .or_else(|| self.role_of_squeezed(&normal));
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
        let key_roles = KEY_ROLES;
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
                size: size_of(&lines[at]),
                drawn: Vec::new(),
                rows: 0,
                wrap: None,
                state: State::Reading,
            },
            end,
        ))
    }
}

/// Every word of `phrases`, as [`key_into`] splits them.
fn words_of_phrases<'p>(
    phrases: impl Iterator<Item = &'p String>,
) -> HashSet<String, foldhash::fast::RandomState> {
    let mut words = HashSet::with_hasher(foldhash::fast::RandomState::default());
    let mut buffer = String::new();
    for phrase in phrases {
        key_into(phrase, &mut buffer);
        words.extend(
            buffer
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from),
        );
    }
    words
}

/// The first [`is_real_word`] of [`words_of`]`(normal)`: most lines are
/// told by it.
fn first_real_word(normal: &str) -> Option<&str> {
    words_of(normal).find(|w| is_real_word(w))
}

/// A word that says something: not a number, a single letter or a mark.
fn is_real_word(word: &str) -> bool {
    word.len() > 1 && !word.bytes().all(|b| b.is_ascii_digit()) && word.chars().nth(1).is_some()
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
fn fits(table: &Table, seen: Seen<'_>) -> bool {
    let line = seen.line;
    let size = size_of(line);
    let (left, right) = (table.left() - 2.0 * size, table.right() + 2.0 * size);
    let mut inside = false;
    for &c in seen.visible {
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
    !table.ruled || table.drawn_at(line.baseline, size)
}

/// Whether a line on a later page starts a row of a paused table: it has
/// a name and, where the table has an address column, an address.
fn resumes(table: &Table, seen: Seen<'_>) -> bool {
    let line = seen.line;
    let columns: Vec<usize> = seen
        .visible
        .iter()
        .map(|&c| table.column_of(&line.cells[c]))
        .collect();
    columns.contains(&table.key) && table.address.is_none_or(|a| columns.contains(&a))
}

/// A free line as an item.
fn free_item<'l>(line: &'l Line, seen: Seen<'_>, table_end: Option<bool>) -> Item<'l> {
    Item {
        kind: ItemKind::Free { table_end },
        page: line.page,
        cells: Cow::Borrowed(&line.cells),
        roles: Vec::new(),
        normal: seen.normal(),
    }
}

/// The header band's lines as one item, its cells merged by column.
fn header_item<'l>(band: &[Line], table: &Table) -> Item<'l> {
    let mut cells: Vec<Cell> = Vec::new();
    let mut columns: Vec<usize> = Vec::new();
    for line in band {
        for cell in &line.cells {
            add_to_column(&mut cells, &mut columns, table.column_of(cell), cell, 0);
        }
    }
    Item {
        kind: ItemKind::Header,
        page: band.first().map_or(1, |l| l.page),
        roles: columns.iter().map(|&c| table.columns[c].role).collect(),
        cells: Cow::Owned(cells),
        normal: String::new(),
    }
}

/// Adds `cell` to the merged cell of its column and visibility, keeping
/// cells in column order; a new merged cell has `room` bytes for its text.
fn add_to_column(
    cells: &mut Vec<Cell>,
    columns: &mut Vec<usize>,
    column: usize,
    cell: &Cell,
    room: usize,
) {
    if let Some(at) = cells
        .iter()
        .zip(columns.iter())
        .position(|(c, &k)| k == column && c.visibility == cell.visibility)
    {
        let merged = &mut cells[at];
        // One allocation for the line break and the text.
        merged.text.reserve(1 + cell.text.len());
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
    let mut text = String::with_capacity(room.max(cell.text.len()));
    text.push_str(&cell.text);
    let cell = Cell {
        text,
        x: cell.x,
        right: cell.right,
        visibility: cell.visibility,
        size: cell.size,
    };
    cells.insert(at, cell);
    columns.insert(at, column);
}

/// Groups the body lines read so far into rows and emits them, with the
/// page marks read among them in line order.
fn flush<'l>(
    table: &mut Table,
    lines: &'l [Line],
    rules: &[Rule],
    body: &mut Vec<usize>,
    marks: &mut Vec<(usize, Item<'l>)>,
    items: &mut Vec<Item<'l>>,
    cues: &dyn Cues,
) {
    if body.is_empty() {
        items.extend(marks.drain(..).map(|(_, mark)| mark));
        return;
    }
    // Each body line's cells' columns, worked out once.
    let columns = CellColumns::new(table, lines, body);
    let measured = Body {
        table,
        lines,
        body,
        columns: &columns,
    }
    .wrap_spacing();
    table.wrap = measured.or(table.wrap);
    let body_lines = Body {
        table,
        lines,
        body,
        columns: &columns,
    };
    let rows = body_lines.rows(rules, cues);
    let mut marks = marks.drain(..).peekable();
    let mut emitted = Vec::with_capacity(rows.len());
    // Each merged cell's column, for the row being built.
    let mut cell_columns = Vec::with_capacity(table.columns.len());
    // The bytes of each column's lines, for the row being built.
    let mut column_bytes = vec![0; table.columns.len()];
    for (start, members) in rows {
        let first_line = body[members.start];
        while let Some((_, mark)) = marks.next_if(|(line, _)| *line < first_line) {
            emitted.push(mark);
        }
        let k = members.start;
        let cells = match members.len() {
            // A row of one line whose cells are each the only one of
            // their column keeps the line's cells.
            1 if lines[body[k]]
                .cells
                .iter()
                .all(|c| !c.text.trim().is_empty())
                && columns.of(k).is_sorted_by(|a, b| a < b) =>
            {
                cell_columns.clear();
                cell_columns.extend_from_slice(columns.of(k));
                Cow::Borrowed(lines[body[k]].cells.as_slice())
            }
            _ => {
                // Most rows have one cell a column, whose text is
                // allocated once for all its lines.
                let mut cells = Vec::with_capacity(table.columns.len());
                cell_columns.clear();
                column_bytes.fill(0);
                for k in members.clone() {
                    for (cell, &column) in lines[body[k]].cells.iter().zip(columns.of(k)) {
                        if let Some(bytes) = column_bytes.get_mut(column) {
                            *bytes += cell.text.len() + 1;
                        }
                    }
                }
                for k in members {
                    for (cell, &column) in lines[body[k]].cells.iter().zip(columns.of(k)) {
                        if !cell.text.trim().is_empty() {
                            let room = column_bytes.get(column).copied().unwrap_or(0);
                            add_to_column(&mut cells, &mut cell_columns, column, cell, room);
                        }
                    }
                }
                Cow::Owned(cells)
            }
        };
        let kind = match start {
            true => ItemKind::Body { continues: false },
            false if table.rows == 0 => ItemKind::Header,
            false => ItemKind::Body { continues: true },
        };
        if start {
            table.rows += 1;
        }
        emitted.push(Item {
            kind,
            page: lines[first_line].page,
            roles: cell_columns
                .iter()
                .map(|&c| table.columns[c].role)
                .collect(),
            cells,
            normal: String::new(),
        });
    }
    emitted.extend(marks.map(|(_, mark)| mark));
    items.extend(emitted);
    body.clear();
}

/// The column of every cell of some lines, in one buffer.
struct CellColumns {
    columns: Vec<usize>,
    /// Where each line's cells start in `columns` (and one past the last).
    starts: Vec<usize>,
}

impl CellColumns {
    /// The columns of `table` that the cells of `lines[i]`, for each `i`
    /// in `which`, lie in.
    fn new(table: &Table, lines: &[Line], which: &[usize]) -> Self {
        let mut columns = Vec::new();
        let mut starts = Vec::with_capacity(which.len() + 1);
        for &i in which {
            starts.push(columns.len());
            columns.extend(lines[i].cells.iter().map(|c| table.column_of(c)));
        }
        starts.push(columns.len());
        CellColumns { columns, starts }
    }

    /// The columns of the cells of the `k`th line.
    fn of(&self, k: usize) -> &[usize] {
        &self.columns[self.starts[k]..self.starts[k + 1]]
    }
}

/// The body lines of one stretch of a table, with their cells' columns.
struct Body<'a> {
    table: &'a Table,
    lines: &'a [Line],
    /// The lines, by index into `lines`.
    body: &'a [usize],
    /// For each body line, each cell's column.
    columns: &'a CellColumns,
}

impl Body<'_> {
    /// Writes into `text` (cleared first) the visible text of body line
    /// `k` in `column`.
    fn text_into(&self, k: usize, column: usize, text: &mut String) {
        text.clear();
        for (cell, &c) in self.lines[self.body[k]]
            .cells
            .iter()
            .zip(self.columns.of(k))
        {
            if c == column && !cell.visibility.is_hidden() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&cell.text);
            }
        }
    }

    /// Whether body line `k` has a name in the key column.
    fn keyed(&self, k: usize) -> bool {
        self.lines[self.body[k]]
            .cells
            .iter()
            .zip(self.columns.of(k))
            .any(|(cell, &c)| {
                c == self.table.key
                    && !cell.visibility.is_hidden()
                    && cell.text.chars().any(char::is_alphabetic)
            })
    }

    fn line(&self, k: usize) -> &Line {
        &self.lines[self.body[k]]
    }

    /// The lines as rows: (whether the row starts a new entry, its lines
    /// as a range of indexes into `body`: a row's lines follow one
    /// another). Lines above the first entry come first, as a row that
    /// starts none.
    fn rows(&self, rules: &[Rule], cues: &dyn Cues) -> Vec<(bool, Range<usize>)> {
        let table = self.table;
        let n = self.body.len();
        let keyed: Vec<bool> = (0..n).map(|k| self.keyed(k)).collect();
        let key_column = table.columns[table.key];
        let key_middle = (key_column.left + key_column.right) / 2.0;
        let next_middle = table
            .columns
            .get(table.key + 1)
            .map_or(key_column.right, |c| (c.left + c.right) / 2.0);
        let (top, bottom) = (
            self.line(0).baseline + size_of(self.line(0)),
            self.line(n - 1).baseline,
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
        let mut rows: Vec<(bool, Range<usize>)> = Vec::new();
        if !separators.is_empty() {
            // Ruled rows: the lines between two separators; a band without
            // a name carries on the row above.
            let bands: Vec<usize> = (0..n)
                .map(|k| {
                    let y = self.line(k).baseline;
                    separators.partition_point(|&s| s > y)
                })
                .collect();
            let mut named_band = vec![false; separators.len() + 1];
            for (&band, &key) in bands.iter().zip(&keyed) {
                named_band[band] |= key;
            }
            let mut current: Option<usize> = None;
            for (k, &b) in bands.iter().enumerate() {
                match rows.last_mut() {
                    Some(row) if current == Some(b) || !named_band[b] => row.1.end = k + 1,
                    _ => rows.push((named_band[b], k..k + 1)),
                }
                current = Some(b);
            }
            return rows;
        }
        // Unruled rows: entries in the key column.
        let size = (0..n).map(|k| size_of(self.line(k))).fold(1.0, f32::max);
        let wrap = table.wrap.unwrap_or(DEFAULT_WRAP * size);
        let mut tops: Vec<f32> = Vec::new();
        let mut previous: Option<(usize, bool)> = None; // key line, mixed case
        // The address text of the entry being read.
        let mut address = String::new();
        let (mut new_address, mut key_text) = (String::new(), String::new());
        for (k, &key) in keyed.iter().enumerate() {
            let line = self.line(k);
            new_address.clear();
            if let Some(column) = table.address {
                self.text_into(k, column, &mut new_address);
            }
            if !key {
                push_line(&mut address, &new_address);
                continue;
            }
            let size = size_of(line);
            self.text_into(k, table.key, &mut key_text);
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
                    let gap = self.line(p).baseline - line.baseline;
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
            previous = Some((k, mixed));
        }
        // Each line goes to the last row whose top is above its middle.
        let mut entry = 0;
        let mut started = 0;
        for k in 0..n {
            let line = self.line(k);
            let middle = line.baseline + 0.4 * size_of(line);
            while entry < tops.len() && tops[entry] >= middle {
                entry += 1;
            }
            match rows.last_mut() {
                Some(row) if entry == started => row.1.end = k + 1,
                _ if entry == 0 => rows.push((false, k..k + 1)),
                _ => {
                    started = entry;
                    rows.push((true, k..k + 1));
                }
            }
        }
        rows
    }

    /// The usual distance between a cell's wrapped lines: the median gap
    /// between neighbouring lines of one column that are close enough to
    /// be one cell's. Where none are (each line its own paragraph, spaced
    /// wide), the median gap above the lines with nothing in the key
    /// column: those carry on the row above, so their spacing is a row's.
    /// `None` where neither is seen.
    fn wrap_spacing(&self) -> Option<f32> {
        let mut last: Vec<Option<f32>> = vec![None; self.table.columns.len()];
        let (mut gaps, mut carried): (Vec<f32>, Vec<f32>) = (Vec::new(), Vec::new());
        for k in 0..self.body.len() {
            let line = self.line(k);
            let keyed = self.keyed(k);
            for (cell, &column) in line.cells.iter().zip(self.columns.of(k)) {
                if cell.visibility.is_hidden() {
                    continue;
                }
                if let Some(above) = last[column] {
                    let gap = above - line.baseline;
                    let height = cell.size.max(1.0);
                    if gap > 0.5 && gap < WRAP_GAP * height {
                        gaps.push(gap);
                    } else if !keyed && gap > 0.5 && gap < MAX_BODY_GAP * height {
                        carried.push(gap);
                    }
                }
                last[column] = Some(line.baseline);
            }
        }
        median(if gaps.is_empty() { carried } else { gaps })
    }
}

/// The middle value of `values` (the upper one of an even count).
fn median(mut values: Vec<f32>) -> Option<f32> {
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied()
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

#[cfg(test)]
mod tests {
    //! The reader on invented pages built line by line: every name, place
    //! and postcode here is made up.

    use super::*;
    use crate::detect::segment::Segmenter;
    use crate::model::Visibility;

    #[test]
    fn first_real_word_skips_numbers_letters_and_marks() {
        for (text, first) in [
            ("1. surname", Some("surname")),
            ("(a) 2 name of candidate", Some("name")),
            ("x 12 ab", Some("ab")),
            ("- 3 -", None),
            ("", None),
            ("ó muilleoir", Some("muilleoir")),
            ("1 é name", Some("name")),
            ("7", None),
            ("ÓMUILLEOIR, máire", Some("ÓMUILLEOIR")),
            ("a–b cd’e", Some("cd")),
        ] {
            assert_eq!(first_real_word(text), first, "{text:?}");
        }
        let words: Vec<&str> = words_of("(Ó Muilleoir) ap-Rhys 12,b").collect();
        assert_eq!(words, ["Ó", "Muilleoir", "ap", "Rhys", "12", "b"]);
    }

    fn cell(x: f32, text: &str) -> Cell {
        Cell {
            x,
            right: x + 5.0 * text.chars().count() as f32,
            text: text.into(),
            visibility: Visibility::Visible,
            size: 10.0,
        }
    }

    fn line(page: u32, y: f32, cells: &[(f32, &str)]) -> Line {
        Line {
            page,
            baseline: y,
            cells: cells.iter().map(|&(x, t)| cell(x, t)).collect(),
        }
    }

    fn read<'l>(lines: &'l [Line], rules: &[Rule]) -> Vec<Item<'l>> {
        let builtin = Rules::builtin();
        let segmenter = Segmenter::new(&builtin);
        TableReader::new(&builtin).read(lines, rules, &segmenter.cues())
    }

    /// Each body row's cells, texts joined by ` | `.
    fn body_rows(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Body { .. }))
            .map(|i| {
                i.cells
                    .iter()
                    .map(|c| c.text.replace('\n', "/"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect()
    }

    #[test]
    fn unruled_rows_start_at_each_surname() {
        // Surname and other names in columns, an address element per line
        // and the postcode alone after a gap, no ruling lines at all.
        let lines = [
            line(
                1,
                700.0,
                &[
                    (40.0, "Surname"),
                    (120.0, "Other Names"),
                    (220.0, "Home Address"),
                    (360.0, "Description"),
                ],
            ),
            line(
                1,
                680.0,
                &[
                    (40.0, "ASHWORTH"),
                    (120.0, "Pim"),
                    (220.0, "4 Quill Row"),
                    (360.0, "Independent"),
                ],
            ),
            line(1, 668.0, &[(120.0, "Rosa"), (220.0, "Exampleton")]),
            line(1, 650.0, &[(220.0, "ZZ1 1ZZ")]),
            line(
                1,
                630.0,
                &[
                    (40.0, "BELLWOOD"),
                    (120.0, "Tam"),
                    (220.0, "(address in Exampleton)"),
                    (360.0, "Green Party"),
                ],
            ),
            line(
                1,
                610.0,
                &[
                    (40.0, "CRANE"),
                    (120.0, "Ed"),
                    (220.0, "Flat 2"),
                    (360.0, "Labour Party"),
                ],
            ),
            line(1, 598.0, &[(220.0, "9 Wren Lane")]),
            line(1, 580.0, &[(220.0, "ZZ2 2ZZ")]),
            line(1, 550.0, &[(40.0, "Dated 1 April 2026")]),
        ];
        let items = read(&lines, &[]);
        assert_eq!(
            body_rows(&items),
            [
                "ASHWORTH | Pim/Rosa | 4 Quill Row/Exampleton/ZZ1 1ZZ | Independent",
                "BELLWOOD | Tam | (address in Exampleton) | Green Party",
                "CRANE | Ed | Flat 2/9 Wren Lane/ZZ2 2ZZ | Labour Party",
            ]
        );
        assert!(matches!(
            items.last().map(|i| &i.kind),
            Some(ItemKind::Free {
                table_end: Some(true)
            })
        ));
    }

    #[test]
    fn tables_side_by_side_are_read_one_after_another() {
        // Three wards abreast under one header band, headings above each,
        // a footer across the page below them.
        let abreast = |y: f32, texts: [[&'static str; 2]; 3]| {
            let cells: Vec<(f32, &str)> = texts
                .iter()
                .enumerate()
                .flat_map(|(t, pair)| {
                    let x = 40.0 + 200.0 * t as f32;
                    [(x, pair[0]), (x + 70.0, pair[1])]
                })
                .filter(|(_, text)| !text.is_empty())
                .collect();
            line(1, y, &cells)
        };
        let lines = [
            line(
                1,
                720.0,
                &[
                    (40.0, "Ashby Ward"),
                    (240.0, "Bexley Ward"),
                    (440.0, "Corby Ward"),
                ],
            ),
            abreast(700.0, [["Name", "Home Address"]; 3]),
            abreast(
                680.0,
                [
                    ["ASHWORTH Pim", "4 Quill Row"],
                    ["BELLWOOD Tam", "(address in"],
                    ["CRANE Ed", "9 Wren Lane"],
                ],
            ),
            abreast(
                668.0,
                [["", "ZZ1 1ZZ"], ["", "Exampleton)"], ["", "ZZ2 2ZZ"]],
            ),
            abreast(
                650.0,
                [["DUNN Al", "(address in Exampleton)"], ["", ""], ["", ""]],
            ),
            line(
                1,
                620.0,
                &[(
                    40.0,
                    "Dated 1 April 2026 and printed by the Returning Officer of Exampleton",
                )],
            ),
        ];
        let items = read(&lines, &[]);
        assert_eq!(
            body_rows(&items),
            [
                "ASHWORTH Pim | 4 Quill Row/ZZ1 1ZZ",
                "DUNN Al | (address in Exampleton)",
                "BELLWOOD Tam | (address in/Exampleton)",
                "CRANE Ed | 9 Wren Lane/ZZ2 2ZZ",
            ]
        );
        // Each table under its own heading.
        let free: Vec<&str> = items
            .iter()
            .filter(|i| matches!(i.kind, ItemKind::Free { .. }))
            .map(|i| i.cells[0].text.as_str())
            .collect();
        assert_eq!(free[..3], ["Ashby Ward", "Bexley Ward", "Corby Ward"]);
        let order: Vec<&ItemKind> = items.iter().map(|i| &i.kind).collect();
        let heading_before_header = order
            .windows(2)
            .filter(|w| matches!(w, [ItemKind::Free { .. }, ItemKind::Header]))
            .count();
        assert_eq!(heading_before_header, 3);
    }

    #[test]
    fn numbered_and_wrapped_header_cells_are_one_band() {
        let lines = [
            line(1, 720.0, &[(40.0, "1."), (160.0, "2.")]),
            line(
                1,
                708.0,
                &[
                    (40.0, "NAME AND ADDRESS OF"),
                    (160.0, "NAME AND ADDRESS OF AGENT"),
                ],
            ),
            line(1, 696.0, &[(40.0, "CANDIDATE")]),
            line(1, 676.0, &[(40.0, "QUILLAN, Tobias"), (160.0, "Ann Agent")]),
            line(
                1,
                664.0,
                &[(40.0, "14 Quenby Road"), (160.0, "2 Office Row")],
            ),
        ];
        let items = read(&lines, &[]);
        let header = items
            .iter()
            .find(|i| i.kind == ItemKind::Header)
            .expect("a header");
        assert_eq!(header.cells[0].text, "1.\nNAME AND ADDRESS OF\nCANDIDATE");
        assert_eq!(
            header.roles,
            [Some(Role::NameAndAddress), Some(Role::AgentName)]
        );
        assert_eq!(
            body_rows(&items),
            ["QUILLAN, Tobias/14 Quenby Road | Ann Agent/2 Office Row"]
        );
    }

    #[test]
    fn surnames_in_capitals_start_rows_without_a_gap() {
        // Surname over other names in one cell, rows packed with no gap.
        let lines = [
            line(
                1,
                700.0,
                &[(40.0, "Name of candidate"), (200.0, "Home address")],
            ),
            line(1, 688.0, &[(40.0, "DALE"), (200.0, "(address in")]),
            line(1, 676.0, &[(40.0, "Ivo"), (200.0, "Exampleton)")]),
            line(1, 664.0, &[(40.0, "EVERS"), (200.0, "(address in")]),
            line(1, 652.0, &[(40.0, "Una"), (200.0, "Exampleton)")]),
        ];
        assert_eq!(
            body_rows(&read(&lines, &[])),
            [
                "DALE/Ivo | (address in/Exampleton)",
                "EVERS/Una | (address in/Exampleton)"
            ]
        );
    }

    #[test]
    fn ruled_rows_and_a_paragraph_ending_the_table() {
        let across = |y| Rule {
            page: 1,
            vertical: false,
            at: y,
            from: 30.0,
            to: 500.0,
        };
        let down = |x| Rule {
            page: 1,
            vertical: true,
            at: x,
            from: 600.0,
            to: 712.0,
        };
        let rules = [
            across(712.0),
            across(695.0),
            across(650.0),
            across(600.0),
            down(30.0),
            down(190.0),
            down(500.0),
        ];
        let lines = [
            line(
                1,
                700.0,
                &[(40.0, "Name of candidate"), (200.0, "Home address")],
            ),
            line(1, 683.0, &[(40.0, "FENN"), (200.0, "3 Moss Lane")]),
            line(1, 671.0, &[(40.0, "Ola"), (200.0, "Exampleton")]),
            line(1, 659.0, &[(200.0, "ZZ3 3ZZ")]),
            line(
                1,
                638.0,
                &[(40.0, "GRAY"), (200.0, "(address in Exampleton)")],
            ),
            line(1, 626.0, &[(40.0, "Max")]),
            // Below the table: a paragraph across the columns.
            line(
                1,
                580.0,
                &[(
                    40.0,
                    "The persons above against whose names no entry is made have been validly nominated",
                )],
            ),
            line(1, 568.0, &[(40.0, "nominated.")]),
        ];
        let items = read(&lines, &rules);
        assert_eq!(
            body_rows(&items),
            [
                "FENN/Ola | 3 Moss Lane/Exampleton/ZZ3 3ZZ",
                "GRAY/Max | (address in Exampleton)"
            ]
        );
        // The last line fits a column but lies outside the drawn table.
        assert!(matches!(
            items.last().map(|i| &i.kind),
            Some(ItemKind::Free { .. })
        ));
    }

    #[test]
    fn a_table_goes_on_over_the_page_without_its_header() {
        let lines = [
            line(
                1,
                700.0,
                &[
                    (40.0, "Surname"),
                    (140.0, "Other names"),
                    (240.0, "Address"),
                ],
            ),
            line(
                1,
                680.0,
                &[(40.0, "HOLT"), (140.0, "Kit"), (240.0, "1 Sedge Way")],
            ),
            line(1, 668.0, &[(240.0, "Exampleton")]),
            // A page number, then page 2 carries on the last address.
            line(1, 60.0, &[(40.0, "Page 1 of 2")]),
            line(2, 800.0, &[(240.0, "ZZ4 4ZZ")]),
            line(
                2,
                780.0,
                &[
                    (40.0, "IRWIN"),
                    (140.0, "Lu"),
                    (240.0, "(address in Exampleton)"),
                ],
            ),
        ];
        let items = read(&lines, &[]);
        let kinds: Vec<&ItemKind> = items.iter().map(|i| &i.kind).collect();
        assert_eq!(
            kinds,
            [
                &ItemKind::Header,
                &ItemKind::Body { continues: false },
                &ItemKind::Free { table_end: None },
                &ItemKind::Body { continues: true },
                &ItemKind::Body { continues: false },
            ]
        );
    }
}
