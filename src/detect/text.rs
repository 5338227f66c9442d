//! Text helpers shared by the detection passes: one normal form for
//! matching, and [`PhraseSet`], the aho-corasick prefilter that finds rule
//! phrases as whole words in one pass.
//!
//! Input: cell, row and page text. Output: normalised text and phrase hits.
//! Nothing here knows what a candidate or an address is.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Writes `text` into `out` (cleared first) lowercase, with every run of
/// whitespace (line breaks included) as one space and no leading or
/// trailing space.
pub(crate) fn normalise_into(text: &str, out: &mut String) {
    out.clear();
    normalise_onto(text, out);
}

/// [`normalise_into`], appending to `out` instead of replacing it.
pub(crate) fn normalise_onto(text: &str, out: &mut String) {
    let start = out.len();
    // Lowercasing keeps ASCII's length: one allocation at most.
    out.reserve(text.len());
    // Most cells are ASCII words between single spaces: copied whole and
    // lowercased in place.
    if is_spaced_ascii(text) {
        out.push_str(text);
        if let Some(added) = out.get_mut(start..) {
            added.make_ascii_lowercase();
        }
        return;
    }
    each_word(text, |word| push_lowercase_word(word, start, out));
}

/// Calls `f` with each whitespace-separated word of `text`. ASCII text
/// splits cheaper than Unicode text. (Vertical tab is whitespace to `char`
/// but not to the ASCII split, so such rare text takes the general path.)
fn each_word<'t>(text: &'t str, mut f: impl FnMut(&'t str)) {
    if text.is_ascii() && !text.contains('\x0b') {
        text.split_ascii_whitespace().for_each(f);
    } else {
        for word in text.split_whitespace() {
            f(word);
        }
    }
}

/// Whether `text` is ASCII words separated by single spaces, with none
/// at either end.
fn is_spaced_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' {
        return false;
    }
    // Every byte is looked at without an early exit, in one pass, so that
    // the compiler checks many at once: a control byte or one past ASCII,
    // and a space after a space.
    let rest = bytes.get(1..).unwrap_or_default();
    let unusual = (first < b' ')
        | !first.is_ascii()
        | bytes.iter().zip(rest).fold(false, |found, (&a, &b)| {
            found | (b < b' ') | !b.is_ascii() | ((a == b' ') & (b == b' '))
        });
    !unusual
}

/// Appends `word` lowercase to `out`, after a space unless it is the
/// first word since `start`.
fn push_lowercase_word(word: &str, start: usize, out: &mut String) {
    if out.len() > start {
        out.push(' ');
    }
    if word.is_ascii() {
        // ASCII lowercases in place, byte for byte.
        let at = out.len();
        out.push_str(word);
        if let Some(added) = out.get_mut(at..) {
            added.make_ascii_lowercase();
        }
    } else {
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
}

/// `text` with every run of whitespace as one space, case kept: borrowed
/// when it is so already (most cells are single-spaced ASCII words).
pub(crate) fn collapse_spaces(text: &str) -> Cow<'_, str> {
    if is_spaced_ascii(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    each_word(text, |word| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    });
    Cow::Owned(out)
}

/// A key for comparing names and posts: lowercase letters and digits, one
/// space between words.
pub(crate) fn key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    key_into(text, &mut out);
    out
}

/// Writes [`key`]`(text)` into `out` (cleared first).
pub(crate) fn key_into(text: &str, out: &mut String) {
    out.clear();
    for word in words_of(text) {
        push_lowercase_word(word, 0, out);
    }
}

/// The words of a text (raw or normalised): its runs of letters and digits.
pub(crate) fn words_of(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words_of`]: it reads bytes, and decodes a character
/// only past ASCII.
pub(crate) struct Words<'t> {
    text: &'t str,
    /// Where the next word is looked for.
    at: usize,
}

impl<'t> Iterator for Words<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let mut start = self.at;
        loop {
            let (in_word, length) = char_at(self.text, start)?;
            if in_word {
                break;
            }
            start += length;
        }
        let mut end = start;
        while let Some((true, length)) = char_at(self.text, end) {
            end += length;
        }
        self.at = end;
        self.text.get(start..end)
    }
}

/// Whether the character at byte `at` of `text` is a letter or digit, and
/// its length in bytes; `None` at the end. Inlined: the word iterator
/// calls it on every byte.
#[inline]
fn char_at(text: &str, at: usize) -> Option<(bool, usize)> {
    let &byte = text.as_bytes().get(at)?;
    if byte.is_ascii() {
        return Some((byte.is_ascii_alphanumeric(), 1));
    }
    let c = text.get(at..)?.chars().next()?;
    Some((c.is_alphanumeric(), c.len_utf8()))
}

/// Whether the characters either side of `start..end` in `text` are not
/// letters or digits.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// A set of lowercase phrases, each tagged with a group number, matched as
/// whole words over normalised text in one aho-corasick pass.
#[derive(Clone, Debug)]
pub(crate) struct PhraseSet {
    matcher: Option<AhoCorasick>,
    /// The normalised phrases, by pattern number.
    phrases: Vec<String>,
    groups: Vec<usize>,
    /// Which bytes start a phrase.
    first_bytes: [bool; 256],
    /// The first two bytes of every phrase (a space for a one-letter
    /// first word, the byte alone for a one-byte phrase) with its pattern
    /// number, sorted: the phrases that may start a text lie together.
    first_pairs: Vec<([u8; 2], usize)>,
}

impl PhraseSet {
    /// Builds a set from `(group, phrases)` pairs. Phrases are lowercased
    /// and whitespace-normalised; empty phrases are dropped.
    pub(crate) fn new<'a>(groups: impl IntoIterator<Item = (usize, &'a [String])>) -> PhraseSet {
        let mut patterns = Vec::new();
        let mut tags = Vec::new();
        let mut buffer = String::new();
        for (group, phrases) in groups {
            for phrase in phrases {
                normalise_into(phrase, &mut buffer);
                if !buffer.is_empty() {
                    patterns.push(buffer.clone());
                    tags.push(group);
                }
            }
        }
        // Rule phrases are few and short; building fails only past the
        // automaton's size limits, and then the set matches nothing.
        // A DFA: the sets are small and searched over every row.
        let matcher = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok();
        let mut first_bytes = [false; 256];
        for first in patterns.iter().filter_map(|p| p.bytes().next()) {
            first_bytes[usize::from(first)] = true; // a byte indexes 256 slots
        }
        let mut first_pairs: Vec<([u8; 2], usize)> = patterns
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let bytes = p.as_bytes();
                Some(([*bytes.first()?, bytes.get(1).copied().unwrap_or(0)], i))
            })
            .collect();
        first_pairs.sort_unstable();
        PhraseSet {
            matcher,
            phrases: patterns,
            first_pairs,
            groups: tags,
            first_bytes,
        }
    }

    /// Every whole-word hit in normalised `text`: (group, start, end),
    /// overlapping hits included, in order of end.
    pub(crate) fn hits<'s, 't>(
        &'s self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, usize, usize)> + use<'s, 't> {
        self.matcher
            .iter()
            .flat_map(move |m| m.find_overlapping_iter(text))
            .filter(move |m| whole_word(text, m.start(), m.end()))
            .filter_map(move |m| {
                let group = *self.groups.get(m.pattern().as_usize())?;
                Some((group, m.start(), m.end()))
            })
    }

    /// Whether `text` holds a phrase anywhere, even inside a word: one
    /// fast search (with the automaton's prefilter) that rules most texts
    /// out before the overlapping whole-word search.
    fn may_hold(&self, text: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(text))
    }

    /// Whether normalised `text` holds any phrase of the set.
    pub(crate) fn any(&self, text: &str) -> bool {
        self.may_hold(text) && self.hits(text).next().is_some()
    }

    /// Whether normalised `text` holds a phrase of `group`.
    pub(crate) fn has(&self, text: &str, group: usize) -> bool {
        self.may_hold(text) && self.hits(text).any(|(g, _, _)| g == group)
    }

    /// The lowest group with a phrase in normalised `text`.
    pub(crate) fn first_group(&self, text: &str) -> Option<usize> {
        if !self.may_hold(text) {
            return None;
        }
        self.hits(text).map(|(g, _, _)| g).min()
    }

    /// The lowest group with a phrase at the very start of normalised
    /// `text`, and the end of the longest such phrase. Most texts are
    /// ruled out by their first byte; the rest are compared with the few
    /// phrases that start with their first two bytes.
    pub(crate) fn at_start(&self, text: &str) -> Option<(usize, usize)> {
        let bytes = text.as_bytes();
        let &first = bytes.first()?;
        // 256 slots: a byte indexes them all.
        if !self.first_bytes[usize::from(first)] {
            return None;
        }
        let second = bytes.get(1).copied().unwrap_or(0);
        let from = self.first_pairs.partition_point(|&([a, _], _)| a < first);
        self.first_pairs[from..]
            .iter()
            .take_while(|&&([a, _], _)| a == first)
            .filter(|&&([_, b], _)| b == second || b == 0)
            .filter_map(|&(_, pattern)| {
                let phrase = self.phrases.get(pattern)?;
                let starts =
                    bytes.starts_with(phrase.as_bytes()) && whole_word(text, 0, phrase.len());
                starts.then_some((*self.groups.get(pattern)?, phrase.len()))
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form_and_keys() {
        let mut out = String::new();
        normalise_into("  Decision of the\nReturning  OFFICER ", &mut out);
        assert_eq!(out, "decision of the returning officer");
        normalise_into("\x0bA\x0b\x0c B\u{a0}C ", &mut out);
        assert_eq!(out, "a b c");
        normalise_into("Tab\tAND\r\nline", &mut out);
        assert_eq!(out, "tab and line");
        // The ASCII fast path and the general path agree.
        for text in [
            "",
            "  ",
            "A\x0bB",
            " x\r\n Y ",
            "Zoë  ÉMILE\t2",
            "\u{85}a\u{2003}B",
        ] {
            normalise_into(text, &mut out);
            let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
            assert_eq!(out, words.join(" "), "{text:?}");
        }
        assert_eq!(key("SMITH,  John-Paul\nÉmile"), "smith john paul émile");
        for text in [" a \n b ", "a b", "a\x0bb", "Zoë \u{2003} b", "", "  "] {
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(collapse_spaces(text), words.join(" "), "{text:?}");
        }
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let dated = vec!["dated".to_string()];
        let poll = vec!["polling station".to_string(), "poll".to_string()];
        let set = PhraseSet::new([(0, dated.as_slice()), (1, poll.as_slice())]);
        assert!(set.has("dated 4 april", 0));
        assert!(!set.has("validated and updated", 0));
        assert_eq!(set.first_group("the polling station list"), Some(1));
        assert_eq!(set.at_start("polling station, x"), Some((1, 15)));
        assert_eq!(set.at_start("the poll"), None);
        assert!(!set.has("pollster", 1));
    }

    #[test]
    fn a_phrase_at_the_start_is_the_lowest_group_then_the_longest() {
        let strings =
            |phrases: &[&str]| -> Vec<String> { phrases.iter().map(|p| p.to_string()).collect() };
        let footers = strings(&["dated", "printed and published by", "a"]);
        let ends = strings(&["polling station", "polling", "a poll", "dyddiedig", "é"]);
        let labels = strings(&["printed", "date", "polling station situation"]);
        let set = PhraseSet::new([
            (0, footers.as_slice()),
            (1, ends.as_slice()),
            (2, labels.as_slice()),
        ]);
        // What `at_start` must say: of the whole-word hits that start the
        // text, the lowest group, then the longest phrase.
        let expected = |text: &str| {
            set.hits(text)
                .filter(|&(_, start, _)| start == 0)
                .min_by(|a, b| a.0.cmp(&b.0).then(b.2.cmp(&a.2)))
                .map(|(group, _, end)| (group, end))
        };
        for text in [
            "",
            "a",
            "a poll will be held",
            "ab",
            "dated 4 april",
            "datedness",
            "date of poll",
            "printed and published by the returning officer",
            "printed by",
            "polling station situation: town hall",
            "polling stations",
            "polling",
            "poll",
            "dyddiedig 3 ebrill",
            "é",
            "éa",
            "é b",
            "zzz",
        ] {
            assert_eq!(set.at_start(text), expected(text), "{text:?}");
        }
        assert_eq!(set.at_start("a poll will be held"), Some((0, 1)));
        assert_eq!(set.at_start("printed by"), Some((2, 7)));
        assert_eq!(set.at_start("polling station situation: x"), Some((1, 15)));
        assert_eq!(set.at_start("datedness"), None);
    }
}
