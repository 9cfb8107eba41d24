//! Header values for ENVELOPE and SEARCH: address lists and RFC 5322 dates.

use crate::response::Address;
use crate::types::{Date, NString};

/// Parses an address list into ENVELOPE addresses, groups included.
///
/// ```text
/// address-list = (address *("," address))
/// address      = mailbox / group
/// mailbox      = name-addr / addr-spec
/// group        = display-name ":" [group-list] ";"
/// ```
pub(crate) fn addresses(value: &str) -> Vec<Address<'static>> {
    let mut out = Vec::new();
    for item in split_top(value, ',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if let Some((group, members)) = group(item) {
            out.push(Address {
                mailbox: nstr(&group),
                ..Address::default()
            });
            for member in split_top(members.trim_end_matches(';'), ',') {
                if let Some(a) = mailbox(member.trim()) {
                    out.push(a);
                }
            }
            out.push(Address::default());
        } else if let Some(a) = mailbox(item) {
            out.push(a);
        }
    }
    out
}

fn nstr(s: &str) -> NString<'static> {
    if s.is_empty() {
        NString(None)
    } else {
        NString::from_text(s.to_owned()).unwrap_or_default()
    }
}

/// `display-name ":" members ";"` outside quotes and angle brackets.
fn group(item: &str) -> Option<(String, &str)> {
    let mut quoted = false;
    let mut angle = false;
    for (i, c) in item.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ':' if !quoted && !angle => return Some((unquote(item[..i].trim()), &item[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Splits on `sep` outside quotes, angle brackets and group lists.
fn split_top(value: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quoted, mut angle, mut in_group, mut comment) = (false, false, false, 0u32);
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '"' if comment == 0 => quoted = !quoted,
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            '<' if !quoted && comment == 0 => angle = true,
            '>' if !quoted && comment == 0 => angle = false,
            ':' if !quoted && !angle && comment == 0 => in_group = true,
            ';' if !quoted && comment == 0 => in_group = false,
            c if c == sep && !quoted && !angle && !in_group && comment == 0 => {
                out.push(&value[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_owned(),
    }
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let (mut depth, mut quoted) = (0u32, false);
    for c in s.chars() {
        match c {
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `[display-name] "<" addr-spec ">"` or a bare `addr-spec`.
fn mailbox(item: &str) -> Option<Address<'static>> {
    let clean = strip_comments(item);
    let (name, spec) = match (clean.rfind('<'), clean.rfind('>')) {
        (Some(open), Some(close)) if open < close => (
            unquote(&clean[..open]),
            clean[open + 1..close].trim().to_owned(),
        ),
        _ => (String::new(), clean.trim().to_owned()),
    };
    if spec.is_empty() {
        return None;
    }
    // A source route `@a,@b:local@host` keeps its route in `adl`.
    let (adl, spec) = match spec.split_once(':') {
        Some((route, rest)) if route.starts_with('@') => (route.to_owned(), rest.to_owned()),
        _ => (String::new(), spec),
    };
    let (local, host) = match spec.rsplit_once('@') {
        Some((l, h)) => (unquote(l), h.to_owned()),
        None => (spec, String::new()),
    };
    Some(Address {
        name: nstr(&name),
        adl: nstr(&adl),
        mailbox: nstr(&local),
        host: if host.is_empty() {
            NString(None)
        } else {
            nstr(&host)
        },
    })
}

/// The calendar date of an RFC 5322 `Date:` value (`[day-of-week ","] day month year
/// time zone`), in its own zone.
pub(crate) fn sent_date(value: &str) -> Option<Date> {
    let value = strip_comments(value);
    let value = value
        .split_once(',')
        .map_or(value.as_str(), |(_, rest)| rest);
    let mut words = value.split_whitespace();
    let day: u8 = words.next()?.parse().ok()?;
    let month = Date::month_from_name(words.next()?.get(..3)?.as_bytes())?;
    let year: u16 = words.next()?.parse().ok()?;
    let year = match year {
        0..=49 => year + 2000,
        50..=999 => year + 1900,
        _ => year,
    };
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: &NString<'_>) -> Option<String> {
        n.as_bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    #[test]
    fn address_lists() {
        let list = addresses(
            "\"Terry Gray\" <gray@cac.washington.edu>, John Klensin <KLENSIN@MIT.EDU>, bare@host (comment)",
        );
        assert_eq!(list.len(), 3);
        assert_eq!(text(&list[0].name).as_deref(), Some("Terry Gray"));
        assert_eq!(text(&list[0].mailbox).as_deref(), Some("gray"));
        assert_eq!(text(&list[1].host).as_deref(), Some("MIT.EDU"));
        assert_eq!(text(&list[2].name), None);
        assert_eq!(text(&list[2].mailbox).as_deref(), Some("bare"));
        let group = addresses("undisclosed-recipients:;");
        assert_eq!(group.len(), 2, "group start and end markers");
        let group = addresses("team: a@x, b@y;, c@z");
        assert_eq!(group.len(), 5);
        assert_eq!(text(&group[0].mailbox).as_deref(), Some("team"));
        assert_eq!(group[3], Address::default());
    }

    #[test]
    fn dates() {
        assert_eq!(
            sent_date("Fri, 27 Nov 2026 10:14:05 +0100")
                .unwrap()
                .to_string(),
            "27-Nov-2026"
        );
        assert_eq!(
            sent_date("1 Jan 99 00:00 GMT").unwrap().to_string(),
            "1-Jan-1999"
        );
        assert!(sent_date("garbage").is_none());
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{addresses, sent_date};
        use super::text;
        use crate::response::{Envelope, FetchData};
        use crate::testing::unicode_text;
        use crate::tokio::memory::tests::fetch_round_trip;
        use crate::types::Date;

        /// Address-list syntax mixed with Unicode.
        fn address_list() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                3 => unicode_text(3),
                1 => proptest::sample::select(vec![
                    ", ", "<", ">", "@", "\"", ":", ";", "(", ")", "\\\"", "@a,@b:", "Grüße <ü@例え.jp>",
                ]).prop_map(String::from),
            ];
            proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
        }

        /// Text without what address syntax gives a meaning to.
        fn word() -> impl Strategy<Value = String> {
            unicode_text(4)
                .prop_map(|s| {
                    s.chars()
                        .filter(|c| {
                            !c.is_whitespace() && !c.is_control() && !"\"\\<>()[],;:@".contains(*c)
                        })
                        .collect::<String>()
                })
                .prop_filter("not empty", |s| !s.is_empty())
        }

        fn month_name(m: u8) -> &'static str {
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][usize::from(m - 1)]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

            /// Any header value gives an address list (no panic) that an ENVELOPE
            /// sends and a client reads back unchanged.
            #[test]
            fn addresses_of_any_text(value in prop_oneof![address_list(), unicode_text(16), any::<String>()]) {
                let list = addresses(&value);
                fetch_round_trip(FetchData::Envelope(Box::new(Envelope {
                    from: list.clone(),
                    to: list,
                    ..Envelope::default()
                })))?;
            }

            /// `"name" <local@host>, ...` with Unicode parts parses to those parts.
            #[test]
            fn unicode_addresses(parts in proptest::collection::vec((word(), word(), word()), 1..4)) {
                let value = parts
                    .iter()
                    .map(|(n, l, h)| format!("\"{n}\" <{l}@{h}>"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let list = addresses(&value);
                prop_assert_eq!(list.len(), parts.len(), "{}", value);
                for (a, (n, l, h)) in list.iter().zip(&parts) {
                    prop_assert_eq!(text(&a.name), Some(n.clone()));
                    prop_assert_eq!(text(&a.mailbox), Some(l.clone()));
                    prop_assert_eq!(text(&a.host), Some(h.clone()));
                }
            }

            /// Any Date: value is read or refused without a panic.
            #[test]
            fn sent_date_of_any_text(value in prop_oneof![unicode_text(16), any::<String>(), "\\PC{0,3}, ?[0-9]{1,3} \\PC{3,4} [0-9]{1,5}.*"]) {
                let _ = sent_date(&value);
            }

            /// A date between Unicode day names and comments is read right.
            #[test]
            fn sent_date_among_unicode(day_name in word(), comment in word(), (y, m, d) in (1970u16..2100, 1u8..=12, 1u8..=28)) {
                let value = format!("{day_name}, {d} {} {y} 10:14:05 +0100 ({comment})", month_name(m));
                prop_assert_eq!(sent_date(&value), Date::new(y, m, d).ok(), "{}", value);
            }
        }
    }
}
