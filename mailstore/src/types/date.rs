//! Calendar dates and internal dates, without a clock and without a date crate.

use std::fmt;
use std::str::FromStr;

use super::ValidationError;

/// A calendar date, as the IMAP search keys `BEFORE`, `ON`, `SINCE` and their `SENT*`
/// forms take it (RFC 9051 section 6.4.4: "disregarding time and timezone").
///
/// Prints and parses as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Makes a date from year (1 to 9999), month (1 to 12) and day of the month.
    ///
    /// # Errors
    /// [`ValidationError`] when the day does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ValidationError> {
        const WHAT: &str = "date";
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(ValidationError::new(WHAT, None));
        }
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day > days_in_month {
            return Err(ValidationError::new(WHAT, None));
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        )
    }

    /// The date `days` after 1970-01-01, if it is within years 1 to 9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(days);
        Self::new(u16::try_from(y).ok()?, m as u8, d as u8).ok()
    }
}

impl FromStr for Date {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = ValidationError::new("date", None);
        let mut parts = s.splitn(3, '-');
        let mut next = |len: usize| -> Result<u16, ValidationError> {
            let part = parts.next().ok_or(bad)?;
            if part.len() != len || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad);
            }
            part.parse().map_err(|_| bad)
        };
        let (y, m, d) = (next(4)?, next(2)?, next(2)?);
        Self::new(y, m as u8, d as u8)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// When a message arrived (IMAP `INTERNALDATE`): an instant plus the UTC offset it was
/// given with, so it prints back as it came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InternalDate {
    timestamp: i64,
    offset_minutes: i16,
}

impl InternalDate {
    /// Makes an internal date from seconds since the Unix epoch (UTC) and the offset of
    /// the zone it is shown in, in minutes east of UTC (clamped to -23:59..=+23:59).
    pub fn new(timestamp: i64, offset_minutes: i16) -> Self {
        Self {
            timestamp,
            offset_minutes: offset_minutes.clamp(-1439, 1439),
        }
    }

    /// The current time in UTC, for appends that bring no date.
    pub fn now() -> Self {
        // The store stamps arrival times: this is the one place that reads the clock,
        // and callers that have a time (tests, IMAP APPEND with a date) pass it in.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        let secs = now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Self::new(secs, 0)
    }

    /// Seconds since the Unix epoch, UTC.
    pub const fn timestamp(self) -> i64 {
        self.timestamp
    }

    /// Minutes east of UTC of the zone the date is shown in.
    pub const fn offset_minutes(self) -> i16 {
        self.offset_minutes
    }

    /// The calendar date in the date's own zone, as search compares it.
    pub fn local_date(self) -> Option<Date> {
        Date::from_days_since_epoch(self.local_days())
    }

    pub(crate) fn local_days(self) -> i64 {
        (self.timestamp + i64::from(self.offset_minutes) * 60).div_euclid(86_400)
    }

    /// The local date and time: (year, month, day, hour, minute, second).
    pub fn local_parts(self) -> (i64, u32, u32, u32, u32, u32) {
        let local = self.timestamp + i64::from(self.offset_minutes) * 60;
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        let secs = local.rem_euclid(86_400) as u32;
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

impl fmt::Display for InternalDate {
    /// The IMAP `date-time` form: `17-Jul-1996 02:44:25 -0700`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let (y, m, d, hh, mm, ss) = self.local_parts();
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{d:02}-{}-{y:04} {hh:02}:{mm:02}:{ss:02} {sign}{:02}{:02}",
            MONTHS[(m as usize).clamp(1, 12) - 1],
            off / 60,
            off % 60
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert!(Date::new(2023, 2, 29).is_err());
        assert!(Date::new(2024, 2, 29).is_ok());
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        for bad in ["2024-2-29", "2024-02-30", "24-01-01", "2024-01-01x", ""] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        // RFC 9051 example: 17-Jul-1996 02:44:25 -0700
        let date = InternalDate::new(837_596_665, -420);
        assert_eq!(date.to_string(), "17-Jul-1996 02:44:25 -0700");
        assert_eq!(date.local_date(), Some(Date::new(1996, 7, 17).unwrap()));
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -700_000i64..2_900_000) {
            if let Some(date) = Date::from_days_since_epoch(days) {
                prop_assert_eq!(date.days_since_epoch(), days);
                prop_assert_eq!(date.to_string().parse::<Date>().unwrap(), date);
            }
        }
    }
}
