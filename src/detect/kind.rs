//! What a notice is.
//!
//! Input: the phrases (`rules/kinds.toml`) found in the first visible rows
//! of a notice that are not candidates' rows; the detector finds them in
//! the same pass as the election type's. Output: its [`NoticeKind`]. Its
//! date is [`dates`](super::dates)' job, its election type
//! [`election`](super::election)'s.

use super::rules::Rules;
use crate::model::NoticeKind;

/// One kind's phrase groups in [`Classifier::phrase_groups`].
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
    group_count: usize,
    kinds: Vec<KindGroups>,
}

impl Classifier {
    pub(crate) fn new(rules: &Rules) -> Classifier {
        let (groups, kinds) = kind_groups(rules);
        Classifier {
            head_rows: rules.kind_head_rows,
            group_count: groups.len(),
            kinds,
        }
    }

    /// The phrase groups [`Classifier::kind`] reads, numbered from 0, for a
    /// [`PhraseSet`](super::text::PhraseSet) that may hold other groups
    /// after them (the detector finds election types in the same pass).
    pub(crate) fn phrase_groups(rules: &Rules) -> Vec<(usize, &[String])> {
        kind_groups(rules).0
    }

    /// How many leading rows [`Classifier::kind`] reads.
    pub(crate) fn head_rows(&self) -> usize {
        self.head_rows
    }

    /// The kind of a notice from the [`Classifier::phrase_groups`] found
    /// in its normalised head text (the first [`Classifier::head_rows`]
    /// visible rows that are not candidates'); other groups are ignored.
    pub(crate) fn kind(&self, found: impl IntoIterator<Item = usize>) -> NoticeKind {
        let mut present = vec![false; self.group_count];
        for group in found {
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

/// The phrase groups of the kind rules (each `all` phrase a group of its
/// own, each kind's `any` phrases one group) and which groups each kind
/// needs.
fn kind_groups(rules: &Rules) -> (Vec<(usize, &[String])>, Vec<KindGroups>) {
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
    (groups, kinds)
}

#[cfg(test)]
mod tests {
    use super::super::text::PhraseSet;
    use super::*;

    /// Reads the kind of a normalised head text as the detector does.
    struct Reader {
        classifier: Classifier,
        phrases: PhraseSet,
    }

    impl Reader {
        fn kind(&self, head: &str) -> NoticeKind {
            let found = self.phrases.hits(head).map(|(group, _, _)| group);
            self.classifier.kind(found)
        }
    }

    fn classifier() -> Reader {
        let rules = Rules::builtin();
        Reader {
            classifier: Classifier::new(&rules),
            phrases: PhraseSet::new(Classifier::phrase_groups(&rules)),
        }
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
