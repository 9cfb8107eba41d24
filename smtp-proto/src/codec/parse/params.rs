//! ESMTP parameters of `MAIL FROM` and `RCPT TO`.
//!
//! Every `MAIL` and `RCPT` line goes through here, so the parameter list is a
//! hand-written byte loop (the benches measured nom's char-wise combinators at twice
//! the cost); nom parses the replies, where lines are few.

use std::borrow::Cow;

use crate::command::{MailParameters, RcptParameters};
use crate::error::ParseError;
use crate::types::parameter::is_value_byte;
use crate::types::{BodyType, EsmtpKeyword, EsmtpParameter, EsmtpValue, Notify, Orcpt, Ret, XText};

/// At most this many parameters on one command; RFC 5321 sets no number, the line
/// limit already bounds it, this bounds the work per line.
pub(crate) const MAX_PARAMS: usize = 32;

/// The parameters after a path, each one
///
/// ```text
/// esmtp-param    = esmtp-keyword ["=" esmtp-value]
/// esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
/// esmtp-value    = 1*(%d33-60 / %d62-126)
/// ```
///
/// preceded by one or more SP; trailing spaces allowed. Calls `each` for every
/// parameter; stops at the first error.
fn params<'a>(
    input: &'a str,
    syntax: &'static str,
    mut each: impl FnMut(&'a str, Option<&'a str>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let bytes = input.as_bytes();
    let mut pos = 0;
    let mut count = 0;
    loop {
        let gap = pos;
        while bytes.get(pos) == Some(&b' ') {
            pos += 1;
        }
        if pos == bytes.len() {
            return Ok(());
        }
        if pos == gap || !bytes[pos].is_ascii_alphanumeric() {
            return Err(ParseError::Syntax(syntax));
        }
        let keyword_start = pos;
        pos += 1;
        while bytes
            .get(pos)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'-')
        {
            pos += 1;
        }
        // Every boundary here follows an ASCII octet, so the slices are on chars.
        let keyword = &input[keyword_start..pos];
        let value = if bytes.get(pos) == Some(&b'=') {
            pos += 1;
            let value_start = pos;
            while bytes.get(pos).is_some_and(|&b| is_value_byte(b)) {
                pos += 1;
            }
            if pos == value_start {
                return Err(ParseError::Syntax(syntax));
            }
            Some(&input[value_start..pos])
        } else {
            None
        };
        if pos < bytes.len() && bytes[pos] != b' ' {
            return Err(ParseError::Syntax(syntax));
        }
        count += 1;
        if count > MAX_PARAMS {
            return Err(ParseError::Syntax(syntax));
        }
        each(keyword, value)?;
    }
}

/// ```text
/// Mail-parameters  = esmtp-param *(SP esmtp-param)
/// ```
///
/// with the values of RFC 1870 (`SIZE`), RFC 6152 / RFC 3030 (`BODY`), RFC 6531
/// (`SMTPUTF8`), RFC 3461 (`RET`, `ENVID`) and RFC 4954 (`AUTH`) checked.
pub(crate) fn mail_parameters(input: &str) -> Result<MailParameters<'_>, ParseError> {
    const SYNTAX: &str = "MAIL FROM:<reverse-path> [SP mail-parameters]";
    let mut out = MailParameters::default();
    params(input, SYNTAX, |keyword, value| {
        if keyword.eq_ignore_ascii_case("SIZE") {
            let size = value
                .filter(|v| v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse().ok())
                .ok_or(ParseError::InvalidParameter("SIZE"))?;
            set_once(&mut out.size, size, "SIZE")
        } else if keyword.eq_ignore_ascii_case("BODY") {
            let body = value
                .and_then(BodyType::from_value)
                .ok_or(ParseError::InvalidParameter("BODY"))?;
            set_once(&mut out.body, body, "BODY")
        } else if keyword.eq_ignore_ascii_case("SMTPUTF8") {
            if value.is_some() || out.smtputf8 {
                return Err(ParseError::InvalidParameter("SMTPUTF8"));
            }
            out.smtputf8 = true;
            Ok(())
        } else if keyword.eq_ignore_ascii_case("RET") {
            let ret = value
                .and_then(Ret::from_value)
                .ok_or(ParseError::InvalidParameter("RET"))?;
            set_once(&mut out.ret, ret, "RET")
        } else if keyword.eq_ignore_ascii_case("ENVID") {
            let envid = xtext(value, "ENVID")?;
            set_once(&mut out.envid, envid, "ENVID")
        } else if keyword.eq_ignore_ascii_case("AUTH") {
            let auth = xtext(value, "AUTH")?;
            set_once(&mut out.auth, auth, "AUTH")
        } else {
            out.add_other(other(keyword, value))
                .map_err(|_| ParseError::InvalidParameter("repeated"))
        }
    })?;
    Ok(out)
}

/// ```text
/// Rcpt-parameters  = esmtp-param *(SP esmtp-param)
/// ```
///
/// with `NOTIFY` and `ORCPT` of RFC 3461 checked.
pub(crate) fn rcpt_parameters(input: &str) -> Result<RcptParameters<'_>, ParseError> {
    const SYNTAX: &str = "RCPT TO:<forward-path> [SP rcpt-parameters]";
    let mut out = RcptParameters::default();
    params(input, SYNTAX, |keyword, value| {
        if keyword.len() == 6 && keyword.eq_ignore_ascii_case("NOTIFY") {
            let notify = value
                .and_then(Notify::from_value)
                .ok_or(ParseError::InvalidParameter("NOTIFY"))?;
            set_once(&mut out.notify, notify, "NOTIFY")
        } else if keyword.len() == 5 && keyword.eq_ignore_ascii_case("ORCPT") {
            let orcpt = value
                .and_then(Orcpt::from_value)
                .ok_or(ParseError::InvalidParameter("ORCPT"))?;
            set_once(&mut out.orcpt, orcpt, "ORCPT")
        } else {
            out.add_other(other(keyword, value))
                .map_err(|_| ParseError::InvalidParameter("repeated"))
        }
    })?;
    Ok(out)
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::InvalidParameter(name));
    }
    *slot = Some(value);
    Ok(())
}

fn xtext<'a>(value: Option<&'a str>, name: &'static str) -> Result<XText<'a>, ParseError> {
    value
        .and_then(XText::from_str_checked)
        .ok_or(ParseError::InvalidParameter(name))
}

/// A parameter the grammar already checked (`esmtp_param` only matches valid ones).
fn other<'a>(keyword: &'a str, value: Option<&'a str>) -> EsmtpParameter<'a> {
    EsmtpParameter {
        keyword: EsmtpKeyword(Cow::Borrowed(keyword)),
        value: value.map(|value| EsmtpValue(Cow::Borrowed(value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_parameters_are_typed() {
        let params = mail_parameters(
            " SIZE=4971430 BODY=8BITMIME RET=HDRS ENVID=QQ580756.0 SMTPUTF8 AUTH=<> X-Y=z Z",
        )
        .unwrap();
        assert_eq!(params.size, Some(4_971_430));
        assert_eq!(params.body, Some(BodyType::EightBitMime));
        assert_eq!(params.ret, Some(Ret::Headers));
        assert_eq!(params.envid.as_ref().unwrap().as_str(), "QQ580756.0");
        assert_eq!(params.auth.as_ref().unwrap().as_str(), "<>");
        assert!(params.smtputf8);
        let other: Vec<_> = params.other().iter().map(ToString::to_string).collect();
        assert_eq!(other, ["X-Y=z", "Z"]);
    }

    #[test]
    fn rejected_parameters_say_which() {
        let cases = [
            (" SIZE=abc", ParseError::InvalidParameter("SIZE")),
            (
                " SIZE=123456789012345678901",
                ParseError::InvalidParameter("SIZE"),
            ),
            (" SIZE=1 SIZE=2", ParseError::InvalidParameter("SIZE")),
            (" BODY=9BIT", ParseError::InvalidParameter("BODY")),
            (" SMTPUTF8=yes", ParseError::InvalidParameter("SMTPUTF8")),
            (" RET=ALL", ParseError::InvalidParameter("RET")),
            (" ENVID=a+zz", ParseError::InvalidParameter("ENVID")),
            (" X=1 x=2", ParseError::InvalidParameter("repeated")),
            (
                " =1",
                ParseError::Syntax("MAIL FROM:<reverse-path> [SP mail-parameters]"),
            ),
            (
                "SIZE=1",
                ParseError::Syntax("MAIL FROM:<reverse-path> [SP mail-parameters]"),
            ),
            (
                " SIZE=1=2",
                ParseError::Syntax("MAIL FROM:<reverse-path> [SP mail-parameters]"),
            ),
        ];
        for (input, error) in cases {
            assert_eq!(mail_parameters(input), Err(error), "{input}");
        }
    }

    #[test]
    fn rcpt_parameters_are_typed() {
        let params =
            rcpt_parameters(" NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;trent@example.org  ").unwrap();
        assert_eq!(params.notify, Notify::on(true, true, false));
        assert_eq!(
            params.orcpt.unwrap().to_string(),
            "rfc822;trent@example.org"
        );
        assert!(rcpt_parameters("").unwrap().is_empty());
        assert_eq!(
            rcpt_parameters(" NOTIFY=SOMETIMES"),
            Err(ParseError::InvalidParameter("NOTIFY"))
        );
    }

    #[test]
    fn parameter_count_is_bounded() {
        let many: String = (0..=MAX_PARAMS).map(|i| format!(" X{i}")).collect();
        assert!(mail_parameters(&many).is_err());
        let fits: String = (0..MAX_PARAMS).map(|i| format!(" X{i}")).collect();
        assert!(mail_parameters(&fits).is_ok());
    }
}
