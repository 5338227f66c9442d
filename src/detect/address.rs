//! The address cell: what one candidate's "home address" value says.
//!
//! Input: the raw text of a home-address cell or label value (wrapped lines
//! joined by `\n`). Output: an [`AddressCell`]: published (with the address
//! as one line and its postcode), withheld (with the area), or unknown.
//!
//! This module classifies one value it is given; it never decides which
//! cell of a notice is a candidate's address (that is segmentation).

use regex::RegexSet;

use super::postcode;
use super::rules::Rules;
use super::text::{PhraseSet, collapse_spaces, normalise_into};
use crate::model::AddressStatus;

/// What one address cell says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AddressCell {
    pub status: AddressStatus,
    /// The withheld area, for a withheld cell that names one.
    pub area: Option<String>,
    /// The address on one line, for a published cell.
    pub address: Option<String>,
    /// The last full postcode of a published cell, normalised.
    pub postcode: Option<String>,
}

impl AddressCell {
    fn unknown() -> AddressCell {
        AddressCell {
            status: AddressStatus::Unknown,
            area: None,
            address: None,
            postcode: None,
        }
    }
}

const FLAT: usize = 0;
const STREET: usize = 1;
const HOUSE: usize = 2;

/// Compiled address rules: withheld wordings, countries, address cues.
#[derive(Clone, Debug)]
pub(crate) struct AddressRules {
    wordings: Vec<regex::Regex>,
    /// Prefilter: one pass says whether any wording matches.
    wording_set: RegexSet,
    countries: Vec<String>,
    words: PhraseSet,
    house_number: regex::Regex,
    postcode: regex::Regex,
    postcode_as_typed: regex::Regex,
}

impl AddressRules {
    pub(crate) fn new(rules: &Rules) -> AddressRules {
        let wording_set = RegexSet::new(
            rules
                .wordings
                .iter()
                .map(|w| format!("(?i:{})", w.as_str())),
        )
        // Every pattern compiled alone when the rules were loaded, so the
        // set of them compiles too; an empty set is the harmless fallback.
        .unwrap_or_else(|_| RegexSet::empty());
        AddressRules {
            wordings: rules.wordings.clone(),
            wording_set,
            countries: rules.countries.iter().map(|c| c.to_lowercase()).collect(),
            words: PhraseSet::new([
                (FLAT, rules.flat_words.as_slice()),
                (STREET, rules.street_types.as_slice()),
                (HOUSE, rules.house_name_words.as_slice()),
            ]),
            house_number: rules.house_number.clone(),
            postcode: rules.postcode.clone(),
            postcode_as_typed: rules.postcode_as_typed.clone(),
        }
    }

    /// Classifies one home-address value.
    pub(crate) fn classify(&self, raw: &str) -> AddressCell {
        let flat = collapse_spaces(raw);
        if !flat.chars().any(char::is_alphanumeric) {
            return AddressCell::unknown();
        }
        if let Some(area) = self.withheld_area(&flat) {
            return AddressCell {
                status: AddressStatus::Withheld,
                area,
                address: None,
                postcode: None,
            };
        }
        let postcode = postcode::last_in(&self.postcode, raw)
            .or_else(|| postcode::last_in(&self.postcode_as_typed, raw));
        let parts = raw
            .split(['\n', ','])
            .filter(|part| part.chars().any(char::is_alphanumeric))
            .count();
        if postcode.is_some() || parts >= 2 || self.is_address_like(&flat) {
            return AddressCell {
                status: AddressStatus::Published,
                area: None,
                address: Some(one_line(raw)),
                postcode,
            };
        }
        AddressCell::unknown()
    }

    /// `Some(area)` when the text is a withheld-address statement (`area`
    /// is `None` for wordings that name no area): the first wording, in
    /// order, that matches anywhere in it, or a country alone.
    pub(crate) fn withheld_area(&self, flat: &str) -> Option<Option<String>> {
        // One pass rules out most cells (published addresses); a statement
        // is then read by its wordings in order, the first that matches
        // capturing the area.
        if self.wording_set.is_match(flat) {
            let area = self
                .wordings
                .iter()
                .find_map(|wording| wording.captures(flat))
                .and_then(|c| c.name("area").map(|m| clean_area(m.as_str())))
                .filter(|a| !a.is_empty());
            return Some(area);
        }
        let bare = flat.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
        // The countries are held lowercase: ASCII text is compared to them
        // without lowercasing a copy.
        let country = if bare.is_ascii() {
            self.countries.iter().any(|c| c.eq_ignore_ascii_case(bare))
        } else {
            self.countries.contains(&bare.to_lowercase())
        };
        country.then(|| Some(bare.to_string()))
    }

    /// Whether an address cell's text is complete: a withheld-area
    /// statement in parentheses, closed, or an address whose last line ends
    /// with its postcode. (An unbracketed statement may wrap onto a further
    /// line: never known complete.)
    pub(crate) fn is_complete(&self, raw: &str) -> bool {
        let flat = collapse_spaces(raw);
        if flat.is_empty() {
            return false;
        }
        if self.wording_set.is_match(&flat) {
            let opened = flat.matches('(').count();
            return opened > 0 && flat.matches(')').count() >= opened;
        }
        let last = raw
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let trimmed =
            last.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
        postcode::spans(&self.postcode, trimmed).any(|span| span.end == trimmed.len())
    }

    /// Whether text holds a full postcode.
    pub(crate) fn postcode_in(&self, text: &str) -> bool {
        postcode::may_hold_postcode(text) && self.postcode.is_match(text)
    }

    /// Whether text reads as a street address without a postcode: a
    /// street-type word with a house number, house name or flat word, or a
    /// flat word with a number.
    pub(crate) fn is_address_like(&self, text: &str) -> bool {
        let mut normal = String::with_capacity(text.len());
        normalise_into(text, &mut normal);
        let (mut flat, mut street, mut house) = (false, false, false);
        for (group, _, _) in self.words.hits(&normal) {
            match group {
                FLAT => flat = true,
                STREET => street = true,
                _ => house = true,
            }
        }
        let number = self.house_number.is_match(&normal);
        (street && (number || house || flat)) || (flat && number)
    }
}

/// The area as printed, without a trailing parenthesis or full stop.
fn clean_area(area: &str) -> String {
    collapse_spaces(
        area.trim_end_matches(|c: char| matches!(c, ')' | '.' | ',' | ';') || c.is_whitespace()),
    )
    .into_owned()
}

/// A wrapped address on one line. Lines that already carry commas were
/// wrapped mid-phrase and join with a space; lines without any are one
/// address element each and join with a comma.
pub(crate) fn one_line(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let separator = if lines.iter().any(|l| l.contains(',')) {
        " "
    } else {
        ", "
    };
    collapse_spaces(&lines.join(separator))
        .trim_end_matches(['.', ',', ';'])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> AddressRules {
        AddressRules::new(&Rules::builtin())
    }

    fn withheld(raw: &str) -> Option<String> {
        let cell = rules().classify(raw);
        assert_eq!(cell.status, AddressStatus::Withheld, "{raw}");
        cell.area
    }

    #[test]
    fn every_withheld_wording() {
        assert_eq!(
            withheld("(address in Exampleshire)").as_deref(),
            Some("Exampleshire")
        );
        assert_eq!(
            withheld("(address in London Borough\nof Exampleton)").as_deref(),
            Some("London Borough of Exampleton")
        );
        assert_eq!(
            withheld("Address in Exampleton").as_deref(),
            Some("Exampleton")
        );
        assert_eq!(
            withheld("(address in the Mid Example Constituency)").as_deref(),
            Some("Mid Example Constituency")
        );
        assert_eq!(
            withheld("Resides in the City of\nExampleton Council area").as_deref(),
            Some("City of Exampleton Council area")
        );
        assert_eq!(
            withheld("(address outside Exampleshire)").as_deref(),
            Some("outside Exampleshire")
        );
        assert_eq!(withheld("France").as_deref(), Some("France"));
        assert_eq!(withheld("(Spain)").as_deref(), Some("Spain"));
        assert_eq!(
            withheld("(cyfeiriad yn Enghraifft)").as_deref(),
            Some("Enghraifft")
        );
        assert_eq!(
            withheld("(address in Exampleton) / (cyfeiriad yn Enghraifft)").as_deref(),
            Some("Exampleton")
        );
        assert_eq!(withheld("(address withheld)"), None);
    }

    #[test]
    fn published_addresses_with_and_without_postcodes() {
        let r = rules();
        let cell = r.classify("Flat 3 Example House, Sample\nStreet, Testville, N1\n6ZZ");
        assert_eq!(cell.status, AddressStatus::Published);
        assert_eq!(cell.postcode.as_deref(), Some("N1 6ZZ"));
        assert_eq!(
            cell.address.as_deref(),
            Some("Flat 3 Example House, Sample Street, Testville, N1 6ZZ")
        );

        let cell = r.classify("Example Cottage\nWest End\nTestville\nZZ9 9ZZ");
        assert_eq!(
            cell.address.as_deref(),
            Some("Example Cottage, West End, Testville, ZZ9 9ZZ")
        );

        let cell = r.classify("14 Sample Lane");
        assert_eq!(cell.status, AddressStatus::Published);
        assert_eq!(cell.postcode, None);
    }

    #[test]
    fn unknown_when_neither() {
        let r = rules();
        assert_eq!(r.classify("").status, AddressStatus::Unknown);
        assert_eq!(r.classify(" - ").status, AddressStatus::Unknown);
        assert_eq!(r.classify("Labour Party").status, AddressStatus::Unknown);
    }

    #[test]
    fn address_cues() {
        let r = rules();
        assert!(r.is_address_like("Flat 2"));
        assert!(r.is_address_like("Rose Cottage, Sample Lane"));
        assert!(!r.is_address_like("Green Party"));
        assert!(!r.is_address_like("Statement of persons nominated"));
    }
}
