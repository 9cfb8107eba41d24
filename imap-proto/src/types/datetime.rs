//! Dates: the `date-time` of INTERNALDATE and APPEND, and the `date` of SEARCH.

use std::fmt;

use crate::error::{ValidationError, ValidationErrorKind};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date, as used by SEARCH (RFC 9051 section 9).
///
/// ```text
/// date       = date-text / DQUOTE date-text DQUOTE
/// date-text  = date-day "-" date-month "-" date-year
/// ```
///
/// ```
/// use mailwright_imap::types::Date;
/// let date = Date::new(2026, 11, 1).unwrap();
/// assert_eq!(date.to_string(), "1-Nov-2026");
/// assert!(Date::new(2026, 2, 29).is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A date and time with a zone offset: the internal date of a message
/// (RFC 9051 section 9).
///
/// ```text
/// date-time      = DQUOTE date-day-fixed "-" date-month "-" date-year
///                  SP time SP zone DQUOTE
/// date-day-fixed = (SP DIGIT) / 2DIGIT
/// time           = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone           = ("+" / "-") 4DIGIT
/// ```
///
/// ```
/// use mailwright_imap::types::DateTime;
/// let t = DateTime::from_unix(1_795_770_845, 60).unwrap();
/// assert_eq!(t.to_string(), "27-Nov-2026 10:14:05 +0100");
/// assert_eq!(t.to_unix(), 1_795_770_845);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    /// Offset from UTC in minutes, east positive.
    offset: i16,
}

impl Date {
    /// A date from its parts; years 0 to 9999.
    ///
    /// # Errors
    ///
    /// When the date does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, ValidationError> {
        if year > 9999 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month)
        {
            return Err(ValidationError::new(ValidationErrorKind::OutOfRange));
        }
        Ok(Self { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(i64::from(self.year), self.month, self.day)
    }

    /// The date `days` days after 1970-01-01.
    ///
    /// # Errors
    ///
    /// When the year falls outside 0 to 9999.
    pub fn from_days_since_epoch(days: i64) -> Result<Self, ValidationError> {
        let (year, month, day) = civil_from_days(days);
        let year = u16::try_from(year)
            .map_err(|_| ValidationError::new(ValidationErrorKind::OutOfRange))?;
        Self::new(year, month, day)
    }

    /// The three-letter English month name used on the wire.
    pub(crate) fn month_name(&self) -> &'static str {
        MONTHS[usize::from(self.month - 1)]
    }

    pub(crate) fn month_from_name(name: &[u8]) -> Option<u8> {
        MONTHS
            .iter()
            .position(|m| m.as_bytes().eq_ignore_ascii_case(name))
            .map(|i| i as u8 + 1)
    }
}

impl DateTime {
    /// 1 January 1970, 00:00:00 UTC.
    pub const UNIX_EPOCH: Self = Self {
        date: Date {
            year: 1970,
            month: 1,
            day: 1,
        },
        hour: 0,
        minute: 0,
        second: 0,
        offset: 0,
    };

    /// A date-time from its parts; `offset_minutes` east of UTC, within ±99:59.
    ///
    /// # Errors
    ///
    /// When a part is out of range.
    pub fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        offset_minutes: i16,
    ) -> Result<Self, ValidationError> {
        if hour > 23 || minute > 59 || second > 60 || offset_minutes.unsigned_abs() > 99 * 60 + 59 {
            return Err(ValidationError::new(ValidationErrorKind::OutOfRange));
        }
        Ok(Self {
            date,
            hour,
            minute,
            second,
            offset: offset_minutes,
        })
    }

    /// The local time of the Unix timestamp `seconds` in the zone `offset_minutes`
    /// east of UTC.
    ///
    /// # Errors
    ///
    /// When the year falls outside 0 to 9999 or the offset is out of range.
    pub fn from_unix(seconds: i64, offset_minutes: i16) -> Result<Self, ValidationError> {
        let local = seconds + i64::from(offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let date = Date::from_days_since_epoch(days)?;
        Self::new(
            date,
            (secs / 3600) as u8,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
            offset_minutes,
        )
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn to_unix(&self) -> i64 {
        self.date.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
            - i64::from(self.offset) * 60
    }

    /// The calendar date in the time's own zone.
    pub fn date(&self) -> Date {
        self.date
    }

    /// Hour, minute, second.
    pub fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// Offset from UTC in minutes, east positive.
    pub fn offset_minutes(&self) -> i16 {
        self.offset
    }

    /// Writes the value between the quotes: `27-Nov-2026 10:14:05 +0100`.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        let d = self.date;
        if d.day < 10 {
            out.push(b' ');
        }
        crate::codec::encode::write_u32(out, u32::from(d.day));
        out.push(b'-');
        out.extend_from_slice(d.month_name().as_bytes());
        out.push(b'-');
        push_digits(out, u32::from(d.year), 4);
        out.push(b' ');
        push_digits(out, u32::from(self.hour), 2);
        out.push(b':');
        push_digits(out, u32::from(self.minute), 2);
        out.push(b':');
        push_digits(out, u32::from(self.second), 2);
        out.push(b' ');
        out.push(if self.offset < 0 { b'-' } else { b'+' });
        let abs = self.offset.unsigned_abs();
        push_digits(out, u32::from(abs / 60), 2);
        push_digits(out, u32::from(abs % 60), 2);
    }
}

fn push_digits(out: &mut Vec<u8>, value: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 0 {
        out.push(b'0' + (value / div % 10) as u8);
        div /= 10;
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.day, self.month_name(), self.year)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::with_capacity(26);
        self.write_to(&mut out);
        f.write_str(String::from_utf8_lossy(&out).trim_start())
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trip() {
        for days in [-719_468i64, -1, 0, 1, 59, 60, 10_957, 20_000, 2_932_896] {
            let date = Date::from_days_since_epoch(days).unwrap();
            assert_eq!(date.days_since_epoch(), days, "{date}");
        }
        assert_eq!(Date::new(2000, 2, 29).unwrap().to_string(), "29-Feb-2000");
        assert!(Date::new(1900, 2, 29).is_err());
        assert!(Date::new(2026, 13, 1).is_err());
    }

    #[test]
    fn unix_and_zones() {
        let t = DateTime::from_unix(0, -300).unwrap();
        assert_eq!(t.to_string(), "31-Dec-1969 19:00:00 -0500");
        assert_eq!(t.to_unix(), 0);
        let mut out = Vec::new();
        DateTime::from_unix(86_400 * 3, 0)
            .unwrap()
            .write_to(&mut out);
        assert_eq!(
            out, b" 4-Jan-1970 00:00:00 +0000",
            "day-fixed pads with a space"
        );
        assert!(DateTime::new(Date::new(2020, 1, 1).unwrap(), 24, 0, 0, 0).is_err());
        assert_eq!(Date::month_from_name(b"nov"), Some(11));
        assert_eq!(Date::month_from_name(b"Foo"), None);
    }
}
