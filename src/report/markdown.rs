//! The Markdown report: a summary short enough for a CI job summary.
//!
//! Input: a [`Report`] (already masked). Output: GitHub-flavoured Markdown:
//! a totals line, a per-council table (at most [`MAX_COUNCILS`] rows, the
//! councils with the most serious findings first), the top findings (at
//! most [`MAX_FINDINGS`], most serious first) with where each of their
//! documents came from (SHA-256, fetch date, `Last-Modified`, other URLs),
//! and how the report was made ([`Report::provenance`]). It never lists
//! candidates; the HTML and CSV reports do. Every string from a document is
//! escaped so it renders as text: no table cell breaks, no link, image or
//! HTML tag.

use std::cmp::Reverse;
use std::io::{self, Write};

use super::{DocumentReport, Located, Report, SEVERITIES, SeverityCounts, severity_name, shorten};

/// Council rows listed at most.
pub const MAX_COUNCILS: usize = 50;

/// Findings listed at most.
pub const MAX_FINDINGS: usize = 20;

/// Characters of evidence shown per finding.
const EVIDENCE_CHARS: usize = 80;

/// Writes the Markdown summary.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## sopncheck report")?;
    writeln!(out)?;
    writeln!(out, "{}", report.headline())?;
    if !report.addresses_shown {
        writeln!(out)?;
        writeln!(out, "Addresses are masked.")?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "| Council | Documents | Candidates | Published | Withheld | Unknown | High | Medium | Low | Info | Suppressed |"
    )?;
    writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")?;
    let mut councils: Vec<_> = report.councils.iter().collect();
    councils.sort_by_key(|c| Reverse(severity_key(&c.summary.findings)));
    for council in councils.iter().take(MAX_COUNCILS) {
        let counts: Vec<String> = council
            .summary
            .columns()
            .iter()
            .map(usize::to_string)
            .collect();
        writeln!(
            out,
            "| {} ({}) | {} | {} |",
            escape(&council.name),
            escape(&council.code),
            counts.join(" | "),
            council.summary.suppressed.total(),
        )?;
    }
    if councils.len() > MAX_COUNCILS {
        writeln!(out)?;
        writeln!(
            out,
            "{} more councils with fewer findings are in the full report.",
            councils.len() - MAX_COUNCILS
        )?;
    }

    let mut findings: Vec<Located<'_>> = report
        .findings()
        .filter(|l| !l.finding.suppressed)
        .collect();
    if findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "No findings.")?;
    } else {
        top_findings(&mut findings, out)?;
    }
    made(report, out)
}

/// The most serious findings, then where their documents came from.
fn top_findings(findings: &mut [Located<'_>], out: &mut dyn Write) -> io::Result<()> {
    // Stable: report order within a severity.
    findings.sort_by_key(|l| Reverse(l.finding.severity));
    writeln!(out)?;
    writeln!(out, "### Top findings")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Severity | Rule | Council | Document | Page | Candidate | Evidence |"
    )?;
    writeln!(out, "|---|---|---|---|--:|---|---|")?;
    for located in findings.iter().take(MAX_FINDINGS) {
        let finding = located.finding;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            severity_name(finding.severity),
            code_span(&finding.rule),
            escape(&located.council.code),
            escape(&located.document.source),
            finding.page.map(|p| p.to_string()).unwrap_or_default(),
            escape(finding.candidate.as_deref().unwrap_or_default()),
            code_span(&shorten(&finding.evidence, EVIDENCE_CHARS)),
        )?;
    }
    if findings.len() > MAX_FINDINGS {
        writeln!(out)?;
        writeln!(
            out,
            "{} more findings are in the full report.",
            findings.len() - MAX_FINDINGS
        )?;
    }
    let mut documents: Vec<&DocumentReport> = Vec::new();
    for located in findings.iter().take(MAX_FINDINGS) {
        if !documents.iter().any(|d| std::ptr::eq(*d, located.document)) {
            documents.push(located.document);
        }
    }
    writeln!(out)?;
    writeln!(out, "### Documents of the top findings")?;
    writeln!(out)?;
    writeln!(out, "| Document | Where it came from |")?;
    writeln!(out, "|---|---|")?;
    for document in documents {
        let provenance: Vec<String> = document
            .provenance()
            .iter()
            .map(|(label, value)| format!("{label} {}", code_span(value)))
            .collect();
        writeln!(
            out,
            "| {} | {} |",
            escape(&document.source),
            provenance.join("; ")
        )?;
    }
    Ok(())
}

/// How the report was made: when, the tool, the rules and their digest,
/// the options that affect results.
fn made(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "### How this report was made")?;
    writeln!(out)?;
    for (label, value) in report.provenance() {
        writeln!(out, "- {label}: {}", escape(&value))?;
    }
    Ok(())
}

/// Sorts councils by their most serious findings first.
fn severity_key(counts: &SeverityCounts) -> [usize; 4] {
    SEVERITIES.map(|s| counts.get(s))
}

/// Document text as an inline code span in a table cell: nothing inside
/// is markup; backticks become `'`, `|` is escaped (GFM splits cells on it
/// even in code), line breaks become spaces.
fn code_span(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let inner: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .map(|c| match c {
            '`' => '\'',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    format!("`{}`", inner.replace('|', "\\|"))
}

/// Escapes document text for a Markdown table cell: every ASCII
/// punctuation character Markdown or HTML gives a meaning to gets a
/// backslash, `<` and `>` become entities, line breaks become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '"' | '\'' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    fn render() -> String {
        let mut out = Vec::new();
        write(&sample_report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markup_and_table_breaks() {
        assert_eq!(escape("a|b *c* [x](y)"), r"a\|b \*c\* \[x\]\(y\)");
        assert_eq!(escape("<script>"), "&lt;script&gt;");
        assert_eq!(escape("line\nbreak"), "line break");
        assert_eq!(code_span("a|b `c`\n<d>"), "`a\\|b 'c' <d>`");
    }

    #[test]
    fn summary_table_and_top_findings() {
        let text = render();
        assert!(
            text.contains("3 councils, 3 documents, 5 candidates"),
            "{text}"
        );
        assert!(
            text.contains("| City of York Council (YOR) | 1 | 4 | 2 | 2 | 0 | 1 | 2 | 0 | 0 | 0 |")
        );
        let top = text.split("### Top findings").nth(1).expect("top findings");
        let (top, documents) = top
            .split_once("### Documents of the top findings")
            .expect("their documents");
        let severities: Vec<&str> = top
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
            .map(|l| l.split(" | ").next().unwrap_or_default())
            .collect();
        assert_eq!(severities, ["| high", "| high", "| medium", "| medium"]);
        assert!(!text.contains("<script>"));
        assert!(text.contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt;"));
        for line in text.lines().filter(|l| l.starts_with('|')) {
            let unescaped_pipes = line.matches('|').count() - line.matches("\\|").count();
            let columns = if documents.contains(line) {
                3
            } else if line.contains("Evidence") || top.contains(line) {
                8
            } else {
                12
            };
            assert_eq!(unescaped_pipes, columns, "{line}");
        }
    }

    #[test]
    fn shortening_cuts_on_characters() {
        assert_eq!(shorten("ééé", 2), "éé…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
