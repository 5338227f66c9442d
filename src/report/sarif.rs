//! The SARIF report: SARIF 2.1.0 for code scanning dashboards.
//!
//! Input: a [`Report`] (already masked). Output: one SARIF log with one
//! run: the tool's rules (from [`guidance`](super::guidance): id, name,
//! descriptions, help, default level) and one result per finding. Each
//! result points at its document: `artifactLocation.uri` is the URL, or
//! the path as a relative URI reference (`file://` for absolute paths);
//! SARIF regions count lines, which a notice does not have, so the region
//! is line 1 and the page is in `properties.page` and in a logical
//! location. The stable finding id is the result's partial fingerprint, so
//! dashboards track a finding across runs; suppressed findings carry an
//! accepted external suppression with the allow list's reason. The driver
//! carries the tool's version, and the run's property bag how the report
//! was made (when, the rules and their digest, the options).
//!
//! The log is built from typed structs (serde), never by pasting strings.
//! Plain text message strings are escaped as SARIF 2.1.0 §3.11.6 requires:
//! square brackets (which would open an embedded link, `[text](url)`) and
//! the backslash that escapes them are preceded by a backslash, so a
//! candidate's name is shown as written and never becomes a link.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::guidance::{RULES, RuleGuidance};
use super::{Located, Made, Report, severity_name};
use crate::model::Severity;

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";

/// The SARIF 2.1.0 JSON schema URI.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The partial fingerprint key holding the stable finding id.
pub const FINGERPRINT: &str = "sopncheckFindingId/v1";

/// A SARIF log (`sarifLog`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Log {
    /// The schema URI.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Always [`VERSION`].
    pub version: String,
    /// One run.
    pub runs: Vec<Run>,
}

/// A run (`run`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool.
    pub tool: Tool,
    /// One result per finding.
    pub results: Vec<SarifResult>,
    /// How columns are counted (required by some consumers even unused).
    pub column_kind: String,
    /// How the report was made; absent when the report does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<RunProperties>,
}

/// Run properties (`propertyBag`): the report's [`Made`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProperties {
    /// When, ISO 8601 UTC.
    pub made_at: String,
    /// `built-in` or the `--rules` directory.
    pub rules: String,
    /// The digest of the rule texts in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_sha256: Option<String>,
    /// The options that affect results.
    pub options: Vec<String>,
}

/// The tool (`tool`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// The driver.
    pub driver: Driver,
}

/// The tool component (`toolComponent`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `sopncheck`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its semantic version.
    pub semantic_version: String,
    /// Its repository, when the package names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    /// Every rule known plus any the report uses that it does not know.
    pub rules: Vec<Rule>,
}

/// A rule (`reportingDescriptor`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Rule name, e.g. `published-home-address`.
    pub id: String,
    /// The title in PascalCase, e.g. `HomeAddressPublished`.
    pub name: String,
    /// One sentence.
    pub short_description: Message,
    /// Why it matters.
    pub full_description: Message,
    /// What to do.
    pub help: MultiformatMessage,
    /// The default level.
    pub default_configuration: Configuration,
    /// Tags.
    pub properties: RuleProperties,
}

/// Rule properties (`propertyBag`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleProperties {
    /// Tags dashboards filter on.
    pub tags: Vec<String>,
}

/// A plain text message (`message`, `multiformatMessageString`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The text, escaped ([`Message::plain`]).
    pub text: String,
}

impl Message {
    /// A message showing `text` as written: see [`plain_text`].
    pub fn plain(text: &str) -> Message {
        Message {
            text: plain_text(text),
        }
    }
}

/// `text` as a SARIF plain text message string (§3.11.6): `\`, `[` and
/// `]` escaped with a backslash, so no part of it is an embedded link.
///
/// ```
/// use sopncheck::report::sarif::plain_text;
/// assert_eq!(plain_text("[pwn](https://example.test)"), "\\[pwn\\](https://example.test)");
/// assert_eq!(plain_text("a\\b"), "a\\\\b");
/// ```
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A message with Markdown (`multiformatMessageString`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultiformatMessage {
    /// Plain text.
    pub text: String,
    /// Markdown.
    pub markdown: String,
}

/// A rule's default configuration (`reportingConfiguration`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Configuration {
    /// `error`, `warning` or `note`.
    pub level: String,
}

/// A result (`result`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's index in `tool.driver.rules`.
    pub rule_index: usize,
    /// From the finding's severity.
    pub level: String,
    /// The finding's message, candidate and evidence.
    pub message: Message,
    /// The document and page.
    pub locations: Vec<Location>,
    /// The stable finding id under [`FINGERPRINT`].
    pub partial_fingerprints: BTreeMap<String, String>,
    /// Present when the allow list suppressed the finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// Council, page, severity and the rest of the finding.
    pub properties: ResultProperties,
}

/// A suppression (`suppression`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// `external`: recorded outside the document.
    pub kind: String,
    /// `accepted`.
    pub status: String,
    /// The allow list's reason.
    pub justification: String,
}

/// Result properties (`propertyBag`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultProperties {
    /// Council register code.
    pub council: String,
    /// The page, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The finding's severity.
    pub severity: String,
    /// The candidate, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    /// The candidate's post, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// Evidence, masked unless addresses are shown.
    pub evidence: String,
    /// Postcode (outward code only unless shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

/// A location (`location`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The document.
    pub physical_location: PhysicalLocation,
    /// The page, as a logical location.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

/// A physical location (`physicalLocation`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The document's URI.
    pub artifact_location: ArtifactLocation,
    /// Line 1.
    pub region: Region,
}

/// An artifact location (`artifactLocation`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactLocation {
    /// URL or URI reference of the document.
    pub uri: String,
}

/// A region (`region`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// Always 1: notices have pages, not lines.
    pub start_line: u32,
}

/// A logical location (`logicalLocation`): a page of the document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// `page 3`.
    pub name: String,
    /// `<uri>#page=3`.
    pub fully_qualified_name: String,
    /// `element`.
    pub kind: String,
}

/// Builds the SARIF log of a report.
pub fn log(report: &Report) -> Log {
    let rules = rules(report.findings().map(|l| l.finding.rule.as_str()));
    let mut results = Vec::new();
    for located in report.findings() {
        results.push(result(located, &rules));
    }
    log_of(report, rules, results)
}

/// The log of `report` holding `rules` and `results`.
pub(super) fn log_of(report: &Report, rules: Vec<Rule>, results: Vec<SarifResult>) -> Log {
    Log {
        schema: SCHEMA_URI.into(),
        version: VERSION.into(),
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: report.tool.name.clone(),
                    version: report.tool.version.clone(),
                    semantic_version: report.tool.version.clone(),
                    information_uri: Some(env!("CARGO_PKG_REPOSITORY"))
                        .filter(|uri| !uri.is_empty())
                        .map(Into::into),
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints".into(),
            properties: report.made.as_ref().map(
                |Made {
                     at,
                     rules,
                     rules_sha256,
                     options,
                 }| RunProperties {
                    made_at: at.clone(),
                    rules: rules.clone(),
                    rules_sha256: rules_sha256.clone(),
                    options: options.clone(),
                },
            ),
        }],
    }
}

/// Every rule known, then each rule of `used` (the findings' rules, in
/// report order) that is not, in the order first used.
pub(super) fn rules<'a>(used: impl Iterator<Item = &'a str>) -> Vec<Rule> {
    let mut rules: Vec<Rule> = RULES.iter().map(|g| rule(g, g.id)).collect();
    for id in used {
        if !rules.iter().any(|r| r.id == id) {
            rules.push(rule(&RuleGuidance::of(id), id));
        }
    }
    rules
}

/// The result of one finding; `rules` holds its rule ([`rules`]).
pub(super) fn result(located: Located<'_>, rules: &[Rule]) -> SarifResult {
    let finding = located.finding;
    // `rules` was made from the findings: it holds this one's rule.
    let rule_index = rules
        .iter()
        .position(|r| r.id == finding.rule)
        .unwrap_or_default();
    let uri = source_uri(&located.document.source);
    let logical_locations = finding
        .page
        .map(|page| LogicalLocation {
            name: format!("page {page}"),
            fully_qualified_name: format!("{uri}#page={page}"),
            kind: "element".into(),
        })
        .into_iter()
        .collect();
    let mut text = finding.message.clone();
    if let Some(candidate) = &finding.candidate {
        text.push_str(&format!(" Candidate: {candidate}."));
    }
    if let Some(page) = finding.page {
        text.push_str(&format!(" Page {page}."));
    }
    if !finding.evidence.is_empty() {
        text.push_str(&format!(" Evidence: {}", finding.evidence));
    }
    SarifResult {
        rule_id: finding.rule.clone(),
        rule_index,
        level: level(finding.severity).into(),
        message: Message::plain(&text),
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri },
                region: Region { start_line: 1 },
            },
            logical_locations,
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT.into(), finding.id.clone())]),
        suppressions: finding
            .suppressed
            .then(|| Suppression {
                kind: "external".into(),
                status: "accepted".into(),
                justification: finding.suppression_reason.clone().unwrap_or_default(),
            })
            .into_iter()
            .collect(),
        properties: ResultProperties {
            council: located.council.code.clone(),
            page: finding.page,
            severity: severity_name(finding.severity).into(),
            candidate: finding.candidate.clone(),
            post: finding.post.clone(),
            evidence: finding.evidence.clone(),
            postcode: finding.postcode.clone(),
        },
    }
}

/// Writes the SARIF log as pretty JSON.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_pretty(&log(report), out)
}

/// SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule(guidance: &RuleGuidance, id: &str) -> Rule {
    // SARIF wants a name readable by people and different from the id.
    let name = if guidance.id.is_empty() {
        format!("{}Finding", pascal_case(id))
    } else {
        pascal_case(guidance.title)
    };
    Rule {
        id: id.to_owned(),
        name,
        short_description: Message::plain(guidance.short),
        full_description: Message::plain(guidance.full),
        help: MultiformatMessage {
            text: plain_text(guidance.remediation),
            markdown: format!("**{}.** {}", guidance.title, guidance.remediation),
        },
        default_configuration: Configuration {
            level: level(guidance.severity).into(),
        },
        properties: RuleProperties {
            tags: vec!["privacy".into(), "elections".into()],
        },
    }
}

/// `published-home-address` → `PublishedHomeAddress`; `Home address
/// published` → `HomeAddressPublished`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A document's source as a URI: a URL as given (with unsafe characters
/// percent-encoded), an absolute path as a `file://` URI, a relative path
/// as a relative URI reference with `/` separators.
pub fn source_uri(source: &str) -> String {
    let has_scheme = source.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if has_scheme {
        return percent_encode(source, |b| {
            b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}'
                )
        });
    }
    let path = source.replace('\\', "/");
    let encoded = percent_encode(&path, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
    });
    let drive = path
        .get(..2)
        .filter(|d| d.ends_with(':') && d.starts_with(|c: char| c.is_ascii_alphabetic()));
    match drive {
        // A Windows drive path, `C:/...`: the drive letter's colon stays.
        Some(drive) => format!("file:///{drive}{}", encoded.get(4..).unwrap_or_default()),
        None if path.starts_with('/') => format!("file://{encoded}"),
        None => encoded,
    }
}

/// Percent-encodes every byte `keep` rejects.
fn percent_encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if keep(byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }

    #[test]
    fn uris() {
        assert_eq!(
            source_uri("fixtures/sopn example.pdf"),
            "fixtures/sopn%20example.pdf"
        );
        assert_eq!(
            source_uri("/srv/notices/a#1.pdf"),
            "file:///srv/notices/a%231.pdf"
        );
        assert_eq!(source_uri("C:\\notices\\a.pdf"), "file:///C:/notices/a.pdf");
        assert_eq!(
            source_uri("https://example.gov.uk/sopn 1.pdf?x=1"),
            "https://example.gov.uk/sopn%201.pdf?x=1"
        );
        assert_eq!(pascal_case("own-agent-home-address"), "OwnAgentHomeAddress");
    }

    #[test]
    fn one_result_per_finding_with_a_known_rule_and_a_location() {
        let report = sample_report();
        let log = log(&report);
        let run = &log.runs[0];
        assert_eq!(run.results.len(), report.findings().count());
        for result in &run.results {
            assert_eq!(run.tool.driver.rules[result.rule_index].id, result.rule_id);
            assert!(
                !result.locations[0]
                    .physical_location
                    .artifact_location
                    .uri
                    .is_empty()
            );
            assert!(result.partial_fingerprints.contains_key(FINGERPRINT));
        }
        let hidden = run
            .results
            .iter()
            .find(|r| r.rule_id == "hidden-text-address")
            .unwrap();
        assert_eq!(hidden.level, "error");
        assert_eq!(hidden.properties.page, Some(1));
        assert_eq!(
            hidden.locations[0].physical_location.artifact_location.uri,
            "https://democracy.york.gov.uk/notices/sopn%20example.pdf"
        );
    }

    #[test]
    fn unknown_rules_are_added_to_the_driver() {
        let mut report = sample_report();
        report.councils[0].documents[0]
            .findings
            .push(super::super::FindingReport {
                id: "n1".into(),
                rule: "brand-new-rule".into(),
                severity: Severity::Low,
                candidate: None,
                post: None,
                page: None,
                evidence: String::new(),
                postcode: None,
                layer: None,
                message: "New.".into(),
                suppressed: false,
                suppression_reason: None,
                first_seen: None,
                last_seen: None,
                state: None,
            });
        let log = log(&report);
        let rules = &log.runs[0].tool.driver.rules;
        assert_eq!(rules.len(), RULES.len() + 1);
        assert_eq!(rules[RULES.len()].name, "BrandNewRuleFinding");
        assert_eq!(rules[0].name, "HomeAddressPublished");
        assert!(rules.iter().all(|r| !r.name.eq_ignore_ascii_case(&r.id)));
    }
}
