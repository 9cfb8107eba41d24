//! Capability names and SASL mechanism names.

use crate::types::atom::check_atom;
use crate::types::registry::registry_newtype;

registry_newtype!(
    /// A capability name (RFC 9051 section 7.2.2). Compared without regard to case.
    ///
    /// ```text
    /// capability = ("AUTH=" auth-type) / atom
    /// ```
    ///
    /// ```
    /// use mailwright_imap::types::Capability;
    /// assert_eq!(Capability::try_from("idle").unwrap(), Capability::IDLE);
    /// ```
    Capability, check_atom,
    {
        /// `IMAP4rev1` (RFC 3501).
        IMAP4REV1 = "IMAP4rev1",
        /// `IMAP4rev2` (RFC 9051).
        IMAP4REV2 = "IMAP4rev2",
        /// `STARTTLS`.
        STARTTLS = "STARTTLS",
        /// `LOGINDISABLED`: LOGIN is refused on this connection.
        LOGINDISABLED = "LOGINDISABLED",
        /// `AUTH=PLAIN` (RFC 4616).
        AUTH_PLAIN = "AUTH=PLAIN",
        /// `AUTH=LOGIN`.
        AUTH_LOGIN = "AUTH=LOGIN",
        /// `SASL-IR` (RFC 4959).
        SASL_IR = "SASL-IR",
        /// `LITERAL+` (RFC 7888).
        LITERAL_PLUS = "LITERAL+",
        /// `LITERAL-` (RFC 7888).
        LITERAL_MINUS = "LITERAL-",
        /// `ENABLE` (RFC 5161).
        ENABLE = "ENABLE",
        /// `IDLE` (RFC 2177).
        IDLE = "IDLE",
        /// `NAMESPACE` (RFC 2342).
        NAMESPACE = "NAMESPACE",
        /// `ID` (RFC 2971).
        ID = "ID",
        /// `UNSELECT` (RFC 3691).
        UNSELECT = "UNSELECT",
        /// `UIDPLUS` (RFC 4315).
        UIDPLUS = "UIDPLUS",
        /// `MOVE` (RFC 6851).
        MOVE = "MOVE",
        /// `CONDSTORE` (RFC 7162).
        CONDSTORE = "CONDSTORE",
        /// `QRESYNC` (RFC 7162).
        QRESYNC = "QRESYNC",
        /// `SPECIAL-USE` (RFC 6154).
        SPECIAL_USE = "SPECIAL-USE",
        /// `LIST-EXTENDED` (RFC 5258).
        LIST_EXTENDED = "LIST-EXTENDED",
        /// `LIST-STATUS` (RFC 5819).
        LIST_STATUS = "LIST-STATUS",
        /// `CHILDREN` (RFC 3348).
        CHILDREN = "CHILDREN",
        /// `ESEARCH` (RFC 4731).
        ESEARCH = "ESEARCH",
        /// `SORT` (RFC 5256).
        SORT = "SORT",
        /// `BINARY` (RFC 3516).
        BINARY = "BINARY",
        /// `UTF8=ACCEPT` (RFC 6855).
        UTF8_ACCEPT = "UTF8=ACCEPT",
        /// `STATUS=SIZE` (RFC 8438).
        STATUS_SIZE = "STATUS=SIZE",
        /// `UIDONLY` is not offered; listed so clients' requests can be named.
        UIDONLY = "UIDONLY",
    }
);

impl Capability<'_> {
    /// The capability `AUTH=<mechanism>`.
    pub fn auth(mechanism: &AuthMechanism<'_>) -> Capability<'static> {
        Capability::unvalidated(format!("AUTH={}", mechanism.as_str()))
    }
}

registry_newtype!(
    /// A SASL mechanism name (RFC 9051 section 6.2.2). Compared without regard to case.
    ///
    /// ```text
    /// auth-type = atom
    /// ```
    AuthMechanism, check_atom,
    {
        /// `PLAIN` (RFC 4616).
        PLAIN = "PLAIN",
        /// `LOGIN` (draft-murchison-sasl-login).
        LOGIN = "LOGIN",
        /// `XOAUTH2`.
        XOAUTH2 = "XOAUTH2",
        /// `OAUTHBEARER` (RFC 7628).
        OAUTHBEARER = "OAUTHBEARER",
        /// `SCRAM-SHA-256` (RFC 7677).
        SCRAM_SHA_256 = "SCRAM-SHA-256",
        /// `EXTERNAL` (RFC 4422).
        EXTERNAL = "EXTERNAL",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities() {
        assert_eq!(
            Capability::auth(&AuthMechanism::PLAIN),
            Capability::AUTH_PLAIN
        );
        assert!(Capability::try_from("X-UNKNOWN").is_ok());
        assert!(!Capability::try_from("X-UNKNOWN").unwrap().is_known());
        assert!(Capability::try_from("A B").is_err());
        assert_eq!(
            AuthMechanism::try_from("plain").unwrap(),
            AuthMechanism::PLAIN
        );
    }
}
