//! Instants as reports print them: seconds since the Unix epoch to an
//! ISO 8601 UTC date-time (`2026-05-28T09:30:00Z`) or date
//! (`2026-05-28`), and a `YYYY-MM-DD` date back to the seconds at its
//! start. No time zones: every instant the tool records is UTC.

/// `secs` (since the Unix epoch) as `YYYY-MM-DDTHH:MM:SSZ`.
///
/// ```
/// assert_eq!(sopncheck::clock::date_time(1_780_047_000), "2026-05-29T09:30:00Z");
/// ```
pub fn date_time(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of_days(days),
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `secs` (since the Unix epoch) as `YYYY-MM-DD`.
pub fn date(secs: i64) -> String {
    date_of_days(secs.div_euclid(86_400))
}

/// The seconds since the Unix epoch at the start (00:00 UTC) of the day
/// `text` (`YYYY-MM-DD`), or `None` if it is not such a date.
///
/// ```
/// use sopncheck::clock::{date, parse_date};
/// assert_eq!(parse_date("2026-05-29").map(date).as_deref(), Some("2026-05-29"));
/// assert_eq!(parse_date("2026-02-30"), None);
/// ```
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    let days = days_of_date(year, month, day);
    (date_of_days(days) == format!("{year:04}-{month:02}-{day:02}")).then_some(days * 86_400)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_of_date(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (`civil_from_days`).
fn date_of_days(days: i64) -> String {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
