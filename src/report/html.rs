//! The HTML report: self-contained pages for people, no script at all.
//!
//! Input: a [`Report`] (already masked). Output: HTML5 with no external
//! resource. The first screen is what an auditor acts on: the councils
//! needing action first (worst severity, then count), the findings to act
//! on now, counts by rule and an inline SVG chart of the top councils. Then
//! a summary row per council, a collapsible section per council
//! (`details`/`summary`): its findings by severity, each with what to do
//! (from [`guidance`](super::guidance)) and a paste-ready allow-file entry
//! (from [`allow::entry_for`]), its documents (each with one short line of
//! where it came from: SHA-256, fetch date, `Last-Modified`, other URLs)
//! and candidates; what each rule means; and how the report was made
//! ([`Report::provenance`]: when, tool, rules and their digest, options).
//!
//! A report of up to [`ONE_PAGE_ROWS`] table rows is one page. A larger one
//! written to a directory ([`write_to_dir`]) is `report.html`, the index
//! with the first screen and the summary, plus one page per council in
//! [`COUNCIL_DIR`], so a national audit opens quickly. Standard output
//! always takes the one page.
//!
//! A Content-Security-Policy of `default-src 'none'; style-src
//! 'unsafe-inline'` forbids scripts, fonts, images and requests even if
//! something slipped through. Every string that came from a document or
//! the command line goes through [`escape`]; markup in a notice renders as
//! text.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::cmp::Reverse;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use super::allow;
use super::guidance::{RULES, RuleGuidance};
use super::{
    CouncilReport, DocumentReport, FindingReport, Located, Report, SEVERITIES, SeverityCounts,
    Summary, kind_name, severity_name, shorten, status_name, write_atomically,
};
use crate::model::TextSource;
use rayon::prelude::*;

/// Most table rows (documents, candidates and findings) a report puts on
/// one page; above it, [`write_to_dir`] writes an index and a page per
/// council.
pub const ONE_PAGE_ROWS: usize = 10_000;

/// The folder, beside `report.html`, of the per-council pages.
pub const COUNCIL_DIR: &str = "report-councils";

/// Councils the first screen lists and charts.
const TOP_COUNCILS: usize = 20;

/// Findings the first screen lists to act on now.
const ACT_NOW: usize = 10;

/// Bar colours by severity (high, medium, low, info).
const COLOURS: [&str; 4] = ["#b3261e", "#d9730d", "#c9a227", "#6b7b8c"];

const STYLE: &str = "\
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:84rem;padding:1rem 1.5rem;color:#1d1d1f}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums}
.pre{white-space:pre-line;font-family:ui-monospace,monospace;font-size:.9em}
pre.allow{margin:.2rem 0;font-size:.8em;white-space:pre-wrap;background:#f6f6f6;padding:.2rem .3rem}
small{color:#555}td a,small.prov{word-break:break-all}
.sev{font-weight:600;text-transform:uppercase;font-size:.8em}
.high{color:#b3261e}.medium{color:#a3540a}.low{color:#7a6414}.info{color:#4b5866}
.suppressed{color:#666;font-style:italic}
.rule{border-left:4px solid #ccc;padding:.1rem 1rem;margin:1rem 0}
details.council{border-bottom:1px solid #ddd}details.council>summary{cursor:pointer;padding:.3rem 0}
details.council>summary h2{display:inline;border:0;font-size:1.2rem;margin:0}
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

/// Writes the report as one page.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render_page(report, Links::OnePage).as_bytes())
}

/// Writes `report.html` of the masked `report` to `out` for the directory
/// `dir`: the one page, or, above [`ONE_PAGE_ROWS`] rows, the index, after
/// writing a page per council into `dir/`[`COUNCIL_DIR`] (each written
/// whole or not at all; councils in parallel). Each page is rendered from
/// a [`Report::printable`] copy of what it shows; the index from the
/// report's printable summary, kept in `summary` for the next format.
pub fn write_to_dir(
    report: &Report,
    summary: &OnceCell<Report>,
    dir: &Path,
    out: &mut dyn Write,
) -> io::Result<()> {
    if rows(report) <= ONE_PAGE_ROWS {
        return write(&report.printable(), out);
    }
    let summary = summary.get_or_init(|| report.printable_summary());
    let pages = dir.join(COUNCIL_DIR);
    fs::create_dir_all(&pages)?;
    report.councils.par_iter().try_for_each(|council| {
        let council = council.printable();
        let path = pages.join(council_file(&council.code));
        write_atomically(&path, |file| {
            file.write_all(council_page(summary, &council).as_bytes())
        })
    })?;
    out.write_all(render_page(summary, Links::Index).as_bytes())
}

/// Table rows the one page would hold: documents, candidates, findings.
fn rows(report: &Report) -> usize {
    let t = report.totals();
    t.documents + t.candidates + t.findings.total() + t.suppressed.total()
}

/// Which page is being written, and so where its links lead.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Links {
    /// Everything on one page: links are anchors.
    OnePage,
    /// The index of a split report: councils are pages in [`COUNCIL_DIR`].
    Index,
    /// A council's page, in [`COUNCIL_DIR`].
    CouncilPage,
}

impl Links {
    /// Where a link to a council leads.
    fn council(self, code: &str) -> String {
        match self {
            Links::Index => format!("{COUNCIL_DIR}/{}", council_file(code)),
            Links::OnePage | Links::CouncilPage => format!("#{}", anchor("council", code)),
        }
    }

    /// Where a link to a rule's guidance leads.
    fn rule(self, id: &str) -> String {
        match self {
            Links::CouncilPage => format!("../report.html#{}", anchor("rule", id)),
            Links::OnePage | Links::Index => format!("#{}", anchor("rule", id)),
        }
    }
}

/// A council's page file name: its anchor, so only ASCII letters, digits,
/// `-` and `_`.
fn council_file(code: &str) -> String {
    format!("{}.html", anchor("council", code))
}

fn head(title: &str, page: &mut String) -> std::fmt::Result {
    write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    )
}

fn masking_note(report: &Report, page: &mut String) -> std::fmt::Result {
    if report.addresses_shown {
        writeln!(
            page,
            "<p><strong>Addresses are shown in full. Do not publish this report.</strong></p>"
        )
    } else {
        writeln!(
            page,
            "<p>Addresses are masked: numbers as #, names to their first letter, postcodes to their sector.</p>"
        )
    }
}

fn footer(report: &Report, page: &mut String) -> std::fmt::Result {
    writeln!(
        page,
        "</main>\n<footer>Written by {} {}; report schema {}.</footer>\n</body>\n</html>",
        escape(&report.tool.name),
        escape(&report.tool.version),
        escape(&report.schema),
    )
}

/// The one page, or the index of a split report.
fn render_page(report: &Report, links: Links) -> String {
    let mut page = String::with_capacity(64 * 1024);
    // Writing to a String cannot fail.
    let _ = page_body(report, links, &mut page);
    page
}

fn page_body(report: &Report, links: Links, page: &mut String) -> std::fmt::Result {
    head("sopncheck report", page)?;
    writeln!(page, "<header>\n<h1>sopncheck report</h1>")?;
    writeln!(page, "<p id=\"totals\">{}</p>", report.headline())?;
    masking_note(report, page)?;
    writeln!(page, "</header>\n<main>")?;
    let councils = by_priority(report);
    first_screen(report, &councils, links, page)?;
    summary_section(report, &councils, links, page)?;
    if links == Links::OnePage {
        for council in &councils {
            writeln!(
                page,
                "<section id=\"{}\">\n<details class=\"council\"><summary><h2>{} ({})</h2> \
                 <span class=\"sev {}\">{}</span></summary>",
                anchor("council", &council.code),
                escape(&council.name),
                escape(&council.code),
                worst(&council.summary.findings).map_or("", severity_name),
                council.summary.findings.describe(),
            )?;
            council_body(council, links, page)?;
            writeln!(page, "</details>\n</section>")?;
        }
    }
    rules_section(page)?;
    made_section(report, page)?;
    footer(report, page)
}

/// How the report was made: one line per [`Report::provenance`] pair.
fn made_section(report: &Report, page: &mut String) -> std::fmt::Result {
    writeln!(
        page,
        "<section id=\"made\">\n<h2>How this report was made</h2>\n<ul>"
    )?;
    for (label, value) in report.provenance() {
        writeln!(page, "<li>{}: {}</li>", escape(label), escape(&value))?;
    }
    writeln!(page, "</ul>\n</section>")
}

/// A council's own page of a split report.
fn council_page(report: &Report, council: &CouncilReport) -> String {
    let mut page = String::with_capacity(64 * 1024);
    // Writing to a String cannot fail.
    let _ = council_page_body(report, council, &mut page);
    page
}

fn council_page_body(
    report: &Report,
    council: &CouncilReport,
    page: &mut String,
) -> std::fmt::Result {
    head(&format!("sopncheck report: {}", council.name), page)?;
    writeln!(
        page,
        "<header>\n<p><a href=\"../report.html\">All councils</a></p>\n<h1>{} ({})</h1>",
        escape(&council.name),
        escape(&council.code)
    )?;
    masking_note(report, page)?;
    writeln!(
        page,
        "</header>\n<main>\n<section id=\"{}\">",
        anchor("council", &council.code)
    )?;
    council_body(council, Links::CouncilPage, page)?;
    writeln!(page, "</section>")?;
    footer(report, page)
}

/// The worst severity counted, if any.
fn worst(counts: &SeverityCounts) -> Option<crate::model::Severity> {
    SEVERITIES.into_iter().find(|s| counts.get(*s) > 0)
}

/// Councils needing action first: most high findings, then medium, low and
/// info (so the worst severity, then the count); ties in code order.
fn by_priority(report: &Report) -> Vec<&CouncilReport> {
    let mut councils: Vec<&CouncilReport> = report.councils.iter().collect();
    councils.sort_by_key(|c| SEVERITIES.map(|s| Reverse(c.summary.findings.get(s))));
    councils
}

/// What an auditor acts on: councils needing action, findings to act on
/// now, counts by rule, the chart of the top councils.
fn first_screen(
    report: &Report,
    councils: &[&CouncilReport],
    links: Links,
    page: &mut String,
) -> std::fmt::Result {
    writeln!(
        page,
        "<section id=\"action\">\n<h2>Councils needing action first</h2>"
    )?;
    let needing: Vec<&&CouncilReport> = councils
        .iter()
        .filter(|c| c.summary.findings.total() > 0)
        .collect();
    if needing.is_empty() {
        writeln!(page, "<p>No council has an open finding.</p>")?;
    } else {
        writeln!(
            page,
            "<table>\n<thead><tr><th>Council</th><th>Worst</th><th>High</th><th>Medium</th>\
             <th>Low</th><th>Info</th><th>Documents</th></tr></thead>\n<tbody>"
        )?;
        for council in needing.iter().take(TOP_COUNCILS) {
            let f = &council.summary.findings;
            let worst = worst(f).map_or("", severity_name);
            write!(
                page,
                "<tr><td><a href=\"{}\">{}</a> ({})</td><td class=\"sev {worst}\">{worst}</td>",
                escape(&links.council(&council.code)),
                escape(&council.name),
                escape(&council.code)
            )?;
            for n in [f.high, f.medium, f.low, f.info, council.summary.documents] {
                write!(page, "<td class=\"n\">{n}</td>")?;
            }
            writeln!(page, "</tr>")?;
        }
        writeln!(page, "</tbody>\n</table>")?;
        if needing.len() > TOP_COUNCILS {
            writeln!(
                page,
                "<p>{} more councils have findings; every council is in the summary below.</p>",
                needing.len() - TOP_COUNCILS
            )?;
        }
    }
    act_now(councils, links, page)?;
    by_rule(report, links, page)?;
    chart(&needing, page)?;
    writeln!(page, "</section>")
}

/// The findings to act on now: the most severe open findings, councils
/// needing action first.
fn act_now(councils: &[&CouncilReport], links: Links, page: &mut String) -> std::fmt::Result {
    let mut open: Vec<Located<'_>> = councils
        .iter()
        .flat_map(|council| {
            council.documents.iter().flat_map(move |document| {
                document.findings.iter().map(move |finding| Located {
                    council,
                    document,
                    finding,
                })
            })
        })
        .filter(|l| !l.finding.suppressed)
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    open.sort_by_key(|l| Reverse(l.finding.severity));
    writeln!(
        page,
        "<h2>Act on these now</h2>\n<table>\n<thead><tr><th>Severity</th><th>Finding</th>\
         <th>Council</th><th>Candidate</th><th>Document</th><th>What to do</th></tr></thead>\n<tbody>"
    )?;
    for l in open.iter().take(ACT_NOW) {
        let severity = severity_name(l.finding.severity);
        writeln!(
            page,
            "<tr><td class=\"sev {severity}\">{severity}</td><td>{}<br><small>{}</small></td>\
             <td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rule_link(&l.finding.rule, links),
            escape(&l.finding.message),
            escape(&links.council(&l.council.code)),
            escape(&l.council.name),
            escape(l.finding.candidate.as_deref().unwrap_or_default()),
            source_html(&l.document.source),
            escape(RuleGuidance::of(&l.finding.rule).remediation),
        )?;
    }
    writeln!(page, "</tbody>\n</table>")?;
    if open.len() > ACT_NOW {
        writeln!(
            page,
            "<p>{} more open findings, by council below.</p>",
            open.len() - ACT_NOW
        )?;
    }
    Ok(())
}

/// Open findings by rule and severity, and how many are suppressed, in
/// the order [`RULES`] lists rules (others after, by name).
fn by_rule(report: &Report, links: Links, page: &mut String) -> std::fmt::Result {
    let mut counts: Vec<(&str, SeverityCounts, usize)> = Vec::new();
    for l in report.findings() {
        let rule = l.finding.rule.as_str();
        let at = match counts.iter().position(|(r, ..)| *r == rule) {
            Some(at) => at,
            None => {
                counts.push((rule, SeverityCounts::default(), 0));
                counts.len() - 1
            }
        };
        if l.finding.suppressed {
            counts[at].2 += 1;
        } else {
            counts[at].1.count(l.finding.severity);
        }
    }
    if counts.is_empty() {
        return Ok(());
    }
    counts.sort_by_key(|(rule, ..)| {
        let order = RULES.iter().position(|g| g.id == *rule);
        (order.unwrap_or(RULES.len()), *rule)
    });
    writeln!(
        page,
        "<h2>Findings by rule</h2>\n<table>\n<thead><tr><th>Rule</th><th>High</th><th>Medium</th>\
         <th>Low</th><th>Info</th><th>Suppressed</th></tr></thead>\n<tbody>"
    )?;
    for (rule, open, suppressed) in &counts {
        write!(page, "<tr><td>{}</td>", rule_link(rule, links))?;
        for n in [open.high, open.medium, open.low, open.info, *suppressed] {
            write!(page, "<td class=\"n\">{n}</td>")?;
        }
        writeln!(page, "</tr>")?;
    }
    writeln!(page, "</tbody>\n</table>")
}

/// A rule's title linking to its guidance, with its name; a rule the
/// guidance does not know as its name.
fn rule_link(rule: &str, links: Links) -> String {
    let guidance = RuleGuidance::of(rule);
    if guidance.id.is_empty() {
        return escape(rule).into_owned();
    }
    format!(
        "<a href=\"{}\">{}</a> <small><code>{}</code></small>",
        escape(&links.rule(guidance.id)),
        escape(guidance.title),
        escape(rule)
    )
}

fn summary_section(
    report: &Report,
    councils: &[&CouncilReport],
    links: Links,
    page: &mut String,
) -> std::fmt::Result {
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
    for council in councils {
        write!(
            page,
            "<tr><td><a href=\"{}\">{}</a> ({})</td>",
            escape(&links.council(&council.code)),
            escape(&council.name),
            escape(&council.code)
        )?;
        summary_cells(&council.summary, page)?;
        writeln!(page, "</tr>")?;
    }
    write!(page, "<tr><th>All councils</th>")?;
    summary_cells(&report.totals(), page)?;
    writeln!(page, "</tr>\n</tbody>\n</table>\n</section>")
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

/// A horizontal stacked bar per council of the first [`TOP_COUNCILS`]
/// needing action, one segment per severity, scaled to the one with the
/// most.
fn chart(needing: &[&&CouncilReport], page: &mut String) -> std::fmt::Result {
    const LABEL: f64 = 230.0;
    const BARS: f64 = 460.0;
    const ROW: f64 = 24.0;
    const TOP: f64 = 34.0;
    let councils = &needing[..needing.len().min(TOP_COUNCILS)];
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
    let caption = match needing.len() {
        n if n > TOP_COUNCILS => format!(
            "Findings not suppressed, by severity, for the {TOP_COUNCILS} councils needing \
             action first of {n} with findings."
        ),
        _ => "Findings not suppressed, by council and severity.".to_owned(),
    };
    writeln!(
        page,
        "</svg>\n<figcaption>{caption}</figcaption>\n</figure>"
    )
}

/// A council's counts, findings (most severe first, open before
/// suppressed), documents and candidates.
fn council_body(council: &CouncilReport, links: Links, page: &mut String) -> std::fmt::Result {
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

    let mut findings: Vec<(&DocumentReport, &FindingReport)> = council
        .documents
        .iter()
        .flat_map(|d| d.findings.iter().map(move |f| (d, f)))
        .collect();
    findings.sort_by_key(|(_, f)| (f.suppressed, Reverse(f.severity)));
    if findings.is_empty() {
        writeln!(page, "<h3>Findings</h3>\n<p>No findings.</p>")?;
    } else {
        writeln!(
            page,
            "<h3>Findings</h3>\n<table>\n<thead><tr><th>Severity</th><th>Finding</th>\
             <th>Candidate</th><th>Document</th><th>Evidence</th><th>What to do</th>\
             <th>Status and allow-file entry</th></tr></thead>\n<tbody>"
        )?;
        for (document, finding) in findings {
            finding_row(council, document, finding, links, page)?;
        }
        writeln!(page, "</tbody>\n</table>")?;
    }

    writeln!(
        page,
        "<details><summary>Documents ({})</summary>\n<table>\n<thead><tr><th>Source</th><th>Kind</th><th>Election date</th>\
         <th>Pages</th><th>Text layer</th><th>Candidates</th><th>Findings</th><th>Error</th></tr></thead>\n<tbody>",
        council.documents.len()
    )?;
    for document in &council.documents {
        writeln!(
            page,
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            source_html(&document.source),
            provenance_line(document),
            kind_name(document.kind),
            escape(document.election_date.as_deref().unwrap_or_default()),
            document.pages,
            text_layer_cell(document),
            document.candidates.len(),
            document.findings.len(),
            escape(document.error.as_deref().unwrap_or_default()),
        )?;
    }
    writeln!(page, "</tbody>\n</table>\n</details>")?;

    if s.candidates > 0 {
        writeln!(
            page,
            "<details><summary>Candidates ({})</summary>\n<table>\n<thead><tr><th>Name</th><th>Post</th><th>Address</th>\
             <th>Status</th><th>Withheld area</th><th>Document</th><th>Page</th><th>Withdrawn</th></tr></thead>\n<tbody>",
            s.candidates
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
        writeln!(page, "</tbody>\n</table>\n</details>")?;
    }
    Ok(())
}

/// One finding: what was found, where, what to do, and its status with
/// the allow-file entry that would suppress it.
fn finding_row(
    council: &CouncilReport,
    document: &DocumentReport,
    finding: &FindingReport,
    links: Links,
    page: &mut String,
) -> std::fmt::Result {
    let severity = severity_name(finding.severity);
    let status = match (&finding.suppressed, &finding.suppression_reason) {
        (true, Some(reason)) => format!(
            "<span class=\"suppressed\">suppressed: {}</span>",
            escape(reason)
        ),
        (true, None) => "<span class=\"suppressed\">suppressed</span>".to_owned(),
        (false, _) => {
            let key = finding.allow_key(&council.code, document.election_date.as_deref());
            match allow::entry_for(&key) {
                Some(entry) => format!(
                    "open; to allow it, add to the allow file:<pre class=\"allow\">{}</pre>",
                    escape(&entry)
                ),
                None => "open; no allow-file entry suppresses it".to_owned(),
            }
        }
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
         <td>{}<br><small>{}</small></td>\
         <td>{}<br><small>{}</small></td>\
         <td>{}{page_note}</td>\
         <td><span class=\"pre\">{}</span><br><small>{}</small></td>\
         <td><small>{}</small></td>\
         <td>{status}<br><small><code>{}</code></small></td></tr>",
        rule_link(&finding.rule, links),
        escape(&finding.message),
        escape(finding.candidate.as_deref().unwrap_or_default()),
        escape(finding.post.as_deref().unwrap_or_default()),
        source_html(&document.source),
        escape(&finding.evidence),
        evidence_notes.join("; "),
        escape(RuleGuidance::of(&finding.rule).remediation),
        escape(&finding.id),
    )
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

/// Where a document came from, as one short line under its source:
/// nothing when nothing is known.
fn provenance_line(document: &DocumentReport) -> String {
    let parts: Vec<String> = document
        .provenance()
        .iter()
        .map(|(label, value)| format!("{} {}", escape(label), escape(value)))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("<br><small class=\"prov\">{}</small>", parts.join("; "))
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
    use crate::model::ScannedDocument;
    use crate::report::tests::{SECRETS, sample_documents};
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
    fn first_screen_puts_councils_needing_action_first() {
        let page = render_report(false);
        let at = |text: &str| page.find(text).unwrap_or_else(|| panic!("{text}"));
        let action = &page[at("<section id=\"action\">")..at("<section id=\"summary\">")];
        // YOR (1 high, 2 medium) before the unrecognised council (1 high);
        // HCK, without findings, is not on the first screen.
        let first = |text: &str| action.find(text).unwrap_or_else(|| panic!("{text}"));
        assert!(first("(YOR)</td>") < first(&format!("({UNKNOWN_COUNCIL})</td>")));
        assert!(!action.contains("(HCK)"));
        // Act now: the high findings first, each with what to do.
        let act = &action[first("Act on these now")..first("Findings by rule")];
        assert!(act.find("sev high").unwrap() < act.find("sev medium").unwrap());
        assert!(act.contains(RuleGuidance::of("unscannable").remediation));
        // By rule, in the guidance's order: hidden text (1 high) before
        // the own agent's office (1 medium).
        let rules = &action[first("Findings by rule")..];
        assert!(
            rules.contains("<code>hidden-text-address</code></small></td><td class=\"n\">1</td>")
        );
        assert!(rules.find("own-agent").unwrap() > rules.find("hidden-text").unwrap());
        // Sections collapse, councils needing action first.
        assert_eq!(page.matches("<details class=\"council\">").count(), 3);
        assert!(at("id=\"council-YOR\"") < at(&format!("id=\"council-{UNKNOWN_COUNCIL}\"")));
        assert!(at(&format!("id=\"council-{UNKNOWN_COUNCIL}\"")) < at("id=\"council-HCK\""));
        // In a council, findings by severity, each with a paste-ready entry.
        let york = &page[at("id=\"council-YOR\"")..];
        assert!(
            york.find("hidden-text-address").unwrap()
                < york.find("published-home-address").unwrap()
        );
        assert!(york.contains(
            "<pre class=\"allow\">[[consent]]\ncouncil = &quot;YOR&quot;\npost = &quot;Exampleton Ward&quot;\n\
             candidate = &quot;QUILLFEATHER Marigold&quot;\nelection_date = &quot;2026-05-07&quot;\n"
        ));
        assert!(page.contains("<pre class=\"allow\">[[accepted]]\nid = &quot;u1&quot;\n"));
    }

    #[test]
    fn a_large_report_is_an_index_and_a_page_per_council() {
        let dir = std::env::temp_dir().join(format!("sopncheck-html-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let write_index = |documents: &[ScannedDocument]| {
            let report = Report::build(documents, &ReportOptions::default());
            let mut index = Vec::new();
            write_to_dir(&report, &OnceCell::new(), &dir, &mut index).unwrap();
            String::from_utf8(index).unwrap()
        };

        // Small: one page, nothing beside it.
        let small = write_index(&sample_documents());
        assert!(small.contains("<section id=\"council-YOR\">"));
        assert!(!dir.join(COUNCIL_DIR).exists());

        // 900 copies of 12 rows: an index, and a page per council.
        let many: Vec<ScannedDocument> = sample_documents()
            .into_iter()
            .cycle()
            .take(3 * 900)
            .collect();
        let index = write_index(&many);
        assert!(!index.contains("<section id=\"council-"));
        assert!(!index.contains("<summary>Candidates"));
        assert!(index.contains("<a href=\"report-councils/council-YOR.html\">"));
        assert!(index.contains("Councils needing action first"));
        let pages: Vec<_> = fs::read_dir(dir.join(COUNCIL_DIR))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(pages.len(), 3, "{pages:?}");
        let york = fs::read_to_string(dir.join(COUNCIL_DIR).join("council-YOR.html")).unwrap();
        assert!(york.contains("<h1>City of York Council (YOR)</h1>"));
        assert!(york.contains("<summary>Candidates (3600)</summary>"));
        assert!(york.contains("href=\"../report.html#rule-hidden-text-address\""));
        assert!(!york.contains("<script"));
        for secret in SECRETS {
            assert!(!york.contains(secret), "council page leaks {secret:?}");
            assert!(!index.contains(secret), "index leaks {secret:?}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_split_report_is_rendered_as_from_the_whole_printable_report() {
        let dir = std::env::temp_dir().join(format!("sopncheck-html-split-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let many: Vec<ScannedDocument> = sample_documents()
            .into_iter()
            .cycle()
            .take(3 * 900)
            .collect();
        let report = Report::build(&many, &ReportOptions::default());
        let mut index = Vec::new();
        write_to_dir(&report, &OnceCell::new(), &dir, &mut index).unwrap();
        let whole = report.printable();
        assert!(index == render_page(&whole, Links::Index).into_bytes());
        for council in &whole.councils {
            let page = fs::read(dir.join(COUNCIL_DIR).join(council_file(&council.code))).unwrap();
            assert!(page == council_page(&whole, council).into_bytes());
        }
        fs::remove_dir_all(&dir).unwrap();
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
