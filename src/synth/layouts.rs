//! Lays a [`Notice`] out on PDF pages in the shapes real councils use (see
//! [`Layout`]): where each heading, table cell, rule and footer goes, and
//! how a candidate's address is printed or (badly) hidden.

use super::notice::{Candidate, Home, Layout, Notice, Post, Redaction};
use super::pdf::{Ink, Page, Raster, text_width};
use crate::model::Visibility;

const PAGE_TOP: f32 = 800.0;
const PAGE_BOTTOM: f32 = 90.0;
const LEFT: f32 = 40.0;
const RIGHT: f32 = 555.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 12.0;
/// Where text printed "outside the crop box" goes: beyond x = 595, inside
/// the wider media box the fixture sets.
const OUTSIDE_X: f32 = 610.0;

/// Pages being filled top to bottom.
struct Sheet {
    pages: Vec<Page>,
    y: f32,
}

impl Sheet {
    fn new() -> Sheet {
        Sheet {
            pages: vec![Page::new()],
            y: PAGE_TOP,
        }
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Page::new());
        self.y = PAGE_TOP;
    }

    /// Starts a new page unless `height` fits above the footer margin.
    /// Returns true when it did.
    fn ensure(&mut self, height: f32) -> bool {
        if self.y - height < PAGE_BOTTOM {
            self.new_page();
            return true;
        }
        false
    }

    /// A line of text at the cursor, then moves down.
    fn line(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.page().text(x, y, size, text);
        self.y -= size * 1.4;
    }

    /// A centred line.
    fn centred(&mut self, size: f32, text: &str) {
        let x = ((LEFT + RIGHT) - text_width(text, size)) / 2.0;
        self.line(x.max(LEFT), size, text);
    }
}

/// Splits `text` into lines no wider than `width` at `size`.
pub fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if text_width(&candidate, size) > width && !current.is_empty() {
                lines.push(std::mem::replace(&mut current, word.to_owned()));
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    lines
}

/// How an address cell breaks its address into lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AddressForm {
    /// Wrapped to the column, comma separated.
    Wrapped,
    /// One element per line, the postcode last.
    OnePerLine,
    /// One element per line (wrapped to the column), the postcode a blank
    /// line below.
    PostcodeApart,
}

/// The address cell's lines as printed: the address in `form` (wrapped to
/// `width`) or the area statement. A blank line is an empty string.
fn address_lines(candidate: &Candidate, width: f32, form: AddressForm) -> Vec<String> {
    match &candidate.home {
        Home::Published(address) if form == AddressForm::Wrapped => {
            wrap(&address.one_line(), width, BODY)
        }
        Home::Published(address) if form == AddressForm::OnePerLine => {
            let mut lines = address.lines.clone();
            lines.push(address.postcode.clone());
            lines
        }
        Home::Published(address) => {
            let mut lines: Vec<String> = address
                .lines
                .iter()
                .flat_map(|line| wrap(line, width, BODY))
                .collect();
            lines.push(String::new());
            lines.push(address.postcode.clone());
            lines
        }
        Home::Withheld(area) => wrap(area, width, BODY),
    }
}

/// Prints an address cell's lines from baseline `top` down, hidden the way
/// the candidate's [`Redaction`] says.
fn address_cell(page: &mut Page, candidate: &Candidate, x: f32, top: f32, lines: &[String]) {
    let redaction = match candidate.home {
        Home::Published(_) => candidate.redaction,
        Home::Withheld(_) => Redaction::None,
    };
    let (ink, visibility, x) = match redaction {
        Redaction::None | Redaction::Removed => (Ink::Black, Visibility::Visible, x),
        Redaction::BlackBox | Redaction::BlackImage => (Ink::Black, Visibility::Covered, x),
        Redaction::Invisible => (Ink::Invisible, Visibility::Invisible, x),
        Redaction::White => (Ink::White, Visibility::White, x),
        Redaction::OutsideCrop => (Ink::Black, Visibility::Outside, OUTSIDE_X),
    };
    if redaction != Redaction::Removed {
        for (i, line) in lines.iter().enumerate() {
            if !line.is_empty() {
                page.text_as(x, top - i as f32 * LEADING, BODY, line, ink, visibility);
            }
        }
    }
    if matches!(
        redaction,
        Redaction::BlackBox | Redaction::Removed | Redaction::BlackImage
    ) {
        let widest = lines
            .iter()
            .map(|l| text_width(l, BODY))
            .fold(0.0, f32::max);
        let bottom = top - (lines.len() as f32 - 1.0) * LEADING - 4.0;
        let cover = [x - 2.0, bottom, widest + 4.0, top + BODY + 1.0 - bottom];
        if redaction == Redaction::BlackImage {
            page.image(cover, Raster::Black);
        } else {
            page.fill(cover, 0.0);
        }
    }
}

/// Renders `notice` in its layout.
pub fn render(notice: &Notice, header_bar: bool) -> Vec<Page> {
    let mut sheet = Sheet::new();
    match notice.layout {
        Layout::Table => table(notice, &mut sheet, header_bar),
        Layout::WardPerPage => ward_per_page(notice, &mut sheet, header_bar),
        Layout::SplitNames => split_names(notice, &mut sheet, header_bar),
        Layout::Labels => labels(notice, &mut sheet),
        Layout::Unruled => unruled(notice, &mut sheet),
        Layout::Numbered => numbered(notice, &mut sheet, header_bar),
        Layout::Agents => agents(notice, &mut sheet, header_bar),
        Layout::Bilingual => bilingual(notice, &mut sheet, header_bar),
        Layout::SideBySide => side_by_side(notice, &mut sheet, header_bar),
        Layout::PartyLists => party_lists(notice, &mut sheet, header_bar),
    }
    sheet.pages
}

/// A table's columns: left edges and header texts; the table spans from
/// the first left edge to `right` ([`RIGHT`] for a table across the page).
struct Columns<'a> {
    lefts: &'a [f32],
    headers: &'a [&'a str],
    /// Ruling lines around every cell; without them rows are a blank line
    /// apart and the header is not repeated on a new page.
    ruled: bool,
    /// Where the table ends on the right.
    right: f32,
}

/// Where a row's address lies: its column, and the line of that column's
/// cell it starts at (a name may come first).
#[derive(Clone, Copy)]
struct AddressAt {
    column: usize,
    line: usize,
}

impl AddressAt {
    /// The whole cell of `column`.
    fn column(column: usize) -> AddressAt {
        AddressAt { column, line: 0 }
    }
}

impl Columns<'_> {
    fn width(&self, index: usize) -> f32 {
        let right = self.lefts.get(index + 1).copied().unwrap_or(self.right);
        right - self.lefts.get(index).copied().unwrap_or(LEFT) - 8.0
    }

    /// The header row, on a dark bar in white when `bar` is set, ruled
    /// above and below.
    fn header(&self, sheet: &mut Sheet, bar: bool) {
        let wrapped: Vec<Vec<String>> = self
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| wrap(h, self.width(i), BODY))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * LEADING + 6.0;
        let baseline = sheet.y;
        let top = baseline + BODY + 3.0;
        let page = sheet.page();
        if bar {
            let left = self.lefts.first().copied().unwrap_or(LEFT);
            page.fill([left, top - height, self.right - left, height], 0.15);
        }
        for (i, lines) in wrapped.iter().enumerate() {
            for (j, line) in lines.iter().enumerate() {
                let (x, y) = (self.lefts[i] + 3.0, baseline - j as f32 * LEADING);
                if bar {
                    page.text_as(x, y, BODY, line, Ink::White, Visibility::Visible);
                } else {
                    page.text(x, y, BODY, line);
                }
            }
        }
        if self.ruled {
            self.rules(page, top, top - height);
        }
        sheet.y -= height;
    }

    /// Horizontal rules at `top` and `bottom`, vertical rules between them.
    fn rules(&self, page: &mut Page, top: f32, bottom: f32) {
        let left = self.lefts.first().copied().unwrap_or(LEFT);
        page.rule((left, top), (self.right, top));
        page.rule((left, bottom), (self.right, bottom));
        for x in self
            .lefts
            .iter()
            .copied()
            .chain(std::iter::once(self.right))
        {
            page.rule((x, top), (x, bottom));
        }
    }

    /// One body row: `cells[i]` are column `i`'s lines; the address (see
    /// [`AddressAt`]) is printed through [`address_cell`]. On a new page
    /// when the row does not fit, under a repeated header if ruled.
    fn row(
        &self,
        sheet: &mut Sheet,
        bar: bool,
        candidate: &Candidate,
        cells: &[Vec<String>],
        address: AddressAt,
    ) {
        let lines = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
        let height = lines * LEADING + if self.ruled { 6.0 } else { LEADING };
        if sheet.ensure(height + LEADING) && self.ruled {
            self.header(sheet, bar);
        }
        let top = sheet.y + BODY + 3.0;
        let baseline = sheet.y;
        let page = sheet.page();
        for (i, lines) in cells.iter().enumerate() {
            let x = self.lefts[i] + 3.0;
            let split = if i == address.column {
                address.line.min(lines.len())
            } else {
                lines.len()
            };
            for (j, line) in lines[..split].iter().enumerate() {
                page.text(x, baseline - j as f32 * LEADING, BODY, line);
            }
            if i == address.column {
                let top = baseline - split as f32 * LEADING;
                address_cell(page, candidate, x, top, &lines[split..]);
            }
        }
        if self.ruled {
            self.rules(page, top, top - height);
        }
        sheet.y -= height;
    }
}

/// One ward per page: `heading` prints what stands above the table, then
/// a row per candidate from `cells`, then the footer (Welsh and English
/// when `welsh`).
fn ward_per_page_tables(
    notice: &Notice,
    sheet: &mut Sheet,
    bar: bool,
    table: (&Columns, AddressAt, bool),
    heading: impl Fn(&mut Sheet, &Post),
    cells: impl Fn(&Candidate) -> Vec<Vec<String>>,
) {
    let (columns, address, welsh) = table;
    for (index, post) in notice.posts.iter().enumerate() {
        if index > 0 {
            sheet.new_page();
        }
        heading(sheet, post);
        columns.header(sheet, bar);
        for candidate in &post.candidates {
            columns.row(sheet, bar, candidate, &cells(candidate), address);
        }
        footer(notice, sheet, welsh);
    }
}

fn withdrawn_note(candidate: &Candidate) -> Vec<String> {
    if candidate.withdrawn {
        vec!["Nomination".into(), "withdrawn".into()]
    } else {
        Vec::new()
    }
}

/// The notice's foot: the date, the returning officer, the imprint; in
/// Welsh and English when `welsh`.
fn footer(notice: &Notice, sheet: &mut Sheet, welsh: bool) {
    let both = |welsh_words: &str, english: &str| match welsh {
        true => format!("{welsh_words} / {english}"),
        false => english.to_owned(),
    };
    sheet.ensure(5.0 * LEADING);
    sheet.y -= LEADING;
    sheet.line(
        LEFT,
        BODY,
        &format!("{} {}", both("Dyddiedig", "Dated"), notice.dated),
    );
    sheet.line(360.0, BODY, &notice.returning_officer);
    sheet.line(
        360.0,
        BODY,
        &both("Swyddog Canlyniadau", "Returning Officer"),
    );
    sheet.line(
        LEFT,
        8.0,
        &format!(
            "{}, {}",
            both(
                "Argraffwyd a chyhoeddwyd gan y Swyddog Canlyniadau",
                "Printed and published by the Returning Officer"
            ),
            notice.office.one_line()
        ),
    );
}

fn table(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 185.0, 340.0, 460.0],
        headers: &[
            "Name of Candidate",
            "Home Address",
            "Description (if any)",
            "Reason why no longer nominated*",
        ],
        ruled: true,
        right: RIGHT,
    };
    sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
    sheet.centred(12.0, &notice.council);
    for post in &notice.posts {
        sheet.ensure(6.0 * LEADING);
        sheet.y -= 6.0;
        sheet.line(
            LEFT,
            11.0,
            &format!("Election of a Borough Councillor for {} Ward", post.name),
        );
        columns.header(sheet, bar);
        for candidate in &post.candidates {
            let cells = [
                vec![candidate.surname.clone(), candidate.other_names.clone()],
                address_lines(candidate, columns.width(1), AddressForm::Wrapped),
                wrap(&candidate.description, columns.width(2), BODY),
                withdrawn_note(candidate),
            ];
            columns.row(sheet, bar, candidate, &cells, AddressAt::column(1));
        }
    }
    sheet.y -= 4.0;
    sheet.line(
        LEFT,
        8.0,
        "*Decision of the Returning Officer that the nomination is invalid or other reason why a person nominated no longer stands nominated.",
    );
    footer(notice, sheet, false);
}

fn ward_per_page(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 165.0, 290.0, 400.0],
        headers: &[
            "Name of Candidate",
            "Home Address",
            "Description (if any)",
            "Names of Signatories",
        ],
        ruled: true,
        right: RIGHT,
    };
    for (index, post) in notice.posts.iter().enumerate() {
        if index > 0 {
            sheet.new_page();
        }
        sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED & NOTICE OF POLL");
        sheet.centred(12.0, &notice.council);
        sheet.line(
            LEFT,
            11.0,
            &format!("Election of a Borough Councillor for {}", post.name),
        );
        sheet.line(LEFT, BODY, "Notice is hereby given that:");
        for line in wrap(
            &format!(
                "1. A poll for the election of a Borough Councillor for {} will be held on {}, between the hours of 7:00 am and 10:00 pm.",
                post.name, notice.poll_date
            ),
            RIGHT - LEFT,
            BODY,
        ) {
            sheet.line(LEFT, BODY, &line);
        }
        sheet.line(
            LEFT,
            BODY,
            "2. The names, home addresses and descriptions of the Candidates are as follows:",
        );
        columns.header(sheet, bar);
        for candidate in &post.candidates {
            let signatories: Vec<String> = candidate
                .signatories
                .iter()
                .enumerate()
                .map(|(i, name)| match i {
                    0 => format!("{name} (+)"),
                    1 => format!("{name} (++)"),
                    _ => name.clone(),
                })
                .collect();
            let cells = [
                vec![candidate.surname.clone(), candidate.other_names.clone()],
                address_lines(candidate, columns.width(1), AddressForm::Wrapped),
                wrap(&candidate.description, columns.width(2), BODY),
                signatories,
            ];
            columns.row(sheet, bar, candidate, &cells, AddressAt::column(1));
        }
        polling_stations(post, sheet);
        footer(notice, sheet, false);
    }
}

fn polling_stations(post: &Post, sheet: &mut Sheet) {
    sheet.ensure(4.0 * LEADING);
    sheet.y -= 6.0;
    sheet.line(
        LEFT,
        BODY,
        "3. The situation of Polling Stations and the description of persons entitled to vote thereat are as follows:",
    );
    sheet.line(LEFT, BODY, "Situation of Polling Station");
    sheet.y += BODY * 1.4;
    sheet.line(330.0, BODY, "Station Number");
    sheet.y += BODY * 1.4;
    sheet.line(420.0, BODY, "Ranges of electoral register numbers");
    for station in &post.polling_stations {
        sheet.ensure(LEADING);
        let y = sheet.y;
        let page = sheet.page();
        page.text(LEFT, y, BODY, &station.venue);
        page.text(345.0, y, BODY, &station.number.to_string());
        page.text(
            420.0,
            y,
            BODY,
            &format!("P{0}-1 to P{0}-1250", station.number),
        );
        sheet.y -= LEADING;
    }
}

fn title_case(surname: &str) -> String {
    let mut out = String::with_capacity(surname.len());
    let mut start = true;
    for c in surname.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

fn split_names(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 125.0, 235.0, 375.0, 480.0],
        headers: &[
            "Surname",
            "Other Names",
            "Home Address",
            "Description (if any)",
            "Decision of the Returning Officer",
        ],
        ruled: true,
        right: RIGHT,
    };
    let heading = |sheet: &mut Sheet, post: &Post| {
        sheet.centred(12.0, &notice.council.to_uppercase());
        sheet.centred(11.0, &notice.poll_date.to_uppercase());
        sheet.centred(
            BODY,
            "The following is a statement as to the persons nominated for election as Councillor for the",
        );
        sheet.centred(12.0, &format!("{} WARD", post.name.to_uppercase()));
        sheet.centred(12.0, "STATEMENT AS TO PERSONS NOMINATED");
        sheet.line(LEFT, BODY, "The following persons have been nominated:");
    };
    let cells = |candidate: &Candidate| {
        vec![
            vec![title_case(&candidate.surname)],
            wrap(&candidate.other_names, columns.width(1), BODY),
            address_lines(candidate, columns.width(2), AddressForm::OnePerLine),
            wrap(&candidate.description, columns.width(3), BODY),
            withdrawn_note(candidate),
        ]
    };
    let table = (&columns, AddressAt::column(2), false);
    ward_per_page_tables(notice, sheet, bar, table, heading, cells);
}

/// The names of a candidate's proposer and seconder, each wrapped to
/// `width`.
fn proposer_and_seconder(candidate: &Candidate, width: f32) -> [Vec<String>; 2] {
    let mut names = candidate.signatories.iter();
    let mut next = || names.next().map_or_else(Vec::new, |n| wrap(n, width, BODY));
    [next(), next()]
}

/// One ward per page in a table without ruling lines, continued over the
/// next page without its header when it does not fit.
fn unruled(notice: &Notice, sheet: &mut Sheet) {
    let columns = Columns {
        lefts: &[LEFT, 160.0, 240.0, 350.0, 420.0, 488.0],
        headers: &[
            "Surname",
            "Other Names",
            "Home Address",
            "Description (if any)",
            "Names of Proposer (+),",
            "Seconder (++)",
        ],
        ruled: false,
        right: RIGHT,
    };
    let heading = |sheet: &mut Sheet, post: &Post| {
        sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
        sheet.centred(12.0, &notice.council);
        sheet.centred(
            11.0,
            &format!("Election of a Borough Councillor for {} Ward", post.name),
        );
        sheet.line(LEFT, BODY, &format!("on {}", notice.poll_date));
        sheet.y -= 6.0;
    };
    let cells = |candidate: &Candidate| {
        let [proposer, seconder] = proposer_and_seconder(candidate, columns.width(4));
        vec![
            vec![candidate.surname.clone()],
            wrap(&candidate.other_names, columns.width(1), BODY),
            address_lines(candidate, columns.width(2), AddressForm::PostcodeApart),
            wrap(&candidate.description, columns.width(3), BODY),
            proposer,
            seconder,
        ]
    };
    let table = (&columns, AddressAt::column(2), false);
    ward_per_page_tables(notice, sheet, false, table, heading, cells);
}

/// One ward per page in a ruled table whose headers are numbered and in
/// capitals, the name cell `SURNAME, Other names`.
fn numbered(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 150.0, 280.0, 380.0, 470.0],
        headers: &[
            "1.\nNAME OF CANDIDATE",
            "2.\nHOME ADDRESS",
            "3.\nDESCRIPTION (IF ANY)",
            "4.\nNAMES OF PROPOSER AND SECONDER",
            "5.\nDECISION OF RETURNING OFFICER",
        ],
        ruled: true,
        right: RIGHT,
    };
    let heading = |sheet: &mut Sheet, post: &Post| {
        sheet.centred(12.0, &notice.council.to_uppercase());
        sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
        sheet.centred(
            11.0,
            &format!("DISTRICT ELECTORAL AREA: {}", post.name.to_uppercase()),
        );
        sheet.line(
            LEFT,
            BODY,
            &format!("The poll will be held on {}.", notice.poll_date),
        );
    };
    let cells = |candidate: &Candidate| {
        let name = format!("{}, {}", candidate.surname, candidate.other_names);
        vec![
            wrap(&name, columns.width(0), BODY),
            address_lines(candidate, columns.width(1), AddressForm::OnePerLine),
            wrap(&candidate.description, columns.width(2), BODY),
            candidate.signatories.clone(),
            withdrawn_note(candidate),
        ]
    };
    let table = (&columns, AddressAt::column(1), false);
    ward_per_page_tables(notice, sheet, bar, table, heading, cells);
}

/// A notice of election agents: the candidate's name and home address in
/// the first cell; the agent (the proposer) and the agent's office.
fn agents(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 230.0, 380.0],
        headers: &[
            "NAME AND ADDRESS OF CANDIDATE",
            "NAME OF ELECTION AGENT",
            "ADDRESS OF OFFICE OF ELECTION AGENT",
        ],
        ruled: true,
        right: RIGHT,
    };
    sheet.centred(14.0, "NOTICE OF ELECTION AGENTS' NAMES AND OFFICES");
    sheet.centred(12.0, &notice.council);
    sheet.centred(BODY, &format!("Election on {}", notice.poll_date));
    let office: Vec<String> = notice
        .office
        .lines
        .iter()
        .cloned()
        .chain(std::iter::once(notice.office.postcode.clone()))
        .collect();
    for post in &notice.posts {
        sheet.ensure(6.0 * LEADING);
        sheet.y -= 6.0;
        sheet.line(
            LEFT,
            11.0,
            &format!("Election of Borough Councillors for {} Ward", post.name),
        );
        columns.header(sheet, bar);
        for candidate in &post.candidates {
            let mut first = vec![format!("{}, {}", candidate.surname, candidate.other_names)];
            first.extend(address_lines(
                candidate,
                columns.width(0),
                AddressForm::OnePerLine,
            ));
            let agent = candidate.signatories.first().cloned().into_iter().collect();
            let cells = [first, agent, office.clone()];
            let address = AddressAt { column: 0, line: 1 };
            columns.row(sheet, bar, candidate, &cells, address);
        }
    }
    footer(notice, sheet, false);
}

/// One ward per page, every header, heading and footer in Welsh then
/// English.
fn bilingual(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 125.0, 225.0, 365.0, 470.0],
        headers: &[
            "Cyfenw\nSurname",
            "Enwau Eraill\nOther Names",
            "Cyfeiriad Cartref\nHome Address",
            "Disgrifiad (os oes un)\nDescription (if any)",
            "Penderfyniad\nDecision",
        ],
        ruled: true,
        right: RIGHT,
    };
    let heading = |sheet: &mut Sheet, post: &Post| {
        sheet.centred(14.0, "DATGANIAD AM Y PERSONAU A ENWEBWYD");
        sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
        sheet.centred(12.0, &notice.council);
        sheet.line(
            LEFT,
            11.0,
            &format!("Etholiad Cynghorydd Sir ar gyfer {}", post.name),
        );
        sheet.line(
            LEFT,
            11.0,
            &format!("Election of a County Councillor for {}", post.name),
        );
        sheet.line(
            LEFT,
            BODY,
            &format!("Cynhelir y bleidlais ar {}.", notice.poll_date_welsh),
        );
        sheet.line(
            LEFT,
            BODY,
            &format!("The poll will be held on {}.", notice.poll_date),
        );
    };
    let cells = |candidate: &Candidate| {
        vec![
            vec![candidate.surname.clone()],
            wrap(&candidate.other_names, columns.width(1), BODY),
            address_lines(candidate, columns.width(2), AddressForm::OnePerLine),
            wrap(&candidate.description, columns.width(3), BODY),
            withdrawn_note(candidate),
        ]
    };
    let table = (&columns, AddressAt::column(2), true);
    ward_per_page_tables(notice, sheet, bar, table, heading, cells);
}

/// Two wards' tables side by side, each under its own heading, a pair of
/// wards to a page.
fn side_by_side(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let middle = (LEFT + RIGHT) / 2.0;
    let headers = &["Name of Candidate", "Home Address", "Description (if any)"];
    let left_half = [LEFT, LEFT + 80.0, LEFT + 165.0];
    let right_half = left_half.map(|x| x - LEFT + middle + 8.0);
    let halves = [
        Columns {
            lefts: &left_half,
            headers,
            ruled: true,
            right: middle - 8.0,
        },
        Columns {
            lefts: &right_half,
            headers,
            ruled: true,
            right: RIGHT,
        },
    ];
    let cells = |candidate: &Candidate, columns: &Columns| {
        let mut name = vec![candidate.surname.clone()];
        name.extend(wrap(&candidate.other_names, columns.width(0), BODY));
        [
            name,
            address_lines(candidate, columns.width(1), AddressForm::Wrapped),
            wrap(&candidate.description, columns.width(2), BODY),
        ]
    };
    sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
    sheet.centred(12.0, &notice.council);
    sheet.centred(BODY, &format!("Election on {}", notice.poll_date));
    for (index, pair) in notice.posts.chunks(2).enumerate() {
        if index > 0 {
            sheet.new_page();
        }
        sheet.y -= 6.0;
        let top = sheet.y;
        let mut bottom = top;
        for (post, columns) in pair.iter().zip(&halves) {
            sheet.y = top;
            sheet.line(columns.lefts[0], 11.0, &format!("{} Ward", post.name));
            columns.header(sheet, bar);
            for candidate in &post.candidates {
                let cells = cells(candidate, columns);
                columns.row(sheet, bar, candidate, &cells, AddressAt::column(1));
            }
            bottom = bottom.min(sheet.y);
        }
        sheet.y = bottom;
        footer(notice, sheet, false);
    }
}

/// A list election: per region, each party's candidates under the party's
/// name, which stands in the party column of the first of them only.
fn party_lists(notice: &Notice, sheet: &mut Sheet, bar: bool) {
    let columns = Columns {
        lefts: &[LEFT, 200.0, 345.0],
        headers: &[
            "Name of Registered Political Party",
            "Names of Candidates on Party List",
            "Home Address",
        ],
        ruled: true,
        right: RIGHT,
    };
    sheet.centred(
        14.0,
        "STATEMENT OF PARTIES AND INDIVIDUAL CANDIDATES NOMINATED",
    );
    sheet.centred(12.0, "Scottish Parliament Election");
    sheet.centred(12.0, &notice.council);
    for (index, post) in notice.posts.iter().enumerate() {
        if index > 0 {
            sheet.new_page();
        }
        sheet.line(LEFT, 11.0, &format!("Electoral Region: {}", post.name));
        sheet.line(LEFT, BODY, &format!("Date of poll: {}", notice.poll_date));
        columns.header(sheet, bar);
        let mut parties: Vec<&str> = Vec::new();
        for candidate in &post.candidates {
            if !parties.contains(&candidate.description.as_str()) {
                parties.push(&candidate.description);
            }
        }
        for party in parties {
            let list = post.candidates.iter().filter(|c| c.description == party);
            for (place, candidate) in list.enumerate() {
                let name = format!("{} {}", candidate.surname, candidate.other_names);
                let cells = [
                    match place {
                        0 => wrap(party, columns.width(0), BODY),
                        _ => Vec::new(),
                    },
                    wrap(&name, columns.width(1), BODY),
                    address_lines(candidate, columns.width(2), AddressForm::Wrapped),
                ];
                columns.row(sheet, bar, candidate, &cells, AddressAt::column(2));
            }
        }
        footer(notice, sheet, false);
    }
}

/// The notice as running text: each candidate's name and description on
/// one line and their home on the next, under the post's heading, with no
/// table header; a layout no table reader follows.
pub fn running_text(notice: &Notice) -> Vec<Page> {
    let mut sheet = Sheet::new();
    sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
    sheet.centred(12.0, &notice.council);
    for post in &notice.posts {
        sheet.y -= 6.0;
        sheet.line(
            LEFT,
            11.0,
            &format!("Election of a Borough Councillor for {} Ward", post.name),
        );
        for candidate in &post.candidates {
            let home = match &candidate.home {
                Home::Published(address) => address.one_line(),
                Home::Withheld(area) => area.clone(),
            };
            sheet.ensure(3.0 * LEADING);
            sheet.line(
                LEFT,
                BODY,
                &format!(
                    "{} {}, {}, of",
                    candidate.surname, candidate.other_names, candidate.description
                ),
            );
            sheet.line(LEFT + 12.0, BODY, &home);
        }
    }
    footer(notice, &mut sheet, false);
    sheet.pages
}

fn labels(notice: &Notice, sheet: &mut Sheet) {
    sheet.centred(14.0, "STATEMENT OF PERSONS NOMINATED");
    sheet.centred(12.0, &notice.council);
    sheet.centred(BODY, &format!("Election on {}", notice.poll_date));
    for post in &notice.posts {
        sheet.ensure(6.0 * LEADING);
        sheet.y -= 6.0;
        sheet.line(LEFT, 12.0, &format!("{} Ward", post.name));
        for candidate in &post.candidates {
            let address = address_lines(candidate, RIGHT - 150.0, AddressForm::Wrapped);
            sheet.ensure((address.len() + 4) as f32 * LEADING);
            sheet.line(
                LEFT,
                BODY,
                &format!("Name: {} {}", candidate.surname, candidate.other_names),
            );
            let y = sheet.y;
            sheet.page().text(LEFT, y, BODY, "Home address:");
            address_cell(sheet.page(), candidate, 120.0, y, &address);
            sheet.y -= address.len() as f32 * LEADING + 2.0;
            if !candidate.description.is_empty() {
                sheet.line(
                    LEFT,
                    BODY,
                    &format!("Description: {}", candidate.description),
                );
            }
            if candidate.withdrawn {
                sheet.line(LEFT, BODY, "Nomination withdrawn");
            }
            sheet.y -= 6.0;
        }
    }
    footer(notice, sheet, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_width() {
        let lines = wrap(
            "Flat 3 Gillow House, Quenby Road, Eastgate, NB4 7QT",
            90.0,
            BODY,
        );
        assert!(lines.len() > 1);
        assert_eq!(
            lines.join(" "),
            "Flat 3 Gillow House, Quenby Road, Eastgate, NB4 7QT"
        );
        assert!(
            lines
                .iter()
                .all(|l| text_width(l, BODY) <= 90.0 || !l.contains(' '))
        );
    }

    #[test]
    fn title_case_handles_apostrophes_and_hyphens() {
        assert_eq!(title_case("O'FLAHERTY"), "O'Flaherty");
        assert_eq!(title_case("WILLOUGHBY-KNOX"), "Willoughby-Knox");
    }
}
