//! The Authentication-Results parser (RFC 8601 §2.2). Comments are skipped.

use crate::auth_results::header::{AuthenticationResults, MethodResult, Property, is_token_byte};

/// The most results read from one field.
const MAX_RESULTS: usize = 64;

/// Why an Authentication-Results field does not parse: the rule that failed and the
/// byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("authentication-results: expected {rule} at byte {at}")]
pub struct AuthResultsParseError {
    /// The ABNF rule expected.
    pub rule: &'static str,
    /// Where, in bytes from the start of the input.
    pub at: usize,
}

impl AuthenticationResults {
    /// Parses a field: the whole `Authentication-Results: ...` line, or its value only.
    ///
    /// # Errors
    ///
    /// [`AuthResultsParseError`] naming the rule that failed.
    pub fn parse(input: &[u8]) -> Result<Self, AuthResultsParseError> {
        let mut p = Parser { input, at: 0 };
        let prefix = b"authentication-results:";
        if input.len() >= prefix.len() && input[..prefix.len()].eq_ignore_ascii_case(prefix) {
            p.at = prefix.len();
        }
        p.cfws()?;
        let authserv_id = p.value("authserv-id")?;
        p.cfws()?;
        let mut version = None;
        if p.peek().is_some_and(|b| b.is_ascii_digit()) {
            version = Some(p.number("authres-version")?);
            p.cfws()?;
        }
        let mut results = Vec::new();
        while p.peek() == Some(b';') {
            p.at += 1;
            p.cfws()?;
            if p.peek().is_none() {
                break; // a trailing ";"
            }
            let method = p.keyword("method")?;
            p.cfws()?;
            if method.eq_ignore_ascii_case("none") && matches!(p.peek(), None | Some(b';')) {
                if !results.is_empty() {
                    return Err(p.error("resinfo"));
                }
                break;
            }
            if results.len() >= MAX_RESULTS {
                return Err(p.error("at most 64 results"));
            }
            results.push(p.resinfo(method)?);
        }
        p.cfws()?;
        if p.peek().is_some() {
            return Err(p.error("\";\""));
        }
        Ok(Self {
            authserv_id,
            version,
            results,
        })
    }
}

struct Parser<'a> {
    input: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn error(&self, rule: &'static str) -> AuthResultsParseError {
        AuthResultsParseError { rule, at: self.at }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    /// `CFWS`: whitespace, line folds and (nested) comments.
    fn cfws(&mut self) -> Result<(), AuthResultsParseError> {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {}
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b'\\' if depth > 0 => self.at += 1,
                _ if depth > 0 => {}
                _ => return Ok(()),
            }
            self.at += 1;
        }
        match depth {
            0 => Ok(()),
            _ => Err(self.error("\")\"")),
        }
    }

    /// `Keyword` (letters, digits, `-`, `_`), lower-cased.
    fn keyword(&mut self, rule: &'static str) -> Result<String, AuthResultsParseError> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.at += 1;
        }
        match self.at > start {
            true => Ok(String::from_utf8_lossy(&self.input[start..self.at]).to_ascii_lowercase()),
            false => Err(self.error(rule)),
        }
    }

    fn number(&mut self, rule: &'static str) -> Result<u32, AuthResultsParseError> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        std::str::from_utf8(&self.input[start..self.at])
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| self.error(rule))
    }

    fn expect(&mut self, byte: u8, rule: &'static str) -> Result<(), AuthResultsParseError> {
        match self.peek() == Some(byte) {
            true => {
                self.at += 1;
                Ok(())
            }
            false => Err(self.error(rule)),
        }
    }

    /// `value = token / quoted-string`.
    fn value(&mut self, rule: &'static str) -> Result<String, AuthResultsParseError> {
        if self.peek() == Some(b'"') {
            return self.quoted_string();
        }
        self.run(rule, is_token_byte)
    }

    /// A `pvalue`: a quoted-string, or a run of token bytes, `@`, `.`, `/`, `=`.
    fn pvalue(&mut self) -> Result<String, AuthResultsParseError> {
        if self.peek() == Some(b'"') {
            return self.quoted_string();
        }
        self.run("pvalue", |b| {
            is_token_byte(b) || b == b'@' || b == b'.' || b == b'/' || b == b'='
        })
    }

    fn run(
        &mut self,
        rule: &'static str,
        allowed: impl Fn(u8) -> bool,
    ) -> Result<String, AuthResultsParseError> {
        let start = self.at;
        while self.peek().is_some_and(&allowed) {
            self.at += 1;
        }
        match self.at > start {
            true => Ok(String::from_utf8_lossy(&self.input[start..self.at]).into_owned()),
            false => Err(self.error(rule)),
        }
    }

    fn quoted_string(&mut self) -> Result<String, AuthResultsParseError> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("closing quote")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    self.at += 1;
                    let b = self.peek().ok_or_else(|| self.error("quoted-pair"))?;
                    // A quoted CR or LF is folding, as an unquoted one is.
                    if b != b'\r' && b != b'\n' {
                        out.push(b);
                    }
                }
                Some(b'\r' | b'\n') => {}
                Some(b) => out.push(b),
            }
            self.at += 1;
        }
    }

    /// The rest of a `resinfo` after the method keyword.
    fn resinfo(&mut self, method: String) -> Result<MethodResult, AuthResultsParseError> {
        let mut method_version = None;
        if self.peek() == Some(b'/') {
            self.at += 1;
            self.cfws()?;
            method_version = Some(self.number("method-version")?);
            self.cfws()?;
        }
        self.expect(b'=', "\"=\" after method")?;
        self.cfws()?;
        let result = self.keyword("result")?;
        let mut out = MethodResult::new(&method, &result);
        out.method_version = method_version;
        loop {
            self.cfws()?;
            if matches!(self.peek(), None | Some(b';')) {
                return Ok(out);
            }
            let ptype = self.keyword("ptype or reason")?;
            self.cfws()?;
            if ptype == "reason" && self.peek() == Some(b'=') && out.properties.is_empty() {
                self.at += 1;
                self.cfws()?;
                out.reason = Some(self.value("reason value")?);
                continue;
            }
            self.expect(b'.', "\".\" in propspec")?;
            self.cfws()?;
            let name = self.keyword("property")?;
            self.cfws()?;
            self.expect(b'=', "\"=\" in propspec")?;
            self.cfws()?;
            let value = self.pvalue()?;
            out.properties.push(Property { ptype, name, value });
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// RFC 8601 Appendix B examples.
    #[test]
    fn rfc8601_appendix_b_examples() {
        let none =
            AuthenticationResults::parse(b"Authentication-Results: example.org 1; none").unwrap();
        assert_eq!(
            (none.authserv_id.as_str(), none.version, none.results.len()),
            ("example.org", Some(1), 0)
        );

        let b3 = AuthenticationResults::parse(
            b"Authentication-Results: example.com;\r\n \
              spf=pass smtp.mailfrom=example.net",
        )
        .unwrap();
        assert_eq!(
            b3.results[0].property("smtp", "mailfrom"),
            Some("example.net")
        );

        let b4 = AuthenticationResults::parse(
            b"Authentication-Results: example.com;\r\n \
              auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n \
              spf=pass smtp.mailfrom=example.net",
        )
        .unwrap();
        assert_eq!(b4.results.len(), 2);
        assert_eq!(
            b4.results[0].property("smtp", "auth"),
            Some("sender@example.net")
        );

        let b6 = AuthenticationResults::parse(
            b"Authentication-Results: example.com;\r\n \
              dkim=pass reason=\"good signature\"\r\n \
              header.i=@mail-router.example.net;\r\n \
              dkim=fail reason=\"bad signature\"\r\n \
              header.i=@newyork.example.com",
        )
        .unwrap();
        assert_eq!(b6.results[0].reason.as_deref(), Some("good signature"));
        assert_eq!(b6.results[1].result, "fail");
        assert_eq!(
            b6.results[1].property("header", "i"),
            Some("@newyork.example.com")
        );

        let b7 = AuthenticationResults::parse(
            b"Authentication-Results: mail-router.example.net;\r\n \
              dkim=pass (good signature) header.d=newyork.example.com\r\n \
              header.b=oINEO8hg;\r\n \
              dkim=fail (bad signature) header.d=newyork.example.com\r\n \
              header.b=EToRSuvU",
        )
        .unwrap();
        assert_eq!(b7.results[1].property("header", "b"), Some("EToRSuvU"));
        assert_eq!(
            AuthenticationResults::parse(b7.to_string().as_bytes()).unwrap(),
            b7
        );

        let versioned =
            AuthenticationResults::parse(b"example.com; dkim/1=pass header.d=x.example (c)")
                .unwrap();
        assert_eq!(versioned.results[0].method_version, Some(1));
    }

    #[test]
    fn quoted_line_breaks_are_folding() {
        // Found by the auth_results fuzz target: a quoted-pair of CR.
        let header = AuthenticationResults::parse(b"\"a\\\rb\"; none").unwrap();
        assert_eq!(header.authserv_id, "ab");
        assert_eq!(
            AuthenticationResults::parse(header.to_string().as_bytes()).unwrap(),
            header
        );
    }

    #[test]
    fn rejects_malformed_fields() {
        for bad in [
            &b""[..],
            b"example.com; spf",
            b"example.com; spf=",
            b"example.com; spf=pass smtp",
            b"example.com; spf=pass smtp.mailfrom",
            b"example.com; spf=pass (unclosed",
            b"example.com; spf=pass smtp.mailfrom=\"open",
            b"example.com junk",
        ] {
            assert!(
                AuthenticationResults::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    fn keyword() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9-]{0,8}"
    }

    fn method_result() -> impl Strategy<Value = MethodResult> {
        (
            keyword().prop_filter("not none", |k| k != "none" && k != "reason"),
            proptest::option::of(0u32..10),
            keyword(),
            proptest::option::of("[ -~]{0,20}"),
            proptest::collection::vec(
                (
                    keyword().prop_filter("not reason", |k| k != "reason"),
                    keyword(),
                    "[ -~]{1,20}",
                ),
                0..3,
            ),
        )
            .prop_map(|(method, method_version, result, reason, props)| {
                let mut out = MethodResult::new(&method, &result);
                out.method_version = method_version;
                out.reason = reason;
                for (ptype, name, value) in props {
                    out = out.with_property(&ptype, &name, &value);
                }
                out
            })
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(
            id in "[a-z0-9.-]{1,20}|\"[ -~]{0,10}\"",
            version in proptest::option::of(0u32..5),
            results in proptest::collection::vec(method_result(), 0..4),
        ) {
            let id = id.trim_matches('"').replace(['"', '\\'], "");
            prop_assume!(!id.is_empty());
            let header = AuthenticationResults { authserv_id: id, version, results };
            prop_assert_eq!(AuthenticationResults::parse(header.to_string().as_bytes()), Ok(header));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(header) = AuthenticationResults::parse(&bytes) {
                prop_assert_eq!(AuthenticationResults::parse(header.to_string().as_bytes()), Ok(header));
            }
        }

        #[test]
        fn unicode_values_round_trip(
            id in "\\PC{1,12}",
            version in proptest::option::of(0u32..5),
            results in proptest::collection::vec((
                keyword().prop_filter("not none", |k| k != "none" && k != "reason"),
                keyword(),
                proptest::option::of("\\PC{0,20}"),
                proptest::collection::vec(
                    (keyword().prop_filter("not reason", |k| k != "reason"), keyword(), "\\PC{1,20}"),
                    0..3,
                ),
            ), 0..4),
        ) {
            // Values from the network (a sender, a d=, an explanation as reason)
            // in UTF-8: printed as quoted-strings, read back the same.
            let mut header = AuthenticationResults::new(&id);
            header.version = version;
            for (method, result, reason, props) in results {
                let mut out = MethodResult::new(&method, &result);
                out.reason = reason;
                for (ptype, name, value) in props {
                    out = out.with_property(&ptype, &name, &value);
                }
                header.push(out);
            }
            let text = header.to_string();
            prop_assert_eq!(AuthenticationResults::parse(text.as_bytes()), Ok(header));
        }

        #[test]
        fn unicode_comments_are_skipped(
            comments in proptest::collection::vec("[^()\\\\]{0,12}", 5),
            sender in "[^\"\\\\\r\n]{1,16}",
            text in any::<String>(),
        ) {
            let [c0, c1, c2, c3, c4] = [0, 1, 2, 3, 4].map(|i| &comments[i]);
            let quoted = sender.replace('\\', "\\\\");
            let field = format!(
                "Authentication-Results: ({c0}) mx.example ({c1});\r\n\tspf=pass ({c2} (nested {c3}))\r\n\t\
                 smtp.mailfrom=\"{quoted}\" ({c4})"
            );
            let header = AuthenticationResults::parse(field.as_bytes());
            prop_assert!(header.is_ok(), "{}: {:?}", field, header);
            let header = header.unwrap();
            prop_assert_eq!(header.authserv_id.as_str(), "mx.example");
            prop_assert_eq!(header.results[0].property("smtp", "mailfrom"), Some(sender.as_str()));
            prop_assert_eq!(AuthenticationResults::parse(header.to_string().as_bytes()), Ok(header));
            if let Ok(header) = AuthenticationResults::parse(text.as_bytes()) {
                prop_assert_eq!(AuthenticationResults::parse(header.to_string().as_bytes()), Ok(header));
            }
        }
    }
}
