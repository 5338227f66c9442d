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

use crate::model::{ElectionType, NoticeKind, Severity, hex_sha256};

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

/// When candidates could first withhold their address, for one type of
/// election in some nations (`rules/withholding.toml`).
#[derive(Clone, Debug)]
pub(crate) struct Withholding {
    pub election: ElectionType,
    /// Nations the date applies to, as the council register names them.
    pub nations: Vec<String>,
    /// ISO date of the first poll the rule applied to (the earliest it
    /// may have, when uncertain).
    pub from: String,
    /// When the date is uncertain: the ISO date from which the rule
    /// surely applied.
    pub latest: Option<String>,
    /// The legislation that brought the rule in.
    pub legislation: String,
}

/// One election type's heading phrases (`rules/elections.toml`).
#[derive(Clone, Debug)]
pub(crate) struct ElectionRule {
    pub election_type: ElectionType,
    pub phrases: Vec<String>,
    /// More specific types that name the election when the heading has
    /// one of their phrases too.
    pub refined_by: Vec<ElectionType>,
}

/// Severity and message of one finding rule.
#[derive(Clone, Debug)]
pub(crate) struct FindingRule {
    pub severity: Severity,
    pub message: String,
}

/// How long a candidate notice may stay online after its poll
/// (`rules/retention.toml`).
#[derive(Clone, Debug)]
pub(crate) struct Retention {
    /// Days after the poll a notice may stay online.
    pub period_days: i64,
    /// What sets the period, named in each finding.
    pub legislation: String,
    /// Severity of a notice printing names and no home address.
    pub names_only: Severity,
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
    /// Where the poll date is printed, in order: each pattern's text
    /// before its `{date}`, matching only up to the end of the text (a
    /// date is found first, then the text before it is asked).
    pub(crate) date_leads: Vec<Regex>,
    pub(crate) header_date: Regex,
    /// The date grammar alone: any date printed in the notice.
    pub(crate) any_date: Regex,
    pub(crate) not_poll: Vec<String>,
    pub(crate) months: Vec<Vec<String>>,
    pub(crate) findings: HashMap<String, FindingRule>,
    /// Said in a published-address finding when whether the withholding
    /// rule applied could not be established; `{reason}` is why.
    pub(crate) withholding_unknown: String,
    /// Election types in file order.
    pub(crate) election_types: Vec<ElectionRule>,
    pub(crate) withholding: Vec<Withholding>,
    pub(crate) retention: Retention,
    /// See [`Rules::digest`].
    digest: String,
}

/// The rule files, by name, as embedded in the binary.
const BUILTIN: [(&str, &str); RULE_FILES] = [
    ("postcode.toml", include_str!("../../rules/postcode.toml")),
    ("address.toml", include_str!("../../rules/address.toml")),
    ("withheld.toml", include_str!("../../rules/withheld.toml")),
    ("kinds.toml", include_str!("../../rules/kinds.toml")),
    ("layout.toml", include_str!("../../rules/layout.toml")),
    ("contexts.toml", include_str!("../../rules/contexts.toml")),
    ("dates.toml", include_str!("../../rules/dates.toml")),
    ("findings.toml", include_str!("../../rules/findings.toml")),
    ("elections.toml", include_str!("../../rules/elections.toml")),
    (
        "withholding.toml",
        include_str!("../../rules/withholding.toml"),
    ),
    ("retention.toml", include_str!("../../rules/retention.toml")),
];

/// How many rule files there are.
const RULE_FILES: usize = 11;

/// Largest rule file accepted by [`Rules::load`].
const MAX_RULE_FILE_BYTES: u64 = 1024 * 1024;

/// The finding rules every `findings.toml` must define.
pub(crate) const FINDING_RULES: [&str; 12] = [
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
    "retention-expired",
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

    /// Loads a rule directory. Each of the rule files it holds
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

    /// The lower-case hex SHA-256 naming the rules in force: two reports
    /// whose rules have the same digest were made with the same rule
    /// texts, whether built in or loaded from a directory.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Parses the rule files, given as (file name, text) in [`BUILTIN`]
    /// order.
    fn from_texts(texts: &[(String, String); RULE_FILES]) -> Result<Rules, RuleError> {
        let digest = digest(texts);
        let [
            postcode,
            address,
            withheld,
            kinds,
            layout,
            contexts,
            dates,
            findings,
            elections,
            withholding,
            retention,
        ] = texts;
        let postcode_file: PostcodeFile = parse(postcode)?;
        let address_file: AddressFile = parse(address)?;
        let withheld_file: WithheldFile = parse(withheld)?;
        let kinds_file: KindsFile = parse(kinds)?;
        let layout_file: LayoutFile = parse(layout)?;
        let contexts_file: ContextsFile = parse(contexts)?;
        let dates_file: DatesFile = parse(dates)?;
        let findings_file: FindingsFile = parse(findings)?;
        let elections_file: ElectionsFile = parse(elections)?;
        let withholding_file: WithholdingFile = parse(withholding)?;
        let retention_file: RetentionFile = parse(retention)?;

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
        let grammar = dates_file.grammar(dates)?;
        let date_leads = dates_file
            .patterns
            .iter()
            .map(|p| grammar.lead(dates, p))
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
        let withholding = withholding_file
            .withholding
            .iter()
            .map(|w| w.check(withholding))
            .collect::<Result<_, RuleError>>()?;
        let retention = retention_file.check(retention)?;

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
            date_leads,
            header_date: grammar.compile(dates, &dates_file.header_date)?,
            any_date: grammar.compile(
                dates,
                &Spanned::new(dates_file.date.span(), "{date}".into()),
            )?,
            not_poll: lower(dates_file.not_poll),
            months: dates_file
                .months
                .into_inner()
                .into_iter()
                .map(lower)
                .collect(),
            findings: finding_rules,
            withholding_unknown: findings_file.withholding_unknown,
            election_types: elections_file
                .election
                .into_iter()
                .map(|e| ElectionRule {
                    election_type: e.election_type,
                    phrases: lower(e.phrases),
                    refined_by: e.refined_by,
                })
                .collect(),
            withholding,
            retention,
            digest,
        })
    }

    /// Severity and message of a finding rule. Every name in
    /// [`FINDING_RULES`] is present (checked when loading).
    pub(crate) fn finding(&self, rule: &str) -> Option<&FindingRule> {
        self.findings.get(rule)
    }
}

/// The digest of the rule texts in force, given in [`BUILTIN`] order: the
/// SHA-256 of each file's built-in name, its length in bytes and its text,
/// in that order, so that where a file was loaded from does not count and
/// every file in [`BUILTIN`] does.
fn digest(texts: &[(String, String); RULE_FILES]) -> String {
    let mut named = Vec::with_capacity(texts.iter().map(|(_, text)| text.len() + 64).sum());
    for ((name, _), (_, text)) in BUILTIN.iter().zip(texts) {
        named.extend_from_slice(format!("{name}\n{}\n", text.len()).as_bytes());
        named.extend_from_slice(text.as_bytes());
    }
    hex_sha256(&named)
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
    compile_as(file, pattern, group, Case::Insensitive)
}

/// How a pattern treats letter case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Matches text as printed, whatever its case.
    Insensitive,
    /// Matches text already lowercased (by `normalise_into`): the pattern
    /// must be written in lowercase. Searching is then much cheaper, as
    /// the regex engine can skip ahead to the pattern's literal words.
    Lowercase,
}

/// [`compile`], with `case` saying what text the pattern meets.
fn compile_as(
    file: &(String, String),
    pattern: &Spanned<String>,
    group: Option<&str>,
    case: Case,
) -> Result<Regex, RuleError> {
    if case == Case::Lowercase
        && let Some(letter) = uppercase_literal(pattern.get_ref())
    {
        return Err(error_at(
            file,
            pattern.span().start,
            &format!("pattern is matched against lowercased text: write `{letter}` in lowercase"),
        ));
    }
    let regex = RegexBuilder::new(pattern.get_ref())
        .case_insensitive(case == Case::Insensitive)
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

/// The first uppercase letter that a pattern would match literally: not
/// an escape (`\S`, `\p{Lu}`) nor a group name (`(?P<name>`).
fn uppercase_literal(pattern: &str) -> Option<char> {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let skip_to = match c {
            '\\' => match chars.next() {
                Some('p' | 'P') if chars.peek() == Some(&'{') => Some('}'),
                _ => None,
            },
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                match chars.peek() {
                    Some('P' | '<') => Some('>'),
                    _ => None,
                }
            }
            c if c.is_uppercase() => return Some(c),
            _ => None,
        };
        if let Some(end) = skip_to {
            chars.by_ref().find(|&c| c == end);
        }
    }
    None
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
    date: Spanned<String>,
    patterns: Vec<Spanned<String>>,
    not_poll: Vec<String>,
    header_date: Spanned<String>,
    weekdays: Vec<String>,
    ordinals: Vec<String>,
    months: Spanned<Vec<Vec<String>>>,
}

/// The date grammar of `dates.toml` with its word lists filled in, ready
/// to stand for `{date}` in the patterns.
struct DateGrammar {
    expanded: String,
}

impl DatesFile {
    /// The `date` grammar with `{weekday}`, `{month}` and `{ordinal}`
    /// replaced by alternations of the listed words, checked to compile
    /// with its `day` and `month` groups.
    fn grammar(&self, file: &(String, String)) -> Result<DateGrammar, RuleError> {
        let months: Vec<String> = self.months.get_ref().iter().flatten().cloned().collect();
        let expanded = self
            .date
            .get_ref()
            .replace("{weekday}", &alternation(&self.weekdays))
            .replace("{month}", &alternation(&months))
            .replace("{ordinal}", &alternation(&self.ordinals));
        let checked = Spanned::new(self.date.span(), expanded.clone());
        compile_as(file, &checked, Some("day"), Case::Lowercase)?;
        compile_as(file, &checked, Some("month"), Case::Lowercase)?;
        Ok(DateGrammar { expanded })
    }
}

impl DateGrammar {
    /// One pattern with `{date}` standing for the grammar; it must use it.
    fn compile(
        &self,
        file: &(String, String),
        pattern: &Spanned<String>,
    ) -> Result<Regex, RuleError> {
        if !pattern.get_ref().contains("{date}") {
            return Err(error_at(
                file,
                pattern.span().start,
                "pattern has no `{date}`",
            ));
        }
        let expanded = pattern
            .get_ref()
            .replace("{date}", &format!("(?:{})", self.expanded));
        compile_as(
            file,
            &Spanned::new(pattern.span(), expanded),
            Some("day"),
            Case::Lowercase,
        )
    }

    /// The lead of a poll-date pattern: its text before the `{date}` that
    /// must end it (and appear nowhere else in it), anchored at the end of
    /// the text it is asked of.
    fn lead(&self, file: &(String, String), pattern: &Spanned<String>) -> Result<Regex, RuleError> {
        let lead = pattern
            .get_ref()
            .trim_end()
            .strip_suffix("{date}")
            .filter(|lead| !lead.contains("{date}"))
            .ok_or_else(|| {
                error_at(
                    file,
                    pattern.span().start,
                    "pattern must end with `{date}`, its only `{date}`",
                )
            })?;
        compile_as(
            file,
            &Spanned::new(pattern.span(), format!("(?:{lead})\\z")),
            None,
            Case::Lowercase,
        )
    }
}

/// Words as one regex alternation, longest first, each lowercased and
/// escaped and its spaces matching any run of whitespace.
fn alternation(words: &[String]) -> String {
    let mut words: Vec<String> = words
        .iter()
        .map(|w| {
            w.to_lowercase()
                .split_whitespace()
                .map(regex::escape)
                .collect::<Vec<_>>()
                .join(r"\s+")
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    format!("(?:{})", words.join("|"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingsFile {
    rule: Spanned<HashMap<String, FindingEntry>>,
    withholding_unknown: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingEntry {
    severity: Severity,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElectionsFile {
    election: Vec<ElectionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElectionEntry {
    #[serde(rename = "type")]
    election_type: ElectionType,
    phrases: Vec<String>,
    #[serde(default)]
    refined_by: Vec<ElectionType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithholdingFile {
    withholding: Vec<WithholdingEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithholdingEntry {
    election: ElectionType,
    nations: Vec<String>,
    from: Spanned<String>,
    latest: Option<Spanned<String>>,
    uncertain: Option<Spanned<bool>>,
    legislation: String,
    note: Option<String>,
}

impl WithholdingEntry {
    /// The entry, checked: ISO dates, `latest` after `from`, and an
    /// uncertain date with its window and a note saying what is unsure.
    fn check(&self, file: &(String, String)) -> Result<Withholding, RuleError> {
        let iso = |date: &Spanned<String>| {
            if is_iso_date(date.get_ref()) {
                Ok(date.get_ref().clone())
            } else {
                Err(error_at(
                    file,
                    date.span().start,
                    "dates must be ISO dates (YYYY-MM-DD)",
                ))
            }
        };
        let from = iso(&self.from)?;
        let latest = self.latest.as_ref().map(iso).transpose()?;
        let at = self
            .uncertain
            .as_ref()
            .map_or(self.from.span().start, |u| u.span().start);
        let uncertain = self.uncertain.as_ref().is_some_and(|u| *u.get_ref());
        match (uncertain, &latest) {
            (true, None) => {
                return Err(error_at(
                    file,
                    at,
                    "an `uncertain` date needs `latest`, the date from which the rule surely applied",
                ));
            }
            (false, Some(_)) => {
                return Err(error_at(
                    file,
                    at,
                    "`latest` is for an `uncertain` date; add `uncertain = true`",
                ));
            }
            (true, Some(_)) if self.note.as_deref().is_none_or(|n| n.trim().is_empty()) => {
                return Err(error_at(
                    file,
                    at,
                    "an `uncertain` date needs a `note` saying what is unsure",
                ));
            }
            (_, Some(latest)) if *latest < from => {
                return Err(error_at(file, at, "`latest` is before `from`"));
            }
            _ => {}
        }
        if self.nations.is_empty() {
            return Err(error_at(file, at, "`nations` is empty"));
        }
        Ok(Withholding {
            election: self.election,
            nations: self.nations.clone(),
            from,
            latest,
            legislation: self.legislation.clone(),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionFile {
    period_days: Spanned<i64>,
    legislation: String,
    names_only_severity: Severity,
}

impl RetentionFile {
    /// The period, checked to be at least a day.
    fn check(self, file: &(String, String)) -> Result<Retention, RuleError> {
        if *self.period_days.get_ref() < 1 {
            return Err(error_at(
                file,
                self.period_days.span().start,
                "`period_days` must be at least 1",
            ));
        }
        Ok(Retention {
            period_days: self.period_days.into_inner(),
            legislation: self.legislation,
            names_only: self.names_only_severity,
        })
    }
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

    /// The built-in text of one rule file.
    fn builtin(name: &str) -> &'static str {
        BUILTIN.iter().find(|(n, _)| *n == name).unwrap().1
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
        assert_eq!(rules.retention.period_days, 21);
        assert_eq!(rules.retention.names_only, Severity::Info);
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
        let broken = text.replacen(
            r"(?P<area>[^()/](?:[^()/]*[^()/\s])?)\s*(?:\)|/|$)'",
            "(?P<area>[^()/]+?'",
            1,
        );
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
    fn date_patterns_must_end_with_the_date() {
        let dates = builtin("dates.toml");
        let trailing = dates.replacen(
            "take\\s+place|taken)\\s+on\\s+{date}'",
            "take\\s+place|taken)\\s+on\\s+{date}\\s+between'",
            1,
        );
        assert_ne!(trailing, dates);
        let err = with_file("dates.toml", &trailing).unwrap_err();
        assert!(err.reason.contains("must end with `{date}`"), "{err}");
        let twice = dates.replacen("polling\\s+day", "{date}\\s+polling\\s+day", 1);
        assert_ne!(twice, dates);
        let err = with_file("dates.toml", &twice).unwrap_err();
        assert!(err.reason.contains("its only `{date}`"), "{err}");
    }

    #[test]
    fn date_patterns_must_be_lowercase() {
        let dates = builtin("dates.toml");
        let capital = dates.replacen("polling\\s+day", "Polling\\s+day", 1);
        assert_ne!(capital, dates);
        let err = with_file("dates.toml", &capital).unwrap_err();
        assert!(err.reason.contains("write `P` in lowercase"), "{err}");
        // Escapes and group names may hold capitals.
        assert_eq!(uppercase_literal(r"(?P<Day>\S+)\p{Lu}\D"), None);
        assert_eq!(uppercase_literal(r"x\sY"), Some('Y'));
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

        let withholding = BUILTIN[9]
            .1
            .replace("from = \"2019-05-02\"", "from = \"2 May 2019\"");
        let err = with_file("withholding.toml", &withholding).unwrap_err();
        assert!(err.reason.contains("ISO date"), "{err}");

        let retention = BUILTIN[10].1.replace("period_days = 21", "period_days = 0");
        let err = with_file("retention.toml", &retention).unwrap_err();
        assert!(err.reason.contains("at least 1"), "{err}");
        let line = retention
            .lines()
            .position(|l| l.starts_with("period_days"))
            .unwrap()
            + 1;
        assert_eq!((err.file.as_str(), err.line), ("retention.toml", line));
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

    #[test]
    fn digest_names_the_rule_texts_in_force() {
        let builtin = Rules::builtin();
        assert_eq!(builtin.digest().len(), 64);
        assert!(builtin.digest().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(builtin.digest(), Rules::builtin().digest());
        assert_eq!(builtin.digest(), with_file("", "").unwrap().digest());

        let dir = std::env::temp_dir().join(format!("sopncheck-digest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A directory holding a built-in file unchanged: the same rules.
        std::fs::write(dir.join(BUILTIN[3].0), BUILTIN[3].1).unwrap();
        assert_eq!(Rules::load(&dir).unwrap().digest(), builtin.digest());
        // Any change to the text in force changes the digest.
        let changed = format!("{}\n# a comment\n", BUILTIN[3].1);
        std::fs::write(dir.join(BUILTIN[3].0), &changed).unwrap();
        let loaded = Rules::load(&dir).unwrap();
        assert_ne!(loaded.digest(), builtin.digest());
        assert_eq!(
            loaded.digest(),
            with_file(BUILTIN[3].0, &changed).unwrap().digest()
        );
        std::fs::remove_dir_all(&dir).unwrap();

        // Each file counts under its own name: the same text moved from one
        // file to the next is another set of rules.
        let mut texts = BUILTIN.map(|(n, t)| (n.to_string(), t.to_string()));
        let (first, second) = (texts[0].1.clone(), texts[1].1.clone());
        texts[0].1 = format!("{first}{second}");
        texts[1].1 = String::new();
        assert_ne!(digest(&texts), builtin.digest());
    }
}
