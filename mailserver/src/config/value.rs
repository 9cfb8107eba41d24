//! Values written as text in the configuration file: durations (`90s`, `5m`, `4h`,
//! `5d`), sizes (`25M`, `1G`) and socket addresses.

use std::net::SocketAddr;
use std::time::Duration;

/// Parses a duration: a number followed by `s`, `m`, `h` or `d` (a bare number is
/// seconds).
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = split_unit(text);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("not a duration (like \"30s\", \"5m\", \"4h\", \"5d\"): {text:?}"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "unknown duration unit {unit:?} in {text:?} (use s, m, h or d)"
            ));
        }
    };
    value
        .checked_mul(factor)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("duration too large: {text:?}"))
}

/// Parses a size in bytes: a number, optionally followed by `k`, `M` or `G` (powers of
/// 1024).
pub(crate) fn size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = split_unit(text);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("not a size (like \"25M\", \"512k\", \"1G\"): {text:?}"))?;
    let factor = match unit {
        "" => 1,
        "k" | "K" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown size unit {unit:?} in {text:?} (use k, M or G)"
            ));
        }
    };
    value
        .checked_mul(factor)
        .ok_or_else(|| format!("size too large: {text:?}"))
}

/// Parses `IP:port` (`[::1]:143` for IPv6).
pub(crate) fn socket_addr(text: &str) -> Result<SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        format!("not an IP address and port (like \"127.0.0.1:25\" or \"[::]:25\"): {text:?}")
    })
}

/// Splits `"25M"` into `("25", "M")`.
fn split_unit(text: &str) -> (&str, &str) {
    let at = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    (&text[..at], text[at..].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (text, secs) in [
            ("30", 30),
            ("30s", 30),
            ("5m", 300),
            ("4h", 14_400),
            ("5d", 432_000),
        ] {
            assert_eq!(duration(text), Ok(Duration::from_secs(secs)), "{text}");
        }
        for bad in ["", "m", "5 weeks", "-1s", "1.5h", "99999999999999999999d"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        for (text, bytes) in [
            ("1024", 1024),
            ("512k", 524_288),
            ("25M", 26_214_400),
            ("1G", 1 << 30),
        ] {
            assert_eq!(size(text), Ok(bytes), "{text}");
        }
        for bad in ["", "M", "25 MB", "1T", "-5"] {
            assert!(size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(socket_addr("127.0.0.1:25").unwrap().port(), 25);
        assert!(socket_addr("[::1]:143").unwrap().is_ipv6());
        let err = socket_addr("localhost:25").unwrap_err();
        assert!(err.contains("\"localhost:25\""), "{err}");
    }
}
