//! Maildir file names: a unique base, then `:2,` and the flag letters.
//!
//! ```text
//! name  = base [":2," letters]
//! base  = <no "/" and no ":">        ; e.g. 1700000000.M123P45Q6.host,S=1024
//! letters = *("A".."Z" / "a".."z")  ; sorted: D F P R S T, lower case = Dovecot keywords
//! ```
//! (<https://cr.yp.to/proto/maildir.html>, Maildir++ for the `S=` size field.)

use crate::types::SystemFlag;

/// A parsed Maildir file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildirName {
    base: String,
    system: u8,
    passed: bool,
    other: String,
}

impl MaildirName {
    /// Parses a file name found in `new/` or `cur/`. Names without `:2,` have no flags;
    /// names starting with `.` or holding `/` are not messages (`None`).
    pub fn parse(name: &str) -> Option<Self> {
        if name.is_empty() || name.starts_with('.') || name.contains('/') {
            return None;
        }
        let (base, info) = match name.find(":2,") {
            Some(at) => (&name[..at], Some(&name[at + 3..])),
            None => (name.split(':').next().unwrap_or(name), None),
        };
        if base.is_empty() {
            return None;
        }
        let mut out = Self {
            base: base.to_owned(),
            system: 0,
            passed: false,
            other: String::new(),
        };
        for letter in info.unwrap_or("").chars() {
            match u8::try_from(letter)
                .ok()
                .and_then(SystemFlag::from_maildir_letter)
            {
                Some(flag) => out.system |= flag.bit(),
                None if letter == 'P' => out.passed = true,
                None if letter.is_ascii_alphabetic() && !out.other.contains(letter) => {
                    out.other.push(letter)
                }
                None => {}
            }
        }
        Some(out)
    }

    /// A name with a base and flags.
    pub(crate) fn new(base: String, system: u8, passed: bool) -> Self {
        Self {
            base,
            system,
            passed,
            other: String::new(),
        }
    }

    /// The unique part of the name, the same whatever the flags.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether a system flag's letter is present.
    pub fn has(&self, flag: SystemFlag) -> bool {
        self.system & flag.bit() != 0
    }

    /// Whether `P` (passed: resent, forwarded or bounced) is present.
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// Letters this store does not interpret (Dovecot keyword letters `a`..`z`, ...),
    /// kept when the name is rewritten.
    pub fn other_letters(&self) -> &str {
        &self.other
    }

    pub(crate) fn system_bits(&self) -> u8 {
        self.system
    }

    /// The same base with other flags; unknown letters are kept.
    pub(crate) fn with_flags(&self, system: u8, passed: bool) -> Self {
        Self {
            base: self.base.clone(),
            system,
            passed,
            other: self.other.clone(),
        }
    }

    /// The name for `cur/`: `base:2,` + the letters in ASCII order.
    pub fn to_cur_name(&self) -> String {
        let mut letters: Vec<char> = SystemFlag::ALL
            .into_iter()
            .filter(|f| self.has(*f))
            .map(|f| char::from(f.maildir_letter()))
            .collect();
        if self.passed {
            letters.push('P');
        }
        letters.extend(self.other.chars());
        letters.sort_unstable();
        let mut name = String::with_capacity(self.base.len() + 3 + letters.len());
        name.push_str(&self.base);
        name.push_str(":2,");
        name.extend(letters);
        name
    }

    /// The size the name declares with `,S=<bytes>`, if any.
    pub fn declared_size(&self) -> Option<u64> {
        self.base
            .split(',')
            .skip(1)
            .find_map(|field| field.strip_prefix("S="))
            .and_then(|v| v.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_other_tools_names() {
        let name = MaildirName::parse("1700000000.M1P2.host,S=1234,W=1260:2,FRSa").unwrap();
        assert_eq!(name.base(), "1700000000.M1P2.host,S=1234,W=1260");
        assert!(
            name.has(SystemFlag::Flagged)
                && name.has(SystemFlag::Answered)
                && name.has(SystemFlag::Seen)
        );
        assert!(!name.has(SystemFlag::Deleted) && !name.has(SystemFlag::Draft));
        assert_eq!(name.other_letters(), "a");
        assert_eq!(name.declared_size(), Some(1234));
        assert_eq!(
            name.to_cur_name(),
            "1700000000.M1P2.host,S=1234,W=1260:2,FRSa"
        );

        let new = MaildirName::parse("1700000000.123_4.host").unwrap();
        assert_eq!(new.system_bits(), 0);
        assert_eq!(new.to_cur_name(), "1700000000.123_4.host:2,");
        let passed = MaildirName::parse("x:2,PT").unwrap();
        assert!(passed.passed() && passed.has(SystemFlag::Deleted));
        assert_eq!(MaildirName::parse(".hidden"), None);
        assert_eq!(MaildirName::parse(":2,S"), None);
        assert_eq!(MaildirName::parse("x:1,S").unwrap().system_bits(), 0);
    }

    proptest! {
        #[test]
        fn flags_round_trip(base in "[A-Za-z0-9][A-Za-z0-9.,=_-]{0,29}", system in 0u8..32, passed: bool) {
            let name = MaildirName::new(base, system, passed);
            let text = name.to_cur_name();
            prop_assert_eq!(MaildirName::parse(&text).unwrap(), name);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            if let Some(name) = MaildirName::parse(&text) {
                let again = MaildirName::parse(&name.to_cur_name()).unwrap();
                prop_assert_eq!(again.system_bits(), name.system_bits());
                prop_assert_eq!(again.base(), name.base());
            }
        }
    }
}
