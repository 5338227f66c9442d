//! What a notice is, and when its election is.
//!
//! Input: the visible rows of a notice that are not candidates' rows.
//! Output: its [`NoticeKind`] (from phrases in its first such rows,
//! `rules/kinds.toml`), the election date printed in it as ISO 8601 (`rules/dates.toml`), and whether it is a UK
//! Parliament election.
//!
//! The notice's own date ("Dated 24 April 2019") is never taken for the
//! election date: a notice with no poll date printed has none.

use regex::{Captures, Regex};

use super::rules::Rules;
use super::text::PhraseSet;
use crate::model::NoticeKind;

/// One kind's phrase groups in [`Classifier::phrases`].
#[derive(Clone, Debug)]
struct KindGroups {
    kind: NoticeKind,
    all: Vec<usize>,
    any: Option<usize>,
}

/// Group of UK Parliament phrases in [`Classifier::parliamentary`].
const PARLIAMENTARY: usize = 0;
/// Group of other parliaments' phrases.
const NOT_PARLIAMENTARY: usize = 1;

/// Compiled kind and date rules.
#[derive(Clone, Debug)]
pub(crate) struct Classifier {
    head_rows: usize,
    phrases: PhraseSet,
    group_count: usize,
    kinds: Vec<KindGroups>,
    parliamentary: PhraseSet,
    date_patterns: Vec<Regex>,
    header_date: Regex,
    months: Vec<Vec<String>>,
}

impl Classifier {
    pub(crate) fn new(rules: &Rules) -> Classifier {
        let mut groups: Vec<(usize, &[String])> = Vec::new();
        let mut kinds = Vec::new();
        for rule in &rules.kinds {
            let mut all = Vec::new();
            for phrase in &rule.all {
                all.push(groups.len());
                groups.push((groups.len(), std::slice::from_ref(phrase)));
            }
            let any = (!rule.any.is_empty()).then(|| {
                groups.push((groups.len(), rule.any.as_slice()));
                groups.len() - 1
            });
            kinds.push(KindGroups {
                kind: rule.kind,
                all,
                any,
            });
        }
        Classifier {
            head_rows: rules.kind_head_rows,
            group_count: groups.len(),
            phrases: PhraseSet::new(groups),
            kinds,
            parliamentary: PhraseSet::new([
                (PARLIAMENTARY, rules.parliamentary.as_slice()),
                (NOT_PARLIAMENTARY, rules.not_parliamentary.as_slice()),
            ]),
            date_patterns: rules.date_patterns.clone(),
            header_date: rules.header_date.clone(),
            months: rules.months.clone(),
        }
    }

    /// How many leading rows [`Classifier::kind`] reads.
    pub(crate) fn head_rows(&self) -> usize {
        self.head_rows
    }

    /// The kind of a notice from its normalised head text (the first
    /// [`Classifier::head_rows`] visible rows that are not candidates').
    pub(crate) fn kind(&self, head: &str) -> NoticeKind {
        let mut present = vec![false; self.group_count];
        for (group, _, _) in self.phrases.hits(head) {
            if let Some(slot) = present.get_mut(group) {
                *slot = true;
            }
        }
        let has = |g: &usize| present.get(*g).copied().unwrap_or(false);
        self.kinds
            .iter()
            .find(|k| k.all.iter().all(has) && k.any.as_ref().is_none_or(has))
            .map_or(NoticeKind::Other, |k| k.kind)
    }

    /// Whether normalised text names a UK Parliament election.
    /// A phrase of another parliament ("the European Parliamentary
    /// election" held the same day) does not count.
    pub(crate) fn is_parliamentary(&self, normal: &str) -> bool {
        let hits: Vec<(usize, usize, usize)> = self.parliamentary.hits(normal).collect();
        hits.iter().any(|&(group, start, end)| {
            group == PARLIAMENTARY
                && !hits
                    .iter()
                    .any(|&(g, s, e)| g == NOT_PARLIAMENTARY && s <= start && e >= end)
        })
    }

    /// The election date in the notice: first from the date patterns over
    /// `head_text` (the visible text of its first rows), then from a row that is only a date among
    /// `header_rows` (the rows above the first candidate table).
    pub(crate) fn election_date<'r>(
        &self,
        head_text: &str,
        header_rows: impl IntoIterator<Item = &'r str>,
    ) -> Option<String> {
        let from_patterns = self
            .date_patterns
            .iter()
            .filter_map(|p| p.captures(head_text))
            .find_map(|c| self.iso(&c));
        from_patterns.or_else(|| {
            header_rows
                .into_iter()
                .filter_map(|row| self.header_date.captures(row.trim()))
                .find_map(|c| self.iso(&c))
        })
    }

    /// `YYYY-MM-DD` from `day`, `month` and `year` groups, if they make a
    /// date.
    fn iso(&self, captures: &Captures<'_>) -> Option<String> {
        let day: u32 = captures.name("day")?.as_str().parse().ok()?;
        let month_name = captures.name("month")?.as_str().to_lowercase();
        let month = self
            .months
            .iter()
            .position(|names| names.contains(&month_name))?
            + 1;
        let year: u32 = captures.name("year")?.as_str().parse().ok()?;
        let days_in_month = match month {
            2 if year.is_multiple_of(4)
                && (!year.is_multiple_of(100) || year.is_multiple_of(400)) =>
            {
                29
            }
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        ((1..=days_in_month).contains(&day) && (1900..=2200).contains(&year))
            .then(|| format!("{year:04}-{month:02}-{day:02}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new(&Rules::builtin())
    }

    #[test]
    fn kinds_from_head_phrases() {
        let c = classifier();
        assert_eq!(
            c.kind("statement of persons nominated exampleton"),
            NoticeKind::Sopn
        );
        assert_eq!(
            c.kind("statement of person nominated & notice of poll borough of exampleton"),
            NoticeKind::SopnAndNoticeOfPoll
        );
        assert_eq!(
            c.kind("notice of election agents' names and offices"),
            NoticeKind::NoticeOfAgents
        );
        assert_eq!(c.kind("notice of poll"), NoticeKind::NoticeOfPoll);
        assert_eq!(
            c.kind("declaration of result of poll"),
            NoticeKind::DeclarationOfResult
        );
        assert_eq!(c.kind("specimen ballot paper"), NoticeKind::BallotPaper);
        assert_eq!(c.kind("council tax bands"), NoticeKind::Other);
    }

    #[test]
    fn election_date_not_notice_date() {
        let c = classifier();
        let text = "1. A poll for the election of a Councillor for Exampleton will be held on Thursday 2 May 2019, between";
        assert_eq!(c.election_date(text, []).as_deref(), Some("2019-05-02"));
        let dated = "Dated Friday 13 October 2023 Returning Officer";
        assert_eq!(
            c.election_date(dated, ["Dated Friday 13 October 2023"]),
            None
        );
        assert_eq!(
            c.election_date(dated, ["EXAMPLETON COUNCIL", "THURSDAY, 3 MAY 2018"])
                .as_deref(),
            Some("2018-05-03")
        );
        assert_eq!(c.election_date("", ["31 February 2019"]), None);
        assert_eq!(
            c.election_date("Date of poll: 4th June 2015", [])
                .as_deref(),
            Some("2015-06-04")
        );
    }
}
