//! The HTML report: one self-contained page for people.
//!
//! Input: a [`Report`] (already masked). Output: one HTML5 file with no
//! external resource and no script at all: a summary across councils, an
//! inline SVG bar chart of findings by council and severity, a section per
//! council (documents, findings, candidates) and what each rule means and
//! what to do about it (from [`guidance`](super::guidance)). A
//! Content-Security-Policy of `default-src 'none'; style-src
//! 'unsafe-inline'` forbids scripts, fonts, images and requests even if
//! something slipped through. Every string that came from a document or
//! the command line goes through [`escape`]; markup in a notice renders as
//! text.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::guidance::{RULES, RuleGuidance};
use super::{
    CouncilReport, DocumentReport, Report, SEVERITIES, Summary, kind_name, severity_name, shorten,
    status_name,
};
use crate::model::TextSource;

/// Bar colours by severity (high, medium, low, info).
const COLOURS: [&str; 4] = ["#b3261e", "#d9730d", "#c9a227", "#6b7b8c"];

const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:78rem;padding:1rem 1.5rem;color:#1d1d1f}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
.pre{white-space:pre-line;font-family:ui-monospace,monospace;font-size:.9em}
small{color:#555}td a{word-break:break-all}
.sev{font-weight:600;text-transform:uppercase;font-size:.8em}
.high{color:#b3261e}.medium{color:#a3540a}.low{color:#7a6414}.info{color:#4b5866}
.suppressed{color:#666;font-style:italic}
.rule{border-left:4px solid #ccc;padding:.1rem 1rem;margin:1rem 0}
svg text{font:12px system-ui,sans-serif}
footer{margin-top:3rem;color:#666;font-size:.85em}
";

/// Escapes text for HTML element content and quoted attribute values.
/// Control characters other than line breaks and tabs are dropped.
///
/// ```
/// use sopncheck::report::html::escape;
/// assert_eq!(escape("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
/// assert_eq!(escape("O'Neil & \"Co\""), "O&#39;Neil &amp; &quot;Co&quot;");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    let needs = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_dropped(c);
    if !text.contains(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_dropped(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_dropped(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t')
}

/// Writes the HTML report.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    // Writing to a String cannot fail.
    let _ = render(report, &mut page);
    out.write_all(page.as_bytes())
}

fn render(report: &Report, page: &mut String) -> std::fmt::Result {
    write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>sopncheck report</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"
    )?;
    writeln!(page, "<header>\n<h1>sopncheck report</h1>")?;
    writeln!(page, "<p id=\"totals\">{}</p>", report.headline())?;
    if report.addresses_shown {
        writeln!(
            page,
            "<p><strong>Addresses are shown in full. Do not publish this report.</strong></p>"
        )?;
    } else {
        writeln!(
            page,
            "<p>Addresses are masked: numbers as #, names to their first letter, postcodes to their sector.</p>"
        )?;
    }
    writeln!(page, "</header>\n<main>")?;

    summary_section(report, page)?;
    for council in &report.councils {
        council_section(council, page)?;
    }
    rules_section(page)?;

    writeln!(
        page,
        "</main>\n<footer>Written by {} {}; report schema {}.</footer>\n</body>\n</html>",
        escape(&report.tool.name),
        escape(&report.tool.version),
        escape(&report.schema),
    )
}

fn summary_section(report: &Report, page: &mut String) -> std::fmt::Result {
    writeln!(
        page,
        "<section id=\"summary\">\n<h2>Summary by council</h2>"
    )?;
    writeln!(
        page,
        "<table>\n<thead><tr><th>Council</th><th>Documents</th><th>Candidates</th>\
         <th>Published</th><th>Withheld</th><th>Unknown</th><th>High</th><th>Medium</th>\
         <th>Low</th><th>Info</th><th>Suppressed</th></tr></thead>\n<tbody>"
    )?;
    for council in &report.councils {
        write!(
            page,
            "<tr><td><a href=\"#{}\">{}</a> ({})</td>",
            anchor("council", &council.code),
            escape(&council.name),
            escape(&council.code)
        )?;
        summary_cells(&council.summary, page)?;
        writeln!(page, "</tr>")?;
    }
    write!(page, "<tr><th>All councils</th>")?;
    summary_cells(&report.totals(), page)?;
    writeln!(page, "</tr>\n</tbody>\n</table>")?;
    chart(report, page)?;
    writeln!(page, "</section>")
}

fn summary_cells(s: &Summary, page: &mut String) -> std::fmt::Result {
    let f = &s.findings;
    for n in [
        s.documents,
        s.candidates,
        s.published,
        s.withheld,
        s.unknown,
        f.high,
        f.medium,
        f.low,
        f.info,
        s.suppressed.total(),
    ] {
        write!(page, "<td class=\"n\">{n}</td>")?;
    }
    Ok(())
}

/// A horizontal stacked bar per council with findings, one segment per
/// severity, scaled to the council with the most.
fn chart(report: &Report, page: &mut String) -> std::fmt::Result {
    const LABEL: f64 = 230.0;
    const BARS: f64 = 460.0;
    const ROW: f64 = 24.0;
    const TOP: f64 = 34.0;
    let councils: Vec<&CouncilReport> = report
        .councils
        .iter()
        .filter(|c| c.summary.findings.total() > 0)
        .collect();
    let Some(most) = councils.iter().map(|c| c.summary.findings.total()).max() else {
        return writeln!(page, "<p>No findings to chart.</p>");
    };
    let height = TOP + ROW * councils.len() as f64 + 8.0;
    let width = LABEL + BARS + 60.0;
    writeln!(
        page,
        "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"chart-title\" style=\"max-width:100%;height:auto\">\n\
         <title id=\"chart-title\">Findings by council and severity</title>"
    )?;
    for (i, severity) in SEVERITIES.iter().enumerate() {
        let x = LABEL + 110.0 * i as f64;
        writeln!(
            page,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"16\">{}</text>",
            COLOURS[i],
            x + 16.0,
            severity_name(*severity)
        )?;
    }
    let scale = BARS / most as f64;
    for (row, council) in councils.iter().enumerate() {
        let y = TOP + ROW * row as f64;
        let label = shorten(&council.name, 34);
        writeln!(
            page,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 8.0,
            y + 12.0,
            escape(&label)
        )?;
        let mut x = LABEL;
        for (i, severity) in SEVERITIES.iter().enumerate() {
            let count = council.summary.findings.get(*severity);
            if count == 0 {
                continue;
            }
            let w = count as f64 * scale;
            writeln!(
                page,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"{}\">\
                 <title>{} ({}): {count} {}</title></rect>",
                COLOURS[i],
                escape(&council.name),
                escape(&council.code),
                severity_name(*severity)
            )?;
            x += w;
        }
        writeln!(
            page,
            "<text x=\"{:.1}\" y=\"{}\">{}</text>",
            x + 6.0,
            y + 12.0,
            council.summary.findings.total()
        )?;
    }
    writeln!(
        page,
        "</svg>\n<figcaption>Findings not suppressed, by council and severity.</figcaption>\n</figure>"
    )
}

fn council_section(council: &CouncilReport, page: &mut String) -> std::fmt::Result {
    writeln!(
        page,
        "<section id=\"{}\">\n<h2>{} ({})</h2>",
        anchor("council", &council.code),
        escape(&council.name),
        escape(&council.code)
    )?;
    let s = &council.summary;
    writeln!(
        page,
        "<p>{} documents, {} candidates ({} published, {} withheld, {} unknown). Findings: {}.</p>",
        s.documents,
        s.candidates,
        s.published,
        s.withheld,
        s.unknown,
        s.findings.describe()
    )?;

    writeln!(
        page,
        "<h3>Documents</h3>\n<table>\n<thead><tr><th>Source</th><th>Kind</th><th>Election date</th>\
         <th>Pages</th><th>Text layer</th><th>Candidates</th><th>Findings</th><th>Error</th></tr></thead>\n<tbody>"
    )?;
    for document in &council.documents {
        writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            source_html(&document.source),
            kind_name(document.kind),
            escape(document.election_date.as_deref().unwrap_or_default()),
            document.pages,
            text_layer_cell(document),
            document.candidates.len(),
            document.findings.len(),
            escape(document.error.as_deref().unwrap_or_default()),
        )?;
    }
    writeln!(page, "</tbody>\n</table>")?;

    let findings = council
        .documents
        .iter()
        .flat_map(|d| d.findings.iter().map(move |f| (d, f)));
    if council.documents.iter().all(|d| d.findings.is_empty()) {
        writeln!(page, "<h3>Findings</h3>\n<p>No findings.</p>")?;
    } else {
        writeln!(
            page,
            "<h3>Findings</h3>\n<table>\n<thead><tr><th>Severity</th><th>Finding</th>\
             <th>Candidate</th><th>Document</th><th>Evidence</th><th>Status</th></tr></thead>\n<tbody>"
        )?;
        for (document, finding) in findings {
            let severity = severity_name(finding.severity);
            let rule = RuleGuidance::of(&finding.rule);
            let rule_html = if rule.id.is_empty() {
                escape(&finding.rule).into_owned()
            } else {
                format!(
                    "<a href=\"#{}\" title=\"{}\">{}</a>",
                    anchor("rule", rule.id),
                    escape(rule.title),
                    escape(&finding.rule)
                )
            };
            let status = match (&finding.suppressed, &finding.suppression_reason) {
                (true, Some(reason)) => format!(
                    "<span class=\"suppressed\">suppressed: {}</span>",
                    escape(reason)
                ),
                (true, None) => "<span class=\"suppressed\">suppressed</span>".to_owned(),
                (false, _) => "open".to_owned(),
            };
            let mut evidence_notes = Vec::new();
            if let Some(postcode) = &finding.postcode {
                evidence_notes.push(format!("postcode {}", escape(postcode)));
            }
            if let Some(layer) = &finding.layer {
                evidence_notes.push(format!("in: {}", escape(layer)));
            }
            let page_note = finding
                .page
                .map(|p| format!("<br><small>page {p}</small>"))
                .unwrap_or_default();
            writeln!(
                page,
                "<tr><td class=\"sev {severity}\">{severity}</td>\
                 <td>{rule_html}<br><small>{}</small></td>\
                 <td>{}<br><small>{}</small></td>\
                 <td>{}{page_note}</td>\
                 <td><span class=\"pre\">{}</span><br><small>{}</small></td>\
                 <td>{status}<br><small><code>{}</code></small></td></tr>",
                escape(&finding.message),
                escape(finding.candidate.as_deref().unwrap_or_default()),
                escape(finding.post.as_deref().unwrap_or_default()),
                source_html(&document.source),
                escape(&finding.evidence),
                evidence_notes.join("; "),
                escape(&finding.id),
            )?;
        }
        writeln!(page, "</tbody>\n</table>")?;
    }

    if council.documents.iter().any(|d| !d.candidates.is_empty()) {
        writeln!(
            page,
            "<h3>Candidates</h3>\n<table>\n<thead><tr><th>Name</th><th>Post</th><th>Address</th>\
             <th>Status</th><th>Withheld area</th><th>Document</th><th>Page</th><th>Withdrawn</th></tr></thead>\n<tbody>"
        )?;
        for document in &council.documents {
            for candidate in &document.candidates {
                writeln!(
                    page,
                    "<tr><td>{}</td><td>{}</td><td class=\"pre\">{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    escape(&candidate.name),
                    escape(candidate.post.as_deref().unwrap_or_default()),
                    escape(candidate.address.as_deref().unwrap_or_default()),
                    status_name(candidate.address_status),
                    escape(candidate.withheld_area.as_deref().unwrap_or_default()),
                    source_html(&document.source),
                    candidate.page,
                    if candidate.withdrawn { "yes" } else { "" },
                )?;
            }
        }
        writeln!(page, "</tbody>\n</table>")?;
    }
    writeln!(page, "</section>")
}

fn rules_section(page: &mut String) -> std::fmt::Result {
    writeln!(
        page,
        "<section id=\"rules\">\n<h2>What each finding means and what to do</h2>"
    )?;
    for rule in RULES {
        writeln!(
            page,
            "<div class=\"rule\" id=\"{}\">\n<h3>{} <small>(<code>{}</code>, {} by default)</small></h3>\n\
             <p>{} {}</p>\n<p><strong>What to do:</strong> {}</p>\n</div>",
            anchor("rule", rule.id),
            escape(rule.title),
            escape(rule.id),
            severity_name(rule.severity),
            escape(rule.short),
            escape(rule.full),
            escape(rule.remediation),
        )?;
    }
    writeln!(page, "</section>")
}

/// A source: a link when it is an http(s) URL, else text. Either way
/// escaped, so a `javascript:` "URL" is never a link.
fn source_html(source: &str) -> String {
    let is_web = ["https://", "http://"].iter().any(|scheme| {
        source
            .get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    });
    if is_web {
        format!("<a href=\"{0}\" rel=\"noreferrer\">{0}</a>", escape(source))
    } else {
        escape(source).into_owned()
    }
}

/// An element id: `prefix-` and the key's ASCII letters, digits and `-`,
/// everything else as `_`.
fn anchor(prefix: &str, key: &str) -> String {
    let key: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}-{key}")
}

/// The "Text layer" cell: whether the document has text, and whether it
/// is a scan's OCR layer (read, but perhaps misread).
fn text_layer_cell(document: &DocumentReport) -> &'static str {
    match (document.text_layer, document.text_source) {
        (false, _) => "no",
        (true, Some(TextSource::Ocr)) => "yes (OCR of a scan)",
        (true, Some(TextSource::Mixed)) => "yes (partly OCR of a scan)",
        (true, _) => "yes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_documents;
    use crate::report::{ReportOptions, UNKNOWN_COUNCIL};

    fn render_report(show_addresses: bool) -> String {
        let options = ReportOptions {
            show_addresses,
            ..ReportOptions::default()
        };
        let report = Report::build(&sample_documents(), &options);
        let mut out = Vec::new();
        write(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hostile_strings_are_text() {
        let page = render_report(true);
        assert!(!page.contains("<script"), "no script element at all");
        assert!(!page.contains("<img"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        ));
        assert!(!page.contains("src=\"http"), "no external resource");
    }

    #[test]
    fn sections_chart_and_guidance() {
        let page = render_report(false);
        for code in ["YOR", "HCK", UNKNOWN_COUNCIL] {
            assert!(
                page.contains(&format!("<section id=\"council-{code}\">")),
                "{code}"
            );
        }
        // YOR: 1 high, 2 medium; UNKNOWN: 1 high; HCK has no bar.
        assert_eq!(page.matches("<rect").count(), 4 + 3);
        assert!(page.contains("<title>City of York Council (YOR): 2 medium</title>"));
        for rule in RULES {
            assert!(page.contains(&format!("id=\"rule-{}\"", rule.id)));
        }
        assert!(page.contains("3 councils, 3 documents, 5 candidates"));
    }

    #[test]
    fn only_web_sources_are_links() {
        assert_eq!(
            source_html("https://example.gov.uk/a?b=1&c=2"),
            "<a href=\"https://example.gov.uk/a?b=1&amp;c=2\" rel=\"noreferrer\">https://example.gov.uk/a?b=1&amp;c=2</a>"
        );
        assert_eq!(source_html("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(anchor("council", "A B\"<"), "council-A_B__");
    }
}
