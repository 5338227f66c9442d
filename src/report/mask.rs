//! Masking: the one place every report, log line and error message passes
//! candidates' addresses through unless the user asked to see them.
//!
//! Input: an address, a finding's evidence, a postcode, or free text that
//! may quote them. Output: the same text with nothing left that finds a
//! home. A masked address keeps its shape so a person can still tell what
//! kind of address it was and check it against the council's records:
//! `Flat 3 Burtt House, Aske Street, London, N1 6LE` becomes
//! `Flat # B**** House, A*** Street, L*****, N1 6**`.
//!
//! * every word holding a digit (house and flat numbers, `14a`) becomes `#`s;
//! * a flat prefix (`Flat`, `Apartment`, `Unit`...) stays;
//! * an address-type word (`House`, `Street`, `Road`...) stays only right
//!   after a masked word of the same line, so `Green Lane` becomes
//!   `G**** Lane`, never `Green Lane`;
//! * every other word keeps its first letter;
//! * a full postcode keeps its outward code and the first character of its
//!   inward code (`N1 6**`); a postcode *field* keeps the outward code only.
//!
//! No full postcode, house number, street name, house name or town
//! survives. Text that is not an address (names, posts, areas, messages)
//! goes through [`DocumentMask`]: the document's addresses quoted in it are
//! masked as above, then any house number printed with its street
//! ([`mask_streets`]), then any other full postcode. Masking never fails and
//! never panics, whatever the input.

use std::borrow::Cow;
use std::ops::Range;

use crate::detect::postcode_spans;

/// Words that prefix a flat or unit number and identify nothing.
const FLAT_PREFIXES: &[&str] = &["flat", "apartment", "apt", "unit", "suite", "room", "floor"];

/// Words naming the type of a building or street. Kept only after a masked
/// word, because many of them are names too (`Green Lane`, `Park Road`).
const TYPE_WORDS: &[&str] = &[
    "house",
    "cottage",
    "cottages",
    "court",
    "farm",
    "lodge",
    "barn",
    "hall",
    "street",
    "st",
    "road",
    "rd",
    "lane",
    "ln",
    "avenue",
    "ave",
    "close",
    "drive",
    "dr",
    "way",
    "place",
    "crescent",
    "gardens",
    "terrace",
    "walk",
    "hill",
    "grove",
    "park",
    "view",
    "square",
    "mews",
    "row",
    "green",
    "rise",
    "gate",
    "parade",
    "vale",
    "wharf",
    "yard",
    "mansions",
    "buildings",
];

/// Masks an address or a finding's evidence, finding full postcodes in it
/// with the detector's postcode grammar.
///
/// ```
/// use sopncheck::report::mask::mask_address;
/// assert_eq!(
///     mask_address("Flat 3 Burtt House, Aske Street, London, N1 6LE"),
///     "Flat # B**** House, A*** Street, L*****, N1 6**",
/// );
/// ```
pub fn mask_address(text: &str) -> String {
    mask_spans(text, &postcode_spans(text), mask_words)
}

/// Masks only the full postcodes in free text (a log line, an error
/// message), leaving other words alone; borrowed when it holds none. Use
/// [`mask_address`] for text that is an address.
///
/// ```
/// use sopncheck::report::mask::mask_postcodes;
/// assert_eq!(mask_postcodes("no row for ZZ9 9ZZ on page 2"), "no row for ZZ9 9** on page 2");
/// ```
pub fn mask_postcodes(text: &str) -> Cow<'_, str> {
    let spans = postcode_spans(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(mask_spans(text, &spans, |plain, out| out.push_str(plain)))
}

/// Masks a postcode to its outward code and the first character of the
/// inward code: `N1 6LE` → `N1 6**`, `yo325uh` → `YO32 5**`. Text too short
/// to be a postcode is masked whole.
pub fn mask_postcode(postcode: &str) -> String {
    let compact = compact_postcode(postcode);
    if compact.len() < 5 {
        return "*".repeat(compact.len().max(1));
    }
    // `compact` is ASCII and at least 5 bytes long: both halves exist.
    let (outward, inward) = compact.split_at(compact.len() - 3);
    format!("{outward} {}**", inward.get(..1).unwrap_or("*"))
}

/// The outward code of a full postcode (`N1 6LE` → `N1`), the only part of
/// a postcode field reports keep when masking. `None` for text too short to
/// be a full postcode.
pub fn outward_code(postcode: &str) -> Option<String> {
    let compact = compact_postcode(postcode);
    if compact.len() < 5 {
        return None;
    }
    compact.get(..compact.len() - 3).map(str::to_owned)
}

/// Masks the free text of one document (finding messages, error messages)
/// against everything sensitive the document holds: each secret (a
/// candidate's address, a finding's evidence, a postcode) quoted verbatim
/// is replaced by its masked form, then any other full postcode is masked.
#[derive(Clone, Debug, Default)]
pub struct DocumentMask {
    /// Finds the secrets in one pass, the longest where two start at one
    /// place, so a whole address is replaced before a postcode inside it;
    /// `None` when there are none.
    finder: Option<aho_corasick::AhoCorasick>,
    /// Each secret's masked form, by pattern index.
    masked: Vec<String>,
}

impl DocumentMask {
    /// Collects a document's secrets. Secrets shorter than four characters
    /// (a lone house number) are ignored: replacing them would garble
    /// ordinary words, and the postcode pass still runs.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> DocumentMask {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(str::trim)
            .filter(|secret| secret.chars().count() >= 4)
            .map(str::to_owned)
            .collect();
        secrets.sort_unstable();
        secrets.dedup();
        let finder = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&secrets)
            .ok()
            .filter(|_| !secrets.is_empty());
        let masked = secrets.iter().map(|s| mask_address(s)).collect();
        DocumentMask { finder, masked }
    }

    /// The masked form of `text`: one pass for the secrets, then house
    /// numbers with their streets, then the postcodes; borrowed when none
    /// of them is in it.
    pub fn apply<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let quoted = match &self.finder {
            Some(finder) if finder.is_match(text) => {
                let mut out = String::with_capacity(text.len());
                finder.replace_all_with(text, &mut out, |found, _, out| {
                    out.push_str(&self.masked[found.pattern().as_usize()]);
                    true
                });
                Cow::Owned(out)
            }
            _ => Cow::Borrowed(text),
        };
        then(quoted, mask_free_text)
    }
}

/// Masks free text that belongs to no one document (a log line, an error
/// message): each house number printed with its street
/// ([`mask_streets`]), then each full postcode; borrowed when it holds
/// neither.
///
/// ```
/// use sopncheck::report::mask::mask_free_text;
/// assert_eq!(
///     mask_free_text("line 3: \"14 Gorsebrook Lane, ZZ9 9ZZ\" is not a number"),
///     "line 3: \"## G********* Lane, ZZ9 9**\" is not a number",
/// );
/// ```
pub fn mask_free_text(text: &str) -> Cow<'_, str> {
    then(mask_streets(text), mask_postcodes)
}

/// `next` applied to the text `first` made: borrowed only when neither
/// changed it.
fn then<'t>(first: Cow<'t, str>, next: impl Fn(&str) -> Cow<'_, str>) -> Cow<'t, str> {
    match first {
        Cow::Borrowed(text) => next(text),
        Cow::Owned(text) => {
            let changed = match next(&text) {
                Cow::Owned(changed) => Some(changed),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(changed.unwrap_or(text))
        }
    }
}

/// Most words of a street's name between the house number and the
/// street-type word ("14 Upper Gorse Bank Lane").
const MAX_STREET_NAME_WORDS: usize = 3;

/// Masks each house number printed with its street in text that is not
/// an address (a name cell that swallowed the address after it): a word
/// holding a digit, then up to [`MAX_STREET_NAME_WORDS`] capitalised
/// words, then a street-type word, with only spaces between them.
///
/// ```
/// use sopncheck::report::mask::mask_streets;
/// assert_eq!(mask_streets("MERGED Morgan 14 Gorsebrook Lane"), "MERGED Morgan ## G********* Lane");
/// assert_eq!(mask_streets("page 3, but no candidate row"), "page 3, but no candidate row");
/// ```
pub fn mask_streets(text: &str) -> Cow<'_, str> {
    // Words as (start, end), and whether only spaces separate each from
    // the one before.
    let mut words: Vec<(usize, usize, bool)> = Vec::new();
    let mut start: Option<usize> = None;
    let mut gap_is_spaces = true;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if at < text.len() && (c.is_alphanumeric() || c == '\'' || c == '’') {
            start.get_or_insert(at);
            continue;
        }
        if let Some(from) = start.take() {
            words.push((from, at, gap_is_spaces));
            gap_is_spaces = true;
        }
        if c != ' ' {
            gap_is_spaces = false;
        }
    }
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (from, to, _) = words[i];
        let number = text[from..to].chars().any(|c| c.is_ascii_digit()) && to - from <= 6;
        let street = number
            .then(|| {
                (i + 1..words.len().min(i + 2 + MAX_STREET_NAME_WORDS))
                    .take_while(|&k| words[k].2)
                    .take_while(|&k| {
                        text[words[k].0..]
                            .chars()
                            .next()
                            .is_some_and(char::is_uppercase)
                    })
                    .find(|&k| {
                        k > i + 1 && lowercase_is_one_of(&text[words[k].0..words[k].1], TYPE_WORDS)
                    })
            })
            .flatten();
        match street {
            Some(end) => {
                spans.push(from..words[end].1);
                i = end + 1;
            }
            None => i += 1,
        }
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        mask_words(&text[span.clone()], &mut out);
        at = span.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Uppercase alphanumerics of a postcode, ASCII only.
fn compact_postcode(postcode: &str) -> String {
    postcode
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Writes `text` with each postcode span masked by [`mask_postcode`] and
/// the text between spans through `between`. Spans out of order, out of
/// bounds or off a character boundary are skipped, not trusted.
fn mask_spans(text: &str, spans: &[Range<usize>], between: impl Fn(&str, &mut String)) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.start < at {
            continue;
        }
        let (Some(before), Some(postcode)) = (text.get(at..span.start), text.get(span.clone()))
        else {
            continue;
        };
        between(before, &mut out);
        out.push_str(&mask_postcode(postcode));
        at = span.end;
    }
    between(text.get(at..).unwrap_or_default(), &mut out);
    out
}

/// What the previous word of the current address line was.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Previous {
    /// None: the line (or a comma-separated part) has just started.
    LineStart,
    /// A name, masked to its first letter.
    Masked,
    /// A number, a prefix or a kept type word.
    Other,
}

fn mask_words(text: &str, out: &mut String) {
    let mut previous = Previous::LineStart;
    let mut word_start: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if c.is_alphanumeric() || c == '\'' || c == '’' {
            word_start.get_or_insert(at);
            continue;
        }
        if let Some(start) = word_start.take() {
            previous = mask_word(text.get(start..at).unwrap_or_default(), previous, out);
        }
        if matches!(c, ',' | ';' | '\n' | '\r') {
            previous = Previous::LineStart;
        }
        out.push(c);
    }
    if let Some(start) = word_start {
        mask_word(text.get(start..).unwrap_or_default(), previous, out);
    }
}

/// Whether `word` in lowercase is one of `words` (lowercase ASCII).
fn lowercase_is_one_of(word: &str, words: &[&str]) -> bool {
    if word.is_ascii() {
        words.iter().any(|w| w.eq_ignore_ascii_case(word))
    } else {
        // Some non-ASCII letters lowercase to ASCII ones (the Kelvin sign).
        let lower = word.to_lowercase();
        words.contains(&lower.as_str())
    }
}

/// Writes one masked word and says what kind it was.
fn mask_word(word: &str, previous: Previous, out: &mut String) -> Previous {
    if word.chars().any(char::is_numeric) {
        out.extend(
            word.chars()
                .map(|c| if c.is_alphanumeric() { '#' } else { c }),
        );
        return Previous::Other;
    }
    let is_prefix = lowercase_is_one_of(word, FLAT_PREFIXES);
    let is_type = previous == Previous::Masked && lowercase_is_one_of(word, TYPE_WORDS);
    if is_prefix || is_type {
        out.push_str(word);
        return Previous::Other;
    }
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.push(first);
        out.extend(chars.map(|_| '*'));
    }
    // `The Green` is a name: an article licenses no type word after it.
    if lowercase_is_one_of(word, &["the"]) {
        Previous::Other
    } else {
        Previous::Masked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_house_and_split_lines() {
        assert_eq!(
            mask_address("Bramble Hedge House\nWest End\nExampleton\nYO32 5UH"),
            "B****** H**** House\nW*** E**\nE*********\nYO32 5**"
        );
    }

    #[test]
    fn type_words_that_are_names_are_masked() {
        assert_eq!(mask_address("14a Green Lane"), "### G**** Lane");
        assert_eq!(mask_address("Park Road, The Green"), "P*** Road, T** G****");
        assert_eq!(mask_address("Flat 2, Court House"), "Flat #, C**** House");
    }

    #[test]
    fn postcode_forms() {
        assert_eq!(mask_postcode("n16le"), "N1 6**");
        assert_eq!(mask_postcode("EC1A  1BB"), "EC1A 1**");
        assert_eq!(mask_postcode("N1"), "**");
        assert_eq!(outward_code("YO32 5UH").as_deref(), Some("YO32"));
        assert_eq!(outward_code("BL9"), None);
    }

    #[test]
    fn postcode_split_over_lines_is_masked() {
        assert_eq!(mask_address("1 Any Road\nn1\n6zz"), "# A** Road\nN1 6**");
    }

    #[test]
    fn bad_spans_are_ignored_not_trusted() {
        let text = "12 Oak Road é";
        assert_eq!(
            mask_spans(
                text,
                &[5..200, Range { start: 9, end: 3 }, 13..14],
                mask_words
            ),
            "## O** Road é"
        );
    }

    #[test]
    fn document_mask_replaces_quoted_secrets_and_postcodes() {
        let mask = DocumentMask::new(["7 Quillon Terrace, Exampleton", "ZZ9 9ZZ", "7"]);
        assert_eq!(
            mask.apply("Found 7 Quillon Terrace, Exampleton and ZZ1 1ZZ."),
            "Found # Q****** Terrace, E********* and ZZ1 1**."
        );
        assert_eq!(mask.apply("page 7 of 9"), "page 7 of 9");
    }
}
