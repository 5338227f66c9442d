//! Findings: from segmented candidates and the extraction's layers to
//! [`Finding`]s with stable ids.
//!
//! Input: the [`Extraction`], its [`Segmented`] rows and what the document
//! is. Output: findings under DESIGN.md's rule names:
//!
//! * `published-home-address` (or `pre-rule-published-address` for notices
//!   of elections held before candidates could withhold) for each candidate
//!   whose address is printed; where whether they could withhold was not
//!   established, the finding's message says so and why;
//! * `hidden-text-address` for postcodes, and address text in candidate
//!   rows, that readers cannot see;
//! * `metadata-address` and `annotation-address` for postcodes in side
//!   layers;
//! * `prior-revision-address` for a candidate's address in an earlier
//!   revision of the file that the current one does not show;
//! * `own-agent-home-address` for candidates who are their own agent;
//! * `unparsed-notice` for a candidate notice whose candidates could not
//!   be read;
//! * `unattributed-address` for a full postcode printed in a candidate
//!   notice that is no candidate's and in no legitimate block: every
//!   visible postcode of such a notice is accounted for.
//!
//! Postcodes in legitimate contexts (returning officer, polling stations,
//! agents' offices, council contact blocks) are never reported. A finding's
//! id hashes the rule and the content (candidate, post, postcode or
//! evidence, layer), never the file or positions, so a re-downloaded or
//! re-rendered copy gives the same ids.

use sha2::{Digest, Sha256};

use super::Detector;
use super::postcode;
use super::rules::Role;
use super::segment::{RowRole, Segmented, same_person};
use super::text::{collapse_spaces, key, key_into, normalise_into};
use crate::model::{
    AddressStatus, Candidate, Extraction, Finding, NoticeKind, SideLayer, WithholdingRule,
};

/// Sets of ids and postcodes, built per document: a fast hash, seeded
/// afresh in each process, so crafted text cannot choose its collisions.
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Longest evidence kept from a hidden cell or a side layer, in bytes.
const MAX_EVIDENCE: usize = 200;

/// What the findings pass needs to know about the document.
pub(crate) struct Document<'a> {
    pub extraction: &'a Extraction,
    pub segmented: &'a Segmented<'a>,
    pub kind: NoticeKind,
    /// Whether candidates could withhold their address at the election.
    pub withholding: &'a WithholdingRule,
}

/// The stable id of a finding: the first 20 hex digits of the SHA-256 of
/// its rule, the candidate's name and post (as keys), the postcode (or the
/// evidence as a key) and the layer.
pub(crate) fn stable_id(
    rule: &str,
    candidate: Option<&Candidate>,
    postcode: Option<&str>,
    evidence: &str,
    layer: &str,
) -> String {
    let mut hasher = Sha256::new();
    // One buffer serves every part's key.
    let mut part = String::new();
    let mut hash_part = |text: &str| {
        hasher.update(text.as_bytes());
        hasher.update([0x1f]);
    };
    hash_part(rule);
    for text in [
        candidate.map(|c| c.name.as_str()),
        candidate.and_then(|c| c.post.as_deref()),
    ] {
        part.clear();
        if let Some(text) = text {
            key_into(text, &mut part);
        }
        hash_part(&part);
    }
    match postcode {
        Some(code) => {
            key_into(code, &mut part);
            part.retain(|c| c != ' ');
        }
        None => key_into(evidence, &mut part),
    }
    hash_part(&part);
    hash_part(layer);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(20);
    for byte in hasher.finalize().iter().take(10) {
        // A nibble is below 16: both indexes are in bounds.
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    id
}

/// Collects findings as they are made, dropping repeats of an id.
struct Findings<'d> {
    detector: &'d Detector,
    seen: HashSet<String>,
    out: Vec<Finding>,
}

impl Findings<'_> {
    /// Adds a finding of `rule` unless one with its id is there; returns
    /// it when added.
    fn add(
        &mut self,
        rule: &str,
        candidate: Option<&Candidate>,
        page: Option<u32>,
        evidence: String,
        postcode: Option<String>,
        layer: String,
    ) -> Option<&mut Finding> {
        let definition = self.detector.rules.finding(rule)?;
        let id = stable_id(rule, candidate, postcode.as_deref(), &evidence, &layer);
        if !self.seen.insert(id.clone()) {
            return None;
        }
        self.out.push(Finding {
            id,
            rule: rule.to_string(),
            severity: definition.severity,
            candidate: candidate.map(|c| c.name.clone()),
            page,
            evidence,
            postcode,
            layer: Some(layer),
            message: definition.message.clone(),
        });
        self.out.last_mut()
    }
}

/// Every finding about one readable document, in page order.
pub(crate) fn collect(detector: &Detector, doc: &Document<'_>) -> Vec<Finding> {
    let mut findings = Findings {
        detector,
        seen: HashSet::default(),
        out: Vec::new(),
    };
    let legitimate = legitimate_postcodes(detector, doc);
    published(&mut findings, doc);
    hidden(&mut findings, doc, &legitimate);
    side_layers(&mut findings, doc, &legitimate);
    prior_revisions(&mut findings, doc, &legitimate);
    unparsed(&mut findings, doc);
    unattributed(&mut findings, doc, &legitimate);
    let mut out = findings.out;
    out.sort_by_key(|f| f.page.unwrap_or(u32::MAX));
    out
}

/// The `unscannable` finding for a document nobody could read.
pub(crate) fn unscannable(detector: &Detector, source: &str, reason: &str) -> Vec<Finding> {
    let mut findings = Findings {
        detector,
        seen: HashSet::default(),
        out: Vec::new(),
    };
    // The file name, not the folder or host, so a copy elsewhere keeps its id.
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    findings.add(
        "unscannable",
        None,
        None,
        reason.to_string(),
        None,
        format!("file:{}", key(name)),
    );
    findings.out
}

/// Most distinct postcodes one candidate's address may hold before the
/// notice counts as misread (a home address, and at most one more such as
/// a correspondence address): more is several rows read as one.
const MOST_HOME_POSTCODES: usize = 2;

/// `unparsed-notice` for a notice that lists candidates but from which
/// none was read, or whose rows ran together (a candidate holding more
/// than [`MOST_HOME_POSTCODES`] postcodes): its table was not understood,
/// and what it prints needs a manual check. The evidence says what was
/// seen, never the text.
fn unparsed(findings: &mut Findings<'_>, doc: &Document<'_>) {
    if !doc.kind.lists_candidates() {
        return;
    }
    let candidates = &doc.segmented.candidates;
    let grammar = &findings.detector.rules.postcode;
    // Most addresses hold one postcode: only one with more is normalised
    // to count the distinct ones.
    let crowded = candidates
        .iter()
        .filter_map(|c| c.address.as_deref())
        .filter(|address| {
            postcode::spans(grammar, address)
                .nth(MOST_HOME_POSTCODES)
                .is_some()
        })
        .map(|address| {
            let mut codes = postcode::all_in(grammar, address);
            codes.sort();
            codes.dedup();
            codes.len()
        })
        .max()
        .unwrap_or(0);
    let seen = match doc.segmented.first_header {
        _ if crowded > MOST_HOME_POSTCODES => format!(
            "one candidate's address holds {crowded} postcodes, so its rows could not be told apart"
        ),
        _ if !candidates.is_empty() => return,
        Some(header) => {
            let page = doc.segmented.items.get(header).map_or(1, |item| item.page);
            format!("a candidate table header on page {page}, but no candidate row could be read")
        }
        None => "no candidate table header".to_string(),
    };
    let pages = doc.extraction.pages;
    let evidence = format!(
        "{} of {pages} page{}: {seen}; it needs a manual check",
        doc.kind.name(),
        if pages == 1 { "" } else { "s" },
    );
    findings.add(
        "unparsed-notice",
        None,
        None,
        evidence,
        None,
        "notice".to_string(),
    );
}

/// `unattributed-address` for each visible full postcode of a candidate
/// notice that ends in no candidate's address (their own postcode) and no
/// legitimate block: a row or cell in a legitimate context, an agent's
/// office. A second postcode in a candidate's own row is that candidate's
/// finding: their cell may hold two rows run together.
fn unattributed(findings: &mut Findings<'_>, doc: &Document<'_>, legitimate: &HashSet<String>) {
    if !doc.kind.lists_candidates() {
        return;
    }
    let detector = findings.detector;
    let grammar = &detector.rules.postcode;
    let segmented = doc.segmented;
    let mut accounted: HashSet<String> = segmented
        .candidates
        .iter()
        .filter_map(|c| c.postcode.as_deref())
        .map(postcode::normalise)
        .collect();
    for agent in segmented.agents.iter().flatten() {
        accounted.extend(postcode::all_in(grammar, &agent.office));
    }
    // The cells that may hold a postcode, one after another, parted by a
    // NUL (which no postcode spans), so the grammar runs once over the
    // notice instead of once per cell: (item, cell, where its text starts).
    let mut searched = String::new();
    let mut starts: Vec<(usize, usize, usize)> = Vec::new();
    for (i, (item, role)) in segmented.items.iter().zip(&segmented.roles).enumerate() {
        if *role == RowRole::Legitimate {
            continue;
        }
        for (c, (cell, cell_role)) in item.cells_with_roles().enumerate() {
            if cell.visibility.is_hidden()
                || matches!(cell_role, Some(Role::AgentName | Role::AgentOffice))
                || !postcode::may_hold_postcode(&cell.text)
            {
                continue;
            }
            starts.push((i, c, searched.len()));
            searched.push_str(&cell.text);
            searched.push('\0');
        }
    }
    let mut normal = String::new();
    // The cell last looked at, and whether it is a legitimate block.
    let mut last: Option<(usize, bool)> = None;
    for found in postcode::spans(grammar, &searched) {
        let k = starts.partition_point(|&(_, _, start)| start <= found.start) - 1;
        let (i, c, start) = starts[k];
        let item = &segmented.items[i];
        let text = &item.cells[c].text;
        let span = found.start - start..found.end - start;
        if span.end > text.len() {
            continue;
        }
        let Some(code) = text.get(span.clone()).map(postcode::normalise) else {
            continue;
        };
        // Most postcodes are candidates' own: known before their cell's
        // words are read.
        if legitimate.contains(&code) || accounted.contains(&code) {
            continue;
        }
        let legitimate_cell = match last {
            Some((seen, legitimate_cell)) if seen == k => legitimate_cell,
            _ => {
                normalise_into(text, &mut normal);
                let legitimate_cell = detector.segmenter.is_legitimate(&normal);
                last = Some((k, legitimate_cell));
                legitimate_cell
            }
        };
        if legitimate_cell {
            continue;
        }
        let candidate = match segmented.roles[i] {
            RowRole::Candidate(n) => segmented.candidates.get(n),
            _ => None,
        };
        findings.add(
            "unattributed-address",
            candidate,
            Some(item.page),
            snippet(text, span),
            Some(code),
            match candidate {
                Some(_) => "visible:second-postcode".to_string(),
                None => "visible:outside-candidates".to_string(),
            },
        );
    }
}

/// Postcodes printed in legitimate contexts anywhere in the current page
/// content.
fn legitimate_postcodes(detector: &Detector, doc: &Document<'_>) -> HashSet<String> {
    // The cells that may hold a postcode, parted by a NUL (which no
    // postcode spans), so the grammar runs once over the notice.
    let mut searched = String::new();
    for cell in doc
        .segmented
        .items
        .iter()
        .zip(&doc.segmented.roles)
        .filter(|(_, role)| **role == RowRole::Legitimate)
        .flat_map(|(item, _)| item.cells.iter())
        .filter(|cell| postcode::may_hold_postcode(&cell.text))
    {
        searched.push_str(&cell.text);
        searched.push('\0');
    }
    postcode::all_in(&detector.rules.postcode, &searched)
        .into_iter()
        .collect()
}

fn published(findings: &mut Findings<'_>, doc: &Document<'_>) {
    let candidates = &doc.segmented.candidates;
    if doc.kind == NoticeKind::NoticeOfAgents {
        own_agents(findings, doc);
    }
    let rule = match doc.withholding.applied {
        Some(false) => "pre-rule-published-address",
        Some(true) | None => "published-home-address",
    };
    // Not knowing whether candidates could withhold is said, not guessed:
    // the finding is the stricter one, and its message says why.
    let unknown = doc.withholding.applied.is_none().then(|| {
        findings
            .detector
            .rules
            .withholding_unknown
            .replace("{reason}", &doc.withholding.reason)
    });
    for candidate in candidates {
        if candidate.address_status == AddressStatus::Published {
            let added = findings.add(
                rule,
                Some(candidate),
                Some(candidate.page),
                candidate.address.clone().unwrap_or_default(),
                candidate.postcode.clone(),
                "visible".to_string(),
            );
            if let (Some(finding), Some(unknown)) = (added, &unknown) {
                finding.message.push(' ');
                finding.message.push_str(unknown);
            }
        }
    }
}

/// Candidates printed as their own election agent: the office address is
/// theirs.
fn own_agents(findings: &mut Findings<'_>, doc: &Document<'_>) {
    let grammar = &findings.detector.rules.postcode;
    for (candidate, agent) in doc.segmented.candidates.iter().zip(&doc.segmented.agents) {
        let Some(agent) = agent else { continue };
        let own = same_person(&candidate.name, &agent.name) || key(&agent.name) == "the candidate";
        if own && !agent.office.is_empty() {
            let postcode = postcode::last_in(grammar, &agent.office);
            findings.add(
                "own-agent-home-address",
                Some(candidate),
                Some(candidate.page),
                agent.office.clone(),
                postcode,
                "visible".to_string(),
            );
        }
    }
}

/// Hidden cells of the current page content.
fn hidden(findings: &mut Findings<'_>, doc: &Document<'_>, legitimate: &HashSet<String>) {
    let detector = findings.detector;
    let grammar = &detector.rules.postcode;
    let mut normal = String::new();
    for (row, role) in doc.segmented.items.iter().zip(&doc.segmented.roles) {
        if *role == RowRole::Legitimate {
            continue;
        }
        let candidate = match role {
            RowRole::Candidate(i) => doc.segmented.candidates.get(*i),
            _ => None,
        };
        for cell in row.cells.iter().filter(|c| c.visibility.is_hidden()) {
            normalise_into(&cell.text, &mut normal);
            if detector.segmenter.is_legitimate(&normal) {
                continue;
            }
            let layer = cell.visibility.as_str().to_string();
            let mut any = false;
            for span in postcode::spans(grammar, &cell.text) {
                let Some(code) = cell.text.get(span.clone()).map(postcode::normalise) else {
                    continue;
                };
                any = true;
                let shown_anyway =
                    candidate.is_some_and(|c| c.postcode.as_deref() == Some(code.as_str()));
                if legitimate.contains(&code) || shown_anyway {
                    continue;
                }
                findings.add(
                    "hidden-text-address",
                    candidate,
                    Some(row.page),
                    snippet(&cell.text, span),
                    Some(code),
                    layer.clone(),
                );
            }
            if !any && candidate.is_some() && detector.segmenter.address.is_address_like(&cell.text)
            {
                findings.add(
                    "hidden-text-address",
                    candidate,
                    Some(row.page),
                    capped(&collapse_spaces(&cell.text)),
                    None,
                    layer,
                );
            }
        }
    }
}

/// Metadata, annotations and form fields.
fn side_layers(findings: &mut Findings<'_>, doc: &Document<'_>, legitimate: &HashSet<String>) {
    let detector = findings.detector;
    let grammar = &detector.rules.postcode;
    let mut normal = String::new();
    for side in &doc.extraction.side_texts {
        let (rule, layer) = match side.layer {
            SideLayer::Info => ("metadata-address", "info"),
            SideLayer::Xmp => ("metadata-address", "xmp"),
            SideLayer::HtmlMeta => ("metadata-address", "html_meta"),
            SideLayer::Annotation => ("annotation-address", "annotation"),
            SideLayer::FormField => ("annotation-address", "form_field"),
        };
        normalise_into(&side.text, &mut normal);
        if detector.segmenter.is_legitimate(&normal) {
            continue;
        }
        for span in postcode::spans(grammar, &side.text) {
            let Some(code) = side.text.get(span.clone()).map(postcode::normalise) else {
                continue;
            };
            if legitimate.contains(&code) {
                continue;
            }
            let candidate = doc
                .segmented
                .candidates
                .iter()
                .find(|c| c.postcode.as_deref() == Some(code.as_str()));
            findings.add(
                rule,
                candidate,
                side.page,
                snippet(&side.text, span),
                Some(code),
                format!("{layer}:{}", side.key),
            );
        }
    }
}

/// Candidates' addresses in earlier revisions that the current revision
/// does not show.
fn prior_revisions(findings: &mut Findings<'_>, doc: &Document<'_>, legitimate: &HashSet<String>) {
    let revisions = &doc.extraction.prior_revisions;
    if revisions.is_empty() {
        return;
    }
    let detector = findings.detector;
    let grammar = &detector.rules.postcode;
    let visible_cells = || {
        doc.segmented
            .items
            .iter()
            .flat_map(|item| item.cells.iter())
            .filter(|cell| !cell.visibility.is_hidden())
    };
    let shown_postcodes: HashSet<String> = visible_cells()
        .flat_map(|cell| postcode::all_in(grammar, &cell.text))
        .collect();
    let shown_text = key(&visible_cells()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" "));
    for revision in revisions {
        let earlier = detector.segmenter.segment(&revision.lines, &revision.rules);
        for candidate in &earlier.candidates {
            if candidate.address_status != AddressStatus::Published {
                continue;
            }
            let hidden_now = match &candidate.postcode {
                Some(code) => !shown_postcodes.contains(code) && !legitimate.contains(code),
                None => candidate
                    .address
                    .as_deref()
                    .is_some_and(|a| !shown_text.contains(&key(a))),
            };
            if hidden_now {
                findings.add(
                    "prior-revision-address",
                    Some(candidate),
                    Some(candidate.page),
                    candidate.address.clone().unwrap_or_default(),
                    candidate.postcode.clone(),
                    format!("revision {}", revision.number),
                );
            }
        }
    }
}

/// The text up to a postcode: at most [`MAX_EVIDENCE`] bytes ending with it,
/// whitespace collapsed.
fn snippet(text: &str, span: std::ops::Range<usize>) -> String {
    let mut start = span
        .start
        .saturating_sub(MAX_EVIDENCE - (span.end - span.start).min(MAX_EVIDENCE));
    while !text.is_char_boundary(start) {
        start += 1;
    }
    collapse_spaces(text.get(start..span.end).unwrap_or_default()).into_owned()
}

/// Text cut to at most [`MAX_EVIDENCE`] bytes on a character boundary.
fn capped(text: &str) -> String {
    let mut end = text.len().min(MAX_EVIDENCE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
