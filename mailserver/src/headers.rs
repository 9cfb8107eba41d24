//! Header fields the server writes or reads: `Received`, RFC 5322 dates, the
//! addresses of `From`.

use mail_parser::{HeaderName, HeaderValue, MessageParser};

/// An RFC 5322 date-time for `unix` seconds, in UTC: `Sat, 28 Nov 2026 10:03:49 +0000`.
pub fn rfc5322_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_date(days);
    let weekday = DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)];
    let month_name = MONTHS[usize::try_from(month - 1).unwrap_or(0)];
    format!(
        "{weekday}, {day} {month_name} {year} {:02}:{:02}:{:02} +0000",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The proleptic Gregorian (year, month, day) of `days` since 1970-01-01 (the "civil
/// from days" algorithm of H. Hinnant's date notes).
pub fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Seconds since the epoch, now.
pub fn unix_now() -> i64 {
    // Header dates are real dates.
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What a `Received` field records.
#[derive(Debug)]
pub struct Trace<'a> {
    /// The name the client gave in EHLO/HELO.
    pub helo: &'a str,
    /// The client's address.
    pub ip: std::net::IpAddr,
    /// Our host name.
    pub by: &'a str,
    /// `ESMTP`, `ESMTPS` (TLS), `ESMTPSA` (TLS + AUTH) (RFC 3848).
    pub with: &'a str,
    /// The queue id.
    pub id: &'a str,
    /// The recipient, when there is exactly one.
    pub recipient: Option<&'a str>,
}

/// The `Received:` field (RFC 5321 section 4.4), folded, with its CRLF.
pub fn received(trace: &Trace<'_>) -> String {
    let for_clause = trace
        .recipient
        .map(|r| format!("\r\n\tfor <{r}>"))
        .unwrap_or_default();
    format!(
        "Received: from {} ([{}])\r\n\tby {} with {} id {}{for_clause};\r\n\t{}\r\n",
        trace.helo,
        trace.ip,
        trace.by,
        trace.with,
        trace.id,
        rfc5322_date(unix_now())
    )
}

/// The addresses in the `From` field(s), lower case.
pub fn from_addresses(message: &[u8]) -> Vec<String> {
    let header_end = memchr_header_end(message);
    let Some(parsed) = MessageParser::new().parse_headers(&message[..header_end]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for header in parsed.headers() {
        if header.name != HeaderName::From {
            continue;
        }
        if let HeaderValue::Address(address) = &header.value {
            for addr in address.iter() {
                if let Some(text) = &addr.address {
                    out.push(text.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

/// Whether the header has a field named `name`.
pub fn has_field(message: &[u8], name: &str) -> bool {
    let header = &message[..memchr_header_end(message)];
    header
        .split(|&b| b == b'\n')
        .filter(|line| !line.first().is_some_and(|b| *b == b' ' || *b == b'\t'))
        .any(|line| {
            line.len() > name.len()
                && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && line[name.len()] == b':'
        })
}

/// The length of the header block including the blank line (or the whole message).
fn memchr_header_end(message: &[u8]) -> usize {
    if message.starts_with(b"\r\n") {
        return 2;
    }
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |at| at + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_795_860_229),
            "Sat, 28 Nov 2026 10:03:49 +0000"
        );
        assert_eq!(rfc5322_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn from_fields() {
        let message = b"Subject: x\r\nFrom: \"Alice\" <Alice@Example.org>, bob@example.net\r\n\r\nFrom: not@header\r\n";
        assert_eq!(
            from_addresses(message),
            ["alice@example.org", "bob@example.net"]
        );
        assert!(from_addresses(b"Subject: none\r\n\r\n").is_empty());
        assert!(has_field(message, "subject"));
        assert!(!has_field(message, "message-id"));
    }

    #[test]
    fn received_field() {
        let field = received(&Trace {
            helo: "client.example",
            ip: "192.0.2.1".parse().unwrap(),
            by: "mx.example.org",
            with: "ESMTPS",
            id: "0019a6b3c2d40001",
            recipient: Some("bob@example.org"),
        });
        assert!(field.starts_with("Received: from client.example ([192.0.2.1])\r\n\tby mx.example.org with ESMTPS id 0019a6b3c2d40001\r\n\tfor <bob@example.org>;\r\n\t"));
        assert!(field.ends_with(" +0000\r\n"));
    }
}
