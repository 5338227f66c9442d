//! What a synthetic notice says, before any layout: the council, the
//! election, and per post (ward) the candidates with their home address or
//! withheld-area wording. Tests derive their expected detection results
//! from these values, so they are the ground truth of a fixture.

use crate::model::ElectionType;

/// A printed home address.
#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    /// Address elements, most specific first (house, street, district, town).
    pub lines: Vec<String>,
    /// The full postcode.
    pub postcode: String,
}

impl Address {
    /// The address on one line, comma separated, postcode last.
    pub fn one_line(&self) -> String {
        format!("{}, {}", self.lines.join(", "), self.postcode)
    }
}

/// What a candidate's address cell says.
#[derive(Clone, Debug, PartialEq)]
pub enum Home {
    /// The home address is printed.
    Published(Address),
    /// An area statement is printed instead, e.g. `(address in Northbury)`.
    Withheld(String),
}

/// One nominated person.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Surname in capitals, as notices print it.
    pub surname: String,
    /// Forenames.
    pub other_names: String,
    /// Address or area statement.
    pub home: Home,
    /// Party description, possibly empty.
    pub description: String,
    /// The nomination was withdrawn.
    pub withdrawn: bool,
    /// Names of the subscribers to the nomination paper (printed by the
    /// SoPN-and-notice-of-poll layout).
    pub signatories: Vec<String>,
    /// How the council tried to hide the printed address, if it did.
    pub redaction: Redaction,
}

/// How a published address was (badly or properly) hidden in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Redaction {
    /// Printed plainly.
    #[default]
    None,
    /// Printed, then a black box drawn over it: still in the file.
    BlackBox,
    /// Removed from the file and a black box drawn where it was: the
    /// correct way, which must give no finding.
    Removed,
    /// Printed in text render mode 3 (invisible).
    Invisible,
    /// Printed in white on the white page.
    White,
    /// Printed beyond the crop box.
    OutsideCrop,
    /// Printed, then a small black image pasted over it: still in the file.
    BlackImage,
}

/// A polling station row of a notice of poll.
#[derive(Clone, Debug, PartialEq)]
pub struct PollingStation {
    /// Where it is.
    pub venue: String,
    /// Its number.
    pub number: u32,
}

/// One post (ward, division or office) and its candidates.
#[derive(Clone, Debug, PartialEq)]
pub struct Post {
    /// The ward name.
    pub name: String,
    /// Candidates in printed order.
    pub candidates: Vec<Candidate>,
    /// Polling stations (printed by the SoPN-and-notice-of-poll layout).
    pub polling_stations: Vec<PollingStation>,
}

/// How the notice is laid out, after the real notices in `../shared/realdocs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One ruled table for all posts: surname over other names in the first
    /// column, the address wrapped in the second (a Google Docs export).
    Table,
    /// One ward per page, SoPN and notice of poll together, with signatories
    /// and a polling-station table (a Word export).
    WardPerPage,
    /// Separate surname and other-names columns, one address element per
    /// line, `Resides in ...` wording, continued over pages.
    SplitNames,
    /// No table: `Name:` / `Home address:` / `Description:` labels.
    Labels,
    /// No ruling lines at all: surname, other names, one address element
    /// per line with the postcode a blank line below, proposer and
    /// seconder in two sub-columns under one header; a ward longer than a
    /// page carries on over the next without its header (a Word export).
    Unruled,
    /// Numbered columns ("1." over each header, in capitals) and the name
    /// printed `SURNAME, Other names` in one cell (a Northern Ireland
    /// council's Word template).
    Numbered,
    /// A notice of election agents: the candidate's name and home address
    /// in one cell, then the agent and the agent's office.
    Agents,
    /// Welsh and English: every header, heading and footer in both
    /// languages, Welsh first.
    Bilingual,
    /// Two wards' tables side by side on the page, each under its own
    /// heading, with no column for withdrawals.
    SideBySide,
    /// A list election (a statement of parties and individual candidates,
    /// for the Scottish Parliament's regions): each party's name in a party column beside the first of its
    /// candidates, the others under it.
    PartyLists,
}

impl Layout {
    /// Every layout, for generators that cycle through them.
    pub const ALL: [Layout; 10] = [
        Layout::Table,
        Layout::WardPerPage,
        Layout::SplitNames,
        Layout::Labels,
        Layout::Unruled,
        Layout::Numbered,
        Layout::Agents,
        Layout::Bilingual,
        Layout::SideBySide,
        Layout::PartyLists,
    ];

    /// The layouts of the benchmark corpus. It keeps the first four so
    /// that detection throughput compares across versions on the same
    /// documents.
    pub const CORPUS: [Layout; 4] = [
        Layout::Table,
        Layout::WardPerPage,
        Layout::SplitNames,
        Layout::Labels,
    ];

    /// The withheld-area wording this layout's council uses; `{area}` is
    /// replaced by the area.
    pub fn withheld_wording(self) -> &'static str {
        match self {
            Layout::Table | Layout::Agents | Layout::SideBySide | Layout::PartyLists => {
                "(address in {area})"
            }
            Layout::WardPerPage => "Address in {area}",
            Layout::SplitNames => "Resides in the {area} area",
            Layout::Labels => "(address in the {area} Constituency)",
            Layout::Unruled => "(Address in the {area} area)",
            Layout::Numbered => "ADDRESS IN {area}",
            Layout::Bilingual => "(cyfeiriad yn {area}) / (address in {area})",
        }
    }

    /// The election the notice's heading names: a list election is the
    /// Scottish Parliament's regional vote, every other layout a council's.
    pub fn election_type(self) -> ElectionType {
        match self {
            Layout::PartyLists => ElectionType::ScottishParliament,
            _ => ElectionType::Local,
        }
    }

    /// Whether the notice prints its poll date (a statement of persons
    /// nominated in one table across the wards prints only its own date,
    /// after "Dated").
    pub fn prints_poll_date(self) -> bool {
        self != Layout::Table
    }

    /// Whether the notice lists withdrawn nominations (a notice of agents,
    /// and tables without a column for the reason, list only the
    /// candidates still standing).
    pub fn prints_withdrawals(self) -> bool {
        !matches!(
            self,
            Layout::Agents | Layout::Unruled | Layout::SideBySide | Layout::PartyLists
        )
    }
}

/// A whole notice.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// How it is laid out.
    pub layout: Layout,
    /// The council's name as printed.
    pub council: String,
    /// Date of poll as printed, e.g. `Thursday 7 May 2026`.
    pub poll_date: String,
    /// Date of poll as a Welsh notice prints it beside the English, e.g.
    /// `ddydd Iau 7 Mai 2026`.
    pub poll_date_welsh: String,
    /// The poll date a reader must find in the notice as its layout
    /// prints it, ISO 8601; `None` when it prints none that can be read.
    pub election_date: Option<String>,
    /// The notice's own date, printed after "Dated".
    pub dated: String,
    /// The returning officer's name.
    pub returning_officer: String,
    /// The council office address (legitimate: never a finding).
    pub office: Address,
    /// Posts in printed order.
    pub posts: Vec<Post>,
}

impl Notice {
    /// Every candidate with the post they stand in.
    pub fn candidates(&self) -> impl Iterator<Item = (&Post, &Candidate)> {
        self.posts
            .iter()
            .flat_map(|post| post.candidates.iter().map(move |c| (post, c)))
    }
}
