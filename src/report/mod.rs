//! Stage 6 of the pipeline: reports.
//!
//! Input: the scan stage's [`ScannedDocument`]s and [`ReportOptions`] (show
//! addresses or not, the [`AllowList`]). Output: one [`Report`] model,
//! grouped by council, which every format renders: [`json`], [`csv`]
//! (findings and candidates), [`markdown`], [`html`] and [`sarif`].
//! [`write_outputs`] writes the formats asked for to a directory or to
//! standard output.
//!
//! The model is built already masked (see [`mask`]) unless the user asked
//! for addresses: no renderer ever sees a candidate's address in full, so
//! no renderer can leak one. The JSON report keeps every string as the
//! document printed it (JSON escapes control characters, [`json`]); the
//! text formats render a copy whose control characters are visible
//! escapes ([`Report::printable`]), so no document drives a terminal,
//! spreadsheet or viewer through them. Allowed findings are marked suppressed, never
//! dropped. A report also reads back from its own JSON
//! ([`Report::from_json`]), so reports re-render without a rescan. This
//! stage never reads notices, the network or the store.
//!
//! ```
//! use sopncheck::model::*;
//! use sopncheck::report::{Report, ReportOptions};
//!
//! let document = ScannedDocument {
//!     source: "notice.pdf".into(), sha256: "00".into(), council: "YOR".into(),
//!     pages: 1, text_layer: true, text_source: Some(TextSource::Text), error: None,
//!     origin: Default::default(),
//!     detection: DocumentFindings {
//!         kind: NoticeKind::Sopn, election_date: Some("2026-05-07".into()),
//!         election: ElectionReading::default(),
//!         council: Some("YOR".into()),
//!         candidates: vec![Candidate {
//!             name: "TESTER Jo".into(), post: Some("Example Ward".into()),
//!             address_status: AddressStatus::Published,
//!             address: Some("1 Any Road, Exampleton, ZZ9 9ZZ".into()),
//!             withheld_area: None, postcode: Some("ZZ9 9ZZ".into()), page: 1, withdrawn: false,
//!             description: None,
//!         }],
//!         findings: vec![Finding {
//!             id: "f1".into(), rule: "published-home-address".into(),
//!             severity: Severity::Medium, candidate: Some("TESTER Jo".into()), page: Some(1),
//!             evidence: "1 Any Road, Exampleton, ZZ9 9ZZ".into(),
//!             postcode: Some("ZZ9 9ZZ".into()), layer: None,
//!             message: "A home address is printed.".into(),
//!         }],
//!     },
//! };
//! let report = Report::build(&[document], &ReportOptions::default());
//! let finding = &report.councils[0].documents[0].findings[0];
//! assert_eq!(finding.evidence, "# A** Road, E*********, ZZ9 9**");
//! assert_eq!(finding.postcode.as_deref(), Some("ZZ9"));
//! assert_eq!(finding.post.as_deref(), Some("Example Ward"));
//! assert_eq!(report.worst_severity(), Some(Severity::Medium));
//! ```

pub mod allow;
pub mod csv;
pub mod guidance;
pub mod html;
pub mod json;
pub mod markdown;
pub mod mask;
pub mod sarif;
mod stream;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{
    AddressStatus, ElectionType, NoticeKind, ScannedDocument, Severity, TextSource, WithholdingRule,
};
use crate::printable::printable;
use crate::registry::registry;
use allow::{AllowList, FindingKey};
use mask::DocumentMask;

/// Rules whose evidence is a reason, not an address: masked as free text.
const FREE_TEXT_EVIDENCE: &[&str] = &["unscannable", "unparsed-notice", "retention-expired"];

/// The `schema` value of the JSON report.
pub const SCHEMA: &str = "sopncheck-report/1";

pub use crate::model::UNKNOWN_COUNCIL;

/// How to build a report.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// Print addresses in full (`--show-addresses`).
    pub show_addresses: bool,
    /// Consents and accepted findings (`--allow FILE`).
    pub allow: AllowList,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The tool that wrote it.
    pub tool: Tool,
    /// Whether addresses are shown in full.
    pub addresses_shown: bool,
    /// Councils sorted by code.
    pub councils: Vec<CouncilReport>,
    /// How the report was made: when, with which rules and options.
    /// Absent in reports written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
}

/// How a report was made (its provenance; each document's own is in
/// [`DocumentReport`]: `urls`, `fetched`, `last_modified`, `sha256`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Made {
    /// When, ISO 8601 UTC.
    pub at: String,
    /// The rules used: `built-in` (those of the tool's version) or the
    /// `--rules` directory.
    pub rules: String,
    /// The SHA-256 naming the rule texts in force
    /// ([`Rules::digest`](crate::detect::Rules::digest)): equal in two
    /// reports made with the same rules. Absent in reports written before
    /// it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_sha256: Option<String>,
    /// The command's options that affect the results, as given.
    pub options: Vec<String>,
}

impl Made {
    /// Masks the rules directory and the options as free text (a path may
    /// quote an address). Commands mask them as they make a report, even
    /// with `--show-addresses`; [`Report::mask`] masks those of a report
    /// read back.
    pub fn mask(&mut self) {
        for text in std::iter::once(&mut self.rules).chain(&mut self.options) {
            mask_free_text(text);
        }
    }
}

/// The writing tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// `sopncheck`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// One council's documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CouncilReport {
    /// Register code, or [`UNKNOWN_COUNCIL`].
    pub code: String,
    /// Official name.
    pub name: String,
    /// Counts.
    pub summary: Summary,
    /// Documents in the order scanned.
    pub documents: Vec<DocumentReport>,
    /// Findings earlier audit runs saw that are gone (newest first).
    /// Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<FixedFinding>,
    /// Documents a crawl stored earlier that the council's latest crawl no
    /// longer found on its site: not scanned, not counted. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<RemovedDocument>,
}

/// A stored document the council's site no longer offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemovedDocument {
    /// The URL it was last stored under (masked unless shown).
    pub source: String,
    /// Every URL it was stored under (masked unless shown).
    pub urls: Vec<String>,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// Counts for a council (or, summed, for a report).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Documents scanned.
    pub documents: usize,
    /// Candidates found.
    pub candidates: usize,
    /// With a published address.
    pub published: usize,
    /// With a withheld address.
    pub withheld: usize,
    /// Neither.
    pub unknown: usize,
    /// Findings not suppressed, by severity.
    pub findings: SeverityCounts,
    /// Suppressed findings, by severity.
    #[serde(default)]
    pub suppressed: SeverityCounts,
}

impl Summary {
    /// Names of [`Summary::columns`], for table headers.
    pub const COLUMNS: [&'static str; 9] = [
        "Documents",
        "Candidates",
        "Published",
        "Withheld",
        "Unknown",
        "High",
        "Medium",
        "Low",
        "Info",
    ];

    /// The counts in table order: documents, candidates, published,
    /// withheld, unknown, then unsuppressed findings high, medium, low, info.
    pub fn columns(&self) -> [usize; 9] {
        [
            self.documents,
            self.candidates,
            self.published,
            self.withheld,
            self.unknown,
            self.findings.high,
            self.findings.medium,
            self.findings.low,
            self.findings.info,
        ]
    }
}

/// Finding counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
}

/// One document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentReport {
    /// Path or URL.
    pub source: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Notice kind.
    pub kind: NoticeKind,
    /// Pages.
    pub pages: u32,
    /// Whether it carries text.
    pub text_layer: bool,
    /// Where its text comes from: `text`, `ocr` (a searchable scan's OCR
    /// layer) or `mixed`; `null` without a text layer. Reports written
    /// before the field existed read back as `null`.
    #[serde(default)]
    pub text_source: Option<TextSource>,
    /// Why it could not be read (masked unless shown).
    pub error: Option<String>,
    /// Election date printed in it, ISO 8601.
    pub election_date: Option<String>,
    /// Why no election date was read; `null` when one was.
    #[serde(default)]
    pub election_date_reason: Option<String>,
    /// The election type named in its heading.
    #[serde(default)]
    pub election_type: Option<ElectionType>,
    /// Why no election type was read; `null` when one was.
    #[serde(default)]
    pub election_type_reason: Option<String>,
    /// Whether candidates could withhold their home address at its
    /// election (`applied` `null`: not established), and why.
    #[serde(default)]
    pub withholding_rule: WithholdingRule,
    /// Candidates.
    pub candidates: Vec<CandidateReport>,
    /// Findings.
    pub findings: Vec<FindingReport>,
    /// For a document a crawl downloaded: every URL the same bytes were
    /// found at (masked unless shown). Absent for a local file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// When a crawl first downloaded these bytes (ISO 8601 UTC). Absent
    /// for a local file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<String>,
    /// The `Last-Modified` header the server sent. Absent when it sent
    /// none, and for a local file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// One candidate, address masked unless shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateReport {
    /// Name as printed.
    pub name: String,
    /// Post stood for.
    pub post: Option<String>,
    /// Published, withheld or unknown.
    pub address_status: AddressStatus,
    /// The address (masked unless shown).
    pub address: Option<String>,
    /// The withheld area.
    pub withheld_area: Option<String>,
    /// Page.
    pub page: u32,
    /// Withdrawn.
    pub withdrawn: bool,
    /// The description (party) as printed; in a list election the party.
    #[serde(default)]
    pub description: Option<String>,
}

/// One finding, evidence masked unless shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingReport {
    /// Stable id.
    pub id: String,
    /// Rule name.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Candidate.
    pub candidate: Option<String>,
    /// The candidate's post, when the document names the candidate.
    #[serde(default)]
    pub post: Option<String>,
    /// Page.
    pub page: Option<u32>,
    /// Evidence (masked unless shown).
    pub evidence: String,
    /// Postcode: the outward code only unless shown.
    pub postcode: Option<String>,
    /// Where in the file.
    pub layer: Option<String>,
    /// What it means (masked unless shown).
    pub message: String,
    /// Allowed by the allow list: reported, but ignored by `--fail-on`.
    #[serde(default)]
    pub suppressed: bool,
    /// Why it is suppressed.
    #[serde(default)]
    pub suppression_reason: Option<String>,
    /// In a report from a store: when an audit run first saw the finding
    /// (ISO 8601 UTC). Absent without a history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// In a report from a store: when an audit run last saw it (this run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// In a report from a store: `new` (this run is the first to see it)
    /// or `ongoing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<FindingState>,
}

/// Where a finding stands across audit runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingState {
    /// First seen by this run.
    New,
    /// Seen by an earlier run and by this one.
    Ongoing,
    /// Seen by an earlier run, not by this one: the notice was corrected
    /// or taken down.
    Fixed,
}

/// A finding an earlier audit run saw that is no longer there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FixedFinding {
    /// Its stable id.
    pub id: String,
    /// Rule name.
    pub rule: String,
    /// Severity it had.
    pub severity: Severity,
    /// The document it was in (masked unless shown).
    pub source: String,
    /// The candidate it was about.
    pub candidate: Option<String>,
    /// When a run first saw it (ISO 8601 UTC).
    pub first_seen: String,
    /// When a run last saw it.
    pub last_seen: String,
    /// When a run first found it gone.
    pub fixed: String,
    /// Always `fixed`.
    pub state: FindingState,
}

impl FindingReport {
    /// What the allow list matches this finding on, in the document of
    /// `council` whose election was on `election_date`.
    pub fn allow_key<'a>(
        &'a self,
        council: &'a str,
        election_date: Option<&'a str>,
    ) -> FindingKey<'a> {
        FindingKey {
            council,
            election_date,
            rule: &self.rule,
            id: &self.id,
            candidate: self.candidate.as_deref(),
            post: self.post.as_deref(),
        }
    }
}

/// One finding with the council and document it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct Located<'r> {
    /// The council.
    pub council: &'r CouncilReport,
    /// The document.
    pub document: &'r DocumentReport,
    /// The finding.
    pub finding: &'r FindingReport,
}

impl Report {
    /// Builds the report model from scanned documents, grouped by council
    /// code (sorted), documents in the order given, masked unless
    /// `show_addresses`, allowed findings marked suppressed.
    pub fn build(documents: &[ScannedDocument], options: &ReportOptions) -> Report {
        Report::build_owned(documents.par_iter().cloned().collect(), options)
    }

    /// [`Report::build`] from documents the report takes over: each
    /// document's strings move into the report, so a national run holds
    /// its documents once. Each document is masked and judged against the
    /// allow list as it is converted, on the rayon pool: the strings
    /// masking replaces are freed while the next document is converted,
    /// not once all are.
    pub fn build_owned(documents: Vec<ScannedDocument>, options: &ReportOptions) -> Report {
        let masked = !options.show_addresses;
        let reports: Vec<(String, DocumentReport)> = documents
            .into_par_iter()
            .map(|mut document| {
                let council = std::mem::take(&mut document.council);
                let mut report = document_report(document);
                if masked {
                    report.mask();
                }
                report.apply_allow(&council, &options.allow, masked);
                (council, report)
            })
            .collect();
        let mut by_council: BTreeMap<String, Vec<DocumentReport>> = BTreeMap::new();
        for (council, report) in reports {
            by_council.entry(council).or_default().push(report);
        }
        let councils = by_council
            .into_iter()
            .map(|(code, documents)| council_report(&code, documents))
            .collect();
        Report {
            schema: SCHEMA.into(),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            addresses_shown: options.show_addresses,
            councils,
            made: None,
        }
    }

    /// Adds the documents a council's site no longer offers (see
    /// [`CouncilReport::removed`]), each under its council (one with no
    /// current document gets a section of its own), masked like the rest
    /// unless addresses are shown.
    pub fn add_removed(&mut self, removed: Vec<(String, RemovedDocument)>) {
        for (code, mut document) in removed {
            if !self.addresses_shown {
                document.mask();
            }
            let at = self.council_at(&code);
            self.councils[at].removed.push(document);
        }
    }

    /// Gives each finding its history across audit runs: `sighting(code,
    /// id)` is `(first_seen, last_seen, new)` of the finding `id` of
    /// council `code`, `None` for a finding with no history (it then
    /// carries none). `fixed` adds, per council, the findings earlier runs
    /// saw that are gone, masked like the rest unless addresses are shown.
    pub fn add_history(
        &mut self,
        sighting: impl Fn(&str, &str) -> Option<(String, String, bool)>,
        fixed: Vec<(String, FixedFinding)>,
    ) {
        for council in &mut self.councils {
            for document in &mut council.documents {
                for finding in &mut document.findings {
                    if let Some((first, last, new)) = sighting(&council.code, &finding.id) {
                        finding.first_seen = Some(first);
                        finding.last_seen = Some(last);
                        finding.state = Some(if new {
                            FindingState::New
                        } else {
                            FindingState::Ongoing
                        });
                    }
                }
            }
        }
        for (code, mut finding) in fixed {
            if !self.addresses_shown {
                finding.mask();
            }
            let at = self.council_at(&code);
            self.councils[at].fixed.push(finding);
        }
        for council in &mut self.councils {
            council
                .fixed
                .sort_by(|a, b| (&b.fixed, &a.id).cmp(&(&a.fixed, &b.id)));
        }
    }

    /// Keeps only what changed since `date` (`YYYY-MM-DD`, or an ISO date
    /// and time): findings first seen then or later, and findings fixed
    /// then or later. Findings with no history are kept. Recounts the
    /// summaries.
    pub fn changed_since(&mut self, date: &str) {
        for council in &mut self.councils {
            for document in &mut council.documents {
                document
                    .findings
                    .retain(|f| f.first_seen.as_deref().is_none_or(|first| first >= date));
            }
            council.fixed.retain(|f| f.fixed.as_str() >= date);
            council.summary = summarise(&council.documents);
        }
    }

    /// The index of council `code` in [`Report::councils`], inserting an
    /// empty section for it (in code order) when it has none.
    fn council_at(&mut self, code: &str) -> usize {
        match self
            .councils
            .binary_search_by(|c| c.code.as_str().cmp(code))
        {
            Ok(at) => at,
            Err(at) => {
                self.councils.insert(at, council_report(code, Vec::new()));
                at
            }
        }
    }

    /// Masks the report unless `show_addresses` (see [`mask`]), the one
    /// pass every string of it goes through before any format renders it:
    /// candidates' addresses and evidence keep only their shape, and every
    /// other text (names, posts, areas, descriptions, layers, messages,
    /// errors, sources, the rules directory and options it was made with)
    /// loses the document's addresses quoted in it, house
    /// numbers with their streets and full postcodes. [`Report::build`]
    /// masks each document the same way as it converts it; `report` calls
    /// this on a report read back, which may have been written with
    /// `--show-addresses` or by another tool. A masked report cannot be
    /// unmasked.
    pub fn mask(&mut self, show_addresses: bool) {
        if !self.addresses_shown || show_addresses {
            return;
        }
        for council in &mut self.councils {
            // Each document is masked on its own: in parallel, in order.
            council
                .documents
                .par_iter_mut()
                .for_each(DocumentReport::mask);
            council.removed.iter_mut().for_each(RemovedDocument::mask);
            council.fixed.iter_mut().for_each(FixedFinding::mask);
        }
        self.made.iter_mut().for_each(Made::mask);
        self.addresses_shown = false;
    }

    /// A copy of the report for the text formats (CSV, Markdown, HTML,
    /// SARIF): every string with its control characters as visible escapes
    /// ([`printable`]), so that no document can drive a terminal or a
    /// viewer through them. The JSON report is written from the report
    /// itself, faithful, its escapes JSON's own.
    pub fn printable(&self) -> Report {
        self.printable_with(DocumentReport::printable)
    }

    /// A [`Report::printable`] copy whose documents are `document(d)`
    /// (each made printable; in parallel, in order).
    fn printable_with(
        &self,
        document: impl Fn(&DocumentReport) -> DocumentReport + Sync,
    ) -> Report {
        let mut copy = self.shell();
        copy.strings_mut(&mut make_printable);
        for (council, printed) in self.councils.iter().zip(&mut copy.councils) {
            printed.documents = council.documents.par_iter().map(&document).collect();
        }
        copy
    }

    /// A [`Report::printable`] copy without the candidates: for the
    /// summaries (Markdown, the index of a split HTML report), which count
    /// candidates from the council summaries and never list them.
    pub(crate) fn printable_summary(&self) -> Report {
        self.printable_with(|document| {
            let mut copy = document.without_candidates();
            copy.strings_mut(&mut make_printable);
            copy
        })
    }

    /// The report without its documents (every council's `documents`
    /// empty): the frame a streamed format writes them into.
    pub(crate) fn shell(&self) -> Report {
        let Report {
            schema,
            tool,
            addresses_shown,
            councils,
            made,
        } = self;
        Report {
            schema: schema.clone(),
            tool: tool.clone(),
            addresses_shown: *addresses_shown,
            councils: councils.iter().map(CouncilReport::shell).collect(),
            made: made.clone(),
        }
    }

    /// Calls `visit` on every string of the report. Each struct is taken
    /// apart whole, so a string field added later cannot be missed.
    fn strings_mut(&mut self, visit: &mut impl FnMut(&mut String)) {
        let Report {
            schema,
            tool: Tool { name, version },
            addresses_shown: _,
            councils,
            made,
        } = self;
        for text in [schema, name, version] {
            visit(text);
        }
        if let Some(Made {
            at,
            rules,
            rules_sha256,
            options,
        }) = made
        {
            visit(at);
            visit(rules);
            rules_sha256.iter_mut().for_each(&mut *visit);
            options.iter_mut().for_each(&mut *visit);
        }
        for council in councils {
            council.strings_mut(visit);
        }
    }

    /// Marks the findings `allow` allows as suppressed, with the reason,
    /// and clears every other finding's suppression; recounts the
    /// summaries. [`Report::build`] applies its list to each document as
    /// it converts it; call this to apply an allow list to a report read
    /// back with [`Report::from_json`].
    pub fn apply_allow(&mut self, allow: &AllowList) {
        let masked = !self.addresses_shown;
        for council in &mut self.councils {
            for document in &mut council.documents {
                document.apply_allow(&council.code, allow, masked);
            }
            council.summary = summarise(&council.documents);
        }
    }

    /// Reads a report from its own JSON (`--format json` output).
    pub fn from_json(reader: impl Read) -> Result<Report, ReportError> {
        let report: Report = serde_json::from_reader(reader).map_err(ReportError::Json)?;
        if report.schema != SCHEMA {
            return Err(ReportError::Schema {
                found: report.schema,
            });
        }
        Ok(report)
    }

    /// The most severe finding not suppressed, if any: what `--fail-on`
    /// compares.
    pub fn worst_severity(&self) -> Option<Severity> {
        self.findings()
            .filter(|l| !l.finding.suppressed)
            .map(|l| l.finding.severity)
            .max()
    }

    /// Every finding with its council and document, in report order.
    pub fn findings(&self) -> impl Iterator<Item = Located<'_>> {
        self.councils.iter().flat_map(|council| {
            council.documents.iter().flat_map(move |document| {
                document.findings.iter().map(move |finding| Located {
                    council,
                    document,
                    finding,
                })
            })
        })
    }

    /// One sentence of totals: councils, documents, candidates, findings.
    pub fn headline(&self) -> String {
        let t = self.totals();
        let suppressed = match t.suppressed.total() {
            0 => String::new(),
            n => format!("; {n} suppressed by the allow list"),
        };
        format!(
            "{}, {}, {} ({} published, {} withheld, {} unknown). Findings: {}{suppressed}.",
            plural(self.councils.len(), "council"),
            plural(t.documents, "document"),
            plural(t.candidates, "candidate"),
            t.published,
            t.withheld,
            t.unknown,
            t.findings.describe(),
        )
    }

    /// How the report was made, for the text formats to state: (label,
    /// value) pairs of when, the tool and its version, the rules (built-in
    /// or the `--rules` directory) and their digest, and the options that
    /// affect results. A report read back from before [`Made`] existed
    /// states only the tool.
    pub fn provenance(&self) -> Vec<(&'static str, String)> {
        let tool = format!("{} {}", self.tool.name, self.tool.version);
        let Some(made) = &self.made else {
            return vec![("Tool", tool)];
        };
        let mut lines = vec![
            ("Made", made.at.clone()),
            ("Tool", tool),
            ("Rules", made.rules.clone()),
        ];
        if let Some(digest) = &made.rules_sha256 {
            lines.push(("Rules SHA-256", digest.clone()));
        }
        let options = match made.options.as_slice() {
            [] => "none".to_owned(),
            options => options.join(" "),
        };
        lines.push(("Options", options));
        lines
    }

    /// The councils' summaries added up.
    pub fn totals(&self) -> Summary {
        let mut total = Summary::default();
        for council in &self.councils {
            let s = &council.summary;
            total.documents += s.documents;
            total.candidates += s.candidates;
            total.published += s.published;
            total.withheld += s.withheld;
            total.unknown += s.unknown;
            total.findings.add(&s.findings);
            total.suppressed.add(&s.suppressed);
        }
        total
    }
}

impl SeverityCounts {
    /// Counts one finding of `severity`.
    pub fn count(&mut self, severity: Severity) {
        *match severity {
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        } += 1;
    }

    /// The count for `severity`.
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    /// All findings counted.
    pub fn total(&self) -> usize {
        self.high + self.medium + self.low + self.info
    }

    /// `1 high, 2 medium, 0 low, 0 info`.
    pub fn describe(&self) -> String {
        SEVERITIES
            .iter()
            .map(|s| format!("{} {}", self.get(*s), severity_name(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn add(&mut self, other: &SeverityCounts) {
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
        self.info += other.info;
    }
}

/// Severities from the most to the least serious, the order reports list
/// them in.
pub const SEVERITIES: [Severity; 4] = [
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// The lowercase name of a severity, as in JSON.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// The snake_case name of a notice kind, as in JSON.
pub fn kind_name(kind: NoticeKind) -> &'static str {
    kind.name()
}

/// The name of an address status, as in JSON.
pub fn status_name(status: AddressStatus) -> &'static str {
    match status {
        AddressStatus::Published => "published",
        AddressStatus::Withheld => "withheld",
        AddressStatus::Unknown => "unknown",
    }
}

/// `1 council`, `2 councils`.
fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// At most `max` characters of `text`, with `…` when cut.
pub(crate) fn shorten(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()).into(),
        None => text.into(),
    }
}

fn council_report(code: &str, documents: Vec<DocumentReport>) -> CouncilReport {
    let name = registry()
        .by_code(code)
        .map_or_else(|| "Unrecognised council".to_owned(), |c| c.name.clone());
    CouncilReport {
        code: code.to_owned(),
        name,
        summary: summarise(&documents),
        documents,
        fixed: Vec::new(),
        removed: Vec::new(),
    }
}

/// Counts a council's documents, candidates and findings.
fn summarise(documents: &[DocumentReport]) -> Summary {
    let mut summary = Summary {
        documents: documents.len(),
        ..Summary::default()
    };
    for document in documents {
        for candidate in &document.candidates {
            summary.candidates += 1;
            match candidate.address_status {
                AddressStatus::Published => summary.published += 1,
                AddressStatus::Withheld => summary.withheld += 1,
                AddressStatus::Unknown => summary.unknown += 1,
            }
        }
        for finding in &document.findings {
            if finding.suppressed {
                summary.suppressed.count(finding.severity);
            } else {
                summary.findings.count(finding.severity);
            }
        }
    }
    summary
}

/// A document's report as detection found it: nothing masked
/// yet ([`DocumentReport::mask`] masks it).
fn document_report(document: ScannedDocument) -> DocumentReport {
    let ScannedDocument {
        source,
        sha256,
        council: _,
        pages,
        text_layer,
        text_source,
        error,
        detection,
        origin,
    } = document;
    // The first candidate of each name, for their findings' posts.
    let posts: Vec<Option<String>> = {
        let mut posts: HashMap<&str, Option<&str>> =
            HashMap::with_capacity(detection.candidates.len());
        for candidate in &detection.candidates {
            posts
                .entry(candidate.name.as_str())
                .or_insert(candidate.post.as_deref());
        }
        detection
            .findings
            .iter()
            .map(|f| {
                let post = f
                    .candidate
                    .as_deref()
                    .and_then(|name| posts.get(name).copied());
                post.flatten().map(str::to_owned)
            })
            .collect()
    };
    DocumentReport {
        source,
        sha256,
        kind: detection.kind,
        pages,
        text_layer,
        text_source,
        error,
        election_date: detection.election_date,
        election_date_reason: detection.election.date_reason,
        election_type: detection.election.election_type,
        election_type_reason: detection.election.type_reason,
        withholding_rule: WithholdingRule {
            applied: detection.election.withholding.applied,
            reason: detection.election.withholding.reason,
        },
        candidates: detection
            .candidates
            .into_iter()
            .map(|c| CandidateReport {
                name: c.name,
                post: c.post,
                address_status: c.address_status,
                address: c.address,
                withheld_area: c.withheld_area,
                page: c.page,
                withdrawn: c.withdrawn,
                description: c.description,
            })
            .collect(),
        findings: detection
            .findings
            .into_iter()
            .zip(posts)
            .map(|(f, post)| FindingReport {
                id: f.id,
                rule: f.rule,
                severity: f.severity,
                candidate: f.candidate,
                post,
                page: f.page,
                evidence: f.evidence,
                postcode: f.postcode,
                layer: f.layer,
                message: f.message,
                suppressed: false,
                suppression_reason: None,
                first_seen: None,
                last_seen: None,
                state: None,
            })
            .collect(),
        urls: origin.urls,
        fetched: origin.fetched_at.map(crate::clock::date_time),
        last_modified: origin.last_modified,
    }
}

impl FixedFinding {
    /// Masks its source as free text (a URL may quote an address).
    fn mask(&mut self) {
        mask_free_text(&mut self.source);
    }
}

impl RemovedDocument {
    /// Masks its URLs as free text (a URL may quote an address).
    fn mask(&mut self) {
        for url in std::iter::once(&mut self.source).chain(&mut self.urls) {
            mask_free_text(url);
        }
    }
}

impl CouncilReport {
    /// The council without its documents: see [`Report::shell`].
    pub(crate) fn shell(&self) -> CouncilReport {
        let CouncilReport {
            code,
            name,
            summary,
            documents: _,
            fixed,
            removed,
        } = self;
        CouncilReport {
            code: code.clone(),
            name: name.clone(),
            summary: summary.clone(),
            documents: Vec::new(),
            fixed: fixed.clone(),
            removed: removed.clone(),
        }
    }

    /// Calls `visit` on every string of the council: see
    /// [`Report::strings_mut`].
    fn strings_mut(&mut self, visit: &mut impl FnMut(&mut String)) {
        let CouncilReport {
            code,
            name,
            summary: _,
            documents,
            fixed,
            removed,
        } = self;
        visit(code);
        visit(name);
        for FixedFinding {
            id,
            rule,
            severity: _,
            source,
            candidate,
            first_seen,
            last_seen,
            fixed,
            state: _,
        } in fixed
        {
            for text in [id, rule, source, first_seen, last_seen, fixed] {
                visit(text);
            }
            candidate.iter_mut().for_each(&mut *visit);
        }
        for document in documents {
            document.strings_mut(visit);
        }
        for RemovedDocument {
            source,
            urls,
            sha256,
        } in removed
        {
            visit(source);
            visit(sha256);
            urls.iter_mut().for_each(&mut *visit);
        }
    }

    /// A [`Report::printable`] copy of the council (documents in
    /// parallel).
    pub(crate) fn printable(&self) -> CouncilReport {
        let mut copy = self.shell();
        copy.strings_mut(&mut make_printable);
        copy.documents = self
            .documents
            .par_iter()
            .map(DocumentReport::printable)
            .collect();
        copy
    }
}

/// Masks `text` as free text ([`mask::mask_free_text`]), in place.
fn mask_free_text(text: &mut String) {
    if let Cow::Owned(masked) = mask::mask_free_text(text) {
        *text = masked;
    }
}

/// Replaces `text` by its [`printable`] form when that differs.
fn make_printable(text: &mut String) {
    if let Cow::Owned(escaped) = printable(text) {
        *text = escaped;
    }
}

impl DocumentReport {
    /// Where the document came from, for the text formats to state after
    /// its source: (label, value) pairs of its SHA-256, when a crawl fetched
    /// it, the `Last-Modified` its server sent and the other URLs it was
    /// found at, each only when known.
    pub fn provenance(&self) -> Vec<(&'static str, String)> {
        let other_urls: Vec<&str> = self
            .urls
            .iter()
            .map(String::as_str)
            .filter(|url| *url != self.source)
            .collect();
        [
            (
                "SHA-256",
                Some(self.sha256.clone()).filter(|s| !s.is_empty()),
            ),
            ("fetched", self.fetched.clone()),
            ("Last-Modified", self.last_modified.clone()),
            (
                "also at",
                Some(other_urls.join(" ")).filter(|urls| !urls.is_empty()),
            ),
        ]
        .into_iter()
        .filter_map(|(label, value)| Some((label, value?)))
        .collect()
    }

    /// A copy of the document with no candidates (never copied).
    fn without_candidates(&self) -> DocumentReport {
        let DocumentReport {
            source,
            sha256,
            kind,
            pages,
            text_layer,
            text_source,
            error,
            election_date,
            election_date_reason,
            election_type,
            election_type_reason,
            withholding_rule,
            candidates: _,
            findings,
            urls,
            fetched,
            last_modified,
        } = self;
        DocumentReport {
            source: source.clone(),
            sha256: sha256.clone(),
            kind: *kind,
            pages: *pages,
            text_layer: *text_layer,
            text_source: *text_source,
            error: error.clone(),
            election_date: election_date.clone(),
            election_date_reason: election_date_reason.clone(),
            election_type: *election_type,
            election_type_reason: election_type_reason.clone(),
            withholding_rule: withholding_rule.clone(),
            candidates: Vec::new(),
            findings: findings.clone(),
            urls: urls.clone(),
            fetched: fetched.clone(),
            last_modified: last_modified.clone(),
        }
    }

    /// A [`Report::printable`] copy of the document.
    pub(crate) fn printable(&self) -> DocumentReport {
        let mut copy = self.clone();
        copy.strings_mut(&mut make_printable);
        copy
    }

    /// Marks the document's findings `allow` allows as suppressed, with
    /// the reason (masked as free text when `masked`), and clears every
    /// other finding's suppression: see [`Report::apply_allow`]. `council`
    /// is the code of the document's council.
    fn apply_allow(&mut self, council: &str, allow: &AllowList, masked: bool) {
        for finding in &mut self.findings {
            finding.suppression_reason =
                allow.suppression(&finding.allow_key(council, self.election_date.as_deref()));
            // The reason is the user's own text, but leaves the tool as well.
            if masked && let Some(reason) = &mut finding.suppression_reason {
                mask_free_text(reason);
            }
            finding.suppressed = finding.suppression_reason.is_some();
        }
    }

    /// Masks every string: see [`Report::mask`].
    fn mask(&mut self) {
        let secrets: Vec<String> = self
            .candidates
            .iter()
            .filter_map(|c| c.address.clone())
            .chain(
                self.findings
                    .iter()
                    .filter(|f| !FREE_TEXT_EVIDENCE.contains(&f.rule.as_str()))
                    .flat_map(|f| [Some(f.evidence.clone()), f.postcode.clone()])
                    .flatten(),
            )
            .collect();
        let mut masker = Masker {
            mask: DocumentMask::new(secrets.iter().map(String::as_str)),
            addresses: HashMap::new(),
            free_texts: HashMap::new(),
        };
        // A file named after an address, a URL quoting one.
        masker.label(&mut self.source);
        for url in &mut self.urls {
            masker.label(url);
        }
        for text in self
            .error
            .iter_mut()
            .chain(&mut self.election_date_reason)
            .chain(&mut self.election_type_reason)
            .chain([&mut self.withholding_rule.reason])
        {
            masker.free_text(text);
        }
        for candidate in &mut self.candidates {
            masker.label(&mut candidate.name);
            for text in [
                &mut candidate.post,
                &mut candidate.withheld_area,
                &mut candidate.description,
            ]
            .into_iter()
            .flatten()
            {
                masker.label(text);
            }
            for address in candidate.address.iter_mut() {
                masker.address(address);
            }
        }
        for finding in &mut self.findings {
            for text in [
                &mut finding.candidate,
                &mut finding.post,
                &mut finding.layer,
            ]
            .into_iter()
            .flatten()
            {
                masker.label(text);
            }
            if FREE_TEXT_EVIDENCE.contains(&finding.rule.as_str()) {
                masker.free_text(&mut finding.evidence);
            } else {
                masker.address(&mut finding.evidence);
            }
            masker.free_text(&mut finding.message);
            finding.postcode = finding.postcode.as_deref().and_then(mask::outward_code);
        }
    }

    /// Calls `visit` on every string of the document: see
    /// [`Report::strings_mut`].
    fn strings_mut(&mut self, visit: &mut impl FnMut(&mut String)) {
        let DocumentReport {
            source,
            sha256,
            kind: _,
            pages: _,
            text_layer: _,
            text_source: _,
            error,
            election_date,
            election_date_reason,
            election_type: _,
            election_type_reason,
            withholding_rule:
                WithholdingRule {
                    applied: _,
                    reason: withholding_reason,
                },
            candidates,
            findings,
            urls,
            fetched,
            last_modified,
        } = self;
        visit(source);
        visit(sha256);
        urls.iter_mut().for_each(&mut *visit);
        visit(withholding_reason);
        error
            .iter_mut()
            .chain(election_date)
            .chain(election_date_reason)
            .chain(election_type_reason)
            .chain(fetched)
            .chain(last_modified)
            .for_each(&mut *visit);
        for candidate in candidates {
            let CandidateReport {
                name,
                post,
                address_status: _,
                address,
                withheld_area,
                page: _,
                withdrawn: _,
                description,
            } = candidate;
            visit(name);
            [post, address, withheld_area, description]
                .into_iter()
                .flatten()
                .for_each(&mut *visit);
        }
        for finding in findings {
            let FindingReport {
                id,
                rule,
                severity: _,
                candidate,
                post,
                page: _,
                evidence,
                postcode,
                layer,
                message,
                suppressed: _,
                suppression_reason,
                first_seen,
                last_seen,
                state: _,
            } = finding;
            for text in [id, rule, evidence, message] {
                visit(text);
            }
            [
                candidate,
                post,
                postcode,
                layer,
                suppression_reason,
                first_seen,
                last_seen,
            ]
            .into_iter()
            .flatten()
            .for_each(&mut *visit);
        }
    }
}

/// The masked texts of one document, each worked out once: a candidate's
/// address is also the evidence of its finding, and every finding of a
/// rule carries the same message. Text masking leaves as it was is left
/// in place, not replaced by a copy.
struct Masker {
    /// The document's secrets.
    mask: DocumentMask,
    /// Each address masked, by the address.
    addresses: HashMap<String, String>,
    /// Each free text masked, by the text; `None` where masking changes
    /// nothing.
    free_texts: HashMap<String, Option<String>>,
}

impl Masker {
    /// An address or evidence.
    fn address(&mut self, text: &mut String) {
        once(&mut self.addresses, text, mask::mask_address);
    }

    /// A name, post, area, layer or source: text that should hold no
    /// address but may (a name cell that swallowed its address, "(address
    /// in NB4 7RQ)"), masked like free text. Not remembered: most are
    /// distinct.
    fn label(&self, text: &mut String) {
        if let Cow::Owned(masked) = self.mask.apply(text) {
            *text = masked;
        }
    }

    /// Free text (a message, an error).
    fn free_text(&mut self, text: &mut String) {
        match self.free_texts.get(text.as_str()) {
            Some(Some(masked)) => *text = masked.clone(),
            Some(None) => {}
            None => match self.mask.apply(text) {
                Cow::Owned(masked) => {
                    self.free_texts
                        .insert(std::mem::take(text), Some(masked.clone()));
                    *text = masked;
                }
                Cow::Borrowed(_) => {
                    self.free_texts.insert(text.clone(), None);
                }
            },
        }
    }
}

/// Replaces `text` by `work(text)`, from `done` when worked out before.
fn once(done: &mut HashMap<String, String>, text: &mut String, work: impl FnOnce(&str) -> String) {
    let worked = match done.get(text.as_str()) {
        Some(worked) => worked.clone(),
        None => {
            let worked = work(text);
            done.insert(std::mem::take(text), worked.clone());
            worked
        }
    };
    *text = worked;
}

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// `report.json`: DESIGN.md's `sopncheck-report/1`.
    Json,
    /// `findings.csv` and `candidates.csv` (to standard output: findings).
    Csv,
    /// `report.md`: a summary for a CI job.
    #[value(alias = "md")]
    Markdown,
    /// `report.html`: self-contained, a page per council when large.
    Html,
    /// `report.sarif`: SARIF 2.1.0 for code scanning dashboards.
    Sarif,
}

/// One file a format writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFile {
    /// `report.json`.
    Json,
    /// `findings.csv`.
    FindingsCsv,
    /// `candidates.csv`.
    CandidatesCsv,
    /// `report.md`.
    Markdown,
    /// `report.html`.
    Html,
    /// `report.sarif`.
    Sarif,
}

impl Format {
    /// The files this format writes to a directory.
    pub fn files(self) -> &'static [OutputFile] {
        match self {
            Format::Json => &[OutputFile::Json],
            Format::Csv => &[OutputFile::FindingsCsv, OutputFile::CandidatesCsv],
            Format::Markdown => &[OutputFile::Markdown],
            Format::Html => &[OutputFile::Html],
            Format::Sarif => &[OutputFile::Sarif],
        }
    }

    /// The file this format writes to standard output.
    pub fn stdout_file(self) -> OutputFile {
        match self {
            Format::Json => OutputFile::Json,
            Format::Csv => OutputFile::FindingsCsv,
            Format::Markdown => OutputFile::Markdown,
            Format::Html => OutputFile::Html,
            Format::Sarif => OutputFile::Sarif,
        }
    }
}

impl OutputFile {
    /// The file name in the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            OutputFile::Json => "report.json",
            OutputFile::FindingsCsv => "findings.csv",
            OutputFile::CandidatesCsv => "candidates.csv",
            OutputFile::Markdown => "report.md",
            OutputFile::Html => "report.html",
            OutputFile::Sarif => "report.sarif",
        }
    }

    /// What the file starts with when written to a directory: the UTF-8
    /// byte order mark for CSV (spreadsheets need it), else nothing.
    pub fn byte_order_mark(self) -> &'static [u8] {
        match self {
            OutputFile::FindingsCsv | OutputFile::CandidatesCsv => csv::BOM,
            _ => b"",
        }
    }

    /// Renders the report into this file's format: JSON from the report as
    /// it is, every text format from its [`Report::printable`] copy.
    pub fn render(self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let text = || report.printable();
        match self {
            OutputFile::Json => json::write(report, out),
            OutputFile::FindingsCsv => csv::write_findings(&text(), out),
            OutputFile::CandidatesCsv => csv::write_candidates(&text(), out),
            OutputFile::Markdown => markdown::write(&text(), out),
            OutputFile::Html => html::write(&text(), out),
            OutputFile::Sarif => sarif::write(&text(), out),
        }
    }
}

/// Why a report could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A report file or the output directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Standard output could not be written.
    #[error("cannot write to standard output: {0}")]
    Stdout(io::Error),
    /// Standard output takes exactly one format.
    #[error("{0} formats asked for but standard output takes one; give --out DIR")]
    OneFormatToStdout(usize),
    /// A report file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The JSON is not a report.
    #[error("not a sopncheck report: {0}")]
    Json(serde_json::Error),
    /// The JSON is a report of another schema version.
    #[error("report schema {found:?} is not {SCHEMA:?}")]
    Schema {
        /// The `schema` it has.
        found: String,
    },
}

impl Report {
    /// Reads a JSON report from a file, naming it in errors.
    pub fn read(path: &Path) -> Result<Report, ReportError> {
        let file = fs::File::open(path).map_err(|source| ReportError::Read {
            path: path.to_owned(),
            source,
        })?;
        Report::from_json(io::BufReader::new(file)).map_err(|error| match error {
            ReportError::Json(e) => ReportError::Read {
                path: path.to_owned(),
                source: io::Error::new(io::ErrorKind::InvalidData, e),
            },
            other => other,
        })
    }
}

/// Writes `report` in each of `formats` (repeats ignored; none means
/// JSON). With `out`, into that directory (created if missing), each file
/// written under a temporary name and renamed into place, each rendered
/// in parallel a part at a time as it is written (see [`stream`]),
/// returning the paths written; without, the one format to standard
/// output (CSV there is `findings.csv`), returning no paths.
pub fn write_outputs(
    report: &Report,
    formats: &[Format],
    out: Option<&Path>,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut seen = HashSet::new();
    let mut formats: Vec<Format> = formats
        .iter()
        .copied()
        .filter(|f| seen.insert(*f))
        .collect();
    if formats.is_empty() {
        formats.push(Format::Json);
    }
    let Some(dir) = out else {
        let [format] = formats[..] else {
            return Err(ReportError::OneFormatToStdout(formats.len()));
        };
        let mut stdout = BufWriter::new(io::stdout().lock());
        return write_format(report, format, &mut stdout)
            .and_then(|()| stdout.flush())
            .map(|()| Vec::new())
            .map_err(ReportError::Stdout);
    };
    fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let summary = OnceCell::new();
    let mut written = Vec::new();
    for file in formats.iter().flat_map(|f| f.files()) {
        let path = dir.join(file.file_name());
        write_atomically(&path, |out| {
            out.write_all(file.byte_order_mark())?;
            stream::write(*file, report, &summary, dir, out)
        })
        .map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Writes one format as it goes to standard output (CSV: the findings).
pub fn write_format(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    format.stdout_file().render(report, out)
}

/// Writes `path` through a temporary file in the same directory, renamed
/// over `path` once complete, so a reader never sees half a report.
fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(path.file_name().unwrap_or_default());
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let result = (|| {
        let mut file = BufWriter::new(fs::File::create(&temp)?);
        render(&mut file)?;
        file.into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests;
