//! Session configuration: which extensions are on, TLS, texts, limits; and the
//! CAPABILITY list built from it.

use crate::server::{Limits, State};
use crate::types::{Capability, Vec1};

/// An extension the session can offer; all but [`Extension::Sort`] are on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Extension {
    /// IMAP4rev2 (RFC 9051) besides IMAP4rev1.
    Imap4Rev2,
    /// IDLE (RFC 2177).
    Idle,
    /// NAMESPACE (RFC 2342).
    Namespace,
    /// ID (RFC 2971).
    Id,
    /// UNSELECT (RFC 3691).
    Unselect,
    /// UIDPLUS (RFC 4315).
    UidPlus,
    /// MOVE (RFC 6851).
    Move,
    /// CONDSTORE (RFC 7162).
    CondStore,
    /// QRESYNC (RFC 7162).
    QResync,
    /// SPECIAL-USE (RFC 6154).
    SpecialUse,
    /// LIST-EXTENDED (RFC 5258).
    ListExtended,
    /// LIST-STATUS (RFC 5819).
    ListStatus,
    /// ESEARCH (RFC 4731).
    ESearch,
    /// SORT (RFC 5256); on only when the application can sort.
    Sort,
    /// BINARY (RFC 3516).
    Binary,
    /// UTF8=ACCEPT (RFC 6855).
    Utf8Accept,
    /// STATUS=SIZE (RFC 8438).
    StatusSize,
    /// CHILDREN (RFC 3348).
    Children,
    /// SASL-IR (RFC 4959).
    SaslIr,
    /// AUTH=PLAIN (RFC 4616).
    AuthPlain,
    /// AUTH=LOGIN.
    AuthLogin,
}

impl Extension {
    const ALL: [Self; 21] = [
        Self::Imap4Rev2,
        Self::Idle,
        Self::Namespace,
        Self::Id,
        Self::Unselect,
        Self::UidPlus,
        Self::Move,
        Self::CondStore,
        Self::QResync,
        Self::SpecialUse,
        Self::ListExtended,
        Self::ListStatus,
        Self::ESearch,
        Self::Sort,
        Self::Binary,
        Self::Utf8Accept,
        Self::StatusSize,
        Self::Children,
        Self::SaslIr,
        Self::AuthPlain,
        Self::AuthLogin,
    ];

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// How a session behaves: extensions, TLS, texts and [`Limits`].
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub(crate) greeting: String,
    pub(crate) delimiter: char,
    pub(crate) id: Vec<(String, String)>,
    pub(crate) tls_available: bool,
    pub(crate) tls_active: bool,
    pub(crate) plaintext_auth: bool,
    pub(crate) literal_plus: bool,
    extensions: u32,
    pub(crate) limits: Limits,
}

impl ServerConfig {
    /// The greeting text. Default `IMAP4rev2 server ready`.
    pub fn greeting(&mut self, text: impl Into<String>) -> &mut Self {
        self.greeting = text.into();
        self
    }

    /// The hierarchy delimiter of mailbox names. Default `/`.
    pub fn delimiter(&mut self, delimiter: char) -> &mut Self {
        self.delimiter = delimiter;
        self
    }

    /// Adds a field to the ID response (RFC 2971), such as `name` or `version`.
    pub fn id_field(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.id.push((key.into(), value.into()));
        self
    }

    /// Whether STARTTLS can be offered (a TLS configuration exists). Default `false`.
    pub fn starttls(&mut self, available: bool) -> &mut Self {
        self.tls_available = available;
        self
    }

    /// Whether the connection already runs TLS (implicit TLS). Default `false`.
    pub fn tls_active(&mut self, active: bool) -> &mut Self {
        self.tls_active = active;
        self
    }

    /// Whether passwords may be sent without TLS (`LOGINDISABLED` otherwise).
    /// Default `false`; the tokio driver allows it for loopback clients.
    pub fn plaintext_auth(&mut self, allowed: bool) -> &mut Self {
        self.plaintext_auth = allowed;
        self
    }

    /// Offers `LITERAL+` (any non-synchronizing literal) instead of `LITERAL-`
    /// (non-synchronizing literals up to 4096 octets). Default `true`.
    pub fn literal_plus(&mut self, on: bool) -> &mut Self {
        self.literal_plus = on;
        self
    }

    /// Turns an extension on.
    pub fn enable(&mut self, extension: Extension) -> &mut Self {
        self.extensions |= extension.bit();
        self
    }

    /// Turns an extension off.
    pub fn disable(&mut self, extension: Extension) -> &mut Self {
        self.extensions &= !extension.bit();
        self
    }

    /// Whether an extension is on.
    pub fn is_enabled(&self, extension: Extension) -> bool {
        self.extensions & extension.bit() != 0
    }

    /// Replaces the limits.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// The limits, to change them in place.
    pub fn limits_mut(&mut self) -> &mut Limits {
        &mut self.limits
    }

    /// Whether a password may be sent now.
    pub(crate) fn password_allowed(&self, tls_active: bool) -> bool {
        tls_active || self.plaintext_auth
    }

    /// The CAPABILITY list for a connection in `state`.
    pub(crate) fn capabilities(&self, state: State, tls_active: bool) -> Vec1<Capability<'static>> {
        let mut caps = Vec1::one(Capability::IMAP4REV1);
        let on = |e| self.is_enabled(e);
        if on(Extension::Imap4Rev2) {
            caps.push(Capability::IMAP4REV2);
        }
        if state == State::NotAuthenticated {
            if self.tls_available && !tls_active {
                caps.push(Capability::STARTTLS);
            }
            if self.password_allowed(tls_active) {
                if on(Extension::AuthPlain) {
                    caps.push(Capability::AUTH_PLAIN);
                }
                if on(Extension::AuthLogin) {
                    caps.push(Capability::AUTH_LOGIN);
                }
            } else {
                caps.push(Capability::LOGINDISABLED);
            }
            if on(Extension::SaslIr) {
                caps.push(Capability::SASL_IR);
            }
        }
        caps.push(if self.literal_plus {
            Capability::LITERAL_PLUS
        } else {
            Capability::LITERAL_MINUS
        });
        caps.push(Capability::ENABLE);
        let optional = [
            (Extension::Id, Capability::ID),
            (Extension::Idle, Capability::IDLE),
            (Extension::Namespace, Capability::NAMESPACE),
            (Extension::Unselect, Capability::UNSELECT),
            (Extension::UidPlus, Capability::UIDPLUS),
            (Extension::Move, Capability::MOVE),
            (Extension::CondStore, Capability::CONDSTORE),
            (Extension::QResync, Capability::QRESYNC),
            (Extension::SpecialUse, Capability::SPECIAL_USE),
            (Extension::ListExtended, Capability::LIST_EXTENDED),
            (Extension::ListStatus, Capability::LIST_STATUS),
            (Extension::Children, Capability::CHILDREN),
            (Extension::ESearch, Capability::ESEARCH),
            (Extension::Sort, Capability::SORT),
            (Extension::Binary, Capability::BINARY),
            (Extension::Utf8Accept, Capability::UTF8_ACCEPT),
            (Extension::StatusSize, Capability::STATUS_SIZE),
        ];
        for (extension, capability) in optional {
            if on(extension) {
                caps.push(capability);
            }
        }
        caps
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        let extensions = Extension::ALL
            .iter()
            .filter(|e| **e != Extension::Sort)
            .fold(0, |bits, e| bits | e.bit());
        Self {
            greeting: "IMAP4rev2 server ready".to_owned(),
            delimiter: '/',
            id: Vec::new(),
            tls_available: false,
            tls_active: false,
            plaintext_auth: false,
            literal_plus: true,
            extensions,
            limits: Limits::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(caps: &Vec1<Capability<'_>>) -> Vec<String> {
        caps.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn capabilities_follow_configuration_and_state() {
        let mut config = ServerConfig::default();
        config.starttls(true);
        let before = names(&config.capabilities(State::NotAuthenticated, false));
        assert!(before.contains(&"STARTTLS".to_owned()));
        assert!(before.contains(&"LOGINDISABLED".to_owned()));
        assert!(!before.contains(&"AUTH=PLAIN".to_owned()));
        let tls = names(&config.capabilities(State::NotAuthenticated, true));
        assert!(!tls.contains(&"STARTTLS".to_owned()));
        assert!(tls.contains(&"AUTH=PLAIN".to_owned()));
        let after = names(&config.capabilities(State::Authenticated, true));
        assert!(
            !after
                .iter()
                .any(|c| c.starts_with("AUTH=") || c == "SASL-IR")
        );
        assert!(!after.contains(&"SORT".to_owned()));
        config
            .enable(Extension::Sort)
            .disable(Extension::Idle)
            .literal_plus(false);
        let changed = names(&config.capabilities(State::Authenticated, true));
        assert!(changed.contains(&"SORT".to_owned()) && !changed.contains(&"IDLE".to_owned()));
        assert!(changed.contains(&"LITERAL-".to_owned()));
    }
}
