//! Retention: a candidate notice still online after the period that
//! follows its poll (`rules/retention.toml`: the election petition
//! deadline, 21 days).
//!
//! Input: one document's [`DocumentFindings`] (its kind, poll date,
//! candidates and findings) and the day it was seen online. Output: at
//! most one `retention-expired` finding added to it: severity
//! `findings.toml`'s (low) when the notice prints a candidate's home
//! address, `retention.toml`'s `names_only_severity` (info) when it prints
//! only names. Nothing when the notice is not a candidate notice or its
//! poll date could not be read; the caller passes no day when it does not
//! know one (a local file scanned without `--as-of`). This pass guesses no
//! date and reads no clock.

use super::Detector;
use super::cross::PRINTING_RULES;
use super::findings::stable_id;
use super::text::key;
use crate::clock;
use crate::model::{DocumentFindings, Finding};

/// The rule this pass reports.
const RULE: &str = "retention-expired";

/// Seconds in a day.
const DAY: i64 = 86_400;

impl Detector {
    /// Adds a `retention-expired` finding to `detection` when it is a
    /// candidate notice whose poll (its `election_date`) was more than the
    /// retention period before `online_at`, the instant (seconds since the
    /// Unix epoch, UTC) it was seen online. Days are counted in UTC
    /// calendar days: on the period's last day the notice is still within
    /// it.
    pub fn check_retention(&self, detection: &mut DocumentFindings, online_at: i64) {
        let retention = &self.rules.retention;
        let (Some(definition), Some(poll)) =
            (self.rules.finding(RULE), detection.election_date.as_deref())
        else {
            return;
        };
        let Some(poll_at) = clock::parse_date(poll) else {
            return;
        };
        let days = online_at.div_euclid(DAY) - poll_at.div_euclid(DAY);
        if !detection.kind.lists_candidates() || days <= retention.period_days {
            return;
        }
        let candidates = detection.candidates.len();
        let printed = detection
            .candidates
            .iter()
            .filter(|c| {
                detection.findings.iter().any(|f| {
                    PRINTING_RULES.contains(&f.rule.as_str())
                        && f.candidate.as_deref() == Some(c.name.as_str())
                })
            })
            .count();
        let (holds, severity) = match (printed, candidates) {
            (0, 0) => (
                "candidates that could not be read".to_owned(),
                retention.names_only,
            ),
            (0, n) => (
                format!("the names of {n} candidate{}, no home address", plural(n)),
                retention.names_only,
            ),
            (p, n) => (
                format!("home addresses of {p} of its {n} candidate{}", plural(n)),
                definition.severity,
            ),
        };
        let kind = detection.kind.name();
        let evidence = format!(
            "{kind} printing {holds}: poll {poll}, still online {online}, {days} days later; \
             the retention period is {period} days ({legislation})",
            online = clock::date(online_at),
            period = retention.period_days,
            legislation = retention.legislation,
        );
        // The same notice gives the same id whenever it is seen: the id
        // holds what it prints, never the day it was seen.
        let mut names: Vec<String> = detection.candidates.iter().map(|c| key(&c.name)).collect();
        names.sort();
        let printing = if printed > 0 { "addresses" } else { "names" };
        let content = format!("{kind} {poll} {printing} {}", names.join(" "));
        detection.findings.push(Finding {
            id: stable_id(RULE, None, None, &content, "notice"),
            rule: RULE.to_owned(),
            severity,
            candidate: None,
            page: None,
            evidence,
            postcode: None,
            layer: Some("notice".to_owned()),
            message: definition.message.clone(),
        });
    }
}

/// The plural ending for `n` things.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Rules;
    use crate::model::{ElectionReading, NoticeKind, Severity};

    fn notice(kind: NoticeKind, poll: Option<&str>) -> DocumentFindings {
        DocumentFindings {
            kind,
            election_date: poll.map(str::to_owned),
            election: ElectionReading::default(),
            council: None,
            candidates: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// The retention findings for `notice` seen online at `online`
    /// (`YYYY-MM-DDTHH:MM`, UTC).
    fn checked(mut notice: DocumentFindings, online: &str) -> Vec<Finding> {
        let (day, time) = online.split_once('T').unwrap();
        let (hours, minutes) = time.split_once(':').unwrap();
        let at = clock::parse_date(day).unwrap()
            + hours.parse::<i64>().unwrap() * 3600
            + minutes.parse::<i64>().unwrap() * 60;
        Detector::new(&Rules::builtin()).check_retention(&mut notice, at);
        notice.findings
    }

    #[test]
    fn the_period_ends_with_its_last_utc_day() {
        let sopn = || notice(NoticeKind::Sopn, Some("2026-05-07"));
        assert!(checked(sopn(), "2026-05-07T12:00").is_empty());
        assert!(checked(sopn(), "2026-05-28T23:59").is_empty());
        let past = checked(sopn(), "2026-05-29T00:00");
        assert_eq!(past.len(), 1);
        // No candidate read: what it prints beyond names is not known.
        assert_eq!(past[0].severity, Severity::Info);
        assert!(past[0].evidence.contains("22 days later"), "{past:?}");
        // Seen before its poll: nothing.
        assert!(checked(sopn(), "2026-04-01T00:00").is_empty());
    }

    #[test]
    fn nothing_without_a_poll_date_or_for_other_documents() {
        for (kind, poll) in [
            (NoticeKind::Sopn, None),
            (NoticeKind::Sopn, Some("2026-02-30")),
            (NoticeKind::Other, Some("2026-05-07")),
        ] {
            assert!(
                checked(notice(kind, poll), "2030-01-01T00:00").is_empty(),
                "{kind:?} {poll:?}"
            );
        }
    }
}
