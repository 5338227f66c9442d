//! What election a notice is for, and whether its candidates could
//! withhold their home addresses.
//!
//! Input: the election-type phrases found in the notice's normalised
//! heading, its poll date (or why none was read) and the nation of its
//! council (if recognised). Output: the [`ElectionType`] named first in the
//! heading (`rules/elections.toml`) and a [`WithholdingRule`]: whether the
//! rule letting candidates withhold their address applied, with the
//! legislation or the reason it could not be established
//! (`rules/withholding.toml`).
//!
//! Nothing is guessed: without a date, or when the type or nation left
//! unknown would change the answer, or when the date the rule came in is
//! itself uncertain around the poll, the rule's application is `None` and
//! the reason says which.

use super::rules::{ElectionRule, Rules, Withholding};
use crate::model::{ElectionType, WithholdingRule};

/// Why no election type was read: the reason `election_type_reason` gives.
pub(crate) const NO_ELECTION_TYPE: &str = "no election type is named in the notice's heading";

/// Compiled election types and the withholding dates.
#[derive(Clone, Debug)]
pub(crate) struct ElectionReader {
    types: Vec<ElectionRule>,
    withholding: Vec<Withholding>,
}

/// Where one poll date falls against one rule's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Before,
    After,
    /// Inside an uncertain rule's window.
    Unsure,
}

impl ElectionReader {
    pub(crate) fn new(rules: &Rules) -> ElectionReader {
        ElectionReader {
            types: rules.election_types.clone(),
            withholding: rules.withholding.clone(),
        }
    }

    /// The phrase groups [`ElectionReader::election_type`] reads: group
    /// `i` names the `i`th type of `rules/elections.toml`.
    pub(crate) fn phrase_groups(rules: &Rules) -> impl Iterator<Item = (usize, &[String])> {
        rules
            .election_types
            .iter()
            .enumerate()
            .map(|(i, rule)| (i, rule.phrases.as_slice()))
    }

    /// The election type of the phrase starting first in the normalised
    /// heading (of phrases starting together, the longest's), or the first
    /// of its `refined_by` types whose phrase the heading also has, from
    /// the heading's `hits` of [`ElectionReader::phrase_groups`] (group,
    /// start, end), in the order a [`PhraseSet`](super::text::PhraseSet) finds them.
    pub(crate) fn election_type(&self, hits: &[(usize, usize, usize)]) -> Option<ElectionType> {
        let (first, _, _) = hits
            .iter()
            .min_by_key(|&&(_, start, end)| (start, std::cmp::Reverse(end)))?;
        let rule = self.types.get(*first)?;
        let present = |t: &ElectionType| {
            hits.iter().any(|(group, _, _)| {
                self.types
                    .get(*group)
                    .is_some_and(|r| r.election_type == *t)
            })
        };
        Some(
            rule.refined_by
                .iter()
                .copied()
                .find(present)
                .unwrap_or(rule.election_type),
        )
    }

    /// Whether candidates could withhold their address at an election on
    /// `date` (or `Err` with why no date was read) of `election` type in
    /// `nation`, either of which may be unknown.
    pub(crate) fn withholding(
        &self,
        date: Result<&str, &str>,
        election: Option<ElectionType>,
        nation: Option<&str>,
    ) -> WithholdingRule {
        let unknown = |reason: String| WithholdingRule {
            applied: None,
            reason,
        };
        let date = match date {
            Ok(date) => date,
            Err(why) => return unknown(format!("no election date was read: {why}")),
        };
        let entries: Vec<&Withholding> = self
            .withholding
            .iter()
            .filter(|w| election.is_none_or(|t| w.election == t))
            .filter(|w| nation.is_none_or(|n| w.nations.iter().any(|x| x == n)))
            .collect();
        let elections = election.map_or("any".to_string(), |t| t.name().to_string());
        let place = nation.map_or(String::new(), |n| format!(" in {n}"));
        if entries.is_empty() {
            return unknown(format!(
                "rules/withholding.toml gives no date for {elections} elections{place}"
            ));
        }
        let sides: Vec<Side> = entries
            .iter()
            .map(|w| {
                if date < w.from.as_str() {
                    Side::Before
                } else if w.latest.as_deref().is_none_or(|latest| date >= latest) {
                    Side::After
                } else {
                    Side::Unsure
                }
            })
            .collect();
        let all = |side: Side| sides.iter().all(|s| *s == side);
        match (entries.as_slice(), sides.first()) {
            ([only], Some(Side::Unsure)) => unknown(format!(
                "the date the rule came in for {elections} elections{place} is uncertain, between {} and {} ({}; see rules/withholding.toml)",
                only.from,
                only.latest.as_deref().unwrap_or(&only.from),
                only.legislation
            )),
            ([only], Some(Side::Before)) => WithholdingRule {
                applied: Some(false),
                reason: format!(
                    "the election on {date} predates {} (from {})",
                    only.legislation, only.from
                ),
            },
            ([only], _) => WithholdingRule {
                applied: Some(true),
                reason: format!("{} (from {})", only.legislation, only.from),
            },
            _ if all(Side::Before) => WithholdingRule {
                applied: Some(false),
                reason: format!(
                    "the election on {date} predates every withholding rule for {elections} elections{place}"
                ),
            },
            _ if all(Side::After) => WithholdingRule {
                applied: Some(true),
                reason: format!(
                    "every withholding rule for {elections} elections{place} applied by {date}"
                ),
            },
            _ if election.is_none() => unknown(
                "the election type could not be read from the heading, and the rules differ by type"
                    .to_string(),
            ),
            _ if nation.is_none() => unknown(
                "the council, and so its nation, was not recognised, and the rules differ by nation"
                    .to_string(),
            ),
            _ => unknown(format!(
                "rules/withholding.toml gives more than one date for {elections} elections{place}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::{PhraseSet, normalise_into};
    use super::*;

    fn reader() -> ElectionReader {
        ElectionReader::new(&Rules::builtin())
    }

    fn election_type(heading: &str) -> Option<ElectionType> {
        let mut normal = String::new();
        normalise_into(heading, &mut normal);
        let rules = Rules::builtin();
        let phrases = PhraseSet::new(ElectionReader::phrase_groups(&rules));
        let hits: Vec<(usize, usize, usize)> = phrases.hits(&normal).collect();
        reader().election_type(&hits)
    }

    #[test]
    fn election_types_from_headings() {
        use ElectionType::*;
        for (heading, want) in [
            (
                "STATEMENT OF PERSONS NOMINATED\nElection of a Borough Councillor for Appleton",
                Local,
            ),
            ("LOCAL COUNCIL ELECTION\nDistrict of Exampleton", Local),
            (
                "Election of Parish Councillors for the Parish of Sampleton",
                ParishOrCommunity,
            ),
            ("Etholiad Cynghorwyr Cymuned", ParishOrCommunity),
            ("Election of the Mayor for Exampleton", Mayoral),
            ("Election of the Mayor of London", GreaterLondonAuthority),
            (
                "London Assembly Election: Constituency Member",
                GreaterLondonAuthority,
            ),
            (
                "Election of the Mayor of the Example Combined Authority",
                CombinedAuthority,
            ),
            (
                "Example Combined Authority Mayoral Election",
                CombinedAuthority,
            ),
            (
                "Election of a Police and Crime Commissioner for the Exampleshire Police Area",
                PoliceAndCrimeCommissioner,
            ),
            (
                "Election of a Member of Parliament for the Exampleton Constituency",
                UkParliament,
            ),
            ("UK Parliamentary General Election", UkParliament),
            ("Senedd Cymru Election: Example Constituency", Senedd),
            ("National Assembly for Wales Election", Senedd),
            ("Scottish Parliamentary Election", ScottishParliament),
            (
                "Election of Members of the Northern Ireland Assembly",
                NorthernIrelandAssembly,
            ),
            (
                "European Parliamentary Election: Example Region",
                EuropeanParliament,
            ),
            // A local notice naming the European poll of the same day.
            (
                "Election of Borough Councillors, held with the European Parliamentary election",
                Local,
            ),
        ] {
            assert_eq!(election_type(heading), Some(want), "{heading}");
        }
        assert_eq!(election_type("Council tax bands 2026"), None);
    }

    #[test]
    fn withholding_from_the_rules_file() {
        use ElectionType::*;
        let reader = reader();
        let rule = |date, election, nation| reader.withholding(Ok(date), election, nation);
        let england_local = rule("2019-05-02", Some(Local), Some("England"));
        assert_eq!(england_local.applied, Some(true));
        assert!(
            england_local.reason.contains("Principal Areas"),
            "{}",
            england_local.reason
        );
        assert_eq!(
            rule("2018-05-03", Some(Local), Some("England")).applied,
            Some(false)
        );
        // Wales: from 2022, under its own rules.
        assert_eq!(
            rule("2019-05-02", Some(Local), Some("Wales")).applied,
            Some(false)
        );
        assert_eq!(
            rule("2022-05-05", Some(Local), Some("Wales")).applied,
            Some(true)
        );
        // A UK Parliament election, whatever the nation.
        assert_eq!(
            rule("2010-05-06", Some(UkParliament), None).applied,
            Some(true)
        );
        assert_eq!(
            rule("2005-05-05", Some(UkParliament), None).applied,
            Some(false)
        );
        // Every local rule came in after 2014, in every nation.
        assert_eq!(rule("2014-05-22", Some(Local), None).applied, Some(false));
        // ...but in 2019 the nation decides.
        let unknown = rule("2019-05-02", Some(Local), None);
        assert_eq!(unknown.applied, None);
        assert!(unknown.reason.contains("nation"), "{}", unknown.reason);
        // Police and crime commissioners could withhold from their first
        // polls.
        let pcc = Some(PoliceAndCrimeCommissioner);
        assert_eq!(rule("2012-11-15", pcc, Some("Wales")).applied, Some(true));
        assert_eq!(rule("2012-11-14", pcc, None).applied, Some(false));
        // An uncertain date around the poll.
        let unsure = rule("2015-06-01", Some(Senedd), Some("Wales"));
        assert_eq!(unsure.applied, None);
        assert!(unsure.reason.contains("uncertain"), "{}", unsure.reason);
        // No type read: decided only where every rule agrees.
        assert_eq!(rule("2004-06-10", None, None).applied, Some(false));
        assert_eq!(rule("2026-05-07", None, None).applied, Some(true));
        let untyped = rule("2019-05-02", None, Some("England"));
        assert_eq!(untyped.applied, None);
        assert!(untyped.reason.contains("type"), "{}", untyped.reason);
        // No date read.
        let undated =
            reader.withholding(Err("no poll date is printed"), Some(Local), Some("England"));
        assert_eq!(undated.applied, None);
        assert!(
            undated.reason.contains("no poll date is printed"),
            "{}",
            undated.reason
        );
        // No entry for the election.
        assert_eq!(
            rule("2026-05-07", Some(Mayoral), Some("Scotland")).applied,
            None
        );
    }
}
