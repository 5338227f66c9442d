//! What each finding rule means and what to do about it, for people.
//!
//! Input: a rule name from DESIGN.md (`published-home-address`, ...).
//! Output: its [`RuleGuidance`]: a title, a one-line and a full
//! description, the remediation an electoral officer can follow, and the
//! rule's default severity (the one `rules/findings.toml` gives it). The
//! HTML report's "what to do" section and the SARIF rule metadata both read
//! this table; neither writes its own. A rule this table does not know
//! (a newer detector) gets [`RuleGuidance::fallback`], never an error.

use crate::model::Severity;

/// Guidance for one finding rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleGuidance {
    /// Rule name, as in findings' `rule`.
    pub id: &'static str,
    /// A short title in sentence case.
    pub title: &'static str,
    /// One sentence: what was found.
    pub short: &'static str,
    /// Why it matters.
    pub full: &'static str,
    /// What the council should do.
    pub remediation: &'static str,
    /// The severity the detector gives it by default.
    pub severity: Severity,
}

/// Every rule DESIGN.md names, in the order reports list them.
pub const RULES: &[RuleGuidance] = &[
    RuleGuidance {
        id: "published-home-address",
        title: "Home address published",
        short: "A candidate's home address is printed in the notice.",
        full: "Candidates may ask on the home address form for their address to be withheld; \
               the notice then shows only the area it is in. A printed address is lawful only \
               if the candidate chose to have it published.",
        remediation: "Check the candidate's home address form. If they asked for the address \
                      to be withheld, publish a corrected notice showing only the area, remove \
                      every copy of the old file from the website, and tell the candidate. If \
                      they chose to publish it, record the consent in the allow file.",
        severity: Severity::Medium,
    },
    RuleGuidance {
        id: "hidden-text-address",
        title: "Address hidden but still in the file",
        short: "An address is in the file but hidden from readers (covered, invisible, white or \
                clipped).",
        full: "Drawing a box over text, colouring it white or moving it off the page hides it \
               on screen only: anyone can select, copy or extract it from the file.",
        remediation: "Regenerate the notice from its source without the address, or use a \
                      redaction tool that removes the text itself, then replace the published \
                      file and check that copying all text from the new file shows no address.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "metadata-address",
        title: "Address in document metadata",
        short: "An address is in the document's metadata (properties or XMP).",
        full: "Readers do not see document properties, but anyone can read them, and search \
               engines index them.",
        remediation: "Clear the document properties (title, subject, keywords, author, XMP) \
                      or export the notice again with metadata removed, and replace the file.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "annotation-address",
        title: "Address in an annotation or form field",
        short: "An address is in a comment, note or form field of the document.",
        full: "Annotations and form fields travel with the file and can be read in any PDF \
               reader, even when collapsed or hidden.",
        remediation: "Delete the comment, note or field holding the address, flatten the \
                      document, and replace the published file.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "prior-revision-address",
        title: "Address in an earlier revision",
        short: "An earlier version kept inside the file prints an address the current version \
                does not show.",
        full: "Saving a PDF incrementally appends changes and keeps every earlier version in \
               the file; the removed address can be recovered from it.",
        remediation: "Save or export the corrected notice as a new file (not an incremental \
                      save), check it holds one revision, and replace the published file.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "cross-document-address",
        title: "Withheld address visible in another notice",
        short: "A candidate's address is withheld in one notice but visible in another of the \
                same election.",
        full: "Withholding protects the candidate only if every notice of the election \
               withholds the address: one other notice printing it undoes the request.",
        remediation: "Treat the address as withheld everywhere: publish the other notice again \
                      with only the area shown, remove the old file, and tell the candidate.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "own-agent-home-address",
        title: "Own agent's office may be a home address",
        short: "A candidate who is their own election agent has an office address printed, \
                which may be their home.",
        full: "An agent's office address is published by law; when the candidate is their own \
               agent and gives their home as the office, the home address is published even if \
               withheld on the nomination.",
        remediation: "Check whether the office address is the candidate's home. If the \
                      candidate withheld their home address, contact them before publishing \
                      and offer to use another office address.",
        severity: Severity::Medium,
    },
    RuleGuidance {
        id: "retention-expired",
        title: "Notice kept online past its retention period",
        short: "A notice printing candidates' details is still online after the retention \
                period that follows its poll.",
        full: "Election notices serve the election, and for a while after it the petitions \
               that may question it; once the deadline for an election petition has passed, \
               keeping them online only exposes the people named in them. The Electoral \
               Commission advises removing notices holding personal data then. A notice \
               printing only names is reported for the record (info).",
        remediation: "Remove the notice from the website, or replace it with a version without \
                      addresses, in line with the council's retention schedule.",
        severity: Severity::Low,
    },
    RuleGuidance {
        id: "unscannable",
        title: "Document could not be checked",
        short: "The document has no readable text (a scan or a damaged file).",
        full: "A notice without a text layer cannot be checked automatically and is not \
               accessible to screen readers; it may print addresses nobody has reviewed.",
        remediation: "Check the document by eye, and publish notices as text PDFs exported \
                      from their source rather than scans.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "unparsed-notice",
        title: "Notice could not be read",
        short: "A candidate notice whose candidates could not be read: none, or rows run together.",
        full: "The notice lists candidates, but its layout was not understood, so nobody has \
               checked automatically whether it prints a home address that should have been \
               withheld. It is never reported as clean.",
        remediation: "Check the notice by eye for home addresses, and report the layout so \
                      the tool can learn it.",
        severity: Severity::High,
    },
    RuleGuidance {
        id: "unattributed-address",
        title: "Postcode nobody's",
        short: "A postcode in a candidate notice belongs to no candidate and no legitimate block.",
        full: "Every postcode a candidate notice prints should be a candidate's address, or \
               the returning officer's, a polling station's, an agent's office or the \
               council's. This one is none of them as read: a home address in a layout the \
               reader did not follow, or a second address in one candidate's cell.",
        remediation: "Check the postcode's line in the notice: if it is a candidate's home \
                      address, treat it as published; if it is an office, nothing to do.",
        severity: Severity::Medium,
    },
    RuleGuidance {
        id: "pre-rule-published-address",
        title: "Address published before withholding was possible",
        short: "A home address is printed in a notice from before candidates could withhold it.",
        full: "Publishing the address was required when the notice was issued, but the notice \
               no longer serves its election and still exposes the candidate's home.",
        remediation: "Consider whether the notice still needs to be online; remove it, or \
                      replace it with a version without home addresses.",
        severity: Severity::Low,
    },
];

impl RuleGuidance {
    /// The guidance for `rule`, or [`RuleGuidance::fallback`].
    pub fn of(rule: &str) -> RuleGuidance {
        RULES
            .iter()
            .find(|g| g.id == rule)
            .copied()
            .unwrap_or_else(RuleGuidance::fallback)
    }

    /// Guidance for a rule this version does not know.
    pub fn fallback() -> RuleGuidance {
        RuleGuidance {
            id: "",
            title: "Other finding",
            short: "A finding from a rule this report version does not describe.",
            full: "See the finding's message for what was found.",
            remediation: "Read the finding's message and check the document.",
            severity: Severity::Medium,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_match_the_detector_rules() {
        let text = include_str!("../../rules/findings.toml");
        let table: toml::Table = toml::from_str(text).expect("rules/findings.toml parses");
        let rules = table["rule"].as_table().expect("a [rule] table");
        for (id, rule) in rules {
            let guidance = RULES.iter().find(|g| g.id == id);
            let guidance = guidance.unwrap_or_else(|| panic!("no guidance for rule {id}"));
            let severity = rule["severity"].as_str().expect("severity is a string");
            let ours = serde_json::to_value(guidance.severity).expect("serialises");
            assert_eq!(ours, severity, "default severity of {id}");
        }
    }

    #[test]
    fn unknown_rules_get_the_fallback() {
        assert_eq!(
            RuleGuidance::of("unscannable").title,
            "Document could not be checked"
        );
        assert_eq!(RuleGuidance::of("brand-new-rule").title, "Other finding");
    }
}
