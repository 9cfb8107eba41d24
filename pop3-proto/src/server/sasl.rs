//! The server side of SASL `PLAIN` (RFC 4616) and `LOGIN` (draft-murchison-sasl-login).

use zeroize::Zeroize;

use crate::server::SessionError;

/// What the session waits for during `AUTH`.
#[derive(Debug)]
pub(crate) enum SaslStep {
    /// `AUTH PLAIN` without initial response: waiting for the PLAIN message.
    Plain,
    /// `AUTH LOGIN`: waiting for the user name.
    LoginUser,
    /// `AUTH LOGIN`: waiting for the password of `user`.
    LoginPassword { user: String },
}

/// The challenge texts of `LOGIN`.
pub(crate) const LOGIN_USER_CHALLENGE: &[u8] = b"Username:";
pub(crate) const LOGIN_PASSWORD_CHALLENGE: &[u8] = b"Password:";

/// A decoded PLAIN message.
#[derive(Debug)]
pub(crate) struct PlainMessage {
    pub(crate) authzid: Option<String>,
    pub(crate) authcid: String,
    pub(crate) password: Vec<u8>,
}

/// Splits a PLAIN message.
///
/// ```text
/// message = [authzid] UTF8NUL authcid UTF8NUL passwd   ; RFC 4616 section 2
/// ```
pub(crate) fn plain(mut data: Vec<u8>) -> Result<PlainMessage, SessionError> {
    let parsed = split_plain(&data);
    data.zeroize();
    parsed
}

fn split_plain(data: &[u8]) -> Result<PlainMessage, SessionError> {
    let mut parts = data.splitn(3, |&byte| byte == 0);
    let (Some(authzid), Some(authcid), Some(password)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(SessionError::BadSaslData);
    };
    if authcid.is_empty() || password.contains(&0) {
        return Err(SessionError::BadSaslData);
    }
    let text = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| SessionError::BadSaslData)
    };
    Ok(PlainMessage {
        authzid: match authzid {
            [] => None,
            authzid => Some(text(authzid)?),
        },
        authcid: text(authcid)?,
        password: password.to_vec(),
    })
}

/// The user name of `LOGIN`: UTF-8 without NUL, CR or LF, not empty.
pub(crate) fn login_user(mut data: Vec<u8>) -> Result<String, SessionError> {
    if data.is_empty() || data.iter().any(|&byte| matches!(byte, 0 | b'\r' | b'\n')) {
        data.zeroize();
        return Err(SessionError::BadSaslData);
    }
    String::from_utf8(data).map_err(|err| {
        let mut bytes = err.into_bytes();
        bytes.zeroize();
        SessionError::BadSaslData
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_messages() {
        let message = plain(b"\0tim\0tanstaaf".to_vec()).unwrap();
        assert_eq!(message.authzid, None);
        assert_eq!(message.authcid, "tim");
        assert_eq!(message.password, b"tanstaaf");
        let message = plain(b"admin\0tim\0pass word".to_vec()).unwrap();
        assert_eq!(message.authzid.as_deref(), Some("admin"));
        assert_eq!(message.password, b"pass word");
        for bad in [
            &b""[..],
            b"tim",
            b"\0tim",
            b"\0\0pw",
            b"\0tim\0p\0w",
            b"\0\xff\0pw",
        ] {
            assert!(plain(bad.to_vec()).is_err(), "{bad:?}");
        }
        assert_eq!(login_user(b"tim".to_vec()).unwrap(), "tim");
        assert!(login_user(Vec::new()).is_err());
        assert!(login_user(b"a\0b".to_vec()).is_err());
    }
}
