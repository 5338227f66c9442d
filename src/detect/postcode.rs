//! UK postcodes: finding them in text and writing them one way.
//!
//! Input: any text (a cell, a side layer, a whole page). Output: byte ranges
//! of full postcodes (`N1 6LE`, `yo325uh`, `WA8\n3JJ`, `GIR 0AA`) and their
//! normal form (`N1 6LE`). The grammar itself is data (`rules/postcode.toml`);
//! this module only applies the compiled pattern.
//!
//! Only *full* postcodes are found: an outward code alone (`BL9`) narrows
//! nothing down to a home and is never reported. BFPO numbers are not
//! postcodes.

use std::ops::Range;

use regex::Regex;

use super::Rules;

/// Byte ranges of the full UK postcodes in `text`, by the built-in grammar.
/// The space between outward and inward code may be missing, repeated or a
/// line break; case does not matter.
///
/// ```
/// use sopncheck::detect::postcode_spans;
/// let text = "Flat 3, 1 Example Row, London, n1\n6zz and BL9 8PB.";
/// let found: Vec<&str> = postcode_spans(text).into_iter().map(|r| &text[r]).collect();
/// assert_eq!(found, ["n1\n6zz", "BL9 8PB"]);
/// ```
pub fn postcode_spans(text: &str) -> Vec<Range<usize>> {
    static GRAMMAR: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let grammar = GRAMMAR.get_or_init(|| Rules::builtin().postcode);
    spans(grammar, text).collect()
}

/// Byte ranges of postcodes by a compiled grammar.
///
/// Every UK postcode holds a digit (the outward code's district number;
/// `GIR 0AA` too), so text without one is not searched: most cells of a
/// notice (names, descriptions) are passed over without running the
/// grammar.
pub(crate) fn spans<'t>(
    grammar: &'t Regex,
    text: &'t str,
) -> impl Iterator<Item = Range<usize>> + 't {
    // Even an empty search costs the regex engine its set-up.
    may_hold_postcode(text)
        .then(|| grammar.find_iter(text))
        .into_iter()
        .flatten()
        .map(|m| m.range())
}

/// Whether `text` holds a digit, as every postcode does.
pub(crate) fn may_hold_postcode(text: &str) -> bool {
    // Most cells hold none and are read to the end: 16 bytes at a time,
    // without an early exit inside them, so that the compiler checks them
    // at once.
    let chunks = text.as_bytes().chunks_exact(16);
    let rest = chunks.remainder();
    let digit_in = |bytes: &[u8]| {
        bytes
            .iter()
            .fold(false, |found, b| found | b.is_ascii_digit())
    };
    chunks.into_iter().any(digit_in) || digit_in(rest)
}

/// The normal form of a matched postcode: uppercase, one space before the
/// inward code (`yo325uh` -> `YO32 5UH`).
pub(crate) fn normalise(code: &str) -> String {
    // Room for the space put back before the inward code.
    let mut compact = String::with_capacity(code.len() + 1);
    compact.extend(
        code.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase()),
    );
    if compact.len() > 3 && compact.is_ascii() {
        compact.insert(compact.len() - 3, ' ');
    }
    compact
}

/// The normal form of the last postcode in `text`.
pub(crate) fn last_in(grammar: &Regex, text: &str) -> Option<String> {
    spans(grammar, text)
        .last()
        .and_then(|r| text.get(r))
        .map(normalise)
}

/// The normal forms of every postcode in `text`.
pub(crate) fn all_in(grammar: &Regex, text: &str) -> Vec<String> {
    spans(grammar, text)
        .filter_map(|r| text.get(r))
        .map(normalise)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        postcode_spans(text)
            .into_iter()
            .map(|r| normalise(&text[r]))
            .collect()
    }

    #[test]
    fn every_outward_shape() {
        for code in [
            "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB",
        ] {
            assert_eq!(found(&format!("x {code} y")), [code]);
        }
    }

    #[test]
    fn special_case_space_and_line_breaks() {
        assert_eq!(found("GIR 0AA"), ["GIR 0AA"]);
        assert_eq!(found("bl9 8pb"), ["BL9 8PB"]);
        assert_eq!(found("BL98PB"), ["BL9 8PB"]);
        assert_eq!(found("BL9  8PB"), ["BL9 8PB"]);
        assert_eq!(found("Widnes, WA8\n3JJ"), ["WA8 3JJ"]);
    }

    #[test]
    fn refuses_non_postcodes() {
        // Inward letters C, I, K, M, O, V are never used.
        assert!(found("BL9 8PC").is_empty());
        assert!(found("BL9 8IO").is_empty());
        // Outward code alone, BFPO, register numbers, dates, inside words.
        assert!(found("address in BL9").is_empty());
        assert!(found("BFPO 105").is_empty());
        assert!(found("BA-1 to BA-1432").is_empty());
        assert!(found("Thursday 2 May 2019").is_empty());
        assert!(found("XBL9 8PBX").is_empty());
    }

    #[test]
    fn a_digit_anywhere_may_be_a_postcode() {
        for len in 0..40 {
            let mut text = "x".repeat(len);
            assert!(!may_hold_postcode(&text));
            for at in 0..len {
                text.replace_range(at..=at, "7");
                assert!(may_hold_postcode(&text), "{text}");
                text.replace_range(at..=at, "x");
            }
        }
    }

    #[test]
    fn normal_form() {
        assert_eq!(normalise("n1\n6le"), "N1 6LE");
        assert_eq!(normalise("GIR0AA"), "GIR 0AA");
    }
}
