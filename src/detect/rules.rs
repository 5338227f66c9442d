//! Rule files: the TOML in `rules/`, parsed and checked into [`Rules`].
//!
//! Input: the text of each rule file (embedded with `include_str!` for
//! [`Rules::builtin`], read from a directory for [`Rules::load`]). Output:
//! [`Rules`], holding compiled regular expressions and phrase lists, ready
//! for [`Detector::new`](super::Detector::new).
//!
//! A rule file with an error is rejected whole with a [`RuleError`] naming
//! the file, the line and the reason; nothing is half-loaded. This module
//! never matches text: that is the detector's job.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::model::{NoticeKind, Severity};

/// A rule file that could not be used. Displays as `FILE:LINE: reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The file name (as given, or the embedded file's name).
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

impl std::error::Error for RuleError {}

/// The role of a column in a candidate table, or of a label in a label
/// layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Role {
    /// The whole name ("SURNAME Other Names").
    Name,
    /// The name followed by the home address in one cell (notices of
    /// election agents: "NAME AND ADDRESS OF CANDIDATE").
    NameAndAddress,
    /// The surname alone.
    Surname,
    /// The other names alone.
    OtherNames,
    /// The home address or withheld-area statement.
    HomeAddress,
    /// The description (party).
    Description,
    /// The party a list of candidates stands for (list elections): its
    /// cell heads the rows of the party's candidates.
    Party,
    /// Why the candidate no longer stands nominated.
    Reason,
    /// Proposers, seconders, assentors, subscribers.
    Signatories,
    /// The election agent's name.
    AgentName,
    /// The election agent's office address.
    AgentOffice,
}

/// One document-kind rule.
#[derive(Clone, Debug)]
pub(crate) struct KindRule {
    pub kind: NoticeKind,
    pub all: Vec<String>,
    pub any: Vec<String>,
}

/// When candidates could first withhold their address, for one kind of
/// election.
#[derive(Clone, Debug)]
pub(crate) struct Withholding {
    /// True for UK Parliament elections, false for local ones.
    pub parliamentary: bool,
    /// ISO date from which withholding was possible.
    pub from: String,
    /// Nations the date applies to.
    pub nations: Vec<String>,
}

/// Severity and message of one finding rule.
#[derive(Clone, Debug)]
pub(crate) struct FindingRule {
    pub severity: Severity,
    pub message: String,
}

/// Every rule, parsed and checked. Build it with [`Rules::builtin`] or
/// [`Rules::load`], then hand it to [`Detector::new`](super::Detector::new).
///
/// ```
/// use sopncheck::detect::{Detector, Rules};
/// let detector = Detector::new(&Rules::builtin());
/// # let _ = detector;
/// ```
#[derive(Clone, Debug)]
pub struct Rules {
    pub(crate) postcode: Regex,
    /// The grammar with typing slips in the inward code allowed: what a
    /// candidate's own address cell may print as its postcode.
    pub(crate) postcode_as_typed: Regex,
    pub(crate) house_number: Regex,
    pub(crate) flat_words: Vec<String>,
    pub(crate) street_types: Vec<String>,
    pub(crate) house_name_words: Vec<String>,
    /// Withheld-address wordings in order; group `area` is the area.
    pub(crate) wordings: Vec<Regex>,
    pub(crate) countries: Vec<String>,
    pub(crate) area_words: Vec<String>,
    pub(crate) kind_head_rows: usize,
    pub(crate) kinds: Vec<KindRule>,
    pub(crate) columns: Vec<(Role, Vec<String>)>,
    pub(crate) header_words: Vec<String>,
    pub(crate) header_first_words: Vec<String>,
    pub(crate) labels: Vec<(Role, Vec<String>)>,
    pub(crate) posts: Vec<Regex>,
    pub(crate) post_cues: Vec<String>,
    pub(crate) not_posts: Vec<String>,
    pub(crate) post_suffixes: Vec<String>,
    pub(crate) page_marks: Vec<Regex>,
    pub(crate) table_end: Vec<String>,
    pub(crate) footer: Vec<String>,
    pub(crate) legitimate: Vec<String>,
    pub(crate) withdrawn: Vec<String>,
    pub(crate) date_patterns: Vec<Regex>,
    pub(crate) header_date: Regex,
    pub(crate) months: Vec<Vec<String>>,
    pub(crate) findings: HashMap<String, FindingRule>,
    pub(crate) withholding: Vec<Withholding>,
    pub(crate) parliamentary: Vec<String>,
    pub(crate) not_parliamentary: Vec<String>,
}

/// The rule files, by name, as embedded in the binary.
const BUILTIN: [(&str, &str); 8] = [
    ("postcode.toml", include_str!("../../rules/postcode.toml")),
    ("address.toml", include_str!("../../rules/address.toml")),
    ("withheld.toml", include_str!("../../rules/withheld.toml")),
    ("kinds.toml", include_str!("../../rules/kinds.toml")),
    ("layout.toml", include_str!("../../rules/layout.toml")),
    ("contexts.toml", include_str!("../../rules/contexts.toml")),
    ("dates.toml", include_str!("../../rules/dates.toml")),
    ("findings.toml", include_str!("../../rules/findings.toml")),
];

/// Largest rule file accepted by [`Rules::load`].
const MAX_RULE_FILE_BYTES: u64 = 1024 * 1024;

/// The finding rules every `findings.toml` must define.
pub(crate) const FINDING_RULES: [&str; 11] = [
    "published-home-address",
    "pre-rule-published-address",
    "hidden-text-address",
    "metadata-address",
    "annotation-address",
    "prior-revision-address",
    "own-agent-home-address",
    "cross-document-address",
    "unscannable",
    "unparsed-notice",
    "unattributed-address",
];

impl Rules {
    /// The rules shipped in `rules/`, embedded at build time and parsed on
    /// first use. The embedded files are checked by this module's tests, so
    /// this never fails.
    pub fn builtin() -> Rules {
        static BUILTIN_RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        BUILTIN_RULES
            .get_or_init(|| {
                // The embedded files are tested (`builtin_rules_parse`); a
                // broken one is a build defect caught before release.
                Rules::from_texts(&BUILTIN.map(|(name, text)| (name.to_string(), text.to_string())))
                    .unwrap_or_else(|e| panic!("embedded rule file is invalid: {e}"))
            })
            .clone()
    }

    /// Loads a rule directory. Each of the eight rule files it holds
    /// replaces the built-in file of the same name; files it lacks keep the
    /// built-in ones. A `*.toml` file with another name is an error (a
    /// misspelt file would otherwise be ignored silently).
    pub fn load(dir: &Path) -> Result<Rules, RuleError> {
        let io_error = |file: String, e: std::io::Error| RuleError {
            file,
            line: 1,
            reason: e.to_string(),
        };
        let dir_name = dir.display().to_string();
        let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir_name.clone(), e))?;
        let mut texts = BUILTIN.map(|(name, text)| (name.to_string(), text.to_string()));
        for entry in entries {
            let entry = entry.map_err(|e| io_error(dir_name.clone(), e))?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let shown = path.display().to_string();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(slot) = texts
                .iter_mut()
                .zip(BUILTIN)
                .find(|(_, (known, _))| *known == name)
                .map(|(slot, _)| slot)
            else {
                return Err(RuleError {
                    file: shown,
                    line: 1,
                    reason: format!(
                        "unknown rule file; expected one of {}",
                        BUILTIN.map(|(n, _)| n).join(", ")
                    ),
                });
            };
            let size = entry
                .metadata()
                .map_err(|e| io_error(shown.clone(), e))?
                .len();
            if size > MAX_RULE_FILE_BYTES {
                return Err(RuleError {
                    file: shown,
                    line: 1,
                    reason: format!("file is {size} bytes, more than {MAX_RULE_FILE_BYTES}"),
                });
            }
            let text = std::fs::read_to_string(&path).map_err(|e| io_error(shown.clone(), e))?;
            *slot = (shown, text);
        }
        Rules::from_texts(&texts)
    }

    /// Parses the eight rule files, given as (file name, text) in
    /// [`BUILTIN`] order.
    fn from_texts(texts: &[(String, String); 8]) -> Result<Rules, RuleError> {
        let [
            postcode,
            address,
            withheld,
            kinds,
            layout,
            contexts,
            dates,
            findings,
        ] = texts;
        let postcode_file: PostcodeFile = parse(postcode)?;
        let address_file: AddressFile = parse(address)?;
        let withheld_file: WithheldFile = parse(withheld)?;
        let kinds_file: KindsFile = parse(kinds)?;
        let layout_file: LayoutFile = parse(layout)?;
        let contexts_file: ContextsFile = parse(contexts)?;
        let dates_file: DatesFile = parse(dates)?;
        let findings_file: FindingsFile = parse(findings)?;

        let postcode_regex = postcode_file.compile(postcode, &postcode_file.inward)?;
        let typed_regex = postcode_file.compile(postcode, &postcode_file.inward_as_typed)?;
        let wordings = withheld_file
            .wording
            .iter()
            .map(|w| {
                compile(withheld, &w.pattern, None).map_err(|e| RuleError {
                    reason: format!("wording `{}`: {}", w.name, e.reason),
                    ..e
                })
            })
            .collect::<Result<_, RuleError>>()?;
        let posts = layout_file
            .posts
            .iter()
            .map(|p| compile(layout, p, Some("post")))
            .collect::<Result<_, _>>()?;
        let date_patterns = dates_file
            .patterns
            .iter()
            .map(|p| compile(dates, p, Some("day")))
            .collect::<Result<_, _>>()?;
        if dates_file.months.get_ref().len() != 12 {
            return Err(error_at(
                dates,
                dates_file.months.span().start,
                "`months` must list exactly 12 months",
            ));
        }
        let mut finding_rules = HashMap::new();
        for (name, rule) in findings_file.rule.get_ref() {
            finding_rules.insert(
                name.clone(),
                FindingRule {
                    severity: rule.severity,
                    message: rule.message.clone(),
                },
            );
        }
        if let Some(missing) = FINDING_RULES
            .iter()
            .find(|name| !finding_rules.contains_key(**name))
        {
            return Err(error_at(
                findings,
                findings_file.rule.span().start,
                &format!("rule `{missing}` is not defined"),
            ));
        }
        let withholding = findings_file
            .withholding
            .iter()
            .map(|w| {
                let from = w.from.get_ref();
                if !is_iso_date(from) {
                    return Err(error_at(
                        findings,
                        w.from.span().start,
                        "`from` must be an ISO date (YYYY-MM-DD)",
                    ));
                }
                Ok(Withholding {
                    parliamentary: w.elections == Elections::Parliamentary,
                    from: from.clone(),
                    nations: w.nations.clone(),
                })
            })
            .collect::<Result<_, RuleError>>()?;

        Ok(Rules {
            postcode: postcode_regex,
            postcode_as_typed: typed_regex,
            house_number: compile(address, &address_file.house_number, None)?,
            flat_words: lower(address_file.flat_words),
            street_types: lower(address_file.street_types),
            house_name_words: lower(address_file.house_name_words),
            wordings,
            countries: withheld_file.countries,
            area_words: lower(withheld_file.area_words),
            kind_head_rows: kinds_file.head_rows,
            kinds: kinds_file
                .kind
                .into_iter()
                .map(|k| KindRule {
                    kind: k.kind,
                    all: lower(k.all),
                    any: lower(k.any),
                })
                .collect(),
            columns: layout_file
                .column
                .into_iter()
                .map(|c| (c.role, lower(c.headers)))
                .collect(),
            header_words: lower(layout_file.header_words),
            header_first_words: lower(layout_file.header_first_words),
            labels: layout_file
                .label
                .into_iter()
                .map(|l| (l.role, lower(l.labels)))
                .collect(),
            posts,
            post_cues: lower(layout_file.post_cues),
            not_posts: lower(layout_file.not_posts),
            post_suffixes: lower(layout_file.post_suffixes),
            page_marks: contexts_file
                .page_marks
                .iter()
                .map(|p| compile(contexts, p, None))
                .collect::<Result<_, _>>()?,
            table_end: lower(contexts_file.table_end),
            footer: lower(contexts_file.footer),
            legitimate: lower(contexts_file.legitimate),
            withdrawn: lower(contexts_file.withdrawn),
            date_patterns,
            header_date: compile(dates, &dates_file.header_date, Some("day"))?,
            months: dates_file
                .months
                .into_inner()
                .into_iter()
                .map(lower)
                .collect(),
            findings: finding_rules,
            withholding,
            parliamentary: lower(findings_file.parliamentary),
            not_parliamentary: lower(findings_file.not_parliamentary),
        })
    }

    /// Severity and message of a finding rule. Every name in
    /// [`FINDING_RULES`] is present (checked when loading).
    pub(crate) fn finding(&self, rule: &str) -> Option<&FindingRule> {
        self.findings.get(rule)
    }
}

/// Phrases are matched lowercase.
fn lower(phrases: Vec<String>) -> Vec<String> {
    phrases.into_iter().map(|p| p.to_lowercase()).collect()
}

fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// Parses one file, turning TOML errors into `FILE:LINE: reason`.
fn parse<T: DeserializeOwned>((file, text): &(String, String)) -> Result<T, RuleError> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        let reason = e.message().trim().to_string();
        error_at(&(file.clone(), text.clone()), offset, &reason)
    })
}

/// An error at a byte offset of a file.
fn error_at((file, text): &(String, String), offset: usize, reason: &str) -> RuleError {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    RuleError {
        file: file.clone(),
        line: before.matches('\n').count() + 1,
        reason: reason.to_string(),
    }
}

/// Compiles one pattern without regard to case, requiring a named group
/// when `group` is given.
fn compile(
    file: &(String, String),
    pattern: &Spanned<String>,
    group: Option<&str>,
) -> Result<Regex, RuleError> {
    let regex = RegexBuilder::new(pattern.get_ref())
        .case_insensitive(true)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| {
            let first_line = e
                .to_string()
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string();
            error_at(
                file,
                pattern.span().start,
                &format!("invalid regular expression: {first_line}"),
            )
        })?;
    if let Some(group) = group
        && !regex.capture_names().any(|name| name == Some(group))
    {
        return Err(error_at(
            file,
            pattern.span().start,
            &format!("pattern has no named group `{group}`"),
        ));
    }
    Ok(regex)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostcodeFile {
    outward: Spanned<String>,
    inward: Spanned<String>,
    inward_as_typed: Spanned<String>,
    separator: Spanned<String>,
    special: Vec<Spanned<String>>,
}

impl PostcodeFile {
    /// One pattern for the whole grammar, with `inward` as the inward
    /// code (the strict grammar's or the one for codes as typed).
    fn compile(
        &self,
        file: &(String, String),
        inward: &Spanned<String>,
    ) -> Result<Regex, RuleError> {
        // Check each part alone first, so an error names its line.
        for part in [&self.outward, inward, &self.separator] {
            compile(file, part, None)?;
        }
        let sep = self.separator.get_ref();
        let mut alternatives = vec![format!(
            "(?:{}){sep}(?:{})",
            self.outward.get_ref(),
            inward.get_ref()
        )];
        for special in &self.special {
            let literal: Vec<String> = special
                .get_ref()
                .split_whitespace()
                .map(regex::escape)
                .collect();
            if literal.is_empty() {
                return Err(error_at(
                    file,
                    special.span().start,
                    "empty special postcode",
                ));
            }
            alternatives.push(literal.join(sep));
        }
        // Postcodes are ASCII: an ASCII word boundary keeps the search on
        // the regex engine's fast automaton over text with accented letters.
        let whole = format!(r"(?-u:\b)(?:{})(?-u:\b)", alternatives.join("|"));
        compile(file, &Spanned::new(self.outward.span(), whole), None)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressFile {
    house_number: Spanned<String>,
    flat_words: Vec<String>,
    street_types: Vec<String>,
    house_name_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithheldFile {
    wording: Vec<WordingEntry>,
    countries: Vec<String>,
    area_words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordingEntry {
    name: String,
    pattern: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsFile {
    head_rows: usize,
    kind: Vec<KindEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindEntry {
    kind: NoticeKind,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    any: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    column: Vec<ColumnEntry>,
    header_words: Vec<String>,
    header_first_words: Vec<String>,
    label: Vec<LabelEntry>,
    posts: Vec<Spanned<String>>,
    post_cues: Vec<String>,
    not_posts: Vec<String>,
    post_suffixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnEntry {
    role: Role,
    headers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelEntry {
    role: Role,
    labels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextsFile {
    page_marks: Vec<Spanned<String>>,
    table_end: Vec<String>,
    footer: Vec<String>,
    legitimate: Vec<String>,
    withdrawn: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatesFile {
    patterns: Vec<Spanned<String>>,
    header_date: Spanned<String>,
    months: Spanned<Vec<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingsFile {
    rule: Spanned<HashMap<String, FindingEntry>>,
    withholding: Vec<WithholdingEntry>,
    parliamentary: Vec<String>,
    not_parliamentary: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingEntry {
    severity: Severity,
    message: String,
}

#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Elections {
    Local,
    Parliamentary,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithholdingEntry {
    elections: Elections,
    from: Spanned<String>,
    nations: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file(name: &str, text: &str) -> Result<Rules, RuleError> {
        let mut texts = BUILTIN.map(|(n, t)| (n.to_string(), t.to_string()));
        if let Some(slot) = texts.iter_mut().find(|(n, _)| n == name) {
            slot.1 = text.to_string();
        }
        Rules::from_texts(&texts)
    }

    #[test]
    fn builtin_rules_parse() {
        let texts = BUILTIN.map(|(n, t)| (n.to_string(), t.to_string()));
        let rules = Rules::from_texts(&texts).unwrap();
        assert_eq!(rules.months.len(), 12);
        assert!(rules.wordings.len() >= 5);
        for name in FINDING_RULES {
            assert!(rules.finding(name).is_some(), "{name}");
        }
        assert_eq!(
            rules.finding("unscannable").unwrap().severity,
            Severity::High
        );
    }

    #[test]
    fn toml_syntax_error_names_file_and_line() {
        let text = "outward = \"[A-Z]\"\ninward = \"[0-9]\"\nseparator = \n";
        let err = with_file("postcode.toml", text).unwrap_err();
        assert_eq!(err.file, "postcode.toml");
        assert_eq!(err.line, 3);
        assert!(err.to_string().starts_with("postcode.toml:3: "), "{err}");
    }

    #[test]
    fn bad_regex_names_its_line() {
        let text = BUILTIN[2]
            .1
            .replacen("name = \"address-in\"", "name = \"address-in\"\n# x", 1);
        let broken = text.replacen(r"(?P<area>[^()/]+?)\s*(?:\)|/|$)'", "(?P<area>[^()/]+?'", 1);
        let err = with_file("withheld.toml", &broken).unwrap_err();
        let line_of_pattern = broken
            .lines()
            .position(|l| l.contains("(?P<area>[^()/]+?'"))
            .unwrap()
            + 1;
        assert_eq!(err.line, line_of_pattern, "{err}");
        assert!(err.reason.contains("invalid regular expression"), "{err}");
    }

    #[test]
    fn unknown_field_and_missing_group_and_missing_rule_are_rejected() {
        let err = with_file("kinds.toml", "head_rows = 4\nkindz = 1\n").unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("kinds.toml", 2), "{err}");

        let layout = BUILTIN[4].1.replace("(?P<post>.+)$'", "(.+)$'");
        let err = with_file("layout.toml", &layout).unwrap_err();
        assert!(err.reason.contains("`post`"), "{err}");

        let findings = BUILTIN[7]
            .1
            .replace("[rule.unscannable]", "[rule.unscanable]");
        let err = with_file("findings.toml", &findings).unwrap_err();
        assert!(err.reason.contains("`unscannable`"), "{err}");

        let findings = BUILTIN[7]
            .1
            .replace("from = \"2019-05-02\"", "from = \"2 May 2019\"");
        let err = with_file("findings.toml", &findings).unwrap_err();
        assert!(err.reason.contains("ISO date"), "{err}");
    }

    #[test]
    fn load_overrides_and_rejects_unknown_files() {
        let dir = std::env::temp_dir().join(format!("sopncheck-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let custom = BUILTIN[0]
            .1
            .replace("special = [\"GIR 0AA\"]", "special = []");
        std::fs::write(dir.join("postcode.toml"), custom).unwrap();
        let rules = Rules::load(&dir).unwrap();
        assert!(!rules.postcode.is_match("GIR 0AA"));
        assert!(Rules::builtin().postcode.is_match("GIR 0AA"));

        std::fs::write(dir.join("postcodes.toml"), "").unwrap();
        let err = Rules::load(&dir).unwrap_err();
        assert!(
            err.to_string()
                .contains("postcodes.toml:1: unknown rule file"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
