//! What a notice is.
//!
//! Input: the visible rows of a notice that are not candidates' rows.
//! Output: its [`NoticeKind`], from phrases in its first such rows
//! (`rules/kinds.toml`). Its date is [`dates`](super::dates)' job, its
//! election type [`election`](super::election)'s.

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

/// Compiled kind rules.
#[derive(Clone, Debug)]
pub(crate) struct Classifier {
    head_rows: usize,
    phrases: PhraseSet,
    group_count: usize,
    kinds: Vec<KindGroups>,
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
}
