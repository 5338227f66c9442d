//! The CSV reports: `findings.csv` (one row per finding) and
//! `candidates.csv` (one row per candidate), for spreadsheets.
//!
//! Input: a [`Report`] (already masked). Output: RFC 4180 CSV (CRLF line
//! ends, fields quoted when they need it). Files written to a directory
//! start with [`BOM`] so spreadsheet software reads names with accents
//! correctly; standard output gets none, for pipelines. Dates are ISO
//! 8601 as the report holds them. Every text cell that a spreadsheet would
//! take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return) gets a leading `'`, so a hostile notice cannot plant one.

use std::io::{self, Write};

use super::{CouncilReport, DocumentReport, Report, kind_name, severity_name, status_name};

/// The UTF-8 byte order mark CSV files start with.
pub const BOM: &[u8] = "\u{feff}".as_bytes();

/// `findings.csv` columns. Scripts read them by position: new columns go
/// at the end. `sha256` and `fetched` are the finding's document's (its
/// bytes' SHA-256, and when a crawl fetched it: empty for a local file).
const FINDING_COLUMNS: [&str; 19] = [
    "council",
    "council_name",
    "source",
    "kind",
    "election_date",
    "page",
    "rule",
    "severity",
    "candidate",
    "post",
    "evidence",
    "postcode",
    "layer",
    "message",
    "id",
    "suppressed",
    "suppression_reason",
    "sha256",
    "fetched",
];

/// `candidates.csv` columns.
const CANDIDATE_COLUMNS: [&str; 11] = [
    "council",
    "council_name",
    "source",
    "election_date",
    "post",
    "name",
    "address_status",
    "withheld_area",
    "page",
    "withdrawn",
    "address",
];

/// One of the two CSV files: its columns and how a document's rows are
/// written under them.
pub(super) struct Table {
    columns: &'static [&'static str],
    rows: fn(&CouncilReport, &DocumentReport, &mut Writer<'_>) -> io::Result<()>,
}

/// `findings.csv`.
pub(super) const FINDINGS: Table = Table {
    columns: &FINDING_COLUMNS,
    rows: document_findings,
};

/// `candidates.csv`.
pub(super) const CANDIDATES: Table = Table {
    columns: &CANDIDATE_COLUMNS,
    rows: document_candidates,
};

/// A CSV writer over any output.
type Writer<'o> = ::csv::Writer<&'o mut dyn Write>;

impl Table {
    /// Writes the whole file for `report`.
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut csv = writer(out)?;
        csv.write_record(self.columns)?;
        for council in &report.councils {
            for document in &council.documents {
                (self.rows)(council, document, &mut csv)?;
            }
        }
        csv.flush()
    }

    /// Writes the header row.
    pub(super) fn header(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut csv = writer(out)?;
        csv.write_record(self.columns)?;
        csv.flush()
    }

    /// Writes the rows for one document of `council`.
    pub(super) fn document(
        &self,
        council: &CouncilReport,
        document: &DocumentReport,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut csv = writer(out)?;
        (self.rows)(council, document, &mut csv)?;
        csv.flush()
    }
}

/// Writes `findings.csv`.
pub fn write_findings(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    FINDINGS.write(report, out)
}

/// Writes `candidates.csv`.
pub fn write_candidates(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    CANDIDATES.write(report, out)
}

fn document_findings(
    council: &CouncilReport,
    document: &DocumentReport,
    csv: &mut Writer<'_>,
) -> io::Result<()> {
    for finding in &document.findings {
        let page = finding.page.map(|p| p.to_string()).unwrap_or_default();
        let cells = [
            council.code.as_str(),
            &council.name,
            &document.source,
            kind_name(document.kind),
            document.election_date.as_deref().unwrap_or_default(),
            &page,
            &finding.rule,
            severity_name(finding.severity),
            finding.candidate.as_deref().unwrap_or_default(),
            finding.post.as_deref().unwrap_or_default(),
            &finding.evidence,
            finding.postcode.as_deref().unwrap_or_default(),
            finding.layer.as_deref().unwrap_or_default(),
            &finding.message,
            &finding.id,
            if finding.suppressed { "true" } else { "false" },
            finding.suppression_reason.as_deref().unwrap_or_default(),
            &document.sha256,
            document.fetched.as_deref().unwrap_or_default(),
        ]
        .map(neutralise);
        csv.write_record(cells.iter().map(|cell| cell.as_bytes()))?;
    }
    Ok(())
}

fn document_candidates(
    council: &CouncilReport,
    document: &DocumentReport,
    csv: &mut Writer<'_>,
) -> io::Result<()> {
    for candidate in &document.candidates {
        let page = candidate.page.to_string();
        let cells = [
            council.code.as_str(),
            &council.name,
            &document.source,
            document.election_date.as_deref().unwrap_or_default(),
            candidate.post.as_deref().unwrap_or_default(),
            &candidate.name,
            status_name(candidate.address_status),
            candidate.withheld_area.as_deref().unwrap_or_default(),
            &page,
            if candidate.withdrawn { "true" } else { "false" },
            candidate.address.as_deref().unwrap_or_default(),
        ]
        .map(neutralise);
        csv.write_record(cells.iter().map(|cell| cell.as_bytes()))?;
    }
    Ok(())
}

/// A CSV writer with CRLF line ends.
fn writer(out: &mut dyn Write) -> io::Result<Writer<'_>> {
    Ok(::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(out))
}

/// A cell a spreadsheet will not evaluate: a leading `'` before anything
/// that starts a formula.
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    fn render(write: fn(&Report, &mut dyn Write) -> io::Result<()>, report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("TESTER Jo"), "TESTER Jo");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn findings_rows_are_rfc4180() {
        let text = render(write_findings, &sample_report());
        let body = text.as_str();
        let mut reader = ::csv::Reader::from_reader(body.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.iter().collect::<Vec<_>>(), FINDING_COLUMNS);
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), sample_report().findings().count());
        let hostile = rows
            .iter()
            .find(|r| r[8].contains("HOSTILE"))
            .expect("the hostile candidate's finding");
        assert_eq!(&hostile[8], "'=HOSTILE()");
        assert!(body.contains("\r\n"), "CRLF line ends");
        assert!(rows.iter().all(|r| r[4].is_empty() || r[4].len() == 10));
    }

    #[test]
    fn candidates_rows() {
        let text = render(write_candidates, &sample_report());
        let body = text.as_str();
        let mut reader = ::csv::Reader::from_reader(body.as_bytes());
        let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let candidates: usize = sample_report().totals().candidates;
        assert_eq!(rows.len(), candidates);
        assert!(rows.iter().any(|r| &r[6] == "withheld" && !r[7].is_empty()));
    }
}
