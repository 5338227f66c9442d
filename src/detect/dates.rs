//! When the poll is: the election date printed in a notice.
//!
//! Input: the visible text of a notice's own rows (not candidates'), in
//! three parts: its head (the rows [`Classifier::head_rows`] reads), the
//! one-cell rows above its first candidate table, and the rest. Output: the
//! poll date as ISO 8601, or why none could be read.
//!
//! The rules are `rules/dates.toml`: a date grammar (day and month names in
//! English and Welsh, ordinals, dates in figures in UK order) and the
//! phrases a poll date follows. The poll date is preferred to every other
//! date: the notice's own ("Dated ...") and the nomination deadline are
//! never taken for it. A poll date printed without its year ("on 7 May")
//! takes the year that puts it nearest another full date of the notice;
//! with none, it is not read. This module never guesses a date.
//!
//! Every poll-date pattern ends with the date grammar, so a text's dates
//! are found once and each pattern asks only whether the text just before
//! a date is its lead: one run of the grammar instead of one a pattern.
//! It finds what each whole pattern would, as long as the grammar's own
//! matches start where a pattern's date would (a date the grammar reads
//! as the tail of a longer one is the exception no notice prints).
//!
//! [`Classifier::head_rows`]: super::kind::Classifier::head_rows

use std::cell::OnceCell;
use std::ops::Range;

use regex::{Captures, Regex};

use super::rules::Rules;
use super::text::{PhraseSet, normalise_into};

/// Why no poll date was read: the reason `election_date_reason` gives.
const NO_POLL_DATE: &str = "no poll date is printed in the notice's text";
const NO_YEAR: &str =
    "the poll date is printed without a year, and no other date in the notice gives one";
const NOT_A_DATE: &str = "the poll date printed is not a calendar date";

/// Compiled date rules.
#[derive(Clone, Debug)]
pub(crate) struct DateReader {
    leads: Vec<Regex>,
    header_date: Regex,
    any_date: Regex,
    not_poll: PhraseSet,
    months: Vec<Vec<String>>,
}

/// A date as printed: the year may be missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Printed {
    day: u32,
    month: u32,
    year: Option<i32>,
}

/// What one candidate date gave.
enum Reading {
    Date(String),
    NoYear,
    NotADate,
}

impl DateReader {
    pub(crate) fn new(rules: &Rules) -> DateReader {
        DateReader {
            leads: rules.date_leads.clone(),
            header_date: rules.header_date.clone(),
            any_date: rules.any_date.clone(),
            not_poll: PhraseSet::new([(0, rules.not_poll.as_slice())]),
            months: rules.months.clone(),
        }
    }

    /// The poll date, from the date patterns over `head` (the notice's
    /// first rows), then from a row of `header_rows` (one-cell rows above
    /// the first candidate table) that is only a date, then from the
    /// patterns over `rest` (the notice's later rows, asked for only when
    /// the first two give no date: most notices print their date near the
    /// top). `head` and `rest` come normalised ([`normalise_into`]: the
    /// rules match lowercased text); `Err` says why no date was read.
    pub(crate) fn poll_date<'r>(
        &self,
        head: &str,
        header_rows: impl IntoIterator<Item = &'r str>,
        rest: &dyn Fn() -> String,
    ) -> Result<String, &'static str> {
        let rest_text = OnceCell::new();
        let rest = || rest_text.get_or_init(rest).as_str();
        // Only a date printed without its year needs the notice's other
        // dates.
        let reference_date = OnceCell::new();
        let reference = || {
            *reference_date.get_or_init(|| {
                self.reference_date(head)
                    .or_else(|| self.reference_date(rest()))
            })
        };
        let mut failure = NO_POLL_DATE;
        let mut note = |reading: Reading| match reading {
            Reading::Date(date) => Some(date),
            Reading::NoYear => {
                failure = NO_YEAR;
                None
            }
            Reading::NotADate => {
                if failure == NO_POLL_DATE {
                    failure = NOT_A_DATE;
                }
                None
            }
        };
        let from_patterns = |text: &str, note: &mut dyn FnMut(Reading) -> Option<String>| {
            // Every pattern ends with the date grammar: the dates are found
            // once (where they are: their parts are read only for a date
            // that a lead comes before), and each pattern asks only
            // whether the text before a date is its lead.
            let dates: Vec<Range<usize>> =
                self.any_date.find_iter(text).map(|m| m.range()).collect();
            self.leads.iter().find_map(|lead| {
                self.first_poll_date(lead, text, &dates, &mut |c| note(self.read(c, &reference)))
            })
        };
        if let Some(date) = from_patterns(head, &mut note) {
            return Ok(date);
        }
        let mut row_text = String::new();
        for row in header_rows {
            normalise_into(row, &mut row_text);
            if let Some(c) = self.header_date.captures(&row_text)
                && let Some(date) = note(self.read(&c, &reference))
            {
                return Ok(date);
            }
        }
        from_patterns(rest(), &mut note).ok_or(failure)
    }

    /// The first date of `dates` (where the date grammar matches `text`, in
    /// order) that `lead` ends right before and `read` accepts, as the
    /// pattern `lead` then the date would find it matching `text` from
    /// the start: each match begins after the last one ended, a lead
    /// starts as early as it can, and a match that holds a phrase of
    /// another date (the nomination deadline, the notice's own date) is
    /// passed over.
    fn first_poll_date(
        &self,
        lead: &Regex,
        text: &str,
        dates: &[Range<usize>],
        read: &mut dyn FnMut(&Captures<'_>) -> Option<String>,
    ) -> Option<String> {
        let mut from = 0;
        dates.iter().find_map(|span| {
            let before = text.get(..span.start).filter(|_| span.start >= from)?;
            let start = lead.find_at(before, from)?.start();
            from = span.end;
            // The text searched is normalised already.
            let matched = text.get(start..span.end)?;
            if self.not_poll.hits(matched).next().is_some() {
                return None;
            }
            // The match that starts there is the same date (look-arounds
            // see the whole text).
            read(&self.any_date.captures_at(text, span.start)?)
        })
    }

    /// The first full date (with its year) printed in `text`: what lends
    /// its year to a poll date printed without one.
    fn reference_date(&self, text: &str) -> Option<(i32, u32, u32)> {
        self.any_date.captures_iter(text).find_map(|c| {
            let printed = self.printed(&c)?;
            let year = printed.year?;
            valid(year, printed.month, printed.day).then_some((year, printed.month, printed.day))
        })
    }

    /// The date of one match, its year taken from `reference` when it
    /// prints none.
    fn read(
        &self,
        captures: &Captures<'_>,
        reference: &dyn Fn() -> Option<(i32, u32, u32)>,
    ) -> Reading {
        let Some(printed) = self.printed(captures) else {
            return Reading::NotADate;
        };
        let year = match printed.year {
            Some(year) => year,
            None => match reference() {
                Some(reference) => nearest_year(printed.month, printed.day, reference),
                None => return Reading::NoYear,
            },
        };
        if valid(year, printed.month, printed.day) {
            Reading::Date(format!("{year:04}-{:02}-{:02}", printed.month, printed.day))
        } else {
            Reading::NotADate
        }
    }

    /// Day, month and year of a match of the date grammar: a month name
    /// (`day`, `month`, `year`) or figures (`numeric_*`, day first).
    fn printed(&self, captures: &Captures<'_>) -> Option<Printed> {
        let number = |name: &str| {
            captures
                .name(name)
                .and_then(|m| m.as_str().parse::<u32>().ok())
        };
        let year = |name: &str| {
            captures
                .name(name)
                .and_then(|m| m.as_str().parse::<i32>().ok())
        };
        if let Some(day) = number("day") {
            let month_name = captures.name("month")?.as_str().to_lowercase();
            let month = self
                .months
                .iter()
                .position(|names| names.contains(&month_name))?;
            return Some(Printed {
                day,
                month: u32::try_from(month).ok()? + 1,
                year: year("year"),
            });
        }
        Some(Printed {
            day: number("numeric_day")?,
            month: number("numeric_month")?,
            year: Some(year("numeric_year")?),
        })
    }
}

/// Whether `year`-`month`-`day` is a calendar date in a plausible range.
fn valid(year: i32, month: u32, day: u32) -> bool {
    (1900..=2200).contains(&year)
        && (1..=12).contains(&month)
        && (1..=days_in(year, month)).contains(&day)
}

fn days_in(year: i32, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn day_number(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The year, of the one before, the same and the one after `reference`'s,
/// that puts `month`/`day` nearest to it (a poll on 15 January printed in
/// a notice dated 20 December is in the next year).
fn nearest_year(month: u32, day: u32, (year, ref_month, ref_day): (i32, u32, u32)) -> i32 {
    let reference = day_number(year, ref_month, ref_day);
    [year - 1, year, year + 1]
        .into_iter()
        .filter(|y| valid(*y, month, day))
        .min_by_key(|y| (day_number(*y, month, day) - reference).abs())
        .unwrap_or(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader() -> DateReader {
        DateReader::new(&Rules::builtin())
    }

    /// `text` as the detector hands it over.
    fn normal(text: &str) -> String {
        let mut out = String::new();
        normalise_into(text, &mut out);
        out
    }

    fn poll(text: &str) -> Result<String, &'static str> {
        reader().poll_date(&normal(text), [], &String::new)
    }

    #[test]
    fn english_forms() {
        for (text, want) in [
            (
                "A poll for the election of a Councillor will be held on Thursday 7 May 2026, between",
                "2026-05-07",
            ),
            ("The poll will be held on 7th May 2026.", "2026-05-07"),
            (
                "Election of Councillors for the above District Electoral Area on Thursday, 22 May 2014.",
                "2014-05-22",
            ),
            ("Date of poll: 07/05/2026", "2026-05-07"),
            ("Date of poll: 7.5.2026", "2026-05-07"),
            (
                "a poll will take place on Thursday the 4th day of June 2015",
                "2015-06-04",
            ),
            ("Polling day: Thursday 2nd of May 2019", "2019-05-02"),
            ("LOCAL COUNCIL ELECTIONS - 22 MAY 2014", "2014-05-22"),
        ] {
            assert_eq!(poll(text).as_deref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn welsh_forms() {
        for (text, want) in [
            (
                "Cynhelir y bleidlais ar ddydd Iau 5 Mai 2022 rhwng 7am a 10pm.",
                "2022-05-05",
            ),
            (
                "Dyddiad y bleidlais: Dydd Iau, 5ed o Fai 2022",
                "2022-05-05",
            ),
            (
                "Bydd pleidlais yn cael ei chynnal ar Ddydd Mawrth 3 Mawrth 2020",
                "2020-03-03",
            ),
            ("Dyddiad y bleidlais: 1af Gorffennaf 2021", "2021-07-01"),
            ("Dyddiad y bleidlais: 12fed Rhagfyr 2019", "2019-12-12"),
        ] {
            assert_eq!(poll(text).as_deref(), Ok(want), "{text}");
        }
        // Every Welsh day name, plain and mutated, and every Welsh month.
        for (day, weekday) in [
            "Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul",
        ]
        .iter()
        .enumerate()
        {
            let date = 4 + day;
            let text = format!("Cynhelir y bleidlais ar ddydd {weekday} {date} Mai 2026");
            assert_eq!(poll(&text), Ok(format!("2026-05-{date:02}")), "{text}");
            let text = format!("Dyddiad y bleidlais: Dydd {weekday} {date} Mai 2026");
            assert_eq!(poll(&text), Ok(format!("2026-05-{date:02}")), "{text}");
        }
        for (month, name) in [
            "Ionawr",
            "Chwefror",
            "Mawrth",
            "Ebrill",
            "Mai",
            "Mehefin",
            "Gorffennaf",
            "Awst",
            "Medi",
            "Hydref",
            "Tachwedd",
            "Rhagfyr",
        ]
        .iter()
        .enumerate()
        {
            let text = format!("Dyddiad y bleidlais: 9 {name} 2027");
            assert_eq!(
                poll(&text),
                Ok(format!("2027-{:02}-09", month + 1)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_poll_date_without_its_year_in_a_heading() {
        // "on 7 May" under the heading, the year from the Dated line.
        assert_eq!(
            poll("Election of a Borough Councillor for Example Ward on 7 May. Dated 9 April 2026")
                .as_deref(),
            Ok("2026-05-07")
        );
    }

    #[test]
    fn poll_date_preferred_to_dated_line_and_nominations() {
        let text = "Dated 9 April 2026. Nomination papers must be delivered by 4pm on 8 April 2026. \
                    The poll will be held on Thursday 7 May 2026.";
        assert_eq!(poll(text).as_deref(), Ok("2026-05-07"));
        // The nomination deadline alone is not the poll date, nor is the
        // notice's own date.
        let text = "Notice of election: nomination papers for the election must be delivered on 8 April 2026. Dated 1 April 2026";
        assert_eq!(poll(text), Err(NO_POLL_DATE));
        // A poll phrase after the tables beats the Dated line above it.
        let reader = reader();
        assert_eq!(
            reader
                .poll_date(
                    &normal("Dated Friday 13 October 2023"),
                    ["Dated Friday 13 October 2023"],
                    &|| normal("A poll will be held on Thursday 2 November 2023")
                )
                .as_deref(),
            Ok("2023-11-02")
        );
    }

    #[test]
    fn a_match_passed_over_does_not_hide_the_next() {
        // The first "election ... on <date>" holds the nomination deadline
        // and is passed over; the next match starts after it, at the
        // second "election", not at the first.
        let text = "Election of councillors: the election nominations delivered on 8 April 2026 \
                    and the election on 7 May 2026";
        assert_eq!(poll(text).as_deref(), Ok("2026-05-07"));
        // A date is the poll date only where a lead ends right before it.
        assert_eq!(poll("The poll 7 May 2026 will be held"), Err(NO_POLL_DATE));
    }

    #[test]
    fn header_row_date() {
        let reader = reader();
        assert_eq!(
            reader
                .poll_date(
                    &normal("Dated Friday 13 October 2023"),
                    ["EXAMPLETON COUNCIL", "THURSDAY, 3 MAY 2018"],
                    &String::new
                )
                .as_deref(),
            Ok("2018-05-03")
        );
        assert_eq!(
            reader.poll_date("", ["31 February 2019"], &String::new),
            Err(NOT_A_DATE)
        );
    }

    #[test]
    fn year_from_elsewhere_in_the_notice() {
        assert_eq!(
            poll("The poll will be held on Thursday 7 May. Dated 9 April 2026").as_deref(),
            Ok("2026-05-07")
        );
        // Across the new year, the nearer year.
        assert_eq!(
            poll("Dated 20 December 2025. A poll will be held on 15 January").as_deref(),
            Ok("2026-01-15")
        );
        assert_eq!(
            poll("The poll will be held on Thursday 7 May. Dated 9 April"),
            Err(NO_YEAR)
        );
    }

    #[test]
    fn nearest_year_across_a_new_year() {
        assert_eq!(nearest_year(1, 15, (2025, 12, 20)), 2026);
        assert_eq!(nearest_year(12, 10, (2026, 1, 5)), 2025);
        assert_eq!(nearest_year(5, 7, (2026, 4, 9)), 2026);
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(day_number(2000, 3, 1), 11_017);
    }
}
