//! SASL PLAIN (RFC 4616) and LOGIN for AUTHENTICATE.

use crate::server::SessionError;
use crate::types::Secret;

/// Credentials taken from LOGIN or a SASL exchange.
#[derive(Debug)]
pub(crate) struct PasswordCredentials {
    pub(crate) username: String,
    pub(crate) password: Secret<Vec<u8>>,
    pub(crate) authzid: Option<String>,
}

/// Where a SASL exchange stands.
#[derive(Debug)]
pub(crate) enum SaslStep {
    /// PLAIN: waiting for the response to an empty challenge.
    Plain,
    /// LOGIN: waiting for the user name.
    LoginUser,
    /// LOGIN: waiting for the password of this user.
    LoginPassword(String),
}

/// The challenge LOGIN sends for the user name ("Username:").
pub(crate) const LOGIN_USER_PROMPT: &[u8] = b"Username:";
/// The challenge LOGIN sends for the password ("Password:").
pub(crate) const LOGIN_PASSWORD_PROMPT: &[u8] = b"Password:";

/// Decodes a PLAIN message: `[authzid] NUL authcid NUL passwd`.
///
/// ```text
/// message = [authzid] UTF8NUL authcid UTF8NUL passwd
/// ```
pub(crate) fn plain(data: &[u8]) -> Result<PasswordCredentials, SessionError> {
    let mut parts = data.splitn(3, |&b| b == 0);
    let (Some(authzid), Some(user), Some(pass)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(SessionError::SaslMalformed);
    };
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| SessionError::SaslMalformed);
    let username = text(user)?;
    if username.is_empty() || pass.contains(&0) {
        return Err(SessionError::SaslMalformed);
    }
    let authzid = if authzid.is_empty() {
        None
    } else {
        Some(text(authzid)?)
    };
    Ok(PasswordCredentials {
        username,
        password: Secret::new(pass.to_vec()),
        authzid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_messages() {
        let c = plain(b"\0tim\0tanstaaftanstaaf").unwrap();
        assert_eq!((c.username.as_str(), c.authzid), ("tim", None));
        assert_eq!(c.password.declassify(), b"tanstaaftanstaaf");
        let c = plain(b"Ursel\0Kurt\0xipj3plmq").unwrap();
        assert_eq!(c.authzid.as_deref(), Some("Ursel"));
        for bad in [&b"tim"[..], b"\0tim", b"\0\0pass", b"\0\xff\0p"] {
            assert!(plain(bad).is_err(), "{bad:?}");
        }
    }
}
