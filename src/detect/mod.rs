//! Stage 4 of the pipeline: detection.
//!
//! Input: one document's [`Extraction`] (from `extract`). Output: its
//! [`DocumentFindings`]: the notice kind, the election date, the council if
//! recognised, every candidate with their address status, and the findings.
//! The principal type is [`Detector`], built once from [`Rules`] (the data in
//! `rules/`) and shared by every thread of the scan stage: it is immutable,
//! `Send + Sync`, and compiles every pattern in [`Detector::new`].
//!
//! The passes, each its own module:
//!
//! * [`kind`]: what the notice is;
//! * [`dates`]: when its poll is, or why that could not be read;
//! * [`election`]: the type of its election, and whether its candidates
//!   could withhold their addresses (`rules/withholding.toml`), or why that
//!   could not be established;
//! * [`table`]: the table reader, which finds candidate tables by their
//!   header vocabulary and reads their columns and rows from the page's
//!   geometry (drawn rules, alignment, gaps), over pages, in every format;
//! * [`segment`]: candidates from the table reader's rows and from label
//!   layouts, the post of each, and the role of every row (candidate,
//!   header, legitimate address context);
//! * [`address`]: what one home-address cell says (published, withheld with
//!   an area, unknown);
//! * [`findings`]: published, hidden, side-layer, earlier-revision and
//!   own-agent addresses, with stable ids;
//! * [`postcode`] and [`text`]: the postcode grammar and the phrase
//!   prefilter every pass shares;
//! * [`cross`]: after every document is detected, candidates withheld in one
//!   notice and printed in another of the same council
//!   ([`Detector::cross_check`], run by the scan stage);
//! * [`retention`]: a candidate notice still online more than the
//!   retention period after its poll ([`Detector::check_retention`], run
//!   by the scan stage when it knows the day the notice was online).
//!
//! Detection refuses to guess: a postcode outside a candidate's row is never
//! a candidate's published address, a legitimate address (returning officer,
//! polling station, agent's office, council contact) is never reported, and
//! a document with no text is `unscannable`, and a candidate notice from
//! which no candidate was read is `unparsed-notice`, never clean. It never reads
//! files or the network.
//!
//! ```
//! use sopncheck::detect::{Detector, Rules};
//! use sopncheck::model::{AddressStatus, Cell, Extraction, Line, SourceFormat, Visibility};
//!
//! let cell = |x: f32, text: &str| Cell {
//!     x, right: x + 90.0, text: text.into(), visibility: Visibility::Visible, size: 10.0,
//! };
//! let line = |y: f32, cells: Vec<Cell>| Line { page: 1, baseline: y, cells };
//! // A page as the extractor gives it: one line per baseline, no rules.
//! let lines = vec![
//!     line(800.0, vec![cell(50.0, "STATEMENT OF PERSONS NOMINATED")]),
//!     line(780.0, vec![cell(50.0, "Election of a Councillor for Example Ward")]),
//!     line(760.0, vec![cell(50.0, "Name of candidate"), cell(150.0, "Home address"),
//!                      cell(250.0, "Description")]),
//!     line(740.0, vec![cell(50.0, "SAMPLE"), cell(150.0, "(address in Exampleton)"),
//!                      cell(250.0, "Independent")]),
//!     line(728.0, vec![cell(50.0, "Alex")]),
//!     line(700.0, vec![cell(50.0, "TESTER"), cell(150.0, "1 Any Road"),
//!                      cell(250.0, "Independent")]),
//!     line(688.0, vec![cell(50.0, "Jo"), cell(150.0, "Exampleton")]),
//!     line(676.0, vec![cell(150.0, "ZZ9 9ZZ")]),
//! ];
//! let extraction = Extraction {
//!     format: SourceFormat::Pdf, pages: 1, runs: vec![], lines: lines.clone(),
//!     rules: vec![], rows: lines, ocr_pages: vec![], side_texts: vec![],
//!     prior_revisions: vec![], producer: None,
//! };
//! let found = Detector::new(&Rules::builtin()).detect(&extraction, "notice.pdf");
//! assert_eq!(found.candidates.len(), 2);
//! assert_eq!(found.candidates[0].name, "SAMPLE Alex");
//! assert_eq!(found.candidates[0].address_status, AddressStatus::Withheld);
//! assert_eq!(found.candidates[1].postcode.as_deref(), Some("ZZ9 9ZZ"));
//! assert_eq!(found.findings[0].rule, "published-home-address");
//! ```

mod address;
mod cross;
mod dates;
mod election;
mod findings;
mod kind;
mod postcode;
mod retention;
mod rules;
mod segment;
mod table;
mod text;

pub use postcode::postcode_spans;
pub(crate) use rules::FINDING_RULES;
pub use rules::{RuleError, Rules};
pub(crate) use text::key as name_key;

use crate::model::{DocumentFindings, ElectionReading, Extraction, NoticeKind, WithholdingRule};
use crate::registry::registry;
use dates::DateReader;
use election::ElectionReader;
use kind::Classifier;
use segment::Segmenter;
use text::PhraseSet;

/// The compiled detector: build once, share across threads.
#[derive(Clone, Debug)]
pub struct Detector {
    rules: Rules,
    segmenter: Segmenter,
    classifier: Classifier,
    dates: DateReader,
    elections: ElectionReader,
    /// The phrases read in a notice's heading, found in one pass: the
    /// kinds' ([`Classifier::phrase_groups`]), then from group
    /// `election_groups` on the election types'
    /// ([`ElectionReader::phrase_groups`]).
    heading: PhraseSet,
    election_groups: usize,
}

impl Detector {
    /// Compiles every matcher the rules call for.
    pub fn new(rules: &Rules) -> Detector {
        let kind_groups = Classifier::phrase_groups(rules);
        let election_groups = kind_groups.len();
        let heading = PhraseSet::new(
            kind_groups.into_iter().chain(
                ElectionReader::phrase_groups(rules)
                    .map(|(group, phrases)| (election_groups + group, phrases)),
            ),
        );
        Detector {
            heading,
            election_groups,
            rules: rules.clone(),
            segmenter: Segmenter::new(rules),
            classifier: Classifier::new(rules),
            dates: DateReader::new(rules),
            elections: ElectionReader::new(rules),
        }
    }

    /// The rules it applies; [`Rules::digest`] names them in a report.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Detects candidates and findings in one extracted document. `source`
    /// is its path or URL: a URL helps recognise the council, and the file
    /// name keys the `unscannable` finding; nothing else depends on it.
    pub fn detect(&self, extraction: &Extraction, source: &str) -> DocumentFindings {
        if !extraction.has_text_layer() {
            return self.unreadable(source, "the document has no text layer; it may be a scan");
        }
        let segmented = self.segmenter.segment(&extraction.lines, &extraction.rules);
        let items = &segmented.items;

        // The notice's own words: titles, notes, the returning officer's
        // block. Candidates' rows say nothing about the notice's kind, date
        // or council, and are most of its text.
        let notice_items = || {
            items
                .iter()
                .zip(&segmented.roles)
                .filter(|(_, role)| !matches!(role, segment::RowRole::Candidate(_)))
                .map(|(item, _)| item)
        };
        let head_rows = self.classifier.head_rows();
        let head_text = visible_text(notice_items().take(head_rows));
        let head = visible_normal(notice_items().take(head_rows));
        // The kind and the election type are read from phrases of the
        // heading found in one pass.
        let heading: Vec<(usize, usize, usize)> = self.heading.hits(&head).collect();
        let kind = self
            .classifier
            .kind(heading.iter().map(|&(group, _, _)| group));
        let header_end = segmented.first_header.unwrap_or(items.len());
        // Lines of one visible cell above the first table: their text is
        // that cell's.
        let header_rows = items.iter().take(header_end).filter_map(|item| {
            let mut visible = item.cells.iter().filter(|c| !c.visibility.is_hidden());
            match (visible.next(), visible.next()) {
                (Some(cell), None) => Some(cell.text.as_str()),
                _ => None,
            }
        });
        let election_date = self.dates.poll_date(&head, header_rows, &|| {
            visible_normal(notice_items().skip(head_rows))
        });
        let election_hits: Vec<(usize, usize, usize)> = heading
            .iter()
            .filter_map(|&(group, start, end)| {
                Some((group.checked_sub(self.election_groups)?, start, end))
            })
            .collect();
        let election_type = self.elections.election_type(&election_hits);
        let url = source.contains("://").then_some(source);
        // The council prints its name at the top of a notice, or in the
        // returning officer's block.
        let council = registry().recognise(&head_text, url).or_else(|| {
            let officer_rows = items
                .iter()
                .zip(&segmented.roles)
                .filter(|(_, role)| **role == segment::RowRole::Legitimate)
                .map(|(item, _)| item);
            registry().recognise(&visible_text(officer_rows), None)
        });
        let withholding = self.elections.withholding(
            election_date.as_deref().map_err(|why| *why),
            election_type,
            council.map(|c| c.nation.as_str()),
        );
        let found = findings::collect(
            self,
            &findings::Document {
                extraction,
                segmented: &segmented,
                kind,
                withholding: &withholding,
            },
        );
        DocumentFindings {
            kind,
            election: ElectionReading {
                date_reason: election_date.as_ref().err().map(|why| why.to_string()),
                election_type,
                type_reason: election_type
                    .is_none()
                    .then(|| election::NO_ELECTION_TYPE.to_string()),
                withholding,
            },
            election_date: election_date.ok(),
            council: council.map(|c| c.code.clone()),
            candidates: segmented.candidates,
            findings: found,
        }
    }

    /// The result for a document that could not be read (no text layer, or
    /// the extractor failed): kind `other`, no candidates, one
    /// `unscannable` finding (severity high, from `rules/findings.toml`)
    /// whose evidence is `reason`.
    pub fn unreadable(&self, source: &str, reason: &str) -> DocumentFindings {
        let url = source.contains("://").then_some(source);
        let unread = format!("the document could not be read: {reason}");
        DocumentFindings {
            kind: NoticeKind::Other,
            election_date: None,
            election: ElectionReading {
                date_reason: Some(unread.clone()),
                election_type: None,
                type_reason: Some(unread.clone()),
                withholding: WithholdingRule {
                    applied: None,
                    reason: unread,
                },
            },
            council: url
                .and_then(|u| registry().recognise("", Some(u)))
                .map(|c| c.code.clone()),
            candidates: Vec::new(),
            findings: findings::unscannable(self, source, reason),
        }
    }
}

/// [`normalise_into`] of [`visible_text`]`(rows)`, from the normal forms
/// the table reader already made of free lines (other rows are
/// normalised here).
fn visible_normal<'r>(rows: impl Iterator<Item = &'r table::Item<'r>> + Clone) -> String {
    let mut normal = String::with_capacity(visible_length(rows.clone()));
    for row in rows {
        if row.normal.is_empty() {
            for cell in row.cells.iter().filter(|c| !c.visibility.is_hidden()) {
                push_normal(&mut normal, &cell.text);
            }
        } else {
            // A normal form already.
            if !normal.is_empty() {
                normal.push(' ');
            }
            normal.push_str(&row.normal);
        }
    }
    normal
}

/// Appends the normal form of `text` to `normal`, after a space when both
/// hold words.
fn push_normal(normal: &mut String, text: &str) {
    let mark = normal.len();
    if mark > 0 {
        normal.push(' ');
    }
    let words_start = normal.len();
    text::normalise_onto(text, normal);
    if normal.len() == words_start {
        normal.truncate(mark);
    }
}

/// About the bytes [`visible_text`] and [`visible_normal`] write for
/// `rows` (lowercasing keeps ASCII's length), so each string is allocated
/// once.
fn visible_length<'r>(rows: impl Iterator<Item = &'r table::Item<'r>>) -> usize {
    rows.flat_map(|row| row.cells.iter().filter(|c| !c.visibility.is_hidden()))
        .map(|cell| cell.text.len() + 1)
        .sum()
}

/// The visible text of `items`: each item's visible cells joined by a
/// space, items joined by a line break.
fn visible_text<'r>(rows: impl Iterator<Item = &'r table::Item<'r>> + Clone) -> String {
    let mut text = String::with_capacity(visible_length(rows.clone()));
    for (i, row) in rows.enumerate() {
        if i > 0 {
            text.push('\n');
        }
        for (j, cell) in row
            .cells
            .iter()
            .filter(|c| !c.visibility.is_hidden())
            .enumerate()
        {
            if j > 0 {
                text.push(' ');
            }
            text.push_str(&cell.text);
        }
    }
    text
}

#[cfg(test)]
mod tests;
