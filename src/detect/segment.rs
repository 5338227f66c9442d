//! Candidate segmentation: from table rows to [`Candidate`]s.
//!
//! Input: the rows of one revision of a notice ([`Line`]s of [`Cell`]s,
//! wrapped cells joined by `\n`). Output: [`Segmented`]: the candidates in
//! notice order, each with its post, page, address cell and withdrawn flag,
//! plus what every row turned out to be ([`RowRole`]), which the findings
//! pass uses to tell candidates' addresses from legitimate ones.
//!
//! Layouts handled: header-driven tables ("Name of candidate | Home address
//! | Description ..."), surname over other names in one cell, separate
//! surname and other-names columns, wrapped address cells, many posts per
//! file with the post printed above each table, tables continued over pages
//! (header repeated or not), and label layouts (`Home address: ...`).
//!
//! Only visible cells make candidates: what a reader sees is what the notice
//! says. Hidden cells are left to the findings pass. Segmentation never
//! reports anything itself.

use regex::{Regex, RegexSet};

use super::address::{AddressCell, AddressRules};
use super::rules::{Role, Rules};
use super::text::{PhraseSet, collapse_spaces, key, normalise_into};
use crate::model::{AddressStatus, Candidate, Cell, Line};

/// What one row of a notice is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowRole {
    /// The row of the candidate with this index (or a continuation of it).
    Candidate(usize),
    /// A table header.
    Header,
    /// A legitimate address context: returning officer, polling stations,
    /// agents' offices, council contact details.
    Legitimate,
    /// Anything else (titles, notes, posts, hidden-only rows).
    Other,
}

/// An election agent as printed in a notice of election agents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Agent {
    /// The agent's name.
    pub name: String,
    /// The office address as printed.
    pub office: String,
}

/// The result of segmenting one revision.
#[derive(Clone, Debug, Default)]
pub(crate) struct Segmented {
    /// Candidates in notice order.
    pub candidates: Vec<Candidate>,
    /// The agent printed beside each candidate (notices of agents), by
    /// candidate index.
    pub agents: Vec<Option<Agent>>,
    /// One role per input row.
    pub roles: Vec<RowRole>,
    /// Index of the first table header row, if any.
    pub first_header: Option<usize>,
}

/// One column of a table header.
#[derive(Clone, Copy, Debug)]
struct Column {
    role: Option<Role>,
    left: f32,
}

/// A table header: its columns left to right.
#[derive(Clone, Debug)]
struct Header {
    columns: Vec<Column>,
}

/// Where the segmenter is.
#[derive(Clone, Debug)]
enum Table {
    /// No table seen yet, or after a non-footer table end (polling stations)
    /// until the next header.
    Outside { legitimate_section: bool },
    /// Inside a candidate table.
    Inside(Header),
    /// After a footer on `page`: a later page may continue the table.
    AfterFooter { header: Header, page: u32 },
}

/// The texts of one candidate row by role.
#[derive(Default)]
struct RowTexts {
    name: String,
    surname: String,
    other_names: String,
    address: String,
    reason: String,
    unassigned: String,
    agent_name: String,
    agent_office: String,
}

impl RowTexts {
    fn push(&mut self, role: Option<Role>, text: &str) {
        let slot = match role {
            Some(Role::Name) => &mut self.name,
            Some(Role::Surname) => &mut self.surname,
            Some(Role::OtherNames) => &mut self.other_names,
            Some(Role::HomeAddress) => &mut self.address,
            Some(Role::Reason) => &mut self.reason,
            Some(Role::AgentName) => &mut self.agent_name,
            Some(Role::AgentOffice) => &mut self.agent_office,
            Some(Role::Description | Role::Signatories) => return,
            None => &mut self.unassigned,
        };
        if !slot.is_empty() {
            slot.push('\n');
        }
        slot.push_str(text);
    }

    /// "SURNAME Other Names" as printed.
    fn candidate_name(&self) -> String {
        if self.name.trim().is_empty() {
            collapse_spaces(&format!("{} {}", self.surname, self.other_names))
        } else {
            collapse_spaces(&self.name)
        }
    }
}

/// A candidate being read from a label layout.
#[derive(Default)]
struct LabelCandidate {
    name: String,
    address: String,
    withdrawn: bool,
    page: u32,
    /// The rows read so far, given the candidate's role when it is pushed.
    rows: Vec<usize>,
}

const FOOTER: usize = 0;
const SECTION_END: usize = 1;

/// Compiled segmentation rules.
#[derive(Clone, Debug)]
pub(crate) struct Segmenter {
    /// Column header phrases; group i is `roles[i]`.
    columns: PhraseSet,
    column_roles: Vec<Role>,
    /// Label phrases; group i is `label_roles[i]`.
    labels: PhraseSet,
    label_roles: Vec<Role>,
    table_end: PhraseSet,
    legitimate: PhraseSet,
    withdrawn: PhraseSet,
    posts: Vec<Regex>,
    post_set: RegexSet,
    /// Prefilter for `posts`.
    post_cues: PhraseSet,
    post_suffixes: Vec<String>,
    pub(crate) address: AddressRules,
}

impl Segmenter {
    pub(crate) fn new(rules: &Rules) -> Segmenter {
        let post_set = RegexSet::new(rules.posts.iter().map(|p| format!("(?i:{})", p.as_str())))
            // Each pattern compiled alone when the rules were loaded.
            .unwrap_or_else(|_| RegexSet::empty());
        Segmenter {
            columns: PhraseSet::new(
                rules
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, phrases))| (i, phrases.as_slice())),
            ),
            column_roles: rules.columns.iter().map(|(role, _)| *role).collect(),
            labels: PhraseSet::new(
                rules
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, (_, phrases))| (i, phrases.as_slice())),
            ),
            label_roles: rules.labels.iter().map(|(role, _)| *role).collect(),
            table_end: PhraseSet::new([
                (FOOTER, rules.footer.as_slice()),
                (SECTION_END, rules.table_end.as_slice()),
            ]),
            legitimate: PhraseSet::new([(0, rules.legitimate.as_slice())]),
            withdrawn: PhraseSet::new([(0, rules.withdrawn.as_slice())]),
            posts: rules.posts.clone(),
            post_set,
            post_cues: PhraseSet::new([(0, rules.post_cues.as_slice())]),
            post_suffixes: rules.post_suffixes.clone(),
            address: AddressRules::new(rules),
        }
    }

    /// Whether normalised text is a legitimate address context.
    pub(crate) fn is_legitimate(&self, normal: &str) -> bool {
        self.legitimate.has(normal, 0)
    }

    /// Segments the rows of one revision. `tolerance` is how far (in the
    /// rows' x units) a cell may start left of its column's header.
    pub(crate) fn segment(&self, rows: &[Line], tolerance: f32) -> Segmented {
        let mut run = Run {
            segmenter: self,
            tolerance,
            out: Segmented::default(),
            table: Table::Outside {
                legitimate_section: false,
            },
            post: None,
            post_pending: false,
            label: None,
            last_plain: None,
            text: String::new(),
            normal: String::new(),
            cell_norms: Vec::new(),
            row_post: None,
            withheld: Vec::new(),
        };
        let mut visible: Vec<&Cell> = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            visible.clear();
            visible.extend(row.cells.iter().filter(|c| {
                !c.visibility.is_hidden() && c.text.chars().any(|ch| !ch.is_whitespace())
            }));
            let role = run.row(index, row.page, &visible);
            run.out.roles.push(role);
        }
        run.finish_label();
        run.out
    }

    /// The header a row forms, if it is one.
    /// `norms` are the cells' normalised texts.
    fn header(&self, cells: &[&Cell], norms: &[String]) -> Option<Header> {
        if cells.len() < 2 {
            return None;
        }
        let mut columns = Vec::with_capacity(cells.len());
        for (cell, normal) in cells.iter().zip(norms) {
            if normal.len() > 120 {
                return None;
            }
            let role = self
                .columns
                .first_group(normal)
                .and_then(|g| self.column_roles.get(g).copied());
            columns.push(Column { role, left: cell.x });
        }
        let has = |wanted: &[Role]| {
            columns
                .iter()
                .any(|c| c.role.is_some_and(|r| wanted.contains(&r)))
        };
        let named = has(&[Role::Name, Role::Surname]);
        let detailed = has(&[
            Role::HomeAddress,
            Role::Description,
            Role::AgentName,
            Role::AgentOffice,
        ]);
        (named && detailed).then_some(Header { columns })
    }

    /// `Some(true)` for a footer, `Some(false)` for another table end.
    /// `norms` are the row's cells' normalised texts.
    fn table_end(&self, norms: &[String]) -> Option<bool> {
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

    /// The post named by a row, `Some("")` when the row announces that the
    /// next row is the post. `normal` is the row's normalised text.
    fn post_of(&self, text: &str, normal: &str) -> Option<String> {
        if !self.post_cues.has(normal, 0) {
            return None;
        }
        let first = self.post_set.matches(text).iter().next()?;
        let captures = self.posts.get(first)?.captures(text)?;
        let post = captures.name("post").map_or("", |m| m.as_str());
        Some(self.clean_post(post))
    }

    /// A post as a person writes it: suffixes ("Ward") and a leading "the"
    /// dropped, capitals-only names in title case.
    fn clean_post(&self, post: &str) -> String {
        let mut post = collapse_spaces(
            post.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '.' | ';')),
        );
        loop {
            let lower = post.to_lowercase();
            let Some(cut) = self.post_suffixes.iter().find_map(|suffix| {
                lower
                    .strip_suffix(suffix.as_str())
                    .filter(|rest| rest.ends_with(' '))
                    .map(str::len)
            }) else {
                break;
            };
            post.truncate(cut);
            post = post.trim_end().to_string();
        }
        if post.to_lowercase().starts_with("the ") {
            post = post[4..].to_string();
        }
        if !post.chars().any(char::is_lowercase) {
            post = title_case(&post);
        }
        post
    }

    /// Assigns cells to columns and reads a candidate row.
    fn row_texts(&self, header: &Header, cells: &[&Cell], tolerance: f32) -> RowTexts {
        let mut texts = RowTexts::default();
        for cell in cells {
            texts.push(column_of(header, cell, tolerance), &cell.text);
        }
        texts
    }

    fn is_withdrawn(&self, texts: &RowTexts, normal: &mut String) -> bool {
        if !texts.reason.trim().is_empty() {
            return true;
        }
        normalise_into(&texts.unassigned, normal);
        self.withdrawn.has(normal, 0)
    }

    /// A label row: (role, value).
    fn label<'t>(&self, text: &'t str) -> Option<(Role, &'t str)> {
        let colon = text.find(':')?;
        let mut normal = String::new();
        normalise_into(&text[..colon], &mut normal);
        let (group, end) = self.labels.at_start(&normal)?;
        if end != normal.len() {
            return None;
        }
        let role = *self.label_roles.get(group)?;
        Some((role, text[colon + 1..].trim()))
    }
}

/// The column a cell belongs to: the header column whose span (from its
/// header's left edge, less `tolerance`, to the next header's) holds most of
/// the cell.
fn column_of(header: &Header, cell: &Cell, tolerance: f32) -> Option<Role> {
    let mut best: Option<(f32, Option<Role>)> = None;
    for (i, column) in header.columns.iter().enumerate() {
        let left = column.left - tolerance;
        let right = header
            .columns
            .get(i + 1)
            .map_or(f32::INFINITY, |next| next.left - tolerance);
        let overlap = cell.right.min(right) - cell.x.max(left);
        let overlap = if cell.right <= cell.x {
            // A zero-width cell counts where it starts.
            if cell.x >= left && cell.x < right {
                1.0
            } else {
                -1.0
            }
        } else {
            overlap
        };
        if best.is_none_or(|(b, _)| overlap > b) {
            best = Some((overlap, column.role));
        }
    }
    best.and_then(|(_, role)| role)
}

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        if i > 0
            && matches!(
                lower.as_str(),
                "and" | "of" | "the" | "upon" | "on" | "in" | "with"
            )
        {
            out.push_str(&lower);
            continue;
        }
        let mut capital = true;
        for c in lower.chars() {
            if capital && c.is_alphabetic() {
                out.extend(c.to_uppercase());
                capital = false;
            } else {
                out.push(c);
            }
            if c == '-' || c == '.' {
                capital = true;
            }
        }
    }
    out
}

/// The state of one segmentation pass.
struct Run<'s> {
    segmenter: &'s Segmenter,
    tolerance: f32,
    out: Segmented,
    table: Table,
    post: Option<String>,
    post_pending: bool,
    label: Option<LabelCandidate>,
    /// The last row outside tables that could be a name (label layouts).
    last_plain: Option<String>,
    /// The current row's text: visible cells joined by a space, whitespace
    /// collapsed (reused).
    text: String,
    /// The current row's normalised text (reused).
    normal: String,
    /// Normalised texts of the current row's visible cells (reused).
    cell_norms: Vec<String>,
    /// The post the current row names, once looked for.
    row_post: Option<Option<String>>,
    /// Withheld address cells already classified in this pass, by raw text:
    /// a notice repeats the same few areas.
    withheld: Vec<(String, AddressCell)>,
}

/// Most distinct withheld cells [`Run::classify`] remembers.
const WITHHELD_MEMORY: usize = 32;

impl Run<'_> {
    fn row(&mut self, index: usize, page: u32, cells: &[&Cell]) -> RowRole {
        if cells.is_empty() {
            return RowRole::Other;
        }
        let s = self.segmenter;
        self.cell_norms.resize_with(cells.len(), String::new);
        for (cell, normal) in cells.iter().zip(self.cell_norms.iter_mut()) {
            normalise_into(&cell.text, normal);
        }
        let norms = &self.cell_norms[..cells.len()];
        if let Some(header) = s.header(cells, norms) {
            self.finish_label();
            self.out.first_header.get_or_insert(index);
            self.table = Table::Inside(header);
            return RowRole::Header;
        }
        let table_end = s.table_end(norms);
        // No visible cell is blank, so the row's normal form is its cells'
        // normal forms joined by a space.
        self.normal.clear();
        for normal in norms {
            if !self.normal.is_empty() {
                self.normal.push(' ');
            }
            self.normal.push_str(normal);
        }
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        for word in cells.iter().flat_map(|c| c.text.split_whitespace()) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
        self.row_post = None;
        let role = self.placed_row(index, page, cells, &text, table_end);
        self.text = text;
        role
    }

    /// A row that is not a header, by where the segmenter is. `text` is
    /// the row's text; `table_end` what [`Segmenter::table_end`] said.
    fn placed_row(
        &mut self,
        index: usize,
        page: u32,
        cells: &[&Cell],
        text: &str,
        table_end: Option<bool>,
    ) -> RowRole {
        let s = self.segmenter;
        let context_role = |normal: &str| {
            if s.is_legitimate(normal) {
                RowRole::Legitimate
            } else {
                RowRole::Other
            }
        };
        match std::mem::replace(
            &mut self.table,
            Table::Outside {
                legitimate_section: false,
            },
        ) {
            Table::Inside(header) => {
                if let Some(footer) = table_end {
                    self.table = if footer {
                        Table::AfterFooter { header, page }
                    } else {
                        Table::Outside {
                            legitimate_section: true,
                        }
                    };
                    return if footer {
                        context_role(&self.normal)
                    } else {
                        RowRole::Legitimate
                    };
                }
                if cells.len() == 1
                    && let Some(post) = self.post_of(text).filter(|p| !p.is_empty())
                {
                    self.post = Some(post);
                    self.table = Table::Inside(header);
                    return RowRole::Other;
                }
                let role = self.table_row(page, &header, cells);
                self.table = Table::Inside(header);
                role
            }
            Table::AfterFooter {
                header,
                page: footer_page,
            } => {
                if page > footer_page && cells.len() >= 2 && table_end.is_none() {
                    let texts = s.row_texts(&header, cells, self.tolerance);
                    let cell = self.classify(&texts.address);
                    if cell.status != AddressStatus::Unknown && has_letters(&texts.candidate_name())
                    {
                        let role = self.table_row(page, &header, cells);
                        self.table = Table::Inside(header);
                        return role;
                    }
                }
                if table_end == Some(false) {
                    self.table = Table::Outside {
                        legitimate_section: true,
                    };
                    return RowRole::Legitimate;
                }
                self.table = Table::AfterFooter {
                    header,
                    page: footer_page,
                };
                let role = context_role(&self.normal);
                self.outside(index, page, text, cells.len(), role)
            }
            Table::Outside { legitimate_section } => {
                self.table = Table::Outside { legitimate_section };
                let new_post = self.post_of(text).is_some_and(|p| !p.is_empty());
                if legitimate_section && !new_post {
                    if table_end == Some(true) {
                        self.table = Table::Outside {
                            legitimate_section: false,
                        };
                    }
                    return RowRole::Legitimate;
                }
                let role = context_role(&self.normal);
                if table_end.is_some() {
                    self.finish_label();
                    return role;
                }
                self.outside(index, page, text, cells.len(), role)
            }
        }
    }

    /// [`Segmenter::post_of`] for the current row (`text`), looked for once.
    fn post_of(&mut self, text: &str) -> Option<String> {
        if let Some(post) = &self.row_post {
            return post.clone();
        }
        let post = self.segmenter.post_of(text, &self.normal);
        self.row_post = Some(post.clone());
        post
    }

    /// [`AddressRules::classify`], remembering withheld cells.
    fn classify(&mut self, raw: &str) -> AddressCell {
        if let Some((_, cell)) = self.withheld.iter().find(|(seen, _)| seen == raw) {
            return cell.clone();
        }
        let cell = self.segmenter.address.classify(raw);
        if cell.status == AddressStatus::Withheld && self.withheld.len() < WITHHELD_MEMORY {
            self.withheld.push((raw.to_owned(), cell.clone()));
        }
        cell
    }

    /// A row inside a candidate table.
    fn table_row(&mut self, page: u32, header: &Header, cells: &[&Cell]) -> RowRole {
        let s = self.segmenter;
        let texts = s.row_texts(header, cells, self.tolerance);
        let name = texts.candidate_name();
        if !has_letters(&name) {
            // A continuation of the previous candidate's address.
            if !texts.address.trim().is_empty()
                && let Some(last) = self.out.candidates.len().checked_sub(1)
            {
                self.extend_address(last, &texts.address);
                return RowRole::Candidate(last);
            }
            return RowRole::Other;
        }
        let withdrawn = s.is_withdrawn(&texts, &mut self.normal);
        let cell = self.classify(&texts.address);
        let agent = (!texts.agent_name.trim().is_empty() || !texts.agent_office.trim().is_empty())
            .then(|| Agent {
                name: collapse_spaces(&texts.agent_name),
                office: collapse_spaces(&texts.agent_office),
            });
        self.push(name, cell, page, withdrawn, agent)
    }

    /// Appends wrapped address text to a candidate and classifies again.
    fn extend_address(&mut self, candidate: usize, more: &str) {
        let Some(c) = self.out.candidates.get(candidate) else {
            return;
        };
        let mut raw = match c.address_status {
            AddressStatus::Withheld => format!(
                "(address in {})",
                c.withheld_area.clone().unwrap_or_default()
            ),
            _ => c.address.clone().unwrap_or_default(),
        };
        raw.push('\n');
        raw.push_str(more);
        let cell = self.classify(&raw);
        if let Some(c) = self.out.candidates.get_mut(candidate) {
            apply(c, cell);
        }
    }

    fn push(
        &mut self,
        name: String,
        cell: AddressCell,
        page: u32,
        withdrawn: bool,
        agent: Option<Agent>,
    ) -> RowRole {
        let mut candidate = Candidate {
            name,
            post: self.post.clone(),
            address_status: AddressStatus::Unknown,
            address: None,
            withheld_area: None,
            postcode: None,
            page,
            withdrawn,
        };
        apply(&mut candidate, cell);
        self.out.candidates.push(candidate);
        self.out.agents.push(agent);
        RowRole::Candidate(self.out.candidates.len() - 1)
    }

    /// A row outside any candidate table: posts and label layouts.
    fn outside(
        &mut self,
        index: usize,
        page: u32,
        text: &str,
        cells: usize,
        context_role: RowRole,
    ) -> RowRole {
        let s = self.segmenter;
        if self.post_pending {
            self.post_pending = false;
            if cells == 1 && text.len() <= 80 && !text.contains(':') {
                self.finish_label();
                let post = s.clean_post(text);
                if !post.is_empty() {
                    self.post = Some(post);
                    return RowRole::Other;
                }
            }
        }
        if let Some((role, value)) = s.label(text) {
            return self.label_row(index, page, role, value);
        }
        if let Some(post) = self.post_of(text) {
            self.finish_label();
            if post.is_empty() {
                self.post_pending = true;
            } else {
                self.post = Some(post);
            }
            return RowRole::Other;
        }
        if context_role == RowRole::Legitimate {
            self.finish_label();
            return RowRole::Legitimate;
        }
        // A wrapped label address: a further line with a postcode.
        if let Some(label) = self.label.as_mut()
            && !label.address.is_empty()
            && text.len() <= 80
            && !s.address.postcode_in(&label.address)
            && s.address.postcode_in(text)
        {
            label.address.push('\n');
            label.address.push_str(text);
            label.rows.push(index);
            return RowRole::Other;
        }
        self.last_plain = (cells == 1 && looks_like_name(text)).then(|| text.to_string());
        RowRole::Other
    }

    fn label_row(&mut self, index: usize, page: u32, role: Role, value: &str) -> RowRole {
        match role {
            Role::Name | Role::Surname => {
                self.finish_label();
                self.label = Some(LabelCandidate {
                    name: collapse_spaces(value),
                    page,
                    ..LabelCandidate::default()
                });
            }
            Role::HomeAddress => {
                if self.label.as_ref().is_none_or(|l| !l.address.is_empty()) {
                    self.finish_label();
                    let name = self.last_plain.take().unwrap_or_default();
                    self.label = Some(LabelCandidate {
                        name,
                        page,
                        ..LabelCandidate::default()
                    });
                }
                if let Some(label) = self.label.as_mut() {
                    label.address = value.to_string();
                }
            }
            Role::Reason => {
                if let Some(label) = self.label.as_mut() {
                    label.withdrawn |= !value.is_empty();
                }
            }
            _ => {}
        }
        // The row's role becomes the candidate's when it is pushed.
        if let Some(label) = self.label.as_mut() {
            label.rows.push(index);
        }
        RowRole::Other
    }

    /// Pushes the label-layout candidate being read, if any.
    fn finish_label(&mut self) {
        let Some(label) = self.label.take() else {
            return;
        };
        if !has_letters(&label.name) {
            return;
        }
        let cell = self.classify(&label.address);
        let role = self.push(label.name, cell, label.page, label.withdrawn, None);
        for row in label.rows {
            if let Some(slot) = self.out.roles.get_mut(row) {
                *slot = role;
            }
        }
    }
}

/// Copies an address cell's conclusions onto a candidate.
fn apply(candidate: &mut Candidate, cell: AddressCell) {
    candidate.address_status = cell.status;
    candidate.withheld_area = cell.area;
    candidate.address = cell.address;
    candidate.postcode = cell.postcode;
}

fn has_letters(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphabetic()).nth(1).is_some()
}

/// A short line of words without digits: possibly a candidate's name above
/// its labels.
fn looks_like_name(text: &str) -> bool {
    let words = text.split_whitespace().count();
    (1..=6).contains(&words) && !text.chars().any(|c| c.is_ascii_digit()) && has_letters(text)
}

/// Whether two names are the same person's ("SMITH John" and "John Smith").
pub(crate) fn same_person(a: &str, b: &str) -> bool {
    let (a, b) = (key(a), key(b));
    let mut a_words: Vec<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let mut b_words: Vec<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    a_words.sort_unstable();
    b_words.sort_unstable();
    !a_words.is_empty() && a_words == b_words
}
