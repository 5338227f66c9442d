//! Candidate segmentation: from the items the table reader gives to
//! [`Candidate`]s.
//!
//! Input: the lines and rules of one revision of a notice, read by
//! [`TableReader`] into [`Item`]s (free lines, table headers, and table
//! rows whose cells carry their column's role). Output: [`Segmented`]: the
//! candidates in notice order, each with its post, page, address cell and
//! withdrawn flag, plus what every item turned out to be ([`RowRole`]),
//! which the findings pass uses to tell candidates' addresses from
//! legitimate ones.
//!
//! This module reads what cells say: the name in every form a name cell
//! takes (surname and other names in two columns, surname over other names,
//! "SURNAME, Other names", "Forename SURNAME", a name and address in one
//! cell), the address cell (through [`AddressRules`]), posts from headings
//! (`Election of ... for X`, `X Ward`, `District Electoral Area of` over
//! `X`), withdrawn nominations, the returning officer's and polling
//! stations' blocks, and label layouts (`Home address: ...`, or a label and
//! its value in two cells). A withheld address printed as a bare area name
//! ("Falkirk") is read as withheld when the notice names that area
//! elsewhere: the council, a post, or another candidate's withheld area.
//!
//! Only visible cells make candidates: what a reader sees is what the notice
//! says. Hidden cells are left to the findings pass. Segmentation never
//! reports anything itself.

use std::cell::RefCell;
use std::collections::HashSet;

use regex::Regex;

use super::address::{AddressCell, AddressRules};
use super::rules::{Role, Rules};
use super::table::{Cues, Item, ItemKind, TableReader};
use super::text::{PhraseSet, collapse_spaces, key, normalise_into};
use crate::model::{AddressStatus, Candidate, Line, Rule};
use crate::registry::registry;

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
pub(crate) struct Segmented<'l> {
    /// Candidates in notice order.
    pub candidates: Vec<Candidate>,
    /// The agent printed beside each candidate (notices of agents), by
    /// candidate index.
    pub agents: Vec<Option<Agent>>,
    /// The items the table reader found, in reading order.
    pub items: Vec<Item<'l>>,
    /// One role per item.
    pub roles: Vec<RowRole>,
    /// Index of the first table header item, if any.
    pub first_header: Option<usize>,
}

/// The texts of one candidate row by role.
#[derive(Default)]
struct RowTexts {
    name: String,
    name_and_address: String,
    surname: String,
    other_names: String,
    address: String,
    reason: String,
    description: String,
    party: String,
    unassigned: String,
    agent_name: String,
    agent_office: String,
}

impl RowTexts {
    /// Empties every slot, keeping the buffers.
    fn clear(&mut self) {
        for slot in [
            &mut self.name,
            &mut self.name_and_address,
            &mut self.surname,
            &mut self.other_names,
            &mut self.address,
            &mut self.reason,
            &mut self.description,
            &mut self.party,
            &mut self.unassigned,
            &mut self.agent_name,
            &mut self.agent_office,
        ] {
            slot.clear();
        }
    }

    fn push(&mut self, role: Option<Role>, text: &str) {
        let slot = match role {
            Some(Role::Name) => &mut self.name,
            Some(Role::NameAndAddress) => &mut self.name_and_address,
            Some(Role::Surname) => &mut self.surname,
            Some(Role::OtherNames) => &mut self.other_names,
            Some(Role::HomeAddress) => &mut self.address,
            Some(Role::Reason) => &mut self.reason,
            Some(Role::Description) => &mut self.description,
            Some(Role::Party) => &mut self.party,
            Some(Role::AgentName) => &mut self.agent_name,
            Some(Role::AgentOffice) => &mut self.agent_office,
            Some(Role::Signatories) => return,
            None => &mut self.unassigned,
        };
        if !slot.is_empty() {
            slot.push('\n');
        }
        slot.push_str(text);
    }

    /// "SURNAME Other Names" as printed.
    fn candidate_name(&self) -> String {
        let name = if !self.name.trim().is_empty() {
            collapse_spaces(&self.name).into_owned()
        } else if !self.surname.trim().is_empty() || !self.other_names.trim().is_empty() {
            collapse_spaces(&format!("{} {}", self.surname, self.other_names)).into_owned()
        } else {
            split_name_and_address(&self.name_and_address).0
        };
        clean_name(&name)
    }

    /// The address text of a row that carries on the candidate above: the
    /// address column's, else the whole name-and-address cell (it holds
    /// no name of its own).
    fn continued_address(&self) -> String {
        if self.address.trim().is_empty() {
            self.name_and_address.trim().to_string()
        } else {
            self.address.clone()
        }
    }

    /// The home-address cell's text: the address column's, else what
    /// follows the name in a name-and-address cell.
    fn home_address(&self) -> String {
        if self.address.trim().is_empty() {
            split_name_and_address(&self.name_and_address).1
        } else {
            self.address.clone()
        }
    }
}

/// A "name and address" cell split into the name (its first line, or what
/// comes before a comma when a house number follows on the same line) and
/// the address (the rest).
fn split_name_and_address(cell: &str) -> (String, String) {
    let cell = cell.trim();
    let (first, rest) = cell.split_once('\n').unwrap_or((cell, ""));
    // "Jimmy Carr, 18 Altcar Park" on one line.
    if let Some((name, address)) = first.split_once(',')
        && address
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    {
        let mut address = address.trim().to_string();
        if !rest.is_empty() {
            address.push('\n');
            address.push_str(rest);
        }
        return (name.trim().to_string(), address);
    }
    (first.trim().to_string(), rest.trim().to_string())
}

/// A name cell that runs on into an address, as when the two are printed
/// too close together to part: the words before the first that starts
/// with a digit (a house number: names hold none), and the rest. `None`
/// when no word but the first starts with a digit.
fn split_run_on_address(cell: &str) -> Option<(&str, &str)> {
    let at = cell
        .char_indices()
        .find(|&(i, c)| {
            c.is_ascii_digit()
                && cell[..i].ends_with(char::is_whitespace)
                && has_letters(&cell[..i])
        })?
        .0;
    Some((cell[..at].trim_end(), &cell[at..]))
}

/// A name as printed, without the punctuation around its parts:
/// "CAMPBELL, Mealla Ellen" is "CAMPBELL Mealla Ellen", "Jimmy Carr," is
/// "Jimmy Carr".
fn clean_name(name: &str) -> String {
    let name = name.trim().trim_end_matches([',', ';', ':']).trim();
    match name.split_once(',') {
        Some((surname, rest))
            if !surname.chars().any(char::is_lowercase)
                && surname.chars().any(char::is_alphabetic) =>
        {
            collapse_spaces(&format!("{surname} {rest}")).into_owned()
        }
        _ => name.to_string(),
    }
}

/// What a candidate's row says besides the address cell.
struct Entry {
    name: String,
    page: u32,
    withdrawn: bool,
    description: Option<String>,
    agent: Option<Agent>,
}

/// A candidate being read from a label layout.
#[derive(Default)]
struct LabelCandidate {
    name: String,
    address: String,
    description: String,
    withdrawn: bool,
    page: u32,
    /// The rows read so far, given the candidate's role when it is pushed.
    rows: Vec<usize>,
}

/// Compiled segmentation rules.
#[derive(Clone, Debug)]
pub(crate) struct Segmenter {
    reader: TableReader,
    /// Label phrases; group i is `label_roles[i]`.
    labels: PhraseSet,
    label_roles: Vec<Role>,
    legitimate: PhraseSet,
    withdrawn: PhraseSet,
    posts: Vec<Regex>,
    /// Prefilter for `posts`.
    post_cues: PhraseSet,
    not_posts: Vec<String>,
    post_suffixes: Vec<String>,
    /// Words every area name shares, left out when comparing areas.
    area_words: HashSet<String>,
    /// The register's councils as areas (their distinctive words).
    council_areas: Vec<Vec<String>>,
    pub(crate) address: AddressRules,
}

impl Segmenter {
    pub(crate) fn new(rules: &Rules) -> Segmenter {
        let mut segmenter = Segmenter {
            reader: TableReader::new(rules),
            labels: PhraseSet::new(
                rules
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, (_, phrases))| (i, phrases.as_slice())),
            ),
            label_roles: rules.labels.iter().map(|(role, _)| *role).collect(),
            legitimate: PhraseSet::new([(0, rules.legitimate.as_slice())]),
            withdrawn: PhraseSet::new([(0, rules.withdrawn.as_slice())]),
            posts: rules.posts.clone(),
            post_cues: PhraseSet::new([(0, rules.post_cues.as_slice())]),
            not_posts: rules.not_posts.clone(),
            area_words: rules.area_words.iter().map(|w| key(w)).collect(),
            council_areas: Vec::new(),
            post_suffixes: rules.post_suffixes.clone(),
            address: AddressRules::new(rules),
        };
        segmenter.council_areas = registry()
            .all()
            .iter()
            .map(|council| segmenter.area_core(&council.name))
            .filter(|core| !core.is_empty())
            .collect();
        segmenter
    }

    /// Whether normalised text is a legitimate address context.
    pub(crate) fn is_legitimate(&self, normal: &str) -> bool {
        self.legitimate.has(normal, 0)
    }

    /// The cues the table reader asks for, for one document.
    pub(crate) fn cues(&self) -> DocumentCues<'_> {
        DocumentCues {
            segmenter: self,
            posts: RefCell::new(Vec::new()),
        }
    }

    /// Segments one revision of a notice from its lines and rules.
    pub(crate) fn segment<'l>(&self, lines: &'l [Line], rules: &[Rule]) -> Segmented<'l> {
        let cues = self.cues();
        let items = self.reader.read(lines, rules, &cues);
        let mut run = Run {
            segmenter: self,
            cues: &cues,
            out: Segmented {
                roles: Vec::with_capacity(items.len()),
                ..Segmented::default()
            },
            legitimate_section: false,
            post: None,
            post_pending: false,
            label: None,
            last_plain: None,
            text: String::new(),
            normal: String::new(),
            row_post: None,
            withheld: Vec::new(),
            unknown: Vec::new(),
            party: None,
            row_texts: RowTexts::default(),
        };
        for (index, item) in items.iter().enumerate() {
            let role = run.item(index, item, items.get(index + 1));
            run.out.roles.push(role);
        }
        run.finish_label();
        self.bare_areas(&mut run.out.candidates, &run.unknown);
        self.legitimate_blocks(&items, &mut run.out.roles);
        run.out.items = items;
        run.out
    }

    /// Marks the address lines printed beside a legitimate line as
    /// legitimate: the office under the returning officer's name, the
    /// address over "Printed and published by". A run of short free lines
    /// directly below (or above) a legitimate one that holds no postcode
    /// itself, on its page, through the first that holds one, at most
    /// [`MAX_BLOCK_LINES`] of them; a table end stops the run.
    fn legitimate_blocks(&self, items: &[Item], roles: &mut [RowRole]) {
        let block_line = |k: usize, page: u32| {
            let item = &items[k];
            matches!(item.kind, ItemKind::Free { table_end: None })
                && roles[k] == RowRole::Other
                && item.page == page
                && item.normal.len() <= MAX_BLOCK_LINE
        };
        let holds_postcode = |k: usize| {
            items[k]
                .cells
                .iter()
                .any(|c| !c.visibility.is_hidden() && self.address.postcode_in(&c.text))
        };
        let mut blocks = Vec::new();
        for i in 0..items.len() {
            // A legitimate line with its own postcode has its address.
            if roles[i] != RowRole::Legitimate
                || !matches!(items[i].kind, ItemKind::Free { .. })
                || holds_postcode(i)
            {
                continue;
            }
            let page = items[i].page;
            let below = (i + 1..items.len().min(i + 1 + MAX_BLOCK_LINES))
                .take_while(|&k| block_line(k, page))
                .find(|&k| holds_postcode(k));
            if let Some(end) = below {
                blocks.push(i + 1..end + 1);
            }
            let above = (i.saturating_sub(MAX_BLOCK_LINES)..i)
                .rev()
                .take_while(|&k| block_line(k, page))
                .find(|&k| holds_postcode(k));
            if let Some(start) = above {
                blocks.push(start..i);
            }
        }
        for block in blocks {
            roles[block].fill(RowRole::Legitimate);
        }
    }

    /// Reads address cells that are only an area's name as withheld: a
    /// place-like cell (a few words, no number, no street, flat or house
    /// word) naming an area the notice names elsewhere (a post, another
    /// candidate's withheld area) or a council of the register.
    fn bare_areas(&self, candidates: &mut [Candidate], unknown: &[(usize, String)]) {
        if unknown.is_empty() {
            return;
        }
        let mut known: Vec<Vec<String>> = Vec::new();
        for candidate in candidates.iter() {
            for area in [&candidate.post, &candidate.withheld_area]
                .into_iter()
                .flatten()
            {
                let core = self.area_core(area);
                if !core.is_empty() && !known.contains(&core) {
                    known.push(core);
                }
            }
        }
        for (index, raw) in unknown {
            let flat = collapse_spaces(raw);
            let words = flat.split_whitespace().count();
            let place_like = (1..=6).contains(&words)
                && raw.lines().filter(|l| !l.trim().is_empty()).count() <= 2
                && !flat.chars().any(|c| c.is_ascii_digit())
                && !self.address.is_address_like(&flat)
                && !self.address.postcode_in(&flat);
            let core = self.area_core(&flat);
            if !place_like || core.is_empty() {
                continue;
            }
            let named = known.iter().chain(&self.council_areas).any(|area| {
                *area == core || (core.len() >= 2 && core.iter().all(|w| area.contains(w)))
            });
            if named && let Some(candidate) = candidates.get_mut(*index) {
                candidate.address_status = AddressStatus::Withheld;
                candidate.withheld_area = Some(
                    flat.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
                        .to_string(),
                );
            }
        }
    }

    /// An area's distinctive words: its name's words, lowercase, sorted,
    /// without the words every area name shares ("council", "borough",
    /// "of").
    fn area_core(&self, area: &str) -> Vec<String> {
        let mut words: Vec<String> = key(area)
            .split(' ')
            .filter(|w| !w.is_empty() && !self.area_words.contains(*w))
            .map(String::from)
            .collect();
        words.sort();
        words.dedup();
        words
    }

    /// Whether a row's normalised text holds a post cue: only such rows
    /// may name a post ([`Segmenter::post_of_cued`]).
    fn has_post_cue(&self, normal: &str) -> bool {
        self.post_cues.has(normal, 0)
    }

    /// The post named by a row that holds a post cue, `Some("")` when the
    /// row announces that the next row is the post: by the first pattern,
    /// in order, that matches anywhere in it.
    fn post_of_cued(&self, text: &str) -> Option<String> {
        // Rows past the cues nearly always name a post: each pattern is
        // asked in turn (a quick search that stops at its first match), and
        // only the one that matches resolves its groups.
        let captures = self
            .posts
            .iter()
            .find(|post| post.is_match(text))?
            .captures(text)?;
        let post = self.clean_post(captures.name("post").map_or("", |m| m.as_str()));
        let first = post
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase();
        (!self.not_posts.contains(&first)).then_some(post)
    }

    /// A post as a person writes it: suffixes ("Ward") and a leading "the"
    /// dropped, capitals-only names in title case.
    fn clean_post(&self, post: &str) -> String {
        let mut post = collapse_spaces(
            post.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '.' | ';')),
        )
        .into_owned();
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

    /// Writes a table row's visible cells by role into `texts` (cleared
    /// first: one set of buffers serves every row).
    fn row_texts_into(&self, item: &Item, texts: &mut RowTexts) {
        texts.clear();
        for (cell, role) in item.cells_with_roles() {
            if !cell.visibility.is_hidden() && cell.text.chars().any(|c| !c.is_whitespace()) {
                texts.push(role, &cell.text);
            }
        }
    }

    fn is_withdrawn(&self, texts: &RowTexts, normal: &mut String) -> bool {
        if !texts.reason.trim().is_empty() {
            return true;
        }
        normalise_into(&texts.unassigned, normal);
        self.withdrawn.has(normal, 0)
    }

    /// A label row, "Home address: ..." or a label alone in the first of
    /// several cells ("Home address" | "..."): (role, value).
    fn label<'t>(&self, row: &FreeRow<'t>) -> Option<(Role, &'t str)> {
        let text = row.text;
        let label_end = match text.find(':') {
            Some(colon) => colon,
            None if row.cells > 1 => row.first_cell_end,
            None => return None,
        };
        let mut normal = String::new();
        normalise_into(&text[..label_end], &mut normal);
        let (group, end) = self.labels.at_start(&normal)?;
        if end != normal.len() {
            return None;
        }
        let role = *self.label_roles.get(group)?;
        let value = text[label_end..].trim_start_matches(':').trim();
        Some((role, value))
    }
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
struct Run<'s, 'l> {
    segmenter: &'s Segmenter,
    cues: &'s DocumentCues<'s>,
    out: Segmented<'l>,
    /// After a table end that is not a footer (polling stations): lines are
    /// legitimate addresses until a new post, footer or header.
    legitimate_section: bool,
    post: Option<String>,
    post_pending: bool,
    label: Option<LabelCandidate>,
    /// The last row outside tables that could be a name (label layouts).
    last_plain: Option<String>,
    /// The current item's text: visible cells joined by a space, whitespace
    /// collapsed (reused).
    text: String,
    /// The current item's normalised text (reused).
    normal: String,
    /// The post the current row names, once looked for.
    row_post: Option<Option<String>>,
    /// Withheld address cells already classified in this pass, by raw text:
    /// a notice repeats the same few areas.
    withheld: Vec<(String, AddressCell)>,
    /// Candidates whose address cell said neither, with its text: a bare
    /// area name is withheld once the notice's areas are all known.
    unknown: Vec<(usize, String)>,
    /// The party whose candidates the rows list (list elections): a
    /// party cell or heading starts it, a new table or post ends it.
    party: Option<String>,
    /// The buffers a table row's cells are read into, by role.
    row_texts: RowTexts,
}

/// Most lines of an address block beside a legitimate line.
const MAX_BLOCK_LINES: usize = 5;
/// Longest line (normalised, in bytes) of such a block.
const MAX_BLOCK_LINE: usize = 80;

/// Most distinct withheld cells [`Run::classify`] remembers.
const WITHHELD_MEMORY: usize = 32;

impl Run<'_, '_> {
    /// Reads one item; `next` is the item after it, if any.
    fn item(&mut self, index: usize, item: &Item, next: Option<&Item>) -> RowRole {
        match item.kind {
            ItemKind::Group => {
                let heading: Vec<&str> = item
                    .cells
                    .iter()
                    .filter(|c| !c.visibility.is_hidden())
                    .map(|c| c.text.as_str())
                    .collect();
                self.party = Some(collapse_spaces(&heading.join(" ")).into_owned());
                RowRole::Other
            }
            ItemKind::Header => {
                self.finish_label();
                self.legitimate_section = false;
                self.party = None;
                self.out.first_header.get_or_insert(index);
                RowRole::Header
            }
            ItemKind::Body { continues } => self.table_row(item, continues),
            ItemKind::Free { table_end } => {
                let mut text = std::mem::take(&mut self.text);
                text.clear();
                // Where the first cell's words end in `text`.
                let mut first_cell_end = None;
                for cell in item.cells.iter().filter(|c| !c.visibility.is_hidden()) {
                    for word in cell.text.split_whitespace() {
                        if !text.is_empty() {
                            text.push(' ');
                        }
                        text.push_str(word);
                    }
                    first_cell_end.get_or_insert(text.len());
                }
                if text.is_empty() {
                    self.text = text;
                    return RowRole::Other;
                }
                self.normal.clone_from(&item.normal);
                self.row_post = None;
                let visible = item
                    .cells
                    .iter()
                    .filter(|c| !c.visibility.is_hidden())
                    .count();
                let row = FreeRow {
                    text: &text,
                    cells: visible,
                    first_cell_end: first_cell_end.unwrap_or(text.len()),
                    label_wrap: next.and_then(|next| label_wrap(item, next)),
                };
                let role = self.free(index, item.page, row, table_end);
                self.text = text;
                role
            }
        }
    }

    /// A line outside any candidate table. `text` is its visible text,
    /// `cells` how many visible cells it has.
    fn free(
        &mut self,
        index: usize,
        page: u32,
        row: FreeRow<'_>,
        table_end: Option<bool>,
    ) -> RowRole {
        let text = row.text;
        if table_end == Some(false) {
            self.finish_label();
            self.legitimate_section = true;
            return RowRole::Legitimate;
        }
        if self.legitimate_section {
            let new_post = self.post_of(text).is_some_and(|p| !p.is_empty());
            if !new_post {
                if table_end == Some(true) {
                    self.legitimate_section = false;
                }
                return RowRole::Legitimate;
            }
            self.legitimate_section = false;
        }
        if table_end.is_some() {
            self.finish_label();
            return self.context_role();
        }
        self.outside(index, page, row)
    }

    /// A free row's role by its words alone: legitimate when it names a
    /// legitimate address context (asked only where it decides the row).
    fn context_role(&self) -> RowRole {
        if self.segmenter.is_legitimate(&self.normal) {
            RowRole::Legitimate
        } else {
            RowRole::Other
        }
    }

    /// The post a heading row names once its first cell's wrapped words
    /// ([`FreeRow::label_wrap`]) are put back after that cell.
    fn post_of_wrapped_label(&self, row: &FreeRow<'_>) -> Option<String> {
        let wrap = row.label_wrap?;
        let (first, rest) = row.text.split_at(row.first_cell_end);
        let text = format!("{first} {wrap}{rest}");
        let mut normal = String::new();
        normalise_into(&text, &mut normal);
        self.cues.post_of(&text, &normal)
    }

    /// [`DocumentCues::post_of`] for the current row (`text`), looked for once.
    fn post_of(&mut self, text: &str) -> Option<String> {
        if let Some(post) = &self.row_post {
            return post.clone();
        }
        let post = self.cues.post_of(text, &self.normal);
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

    /// A row of a candidate table; `continues` when its cells carry on
    /// the row above from the foot of the previous page.
    fn table_row(&mut self, item: &Item, continues: bool) -> RowRole {
        let s = self.segmenter;
        let mut texts = std::mem::take(&mut self.row_texts);
        s.row_texts_into(item, &mut texts);
        let role = self.table_row_of(item, continues, &texts);
        self.row_texts = texts;
        role
    }

    /// [`Run::table_row`] once the row's cells are read by role.
    fn table_row_of(&mut self, item: &Item, continues: bool, texts: &RowTexts) -> RowRole {
        let s = self.segmenter;
        let mut name = texts.candidate_name();
        let mut raw = texts.home_address();
        // A name cell that runs on into a published address with its
        // postcode (printed too close to part): the name, then the address.
        let run_on = if !continues && raw.trim().is_empty() {
            split_run_on_address(&name).and_then(|(own_name, address)| {
                let cell = self.classify(address);
                (cell.status == AddressStatus::Published && cell.postcode.is_some())
                    .then(|| (own_name.to_string(), address.to_string(), cell))
            })
        } else {
            None
        };
        if continues || !has_letters(&name) || run_on.is_none() && self.is_no_name(&name) {
            // A continuation of the previous candidate's address: cells
            // carried over a page break, or a row that starts with no name
            // where its name should be.
            let address = texts.continued_address();
            if let Some(last) = self.out.candidates.len().checked_sub(1) {
                if !address.trim().is_empty() {
                    self.extend_address(last, &address);
                }
                return RowRole::Candidate(last);
            }
            return RowRole::Other;
        }
        let withdrawn = s.is_withdrawn(texts, &mut self.normal);
        if has_letters(&texts.party) {
            self.party = Some(collapse_spaces(&texts.party).into_owned());
        }
        let description = if has_letters(&texts.description) {
            Some(collapse_spaces(&texts.description).into_owned())
        } else {
            self.party.clone()
        };
        let cell = match run_on {
            Some((own_name, address, cell)) => {
                (name, raw) = (own_name, address);
                cell
            }
            None => self.classify(&raw),
        };
        let agent = (!texts.agent_name.trim().is_empty() || !texts.agent_office.trim().is_empty())
            .then(|| {
                let (name, address) = split_name_and_address(&texts.agent_name);
                let office = if texts.agent_office.trim().is_empty() {
                    address
                } else {
                    texts.agent_office.clone()
                };
                Agent {
                    name: clean_name(&name),
                    office: collapse_spaces(&office).into_owned(),
                }
            });
        let entry = Entry {
            name,
            page: item.page,
            withdrawn,
            description,
            agent,
        };
        self.push(entry, &raw, cell)
    }

    /// Whether a name cell's text is no name: it starts with a house
    /// number or holds a postcode (the line of an address), or has no
    /// capital letter (a superscript "th" strayed from the line below).
    fn is_no_name(&self, name: &str) -> bool {
        name.starts_with(|c: char| c.is_ascii_digit())
            || !name.chars().any(char::is_uppercase)
            || self.segmenter.address.postcode_in(name)
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

    /// Adds a candidate whose address cell `raw` says `cell`.
    fn push(&mut self, entry: Entry, raw: &str, cell: AddressCell) -> RowRole {
        if cell.status == AddressStatus::Unknown && raw.chars().any(char::is_alphabetic) {
            self.unknown
                .push((self.out.candidates.len(), raw.to_string()));
        }
        let mut candidate = Candidate {
            name: entry.name,
            post: self.post.clone(),
            address_status: AddressStatus::Unknown,
            address: None,
            withheld_area: None,
            postcode: None,
            page: entry.page,
            withdrawn: entry.withdrawn,
            description: entry.description,
        };
        apply(&mut candidate, cell);
        self.out.candidates.push(candidate);
        self.out.agents.push(entry.agent);
        RowRole::Candidate(self.out.candidates.len() - 1)
    }

    /// A row outside any candidate table: posts and label layouts.
    fn outside(&mut self, index: usize, page: u32, row: FreeRow<'_>) -> RowRole {
        let (text, cells) = (row.text, row.cells);
        let s = self.segmenter;
        if self.post_pending {
            self.post_pending = false;
            if cells == 1 && text.len() <= 80 && !text.contains(':') {
                self.finish_label();
                let post = s.clean_post(text);
                if !post.is_empty() {
                    self.post = Some(post);
                    self.party = None;
                    return RowRole::Other;
                }
            }
        }
        if let Some((role, value)) = s.label(&row) {
            return self.label_row(index, page, role, value);
        }
        if let Some(post) = self
            .post_of(text)
            .or_else(|| self.post_of_wrapped_label(&row))
        {
            self.finish_label();
            if post.is_empty() {
                self.post_pending = true;
            } else {
                self.post = Some(post);
                self.party = None;
            }
            return RowRole::Other;
        }
        if self.context_role() == RowRole::Legitimate {
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
                    name: collapse_spaces(value).into_owned(),
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
            Role::Description => {
                if let Some(label) = self.label.as_mut() {
                    label.description = value.to_string();
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
        let description = has_letters(&label.description)
            .then(|| collapse_spaces(&label.description).into_owned());
        let entry = Entry {
            name: label.name,
            page: label.page,
            withdrawn: label.withdrawn,
            description,
            agent: None,
        };
        let role = self.push(entry, &label.address, cell);
        for row in label.rows {
            if let Some(slot) = self.out.roles.get_mut(row) {
                *slot = role;
            }
        }
    }
}

/// A row outside every candidate table, as segmentation reads it.
#[derive(Clone, Copy)]
struct FreeRow<'t> {
    /// The visible cells' words, one space apart.
    text: &'t str,
    /// How many visible cells the row has.
    cells: usize,
    /// Where the first visible cell's words end in `text`.
    first_cell_end: usize,
    /// The words of the first cell that wrapped onto the next line, when
    /// that line holds nothing else (see [`label_wrap`]).
    label_wrap: Option<&'t str>,
}

/// The text of `next` when it is the wrapped end of `item`'s first cell:
/// a heading laid out as a table of labels and values ("District
/// Electoral | Ballyarnett" over "Area") wraps a long label in its narrow
/// column. `next` is then a free line on the same page with one visible
/// cell, starting where the first cell starts and ending before the
/// second begins.
fn label_wrap<'n>(item: &Item, next: &'n Item) -> Option<&'n str> {
    let is_free = |item: &Item| matches!(item.kind, ItemKind::Free { table_end: None });
    if !is_free(item) || !is_free(next) || item.page != next.page {
        return None;
    }
    let mut cells = item.cells.iter().filter(|c| !c.visibility.is_hidden());
    let mut wrapped = next.cells.iter().filter(|c| !c.visibility.is_hidden());
    let (first, second) = (cells.next()?, cells.next()?);
    let wrap = wrapped.next()?;
    let aligned = wrapped.next().is_none()
        && (wrap.x - first.x).abs() <= first.size.max(1.0)
        && wrap.right < second.x;
    aligned.then_some(wrap.text.as_str())
}

/// Most distinct lines whose post [`DocumentCues`] remembers.
const POST_MEMORY: usize = 64;

/// What segmentation tells the table reader about one document, with the
/// posts of its lines remembered: a notice repeats its headings page after
/// page, and both the reader and segmentation ask about them.
pub(crate) struct DocumentCues<'s> {
    segmenter: &'s Segmenter,
    /// (line text, its post) of the lines with a post cue asked about so
    /// far.
    posts: RefCell<Vec<(String, Option<String>)>>,
}

impl DocumentCues<'_> {
    /// The post a line names ([`Segmenter::post_of_cued`]), remembered by
    /// line text for the lines that hold a post cue.
    fn post_of(&self, text: &str, normal: &str) -> Option<String> {
        // Most lines hold no post cue: told at once, not remembered.
        if !self.segmenter.has_post_cue(normal) {
            return None;
        }
        if let Some((_, post)) = self.posts.borrow().iter().find(|(seen, _)| seen == text) {
            return post.clone();
        }
        let post = self.segmenter.post_of_cued(text);
        let mut posts = self.posts.borrow_mut();
        if posts.len() < POST_MEMORY {
            posts.push((text.to_string(), post.clone()));
        }
        post
    }
}

impl Cues for DocumentCues<'_> {
    fn is_post(&self, text: &str, normal: &str) -> bool {
        self.post_of(text, normal).is_some_and(|p| !p.is_empty())
    }

    fn address_complete(&self, text: &str) -> bool {
        self.segmenter.address.is_complete(text)
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
