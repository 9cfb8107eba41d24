//! Mail addresses as the user database keeps them: `local@domain`, lower case.

use crate::config::check_domain;

/// Normalizes and checks an address: lower case, one `@`, a local part of letters,
/// digits and `.!#$%&'*+-/=?^_`{|}~` (RFC 5321 dot-atom), a valid domain.
///
/// # Errors
/// A text saying what is wrong.
pub fn normalize(address: &str) -> Result<String, String> {
    let address = address.trim().to_ascii_lowercase();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(format!("not an address (local@domain): {address:?}"));
    };
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.bytes().all(atext));
    if !local_ok {
        return Err(format!("not a valid local part: {local:?}"));
    }
    check_domain(domain)?;
    Ok(address)
}

/// The domain of a normalized address.
pub fn domain(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// The local part of a normalized address, without a `+detail` suffix.
pub fn base_local(address: &str) -> &str {
    let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
    local.split_once('+').map_or(local, |(base, _)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_checks() {
        assert_eq!(
            normalize(" Alice@Example.ORG ").unwrap(),
            "alice@example.org"
        );
        assert_eq!(normalize("a.b+tag@x.y").unwrap(), "a.b+tag@x.y");
        for bad in [
            "alice",
            "@example.org",
            "alice@",
            "a..b@x.y",
            "a b@x.y",
            "a@b@",
            "a@exa mple.org",
            ".a@x.y",
        ] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
        assert_eq!(domain("a@b.c"), "b.c");
        assert_eq!(base_local("bob+lists@b.c"), "bob");
    }
}
