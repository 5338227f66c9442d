//! Cross-document checks: a candidate who withheld their home address in
//! one notice of a council, but whose address another notice of the same
//! council prints (as a published address or as their own agent's office).
//!
//! Input: every scanned document of a run. Output: a
//! `cross-document-address` finding added to the document that prints the
//! address, naming the candidate; the original finding stays. Documents of
//! different councils are never compared, and a candidate is the same only
//! when the names hold the same words and, where both notices name the
//! post, the posts agree.

use std::collections::HashMap;

use rayon::prelude::*;

use super::Detector;
use super::findings::stable_id;
use super::rules::FindingRule;
use super::text::{key, key_into};
use crate::model::{AddressStatus, Candidate, Finding, ScannedDocument};

/// Rules whose finding prints a candidate's address in plain view.
pub(super) const PRINTING_RULES: [&str; 3] = [
    "published-home-address",
    "pre-rule-published-address",
    "own-agent-home-address",
];

/// The rule this pass reports.
const RULE: &str = "cross-document-address";

impl Detector {
    /// Adds `cross-document-address` findings across `documents` (a whole
    /// scan or audit).
    pub fn cross_check(&self, documents: &mut [ScannedDocument]) {
        let Some(definition) = self.rules.finding(RULE) else {
            return;
        };
        // Documents of different councils are never compared: each
        // council's are checked on their own, in their order, so a
        // national run holds one council's withheld candidates at a time.
        let mut by_council: Vec<usize> = (0..documents.len()).collect();
        by_council.sort_by(|&a, &b| documents[a].council.cmp(&documents[b].council));
        let additions: Vec<(usize, Finding)> = by_council
            .chunk_by(|&a, &b| documents[a].council == documents[b].council)
            .flat_map(|council| printed_in_council(documents, council, definition))
            .collect();
        for (index, finding) in additions {
            let findings = &mut documents[index].detection.findings;
            if findings.iter().all(|f| f.id != finding.id) {
                findings.push(finding);
            }
        }
    }
}

/// A candidate who withheld their address.
struct Withholder<'d> {
    /// The index of their document.
    index: usize,
    /// The [`key`] of their post.
    post: Option<String>,
    candidate: &'d Candidate,
}

/// A council's withheld candidates by [`name_key_into`].
type Withheld<'d> = HashMap<String, Vec<Withholder<'d>>>;

/// The `cross-document-address` findings of one council's documents
/// (`council`: their indices in `documents`, in order), with the index of
/// the document each belongs to.
fn printed_in_council(
    documents: &[ScannedDocument],
    council: &[usize],
    definition: &FindingRule,
) -> Vec<(usize, Finding)> {
    // Withheld candidates by name (its words, sorted, so "Tobias QUILLAN"
    // is "QUILLAN Tobias"): one lookup per finding. The names' keys are
    // worked out in parallel, one list per document.
    let keyed: Vec<Vec<(String, Withholder<'_>)>> = council
        .par_iter()
        .map(|&index| {
            let mut scratch = String::new();
            documents[index]
                .detection
                .candidates
                .iter()
                .filter(|c| c.address_status == AddressStatus::Withheld)
                .map(|c| {
                    let mut name = String::new();
                    name_key_into(&c.name, &mut scratch, &mut name);
                    let post = c.post.as_deref().map(key);
                    (
                        name,
                        Withholder {
                            index,
                            post,
                            candidate: c,
                        },
                    )
                })
                .collect()
        })
        .collect();
    let mut withheld: Withheld<'_> = HashMap::new();
    for (name, withholder) in keyed.into_iter().flatten() {
        withheld.entry(name).or_default().push(withholder);
    }
    if withheld.is_empty() {
        return Vec::new();
    }
    council
        .par_iter()
        .flat_map_iter(|&index| printed_elsewhere(&withheld, index, &documents[index], definition))
        .collect()
}

/// The `cross-document-address` findings for one document (number `index`):
/// one per finding that prints the address of a candidate who withheld it
/// in another notice of the same council (`withheld`, the council's).
fn printed_elsewhere(
    withheld: &Withheld<'_>,
    index: usize,
    document: &ScannedDocument,
    definition: &FindingRule,
) -> Vec<(usize, Finding)> {
    let mut additions = Vec::new();
    let (mut scratch, mut key_of_name) = (String::new(), String::new());
    for finding in &document.detection.findings {
        if !PRINTING_RULES.contains(&finding.rule.as_str()) {
            continue;
        }
        let Some(name) = &finding.candidate else {
            continue;
        };
        name_key_into(name, &mut scratch, &mut key_of_name);
        let Some(same_name) = withheld.get(key_of_name.as_str()) else {
            continue;
        };
        let printed = document
            .detection
            .candidates
            .iter()
            .find(|c| &c.name == name);
        let post = printed.and_then(|c| c.post.as_deref()).map(key);
        let elsewhere = same_name.iter().find(|other| {
            other.index != index
                && match (&other.post, &post) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
        let Some(Withholder { candidate, .. }) = elsewhere else {
            continue;
        };
        let layer = finding.layer.clone().unwrap_or_else(|| "visible".into());
        additions.push((
            index,
            Finding {
                id: stable_id(
                    RULE,
                    Some(candidate),
                    finding.postcode.as_deref(),
                    &finding.evidence,
                    &layer,
                ),
                rule: RULE.to_owned(),
                severity: definition.severity,
                candidate: Some(name.clone()),
                page: finding.page,
                evidence: finding.evidence.clone(),
                postcode: finding.postcode.clone(),
                layer: Some(layer),
                message: definition.message.clone(),
            },
        ));
    }
    additions
}

/// Writes a name as the set of its words into `out`: the same for
/// "QUILLAN Tobias" and "Tobias Quillan". `scratch` is working space.
fn name_key_into(name: &str, scratch: &mut String, out: &mut String) {
    key_into(name, scratch);
    let mut words: Vec<&str> = scratch.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    out.clear();
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Rules;
    use crate::model::{DocumentFindings, NoticeKind, Severity, TextSource};

    fn candidate(name: &str, status: AddressStatus) -> Candidate {
        Candidate {
            name: name.into(),
            post: Some("Harbour".into()),
            address_status: status,
            address: None,
            withheld_area: None,
            postcode: None,
            page: 1,
            withdrawn: false,
            description: None,
        }
    }

    fn document(council: &str, kind: NoticeKind, candidates: Vec<Candidate>) -> ScannedDocument {
        ScannedDocument {
            source: format!("{council}-{kind:?}"),
            sha256: String::new(),
            council: council.into(),
            pages: 1,
            text_layer: true,
            text_source: Some(TextSource::Text),
            error: None,
            origin: Default::default(),
            detection: DocumentFindings {
                kind,
                election_date: None,
                election: Default::default(),
                council: None,
                candidates,
                findings: Vec::new(),
            },
        }
    }

    fn own_agent(name: &str) -> Finding {
        Finding {
            id: "x".into(),
            rule: "own-agent-home-address".into(),
            severity: Severity::Medium,
            candidate: Some(name.into()),
            page: Some(1),
            evidence: "14 Quenby Road, Northbury, NB4 7QT".into(),
            postcode: Some("NB4 7QT".into()),
            layer: Some("visible".into()),
            message: String::new(),
        }
    }

    #[test]
    fn withheld_in_the_sopn_printed_in_the_agents_notice() {
        let detector = Detector::new(&Rules::builtin());
        let sopn = document(
            "CSM",
            NoticeKind::Sopn,
            vec![candidate("QUILLAN Tobias", AddressStatus::Withheld)],
        );
        let mut agents = document(
            "CSM",
            NoticeKind::NoticeOfAgents,
            vec![candidate("Tobias QUILLAN", AddressStatus::Unknown)],
        );
        agents.detection.findings.push(own_agent("Tobias QUILLAN"));
        // The same people in another council's notices are not compared.
        let other_council = {
            let mut d = agents.clone();
            d.council = "NBY".into();
            d
        };
        let mut documents = vec![sopn, agents, other_council];
        detector.cross_check(&mut documents);
        let rules = |d: &ScannedDocument| -> Vec<String> {
            d.detection
                .findings
                .iter()
                .map(|f| f.rule.clone())
                .collect()
        };
        assert_eq!(
            rules(&documents[1]),
            ["own-agent-home-address", "cross-document-address"]
        );
        assert_eq!(documents[1].detection.findings[1].severity, Severity::High);
        assert_eq!(rules(&documents[2]), ["own-agent-home-address"]);
        assert!(rules(&documents[0]).is_empty());
        // Running it again adds nothing twice.
        detector.cross_check(&mut documents);
        assert_eq!(documents[1].detection.findings.len(), 2);
    }
}
