//! The consent and baseline file (`--allow FILE`): findings a person has
//! already dealt with.
//!
//! Input: a TOML file. Output: an [`AllowList`] that [`Report::build`]
//! consults to mark findings *suppressed*, with the reason. A suppressed
//! finding stays in every report (flagged, counted apart) and is ignored by
//! `--fail-on`; nothing is ever dropped silently. A malformed file is an
//! error naming `file:line`, never a partly applied list. An entry that
//! matches nothing in a report is a warning ([`AllowList::unmatched`]),
//! with the closest candidate or finding id: a typo must not pass for a
//! consent that was applied.
//!
//! Two kinds of entry:
//!
//! * `[[consent]]`: a candidate who confirmed on the home address form
//!   that their address may be published. Matched by council code,
//!   candidate name and (when given) post and election date; names and
//!   posts compared by their letters and digits only, whatever the case,
//!   punctuation and spacing (`OAKSHOTT, Bernard` is `Oakshott Bernard`).
//!   It suppresses that candidate's address findings (published, hidden,
//!   metadata, annotation, earlier revision, cross-document, own agent,
//!   pre-rule); it never suppresses `unscannable`, `unparsed-notice`,
//!   `unattributed-address` or `retention-expired` (a consent to publish
//!   is not a consent to keep the notice online past its retention
//!   period).
//!   Omit `post` only when the notice names none.
//! * `[[accepted]]`: one finding, by its stable `id` (the same for the same
//!   finding in a re-downloaded copy), with a required `reason`: the
//!   baseline a CI job keeps so only new findings fail it. It never
//!   suppresses `unparsed-notice` or `unattributed-address`.
//!
//! ```toml
//! # Candidates who asked for their home address to be published.
//! [[consent]]
//! council = "HCK"                      # register code, as in the report
//! post = "Example Ward"                # optional: the post as printed
//! candidate = "SAMPLE Alex"            # the name as printed
//! election_date = "2026-05-07"         # optional: only this election
//! note = "Home address form, 2026-03-30"  # optional, shown in reports
//!
//! # Findings reviewed and accepted.
//! [[accepted]]
//! id = "3f9c2a17b4d0e8519a2c"
//! reason = "Agent's office is a rented office, checked 2026-04-02"
//! ```
//!
//! [`Report::build`]: super::Report::build

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::Report;
use crate::detect::{FINDING_RULES, name_key};

/// Findings no consent covers: a file or notice nobody could read is not
/// the candidate's to consent to, and agreeing to have an address
/// published is not agreeing to have the notice kept online past its
/// retention period.
const NEVER_ALLOWED: [&str; 4] = [
    "unscannable",
    "unparsed-notice",
    "unattributed-address",
    "retention-expired",
];

/// Findings no entry suppresses, not even an accepted id: what the tool
/// could not read needs the notice itself fixed or read, not a baseline.
const NEVER_SUPPRESSED: [&str; 2] = ["unparsed-notice", "unattributed-address"];

/// Whether a consent covers findings of `rule`: every finding about a
/// candidate's address being readable, which is every rule of
/// [`FINDING_RULES`] but [`NEVER_ALLOWED`].
fn consent_covers(rule: &str) -> bool {
    !NEVER_ALLOWED.contains(&rule) && FINDING_RULES.contains(&rule)
}

/// Largest allow file read, in bytes.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A parsed allow file.
///
/// ```
/// use sopncheck::report::allow::{AllowList, FindingKey};
/// let list = AllowList::parse(
///     "[[consent]]\ncouncil = \"HCK\"\ncandidate = \"SAMPLE Alex\"\n",
///     "allow.toml",
/// )
/// .unwrap();
/// let key = FindingKey {
///     council: "HCK", election_date: None, rule: "published-home-address",
///     id: "0a1b", candidate: Some("Sample  ALEX"), post: Some("Example Ward"),
/// };
/// assert_eq!(list.suppression(&key).as_deref(), Some("candidate consented to publication (allow.toml:1)"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList {
    consents: Vec<Consent>,
    accepted: Vec<Accepted>,
}

/// A candidate's consent to publish their address.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Consent {
    /// The candidate and council as written, for warnings.
    written: String,
    council: String,
    post: Option<String>,
    candidate: String,
    election_date: Option<String>,
    note: Option<String>,
    at: Origin,
}

/// A finding accepted by id.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Accepted {
    id: String,
    reason: String,
    at: Origin,
}

/// Where an entry was written, for reasons and errors.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    file: String,
    line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What the allow list needs to know about a finding to match it.
#[derive(Clone, Copy, Debug)]
pub struct FindingKey<'a> {
    /// Council register code of the document.
    pub council: &'a str,
    /// Election date of the document, ISO 8601.
    pub election_date: Option<&'a str>,
    /// Rule name.
    pub rule: &'a str,
    /// Stable finding id.
    pub id: &'a str,
    /// Candidate concerned.
    pub candidate: Option<&'a str>,
    /// That candidate's post.
    pub post: Option<&'a str>,
}

/// A bad allow file: `file:line: reason`.
#[derive(Debug, thiserror::Error)]
pub enum AllowError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is larger than any allow list should be.
    #[error("{file}: larger than {MAX_FILE_BYTES} bytes")]
    TooLarge {
        /// The file.
        file: String,
    },
    /// The file is not valid TOML or not this format.
    #[error("{file}:{line}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    #[serde(default)]
    consent: Vec<Spanned<ConsentEntry>>,
    #[serde(default)]
    accepted: Vec<Spanned<AcceptedEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentEntry {
    council: String,
    #[serde(default)]
    post: Option<String>,
    candidate: String,
    #[serde(default)]
    election_date: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptedEntry {
    id: String,
    reason: String,
}

impl AllowList {
    /// Reads and parses an allow file.
    pub fn load(path: &Path) -> Result<AllowList, AllowError> {
        use std::io::Read;
        let file = path.display().to_string();
        let read_error = |source| AllowError::Read {
            file: file.clone(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(read_error)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read_error)?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(AllowError::TooLarge { file });
        }
        AllowList::parse(&text, &file)
    }

    /// Parses allow-file text; `file` names it in errors and reasons.
    pub fn parse(text: &str, file: &str) -> Result<AllowList, AllowError> {
        let invalid = |span: Option<Range<usize>>, reason: String| AllowError::Invalid {
            file: file.to_owned(),
            line: span.map_or(1, |span| line_of(text, span.start)),
            reason,
        };
        let parsed: FileFormat =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().to_owned()))?;
        let origin = |span: Range<usize>| Origin {
            file: file.to_owned(),
            line: line_of(text, span.start),
        };

        let mut consents = Vec::with_capacity(parsed.consent.len());
        for entry in parsed.consent {
            let span = entry.span();
            let entry = entry.into_inner();
            for (field, value) in [("council", &entry.council), ("candidate", &entry.candidate)] {
                if value.trim().is_empty() {
                    return Err(invalid(Some(span), format!("consent `{field}` is empty")));
                }
            }
            if let Some(date) = &entry.election_date
                && !is_iso_date(date)
            {
                let reason = format!("election_date {date:?} is not a YYYY-MM-DD date");
                return Err(invalid(Some(span), reason));
            }
            consents.push(Consent {
                written: format!("{:?} of {}", entry.candidate.trim(), entry.council.trim()),
                council: normalise(&entry.council),
                post: entry.post.as_deref().map(name_key),
                candidate: name_key(&entry.candidate),
                election_date: entry.election_date,
                note: entry.note.filter(|note| !note.trim().is_empty()),
                at: origin(span),
            });
        }

        let mut accepted: Vec<Accepted> = Vec::with_capacity(parsed.accepted.len());
        for entry in parsed.accepted {
            let span = entry.span();
            let entry = entry.into_inner();
            let id = entry.id.trim();
            if id.is_empty() {
                return Err(invalid(Some(span), "accepted `id` is empty".into()));
            }
            if entry.reason.trim().is_empty() {
                let reason = format!("accepted finding {id} needs a `reason`");
                return Err(invalid(Some(span), reason));
            }
            if let Some(earlier) = accepted.iter().find(|a| a.id == id) {
                let reason = format!(
                    "finding {id} is already accepted at line {}",
                    earlier.at.line
                );
                return Err(invalid(Some(span), reason));
            }
            accepted.push(Accepted {
                id: id.to_owned(),
                reason: entry.reason.trim().to_owned(),
                at: origin(span),
            });
        }
        Ok(AllowList { consents, accepted })
    }

    /// True when the list allows nothing.
    pub fn is_empty(&self) -> bool {
        self.consents.is_empty() && self.accepted.is_empty()
    }

    /// Why the finding is suppressed, or `None` when it is not. An accepted
    /// id wins over a consent.
    pub fn suppression(&self, finding: &FindingKey<'_>) -> Option<String> {
        if NEVER_SUPPRESSED.contains(&finding.rule) {
            return None;
        }
        if let Some(accepted) = self.accepted.iter().find(|a| a.id == finding.id) {
            return Some(format!("accepted ({}): {}", accepted.at, accepted.reason));
        }
        if !consent_covers(finding.rule) {
            return None;
        }
        let person = Person::new(
            finding.council,
            finding.candidate?,
            finding.post,
            finding.election_date,
        );
        let consent = self.consents.iter().find(|c| c.covers(&person))?;
        Some(match &consent.note {
            Some(note) => format!(
                "candidate consented to publication ({}): {note}",
                consent.at
            ),
            None => format!("candidate consented to publication ({})", consent.at),
        })
    }

    /// A warning for each entry that matches nothing in `report`, naming
    /// its `file:line` and the closest candidate or finding id there.
    /// A consent is judged only when the report holds its council or a
    /// candidate of that name elsewhere (a council code typed wrong): a
    /// list kept for many councils is used on reports of a few.
    pub fn unmatched(&self, report: &Report) -> Vec<String> {
        let mut warnings = self.unmatched_consents(report);
        warnings.extend(self.unmatched_accepted(report));
        warnings
    }

    /// The warnings of [`AllowList::unmatched`] for the consents. The
    /// report's people are listed only when there is a consent to look
    /// for: a national report names hundreds of thousands.
    fn unmatched_consents(&self, report: &Report) -> Vec<String> {
        if self.consents.is_empty() {
            return Vec::new();
        }
        let mut people = Vec::new();
        for council in &report.councils {
            for document in &council.documents {
                let date = document.election_date.as_deref();
                for candidate in &document.candidates {
                    people.push(Person::new(
                        &council.code,
                        &candidate.name,
                        candidate.post.as_deref(),
                        date,
                    ));
                }
                for finding in &document.findings {
                    if let Some(name) = &finding.candidate {
                        people.push(Person::new(
                            &council.code,
                            name,
                            finding.post.as_deref(),
                            date,
                        ));
                    }
                }
            }
        }
        let mut warnings = Vec::new();
        for consent in &self.consents {
            if people.iter().any(|person| consent.covers(person)) {
                continue;
            }
            let judged = people
                .iter()
                .any(|p| p.council == consent.council || p.candidate == consent.candidate);
            if !judged {
                continue;
            }
            let nearest = people.iter().max_by(|a, b| {
                let similarity = |p: &Person<'_>| {
                    strsim::normalized_levenshtein(&p.candidate, &consent.candidate)
                };
                similarity(a).total_cmp(&similarity(b))
            });
            let closest = nearest.map_or(String::new(), |p| {
                let post = p
                    .post_as_printed
                    .map_or(String::new(), |post| format!(", {post}"));
                format!(
                    "; closest candidate: {:?} ({}{post})",
                    p.name_as_printed, p.code
                )
            });
            warnings.push(format!(
                "{}: consent for {} matches no candidate in the report{closest}",
                consent.at, consent.written
            ));
        }
        warnings
    }

    /// The warnings of [`AllowList::unmatched`] for the accepted ids.
    fn unmatched_accepted(&self, report: &Report) -> Vec<String> {
        if self.accepted.is_empty() {
            return Vec::new();
        }
        let ids: Vec<&str> = report.findings().map(|l| l.finding.id.as_str()).collect();
        let mut warnings = Vec::new();
        for accepted in &self.accepted {
            if ids.contains(&accepted.id.as_str()) {
                continue;
            }
            let nearest = ids
                .iter()
                .map(|id| (strsim::normalized_levenshtein(id, &accepted.id), *id))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(similarity, _)| *similarity >= CLOSE_ID_SIMILARITY);
            let closest = nearest.map_or(String::new(), |(_, id)| format!("; closest id: {id}"));
            warnings.push(format!(
                "{}: accepted id {} matches no finding in the report{closest}",
                accepted.at, accepted.id
            ));
        }
        warnings
    }
}

/// Least similarity (0 to 1) of a finding id offered as the one an
/// unmatched `[[accepted]]` id meant (a truncated or mistyped copy).
const CLOSE_ID_SIMILARITY: f64 = 0.6;

/// A candidate as a consent is matched against: council, name and post as
/// keys, and the document's election date.
struct Person<'a> {
    code: &'a str,
    council: String,
    name_as_printed: &'a str,
    candidate: String,
    post_as_printed: Option<&'a str>,
    post: Option<String>,
    election_date: Option<&'a str>,
}

impl<'a> Person<'a> {
    fn new(
        code: &'a str,
        name: &'a str,
        post: Option<&'a str>,
        election_date: Option<&'a str>,
    ) -> Person<'a> {
        Person {
            code,
            council: normalise(code),
            name_as_printed: name,
            candidate: name_key(name),
            post_as_printed: post,
            post: post.map(name_key),
            election_date,
        }
    }
}

impl Consent {
    /// Whether this consent is the candidate's.
    fn covers(&self, person: &Person<'_>) -> bool {
        self.council == person.council
            && self.candidate == person.candidate
            && self
                .post
                .as_ref()
                .is_none_or(|p| person.post.as_ref() == Some(p))
            && self
                .election_date
                .as_deref()
                .is_none_or(|d| person.election_date == Some(d))
    }
}

/// A paste-ready allow-file entry that suppresses `finding`: a
/// `[[consent]]` for a candidate's address finding (what a council records
/// once the candidate's home address form confirms they chose to publish
/// it), an `[[accepted]]` for any other finding an entry may suppress, with
/// a `note` or `reason` to edit; `None` for a finding no entry suppresses.
///
/// ```
/// use sopncheck::report::allow::{entry_for, FindingKey};
/// let key = FindingKey {
///     council: "HCK",
///     election_date: None,
///     rule: "unscannable",
///     id: "3f9c2a17b4d0e851",
///     candidate: None,
///     post: None,
/// };
/// assert_eq!(
///     entry_for(&key).unwrap(),
///     "[[accepted]]\nid = \"3f9c2a17b4d0e851\"\nreason = \"checked by eye: no address\"\n"
/// );
/// ```
pub fn entry_for(finding: &FindingKey<'_>) -> Option<String> {
    if NEVER_SUPPRESSED.contains(&finding.rule) {
        return None;
    }
    let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let mut entry = String::new();
    match finding.candidate {
        Some(candidate) if consent_covers(finding.rule) => {
            entry.push_str("[[consent]]\n");
            entry.push_str(&format!("council = {}\n", quote(finding.council)));
            if let Some(post) = finding.post {
                entry.push_str(&format!("post = {}\n", quote(post)));
            }
            entry.push_str(&format!("candidate = {}\n", quote(candidate)));
            if let Some(date) = finding.election_date.filter(|d| is_iso_date(d)) {
                entry.push_str(&format!("election_date = {}\n", quote(date)));
            }
            entry.push_str("note = \"home address form: candidate chose to publish\"\n");
        }
        _ => {
            entry.push_str("[[accepted]]\n");
            entry.push_str(&format!("id = {}\n", quote(finding.id)));
            entry.push_str("reason = \"checked by eye: no address\"\n");
        }
    }
    Some(entry)
}

/// Lowercase, with every run of whitespace as one space, trimmed.
fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// 1-based line of a byte offset (offsets past the end count as the last line).
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts[..] else {
        return false;
    };
    let number = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    matches!(
        (number(year, 4), number(month, 2), number(day, 2)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[consent]]
council = "hck"
post = "Example  Ward"
candidate = "SAMPLE Alex"
election_date = "2026-05-07"

[[consent]]
council = "YOR"
candidate = "TESTER Jo"
note = "form received"

[[accepted]]
id = "abc123"
reason = "reviewed"
"#;

    fn key<'a>(council: &'a str, candidate: &'a str, post: Option<&'a str>) -> FindingKey<'a> {
        FindingKey {
            council,
            election_date: Some("2026-05-07"),
            rule: "published-home-address",
            id: "f00",
            candidate: Some(candidate),
            post,
        }
    }

    #[test]
    fn consent_matches_council_post_name_and_date() {
        let list = AllowList::parse(FILE, "allow.toml").unwrap();
        let hit = list.suppression(&key("HCK", "sample alex", Some("Example Ward")));
        assert_eq!(
            hit.as_deref(),
            Some("candidate consented to publication (allow.toml:2)")
        );
        assert!(
            list.suppression(&key("HCK", "SAMPLE Alex", Some("Other Ward")))
                .is_none()
        );
        assert!(
            list.suppression(&key("HCK", "SAMPLE Alexa", Some("Example Ward")))
                .is_none()
        );
        assert!(
            list.suppression(&key("YOR", "SAMPLE Alex", Some("Example Ward")))
                .is_none()
        );
        let other_election = FindingKey {
            election_date: Some("2022-05-05"),
            ..key("HCK", "SAMPLE Alex", Some("Example Ward"))
        };
        assert!(list.suppression(&other_election).is_none());
        let any_post = list.suppression(&key("YOR", "TESTER  Jo", None));
        assert_eq!(
            any_post.as_deref(),
            Some("candidate consented to publication (allow.toml:8): form received")
        );
    }

    #[test]
    fn pasted_entries_suppress_their_finding() {
        let quoted = FindingKey {
            post: Some("St. \"Quoted\" Ward\\"),
            ..key("YOR", "O'NEIL Jo\nAnn", None)
        };
        let unreadable = FindingKey {
            rule: "unscannable",
            candidate: None,
            ..key("YOR", "", None)
        };
        for finding in [quoted, key("HCK", "SAMPLE Alex", None), unreadable] {
            let entry = entry_for(&finding).unwrap();
            let list = AllowList::parse(&entry, "pasted.toml").unwrap();
            assert!(list.suppression(&finding).is_some(), "{entry}");
            let other = FindingKey {
                id: "other",
                candidate: Some("SOMEONE Else"),
                ..finding
            };
            assert!(list.suppression(&other).is_none(), "{entry}");
        }
        assert!(
            entry_for(&key("YOR", "SAMPLE Alex", None))
                .unwrap()
                .starts_with("[[consent]]")
        );
        let unparsed = FindingKey {
            rule: "unparsed-notice",
            ..key("YOR", "SAMPLE Alex", None)
        };
        assert_eq!(entry_for(&unparsed), None);
    }

    #[test]
    fn consent_does_not_cover_unreadable_files_or_notices_or_retention() {
        let list = AllowList::parse(FILE, "allow.toml").unwrap();
        for rule in NEVER_ALLOWED {
            let unread = FindingKey {
                rule,
                ..key("YOR", "TESTER Jo", None)
            };
            assert!(list.suppression(&unread).is_none(), "{rule}");
        }
    }

    #[test]
    fn accepted_ids_match_any_rule() {
        let list = AllowList::parse(FILE, "allow.toml").unwrap();
        let finding = FindingKey {
            id: "abc123",
            rule: "unscannable",
            candidate: None,
            ..key("ZZZ", "", None)
        };
        assert_eq!(
            list.suppression(&finding).as_deref(),
            Some("accepted (allow.toml:13): reviewed")
        );
        let retention = FindingKey {
            rule: "retention-expired",
            ..finding
        };
        assert!(list.suppression(&retention).is_some());
        for rule in ["unparsed-notice", "unattributed-address"] {
            let unread = FindingKey { rule, ..finding };
            assert!(list.suppression(&unread).is_none(), "{rule}");
        }
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            (
                "[[consent]]\ncouncil = \"HCK\"\n",
                "allow.toml:1: missing field `candidate`",
            ),
            (
                "\n\n[[accepted]]\nid = \"x\"\nreason = \" \"\n",
                "allow.toml:3: accepted finding x needs a `reason`",
            ),
            (
                "[[consent]]\ncouncil = \"A\"\ncandidate = \"B\"\nelection_date = \"7 May\"\n",
                "allow.toml:1: election_date \"7 May\" is not a YYYY-MM-DD date",
            ),
            (
                "\n[[consent]]\ncouncil = \"A\"\ncandidate = \"B\"\nwho = 1\n",
                "allow.toml:5: unknown field `who`, expected one of `council`, `post`, `candidate`, `election_date`, `note`",
            ),
            ("x = = 1", "allow.toml:1: "),
            (
                "[[accepted]]\nid = \"a\"\nreason = \"r\"\n[[accepted]]\nid = \"a\"\nreason = \"r\"\n",
                "allow.toml:4: finding a is already accepted at line 1",
            ),
        ];
        for (text, expected) in cases {
            let error = AllowList::parse(text, "allow.toml")
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(expected), "{text:?}: got {error:?}");
        }
    }

    #[test]
    fn dates() {
        assert!(is_iso_date("2026-05-07"));
        assert!(!is_iso_date("2026-13-07"));
        assert!(!is_iso_date("26-05-07"));
        assert!(!is_iso_date("2026-05-07-1"));
    }
}
