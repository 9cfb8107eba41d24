//! Parsers of the basic rules (RFC 9051 section 9): numbers, atoms, strings,
//! literals, flags, mailbox names, dates, sequence sets.
//!
//! Each parser takes the rest of a complete frame; a literal's bytes are in the
//! frame after its announcement (the framer put them there).

use std::borrow::Cow;
use std::num::{NonZeroU32, NonZeroU64};

use crate::codec::parse::error::{PKind, PResult, fail, fail_hard, named, renamed};
use crate::codec::parse::limits::MAX_LIST;
use crate::types::char_class::{
    is_astring_char, is_atom_char, is_list_char, is_quoted_plain, is_quoted_special, is_tag_char,
};
use crate::types::{
    AString, Atom, AtomExt, Capability, Charset, Date, DateTime, Flag, FlagPerm, IString,
    ListChars, ListMailbox, Literal, Literal8, LiteralMode, Mailbox, NString, Quoted, SeqOrUid,
    Sequence, SequenceSet, Tag, Text, Vec1,
};

/// `SP`.
#[inline]
pub(crate) fn sp(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        Some(b' ') => Ok((&i[1..], ())),
        _ => fail(i, "SP"),
    }
}

/// `CRLF`.
#[inline]
pub(crate) fn crlf(i: &[u8]) -> PResult<'_, ()> {
    match i {
        [b'\r', b'\n', rest @ ..] => Ok((rest, ())),
        _ => fail(i, "CRLF"),
    }
}

/// One expected byte.
#[inline]
pub(crate) fn byte<'a>(i: &'a [u8], c: u8, rule: &'static str) -> PResult<'a, ()> {
    match i.first() {
        Some(&b) if b == c => Ok((&i[1..], ())),
        _ => fail(i, rule),
    }
}

/// A keyword, compared without regard to case.
#[inline]
pub(crate) fn keyword<'a>(i: &'a [u8], word: &'static str) -> PResult<'a, ()> {
    let w = word.as_bytes();
    if i.len() >= w.len() && i[..w.len()].eq_ignore_ascii_case(w) {
        Ok((&i[w.len()..], ()))
    } else {
        fail(i, word)
    }
}

/// Whether `i` starts with `word` (any case).
#[inline]
pub(crate) fn starts_with_keyword(i: &[u8], word: &str) -> bool {
    let w = word.as_bytes();
    i.len() >= w.len() && i[..w.len()].eq_ignore_ascii_case(w)
}

/// The longest run of bytes in `class`, at least one.
#[inline]
pub(crate) fn take_class<'a>(
    i: &'a [u8],
    class: fn(u8) -> bool,
    rule: &'static str,
) -> PResult<'a, &'a [u8]> {
    let n = i.iter().position(|&b| !class(b)).unwrap_or(i.len());
    if n == 0 {
        fail(i, rule)
    } else {
        Ok((&i[n..], &i[..n]))
    }
}

/// A keyword token: letters, digits, `.`, `-`, `=` (command names, item names).
#[inline]
pub(crate) fn token(i: &[u8]) -> PResult<'_, &[u8]> {
    take_class(
        i,
        |b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'='),
        "keyword",
    )
}

fn as_str(bytes: &[u8]) -> &str {
    // Only called on bytes that a 7-bit character class has accepted.
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// ```text
/// number = 1*DIGIT ; Unsigned 32-bit integer
/// ```
pub(crate) fn number(i: &[u8]) -> PResult<'_, u32> {
    let (rest, digits) = take_class(i, |b| b.is_ascii_digit(), "number")?;
    let mut n: u64 = 0;
    for &d in digits {
        n = n * 10 + u64::from(d - b'0');
        if n > u64::from(u32::MAX) {
            return fail(i, "number");
        }
    }
    Ok((rest, n as u32))
}

/// ```text
/// nz-number = digit-nz *DIGIT ; Non-zero unsigned 32-bit integer
/// ```
pub(crate) fn nz_number(i: &[u8]) -> PResult<'_, NonZeroU32> {
    let (rest, n) = named("nz-number", number(i))?;
    match NonZeroU32::new(n) {
        Some(n) if i[0] != b'0' => Ok((rest, n)),
        _ => fail(i, "nz-number"),
    }
}

/// ```text
/// number64 = 1*DIGIT ; Unsigned 63-bit integer (0 <= n <= 9,223,372,036,854,775,807)
/// ```
pub(crate) fn number64(i: &[u8]) -> PResult<'_, u64> {
    let (rest, digits) = take_class(i, |b| b.is_ascii_digit(), "number64")?;
    let mut n: u64 = 0;
    for &d in digits {
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
        {
            Some(n) if n <= crate::types::MAX_MODSEQ => n,
            _ => return fail(i, "number64"),
        };
    }
    Ok((rest, n))
}

/// ```text
/// nz-number64 = digit-nz *DIGIT
/// ```
pub(crate) fn nz_number64(i: &[u8]) -> PResult<'_, NonZeroU64> {
    let (rest, n) = named("nz-number64", number64(i))?;
    match NonZeroU64::new(n) {
        Some(n) if i[0] != b'0' => Ok((rest, n)),
        _ => fail(i, "nz-number64"),
    }
}

/// ```text
/// mod-sequence-value = 1*DIGIT ; Positive unsigned 63-bit integer
/// ```
pub(crate) fn mod_sequence_value(i: &[u8]) -> PResult<'_, u64> {
    let (rest, n) = named("mod-sequence-value", number64(i))?;
    if n == 0 {
        return fail(i, "mod-sequence-value");
    }
    Ok((rest, n))
}

/// ```text
/// mod-sequence-valzer = "0" / mod-sequence-value
/// ```
pub(crate) fn mod_sequence_valzer(i: &[u8]) -> PResult<'_, u64> {
    named("mod-sequence-valzer", number64(i))
}

/// ```text
/// tag = 1*<any ASTRING-CHAR except "+">
/// ```
pub(crate) fn tag(i: &[u8]) -> PResult<'_, Tag<'_>> {
    let (rest, t) = take_class(i, is_tag_char, "tag")?;
    Ok((rest, Tag::unvalidated(as_str(t))))
}

/// ```text
/// atom = 1*ATOM-CHAR
/// ```
pub(crate) fn atom(i: &[u8]) -> PResult<'_, Atom<'_>> {
    let (rest, a) = take_class(i, is_atom_char, "atom")?;
    Ok((rest, Atom::unvalidated(as_str(a))))
}

/// ```text
/// quoted = DQUOTE *QUOTED-CHAR DQUOTE
/// ```
pub(crate) fn quoted(i: &[u8]) -> PResult<'_, Quoted<'_>> {
    let (body, ()) = byte(i, b'"', "quoted")?;
    let mut escaped = false;
    let mut n = 0;
    loop {
        match body.get(n) {
            None => return fail(i, "quoted"),
            Some(b'"') => break,
            Some(b'\\') => match body.get(n + 1) {
                Some(&c) if is_quoted_special(c) => {
                    escaped = true;
                    n += 2;
                }
                _ => return fail(&body[n..], "quoted"),
            },
            Some(&c) if is_quoted_plain(c) || c >= 0x80 => n += 1,
            Some(_) => return fail(&body[n..], "quoted"),
        }
    }
    let raw = &body[..n];
    let rest = &body[n + 1..];
    let text = if escaped {
        let mut out = Vec::with_capacity(raw.len());
        let mut iter = raw.iter();
        while let Some(&c) = iter.next() {
            if c == b'\\' {
                if let Some(&next) = iter.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        match String::from_utf8(out) {
            Ok(s) => Cow::Owned(s),
            Err(_) => return fail(i, "quoted"),
        }
    } else {
        match std::str::from_utf8(raw) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => return fail(i, "quoted"),
        }
    };
    Ok((rest, Quoted::unvalidated(text)))
}

/// The announcement of a literal, up to and including CRLF: `{n}` / `{n+}`.
pub(crate) fn literal_header(i: &[u8]) -> PResult<'_, (u64, LiteralMode)> {
    let (i, ()) = byte(i, b'{', "literal")?;
    let (i, n) = named("literal", number64(i))?;
    let (i, mode) = match i.first() {
        Some(b'+') => (&i[1..], LiteralMode::NonSync),
        _ => (i, LiteralMode::Sync),
    };
    let (i, ()) = byte(i, b'}', "literal")?;
    let (i, ()) = named("literal", crlf(i))?;
    Ok((i, (n, mode)))
}

fn literal_bytes(i: &[u8], n: u64) -> PResult<'_, &[u8]> {
    match usize::try_from(n) {
        Ok(n) if n <= i.len() => Ok((&i[n..], &i[..n])),
        _ => fail(i, "literal"),
    }
}

/// ```text
/// literal = "{" number64 ["+"] "}" CRLF *CHAR8
/// ```
pub(crate) fn literal(i: &[u8]) -> PResult<'_, Literal<'_>> {
    let (rest, (n, mode)) = literal_header(i)?;
    let (rest, data) = literal_bytes(rest, n)?;
    if memchr::memchr(0, data).is_some() {
        return fail(i, "literal");
    }
    Ok((rest, Literal::unvalidated(data, mode)))
}

/// ```text
/// literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
/// ```
pub(crate) fn literal8(i: &[u8]) -> PResult<'_, Literal8<'_>> {
    let (i, ()) = byte(i, b'~', "literal8")?;
    let (rest, (n, mode)) = literal_header(i)?;
    let (rest, data) = literal_bytes(rest, n)?;
    Ok((rest, Literal8::new(data, mode)))
}

/// ```text
/// string = quoted / literal
/// ```
pub(crate) fn string(i: &[u8]) -> PResult<'_, IString<'_>> {
    match i.first() {
        Some(b'"') => quoted(i).map(|(r, q)| (r, IString::Quoted(q))),
        Some(b'{') => literal(i).map(|(r, l)| (r, IString::Literal(l))),
        _ => fail(i, "string"),
    }
}

/// ```text
/// astring = 1*ASTRING-CHAR / string
/// ```
pub(crate) fn astring(i: &[u8]) -> PResult<'_, AString<'_>> {
    match i.first() {
        Some(b'"' | b'{') => string(i).map(|(r, s)| (r, AString::String(s))),
        _ => {
            let (rest, a) = take_class(i, is_astring_char, "astring")?;
            Ok((rest, AString::Atom(AtomExt::unvalidated(as_str(a)))))
        }
    }
}

/// ```text
/// nil = "NIL"
/// ```
pub(crate) fn nil(i: &[u8]) -> PResult<'_, ()> {
    keyword(i, "NIL")
}

/// ```text
/// nstring = string / nil
/// ```
pub(crate) fn nstring(i: &[u8]) -> PResult<'_, NString<'_>> {
    match i.first() {
        Some(b'"' | b'{') => string(i).map(|(r, s)| (r, NString(Some(s)))),
        _ => nil(i).map(|(r, ())| (r, NString(None))),
    }
}

/// ```text
/// text = 1*(TEXT-CHAR / UTF8-2 / UTF8-3 / UTF8-4)
/// ```
///
/// Reads up to CR or LF; empty text is accepted (IMAP4rev2 makes it optional).
pub(crate) fn text(i: &[u8]) -> PResult<'_, Text<'_>> {
    let n = i
        .iter()
        .position(|&b| b == b'\r' || b == b'\n' || b == 0)
        .unwrap_or(i.len());
    match std::str::from_utf8(&i[..n]) {
        Ok(s) if !s.starts_with('[') => Ok((&i[n..], Text::unvalidated(s))),
        _ => fail(i, "text"),
    }
}

/// ```text
/// mailbox = "INBOX" / astring
/// ```
pub(crate) fn mailbox(i: &[u8]) -> PResult<'_, Mailbox<'_>> {
    let (rest, name) = named("mailbox", astring(i))?;
    Ok((rest, Mailbox::from_astring(name)))
}

/// ```text
/// list-mailbox = 1*list-char / string
/// ```
pub(crate) fn list_mailbox(i: &[u8]) -> PResult<'_, ListMailbox<'_>> {
    match i.first() {
        Some(b'"' | b'{') => string(i).map(|(r, s)| (r, ListMailbox::String(s))),
        _ => {
            let (rest, t) = take_class(i, is_list_char, "list-mailbox")?;
            Ok((rest, ListMailbox::Token(ListChars::unvalidated(as_str(t)))))
        }
    }
}

/// ```text
/// flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" /
///        flag-keyword / flag-extension
/// flag-extension = "\" atom
/// ```
pub(crate) fn flag(i: &[u8]) -> PResult<'_, Flag<'_>> {
    let start = usize::from(i.first() == Some(&b'\\'));
    let n = i[start..]
        .iter()
        .position(|&b| !is_atom_char(b))
        .unwrap_or(i.len() - start);
    if n == 0 {
        return fail(i, "flag");
    }
    Ok((&i[start + n..], Flag::unvalidated(as_str(&i[..start + n]))))
}

/// ```text
/// flag-perm = flag / "\*"
/// ```
pub(crate) fn flag_perm(i: &[u8]) -> PResult<'_, FlagPerm<'_>> {
    if i.starts_with(b"\\*") {
        return Ok((&i[2..], FlagPerm::Asterisk));
    }
    flag(i).map(|(r, f)| (r, FlagPerm::Flag(f)))
}

/// A parenthesised, space-separated list, possibly empty: `"(" [x *(SP x)] ")"`.
pub(crate) fn paren_list<'a, T>(
    i: &'a [u8],
    rule: &'static str,
    mut item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut i, ()) = byte(i, b'(', rule)?;
    let mut out = Vec::new();
    if let Some(rest) = i.strip_prefix(b")") {
        return Ok((rest, out));
    }
    loop {
        let (rest, value) = named(rule, item(i))?;
        out.push(value);
        if out.len() > MAX_LIST {
            return fail_hard(rest, PKind::TooMany(rule));
        }
        match rest.first() {
            Some(b' ') => i = &rest[1..],
            Some(b')') => return Ok((&rest[1..], out)),
            _ => return fail(rest, rule),
        }
    }
}

/// A non-empty parenthesised list: `"(" x *(SP x) ")"`.
pub(crate) fn paren_list1<'a, T>(
    i: &'a [u8],
    rule: &'static str,
    item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Vec1<T>> {
    let (rest, list) = paren_list(i, rule, item)?;
    match Vec1::try_from(list) {
        Ok(list) => Ok((rest, list)),
        Err(_) => fail(i, rule),
    }
}

/// `x *(SP x)`, stopping before a SP that is not followed by another `x`.
pub(crate) fn sp_list1<'a, T>(
    i: &'a [u8],
    rule: &'static str,
    mut item: impl FnMut(&'a [u8]) -> PResult<'a, T>,
) -> PResult<'a, Vec1<T>> {
    let (mut i, first) = named(rule, item(i))?;
    let mut out = vec![first];
    while let Some(rest) = i.strip_prefix(b" ") {
        match item(rest) {
            Ok((rest, value)) => {
                out.push(value);
                if out.len() > MAX_LIST {
                    return fail_hard(rest, PKind::TooMany(rule));
                }
                i = rest;
            }
            Err(nom::Err::Error(_)) => break,
            Err(err) => return Err(err),
        }
    }
    Ok((i, Vec1::unvalidated(out)))
}

/// ```text
/// flag-list = "(" [flag *(SP flag)] ")"
/// ```
pub(crate) fn flag_list(i: &[u8]) -> PResult<'_, Vec<Flag<'_>>> {
    paren_list(i, "flag-list", flag)
}

/// ```text
/// charset = atom / quoted
/// ```
pub(crate) fn charset(i: &[u8]) -> PResult<'_, Charset<'_>> {
    match i.first() {
        Some(b'"') => {
            let (rest, q) = quoted(i)?;
            match Charset::try_from(q.into_inner()) {
                Ok(c) => Ok((rest, c)),
                Err(_) => fail(i, "charset"),
            }
        }
        _ => {
            let (rest, a) = take_class(i, is_atom_char, "charset")?;
            Ok((rest, Charset::unvalidated(as_str(a))))
        }
    }
}

/// ```text
/// capability = ("AUTH=" auth-type) / atom
/// ```
pub(crate) fn capability(i: &[u8]) -> PResult<'_, Capability<'_>> {
    let (rest, a) = take_class(i, is_atom_char, "capability")?;
    Ok((rest, Capability::unvalidated(as_str(a))))
}

fn two_digits<'a>(i: &'a [u8], rule: &'static str) -> PResult<'a, u8> {
    match i {
        [a, b, rest @ ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Ok((rest, (a - b'0') * 10 + (b - b'0')))
        }
        _ => fail(i, rule),
    }
}

fn month(i: &[u8]) -> PResult<'_, u8> {
    match i.get(..3).and_then(Date::month_from_name) {
        Some(m) => Ok((&i[3..], m)),
        None => fail(i, "date-month"),
    }
}

fn year(i: &[u8]) -> PResult<'_, u16> {
    match i {
        [a, b, c, d, rest @ ..] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()) => {
            let y = [a, b, c, d]
                .iter()
                .fold(0u16, |acc, &&x| acc * 10 + u16::from(x - b'0'));
            Ok((rest, y))
        }
        _ => fail(i, "date-year"),
    }
}

/// ```text
/// date-text = date-day "-" date-month "-" date-year
/// date-day  = 1*2DIGIT
/// ```
fn date_text(i: &[u8]) -> PResult<'_, Date> {
    let n = i.iter().take(3).take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 2 {
        return fail(i, "date-day");
    }
    let day = i[..n].iter().fold(0u8, |acc, &d| acc * 10 + (d - b'0'));
    let (r, ()) = byte(&i[n..], b'-', "date")?;
    let (r, m) = month(r)?;
    let (r, ()) = byte(r, b'-', "date")?;
    let (r, y) = year(r)?;
    match Date::new(y, m, day) {
        Ok(date) => Ok((r, date)),
        Err(_) => fail(i, "date"),
    }
}

/// ```text
/// date = date-text / DQUOTE date-text DQUOTE
/// ```
pub(crate) fn date(i: &[u8]) -> PResult<'_, Date> {
    match i.first() {
        Some(b'"') => {
            let (r, d) = date_text(&i[1..])?;
            let (r, ()) = byte(r, b'"', "date")?;
            Ok((r, d))
        }
        _ => date_text(i),
    }
}

/// ```text
/// date-time      = DQUOTE date-day-fixed "-" date-month "-" date-year
///                  SP time SP zone DQUOTE
/// date-day-fixed = (SP DIGIT) / 2DIGIT
/// time           = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone           = ("+" / "-") 4DIGIT
/// ```
pub(crate) fn date_time(i: &[u8]) -> PResult<'_, DateTime> {
    let (r, ()) = byte(i, b'"', "date-time")?;
    let (r, day) = match r {
        [b' ', d, rest @ ..] if d.is_ascii_digit() => (rest, d - b'0'),
        // Clients commonly send a single-digit day without the padding space.
        [d, b'-', ..] if d.is_ascii_digit() => (&r[1..], d - b'0'),
        _ => two_digits(r, "date-day-fixed")?,
    };
    let (r, ()) = byte(r, b'-', "date-time")?;
    let (r, m) = month(r)?;
    let (r, ()) = byte(r, b'-', "date-time")?;
    let (r, y) = year(r)?;
    let (r, ()) = sp(r)?;
    let (r, hour) = two_digits(r, "time")?;
    let (r, ()) = byte(r, b':', "time")?;
    let (r, minute) = two_digits(r, "time")?;
    let (r, ()) = byte(r, b':', "time")?;
    let (r, second) = two_digits(r, "time")?;
    let (r, ()) = sp(r)?;
    let (r, sign) = match r.first() {
        Some(b'+') => (&r[1..], 1i16),
        Some(b'-') => (&r[1..], -1i16),
        _ => return fail(r, "zone"),
    };
    let (r, zh) = two_digits(r, "zone")?;
    let (r, zm) = two_digits(r, "zone")?;
    let (r, ()) = byte(r, b'"', "date-time")?;
    let offset = sign * (i16::from(zh) * 60 + i16::from(zm));
    match Date::new(y, m, day).and_then(|d| DateTime::new(d, hour, minute, second, offset)) {
        Ok(t) if zm < 60 => Ok((r, t)),
        _ => fail(i, "date-time"),
    }
}

/// ```text
/// seq-number = nz-number / "*"
/// ```
fn seq_number(i: &[u8]) -> PResult<'_, SeqOrUid> {
    match i.first() {
        Some(b'*') => Ok((&i[1..], SeqOrUid::Asterisk)),
        _ => nz_number(i).map(|(r, n)| (r, SeqOrUid::Value(n))),
    }
}

/// ```text
/// sequence-set = (seq-number / seq-range) ["," sequence-set]
/// seq-range    = seq-number ":" seq-number
/// ```
pub(crate) fn sequence_set(i: &[u8]) -> PResult<'_, SequenceSet> {
    let mut parts = Vec::new();
    let mut rest = i;
    loop {
        let (r, a) = renamed("sequence-set", seq_number(rest))?;
        let (r, part) = match r.first() {
            Some(b':') => {
                let (r, b) = renamed("sequence-set", seq_number(&r[1..]))?;
                (r, Sequence::Range(a, b))
            }
            _ => (r, Sequence::Single(a)),
        };
        parts.push(part);
        if parts.len() > MAX_LIST {
            return fail_hard(r, PKind::TooMany("sequence-set"));
        }
        match r.first() {
            Some(b',') => rest = &r[1..],
            _ => return Ok((r, SequenceSet::new(Vec1::unvalidated(parts)))),
        }
    }
}

/// A quoted single character or NIL: the hierarchy delimiter of LIST and NAMESPACE.
///
/// ```text
/// (DQUOTE QUOTED-CHAR DQUOTE / nil)
/// ```
pub(crate) fn delimiter(i: &[u8]) -> PResult<'_, Option<char>> {
    if i.first() != Some(&b'"') {
        return nil(i).map(|(r, ())| (r, None));
    }
    let (r, q) = quoted(i)?;
    let mut chars = q.as_str().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok((r, Some(c))),
        _ => fail(i, "QUOTED-CHAR"),
    }
}

/// ```text
/// base64 = *(4base64-char) [base64-terminal]
/// ```
///
/// Reads up to CRLF; `=` alone stands for empty data (SASL-IR).
pub(crate) fn base64(i: &[u8]) -> PResult<'_, Vec<u8>> {
    use base64::Engine as _;
    let n = i
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
        .unwrap_or(i.len());
    let raw = &i[..n];
    if raw == b"=" {
        return Ok((&i[n..], Vec::new()));
    }
    match base64::engine::general_purpose::STANDARD.decode(raw) {
        Ok(data) => Ok((&i[n..], data)),
        Err(_) => fail(i, "base64"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(b"0 ").unwrap(), (&b" "[..], 0));
        assert_eq!(number(b"4294967295").unwrap().1, u32::MAX);
        assert!(number(b"4294967296").is_err());
        assert!(nz_number(b"0").is_err());
        assert!(nz_number(b"01").is_err());
        assert_eq!(number64(b"9223372036854775807").unwrap().1, i64::MAX as u64);
        assert!(number64(b"9223372036854775808").is_err());
        assert!(mod_sequence_value(b"0").is_err());
        assert_eq!(mod_sequence_valzer(b"0").unwrap().1, 0);
    }

    #[test]
    fn strings() {
        let (rest, q) = quoted(b"\"a \\\"b\\\\\" x").unwrap();
        assert_eq!(q.as_str(), "a \"b\\");
        assert_eq!(rest, b" x");
        assert!(matches!(q.into_inner(), Cow::Owned(_)));
        let (_, q) = quoted(b"\"plain\"").unwrap();
        assert!(
            matches!(q.into_inner(), Cow::Borrowed("plain")),
            "no escapes: borrowed"
        );
        for bad in [&b"\"a"[..], b"\"a\\b\"", b"\"a\rb\"", b"\"\xff\""] {
            assert!(quoted(bad).is_err(), "{bad:?}");
        }
        let (rest, l) = literal(b"{3}\r\nabc)").unwrap();
        assert_eq!((l.data(), rest), (&b"abc"[..], &b")"[..]));
        let (_, l) = literal(b"{1+}\r\nx").unwrap();
        assert_eq!(l.mode(), LiteralMode::NonSync);
        assert!(literal(b"{4}\r\nabc").is_err(), "short literal");
        assert!(literal(b"{1}\r\n\0").is_err(), "NUL in literal");
        assert_eq!(literal8(b"~{1}\r\n\0").unwrap().1.data(), b"\0");
        assert!(matches!(
            astring(b"a]b c").unwrap(),
            (b" c", AString::Atom(_))
        ));
        assert!(astring(b"(").is_err());
        assert_eq!(nstring(b"nil").unwrap().1, NString(None));
    }

    #[test]
    fn dates() {
        assert_eq!(date(b"1-Feb-1994").unwrap().1.to_string(), "1-Feb-1994");
        assert_eq!(
            date(b"\"01-Feb-1994\"").unwrap().1.to_string(),
            "1-Feb-1994"
        );
        assert!(date(b"31-Feb-1994").is_err());
        let (_, t) = date_time(b"\" 7-Feb-1994 21:52:25 -0800\"").unwrap();
        assert_eq!(t.to_string(), "7-Feb-1994 21:52:25 -0800");
        assert!(date_time(b"\"17-Feb-1994 21:52:25 -0860\"").is_err());
        assert!(date_time(b"\"17-Feb-1994 24:00:00 +0000\"").is_err());
    }

    #[test]
    fn sets_and_flags() {
        let (rest, set) = sequence_set(b"1:3,*,7 x").unwrap();
        assert_eq!((set.to_string().as_str(), rest), ("1:3,*,7", &b" x"[..]));
        assert!(sequence_set(b"1,,2").is_err());
        let (_, flags) = flag_list(b"(\\Seen $Junk)").unwrap();
        assert_eq!(flags, vec![Flag::SEEN, Flag::JUNK]);
        assert_eq!(flag_list(b"()").unwrap().1, vec![]);
        assert!(flag_list(b"(\\Seen ").is_err());
        assert!(flag(b"\\").is_err());
        assert_eq!(flag_perm(b"\\*").unwrap().1, FlagPerm::Asterisk);
        assert_eq!(delimiter(b"\"/\"").unwrap().1, Some('/'));
        assert_eq!(delimiter(b"\"\\\\\"").unwrap().1, Some('\\'));
        assert_eq!(delimiter(b"NIL").unwrap().1, None);
        assert_eq!(base64(b"=").unwrap().1, b"");
        assert_eq!(
            base64(b"AGFiYwBz\r\n").unwrap(),
            (&b"\r\n"[..], b"\0abc\0s".to_vec())
        );
        assert!(base64(b"abc").is_err());
    }
}
