//! Parsers of responses (RFC 9051 section 7 and the extension RFCs).

use std::borrow::Cow;
use std::num::NonZeroU32;

use crate::codec::parse::command::{id_params_list, status_att, upper};
use crate::codec::parse::core::{
    atom, byte, capability, charset, crlf, delimiter, flag, flag_list, flag_perm, keyword, mailbox,
    mod_sequence_value, mod_sequence_valzer, number, number64, nz_number, paren_list, sequence_set,
    sp, string, tag, text, token,
};
use crate::codec::parse::error::{PKind, PResult, fail, fail_hard, named};
use crate::codec::parse::fetch_data::msg_att;
use crate::codec::parse::limits::MAX_LIST;
use crate::response::{
    Code, Continue, Data, ESearchItem, ESearchResponse, ListExtendedItem, ListItem,
    NamespaceDescription, Response, StatusKind, StatusResponse, StatusValue,
};
use crate::types::{Capability, MailboxAttribute, Text, Vec1};

/// ```text
/// response = continue-req / response-data / response-tagged / response-fatal
/// ```
pub(crate) fn response(i: &[u8]) -> PResult<'_, Response<'_>> {
    match i {
        [b'+', ..] => continue_req(i).map(|(r, c)| (r, Response::Continue(c))),
        [b'*', b' ', rest @ ..] => untagged(rest),
        _ => {
            let (r, t) = tag(i)?;
            let (r, ()) = sp(r)?;
            let (r, (kind, code, text)) = resp_cond(r)?;
            if !matches!(kind, StatusKind::Ok | StatusKind::No | StatusKind::Bad) {
                return fail(i, "response-tagged");
            }
            let (r, ()) = crlf(r)?;
            Ok((
                r,
                Response::Status(StatusResponse {
                    tag: Some(t),
                    kind,
                    code,
                    text,
                }),
            ))
        }
    }
}

/// ```text
/// greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF
/// ```
pub(crate) fn greeting(i: &[u8]) -> PResult<'_, StatusResponse<'_>> {
    let (r, ()) = keyword(i, "* ")?;
    let (r, (kind, code, text)) = resp_cond(r)?;
    if !matches!(kind, StatusKind::Ok | StatusKind::PreAuth | StatusKind::Bye) {
        return fail(i, "greeting");
    }
    let (r, ()) = crlf(r)?;
    Ok((
        r,
        StatusResponse {
            tag: None,
            kind,
            code,
            text,
        },
    ))
}

type Cond<'a> = (StatusKind, Option<Code<'a>>, Text<'a>);

/// `("OK" / "NO" / "BAD" / "PREAUTH" / "BYE") SP resp-text`.
fn resp_cond(i: &[u8]) -> PResult<'_, Cond<'_>> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    let kind = match upper(word, &mut buf) {
        Some(b"OK") => StatusKind::Ok,
        Some(b"NO") => StatusKind::No,
        Some(b"BAD") => StatusKind::Bad,
        Some(b"PREAUTH") => StatusKind::PreAuth,
        Some(b"BYE") => StatusKind::Bye,
        _ => return fail(i, "resp-cond-state"),
    };
    // IMAP4rev2 makes the text optional: "A1 OK" is accepted without the space.
    if r.starts_with(b"\r\n") {
        return Ok((r, (kind, None, Text::unvalidated(""))));
    }
    let (r, ()) = sp(r)?;
    let (r, (code, text)) = resp_text(r)?;
    Ok((r, (kind, code, text)))
}

/// ```text
/// resp-text = ["[" resp-text-code "]" SP] [text]
/// ```
pub(crate) fn resp_text(i: &[u8]) -> PResult<'_, (Option<Code<'_>>, Text<'_>)> {
    if i.first() != Some(&b'[') {
        let (r, t) = text(i)?;
        return Ok((r, (None, t)));
    }
    let (r, c) = resp_text_code(&i[1..])?;
    let (r, ()) = byte(r, b']', "resp-text-code")?;
    let r = r.strip_prefix(b" ").unwrap_or(r);
    let (r, t) = text(r)?;
    Ok((r, (Some(c), t)))
}

/// ```text
/// resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] / ...
///                  atom [SP 1*<any TEXT-CHAR except "]">]
/// ```
///
/// A known name whose arguments do not follow its own rule (`UIDNEXT` without a
/// number) is kept as the generic `atom [SP text]` form.
fn resp_text_code(i: &[u8]) -> PResult<'_, Code<'_>> {
    if let Ok((rest, code)) = typed_code(i)
        && rest.first() == Some(&b']')
    {
        return Ok((rest, code));
    }
    let (r, name) = atom(i)?;
    let (r, text) = match r.strip_prefix(b" ") {
        Some(rest) => {
            let n = rest
                .iter()
                .position(|&b| b == b']' || b == b'\r' || b == b'\n' || b == 0)
                .unwrap_or(rest.len());
            match std::str::from_utf8(&rest[..n]) {
                Ok(t) if n > 0 => (&rest[n..], Some(Cow::Borrowed(t))),
                _ => return fail(rest, "resp-text-code"),
            }
        }
        None => (r, None),
    };
    Ok((r, Code::Other { name, text }))
}

/// The codes this crate names, with their arguments.
fn typed_code(i: &[u8]) -> PResult<'_, Code<'_>> {
    let (r, name) = atom(i)?;
    let upper_name = name.as_str().to_ascii_uppercase();
    let code = match upper_name.as_str() {
        "BADCHARSET" => {
            if r.starts_with(b" (") {
                let (r, list) = paren_list(&r[1..], "charset", charset)?;
                return Ok((r, Code::BadCharset(list)));
            }
            return Ok((r, Code::BadCharset(Vec::new())));
        }
        "CAPABILITY" => {
            let (r, caps) = capability_list(r)?;
            return Ok((r, Code::Capability(caps)));
        }
        "PERMANENTFLAGS" => {
            let (r, ()) = sp(r)?;
            let (r, flags) = paren_list(r, "flag-perm", flag_perm)?;
            return Ok((r, Code::PermanentFlags(flags)));
        }
        "UIDNEXT" | "UIDVALIDITY" | "UNSEEN" => {
            let (r, ()) = sp(r)?;
            let (r, n) = nz_number(r)?;
            return Ok((
                r,
                match upper_name.as_str() {
                    "UIDNEXT" => Code::UidNext(n),
                    "UIDVALIDITY" => Code::UidValidity(n),
                    _ => Code::Unseen(n),
                },
            ));
        }
        "APPENDUID" => {
            let (r, ()) = sp(r)?;
            let (r, uid_validity) = nz_number(r)?;
            let (r, ()) = sp(r)?;
            let (r, uids) = sequence_set(r)?;
            return Ok((r, Code::AppendUid { uid_validity, uids }));
        }
        "COPYUID" => {
            let (r, ()) = sp(r)?;
            let (r, uid_validity) = nz_number(r)?;
            let (r, ()) = sp(r)?;
            let (r, source) = sequence_set(r)?;
            let (r, ()) = sp(r)?;
            let (r, destination) = sequence_set(r)?;
            return Ok((
                r,
                Code::CopyUid {
                    uid_validity,
                    source,
                    destination,
                },
            ));
        }
        "HIGHESTMODSEQ" => {
            let (r, ()) = sp(r)?;
            let (r, n) = mod_sequence_value(r)?;
            return Ok((r, Code::HighestModSeq(n)));
        }
        "MODIFIED" => {
            let (r, ()) = sp(r)?;
            let (r, set) = sequence_set(r)?;
            return Ok((r, Code::Modified(set)));
        }
        _ => match Code::simple_from_name(name.as_str().as_bytes()) {
            Some(code) => code,
            None => return fail(i, "resp-text-code"),
        },
    };
    Ok((r, code))
}

/// `1*(SP capability)` after the CAPABILITY keyword.
fn capability_list(i: &[u8]) -> PResult<'_, Vec1<Capability<'_>>> {
    let (mut r, ()) = sp(i)?;
    let mut caps = Vec::new();
    loop {
        let (rest, cap) = capability(r)?;
        caps.push(cap);
        if caps.len() > MAX_LIST {
            return fail_hard(rest, PKind::TooMany("capability"));
        }
        match rest.strip_prefix(b" ") {
            Some(rest)
                if rest
                    .first()
                    .is_some_and(|&b| crate::types::char_class::is_atom_char(b)) =>
            {
                r = rest
            }
            _ => return Ok((rest, Vec1::unvalidated(caps))),
        }
    }
}

/// ```text
/// continue-req = "+" SP (resp-text / base64) CRLF
/// ```
///
/// Text that is valid, non-empty base64 is taken as a SASL challenge; `+` with
/// nothing after it (a common server shortcut) as an empty challenge.
pub(crate) fn continue_req(i: &[u8]) -> PResult<'_, Continue<'_>> {
    let (r, ()) = byte(i, b'+', "continue-req")?;
    if r.starts_with(b"\r\n") {
        let (r, ()) = crlf(r)?;
        return Ok((r, Continue::Base64(Cow::Borrowed(&[]))));
    }
    let (r, ()) = sp(r)?;
    let line_end = memchr::memchr(b'\r', r).unwrap_or(r.len());
    let raw = &r[..line_end];
    if raw.is_empty() {
        let (r, ()) = crlf(r)?;
        return Ok((r, Continue::Base64(Cow::Borrowed(&[]))));
    }
    if raw.len() % 4 == 0
        && raw
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        use base64::Engine as _;
        if let Ok(data) = base64::engine::general_purpose::STANDARD.decode(raw) {
            let (r, ()) = crlf(&r[line_end..])?;
            return Ok((r, Continue::Base64(Cow::Owned(data))));
        }
    }
    let (r, (code, text)) = resp_text(r)?;
    let (r, ()) = crlf(r)?;
    Ok((r, Continue::Basic { code, text }))
}

/// Untagged responses after `* `.
fn untagged(i: &[u8]) -> PResult<'_, Response<'_>> {
    if i.first().is_some_and(u8::is_ascii_digit) {
        let (r, n) = number(i)?;
        let (r, ()) = sp(r)?;
        let (r2, word) = token(r)?;
        let mut buf = [0u8; 16];
        let data = match upper(word, &mut buf) {
            Some(b"EXISTS") => Data::Exists(n),
            Some(b"RECENT") => Data::Recent(n),
            Some(b"EXPUNGE") => match NonZeroU32::new(n) {
                Some(n) => Data::Expunge(n),
                None => return fail(i, "message-data"),
            },
            Some(b"FETCH") => {
                let Some(seq) = NonZeroU32::new(n) else {
                    return fail(i, "message-data");
                };
                let (r, ()) = sp(r2)?;
                let (r, items) = msg_att(r)?;
                let (r, ()) = crlf(r)?;
                return Ok((r, Response::Data(Data::Fetch { seq, items })));
            }
            _ => return fail(r, "message-data"),
        };
        let (r, ()) = crlf(r2)?;
        return Ok((r, Response::Data(data)));
    }
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    let Some(word) = upper(word, &mut buf) else {
        return fail(i, "response-data");
    };
    let (r, data) = match word {
        b"OK" | b"NO" | b"BAD" | b"BYE" | b"PREAUTH" => {
            let (r, (kind, code, text)) = resp_cond(i)?;
            let (r, ()) = crlf(r)?;
            return Ok((
                r,
                Response::Status(StatusResponse {
                    tag: None,
                    kind,
                    code,
                    text,
                }),
            ));
        }
        b"CAPABILITY" => {
            let (r, caps) = capability_list(r)?;
            (r, Data::Capability(caps))
        }
        b"ENABLED" => {
            let mut caps = Vec::new();
            let mut r = r;
            while let Some(rest) = r.strip_prefix(b" ") {
                let (rest, cap) = capability(rest)?;
                caps.push(cap);
                r = rest;
            }
            (r, Data::Enabled(caps))
        }
        b"LIST" => {
            let (r, ()) = sp(r)?;
            let (r, item) = mailbox_list(r)?;
            (r, Data::List(item))
        }
        b"LSUB" => {
            let (r, ()) = sp(r)?;
            let (r, item) = mailbox_list(r)?;
            (r, Data::Lsub(item))
        }
        b"STATUS" => {
            let (r, ()) = sp(r)?;
            let (r, m) = mailbox(r)?;
            let (r, ()) = sp(r)?;
            let (r, items) = paren_list(r, "status-att-list", status_att_val)?;
            (r, Data::Status { mailbox: m, items })
        }
        b"SEARCH" => {
            let (r, numbers) = number_list(r)?;
            let (r, modseq) = if r.starts_with(b" (") {
                let (r, ()) = keyword(&r[2..], "MODSEQ ")?;
                let (r, n) = mod_sequence_value(r)?;
                let (r, ()) = byte(r, b')', "search-sort-mod-seq")?;
                (r, Some(n))
            } else {
                (r, None)
            };
            (r, Data::Search { numbers, modseq })
        }
        b"SORT" => {
            let (r, numbers) = number_list(r)?;
            (r, Data::Sort(numbers))
        }
        b"ESEARCH" => {
            let (r, e) = esearch_response(r)?;
            (r, Data::ESearch(e))
        }
        b"FLAGS" => {
            let (r, ()) = sp(r)?;
            let (r, flags) = flag_list(r)?;
            (r, Data::Flags(flags))
        }
        b"VANISHED" => {
            let (r, ()) = sp(r)?;
            let (r, earlier) = match keyword(r, "(EARLIER) ") {
                Ok((r, ())) => (r, true),
                Err(_) => (r, false),
            };
            let (r, uids) = sequence_set(r)?;
            (r, Data::Vanished { earlier, uids })
        }
        b"ID" => {
            let (r, ()) = sp(r)?;
            let (r, params) = id_params_list(r)?;
            (r, Data::Id(params))
        }
        b"NAMESPACE" => {
            let (r, ()) = sp(r)?;
            let (r, personal) = namespace(r)?;
            let (r, ()) = sp(r)?;
            let (r, other) = namespace(r)?;
            let (r, ()) = sp(r)?;
            let (r, shared) = namespace(r)?;
            (
                r,
                Data::Namespace {
                    personal,
                    other,
                    shared,
                },
            )
        }
        _ => return fail(i, "response-data"),
    };
    let (r, ()) = crlf(r)?;
    Ok((r, Response::Data(data)))
}

fn number_list(i: &[u8]) -> PResult<'_, Vec<NonZeroU32>> {
    let mut out = Vec::new();
    let mut r = i;
    while let Some(rest) = r.strip_prefix(b" ") {
        if !rest.first().is_some_and(u8::is_ascii_digit) {
            break;
        }
        let (rest, n) = nz_number(rest)?;
        out.push(n);
        if out.len() > MAX_LIST * 10 {
            return fail_hard(rest, PKind::TooMany("nz-number"));
        }
        r = rest;
    }
    Ok((r, out))
}

/// ```text
/// mailbox-list = "(" [mbx-list-flags] ")" SP
///                (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
///                [SP mbox-list-extended]
/// mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
/// ```
fn mailbox_list(i: &[u8]) -> PResult<'_, ListItem<'_>> {
    let (r, attributes) = paren_list(i, "mbx-list-flags", |i| {
        if i.first() != Some(&b'\\') {
            return fail(i, "mbx-list-flags");
        }
        let (r, f) = flag(i)?;
        Ok((r, MailboxAttribute::unvalidated(f.into_inner())))
    })?;
    let (r, ()) = sp(r)?;
    let (r, delim) = delimiter(r)?;
    let (r, ()) = sp(r)?;
    let (r, m) = mailbox(r)?;
    let (r, extended) = if r.starts_with(b" (") {
        paren_list(&r[1..], "mbox-list-extended-item", |i| {
            // mbox-list-extended-item-tag = astring: "OLDNAME" comes quoted too.
            let (r, name) = crate::codec::parse::core::astring(i)?;
            let name = name.as_bytes();
            if name.eq_ignore_ascii_case(b"CHILDINFO") {
                let (r, ()) = keyword(r, " (\"SUBSCRIBED\")")?;
                Ok((r, ListExtendedItem::ChildInfoSubscribed))
            } else if name.eq_ignore_ascii_case(b"OLDNAME") {
                let (r, ()) = keyword(r, " (")?;
                let (r, m) = mailbox(r)?;
                let (r, ()) = byte(r, b')', "OLDNAME")?;
                Ok((r, ListExtendedItem::OldName(m)))
            } else {
                fail(i, "mbox-list-extended-item")
            }
        })?
    } else {
        (r, Vec::new())
    };
    Ok((
        r,
        ListItem {
            attributes,
            delimiter: delim,
            mailbox: m,
            extended,
        },
    ))
}

/// ```text
/// status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) / ...
/// ```
fn status_att_val(i: &[u8]) -> PResult<'_, StatusValue> {
    use crate::command::StatusItem as S;
    let (r, item) = status_att(i)?;
    let (r, ()) = sp(r)?;
    let value = match item {
        S::Messages => number(r).map(|(r, n)| (r, StatusValue::Messages(n)))?,
        S::UidNext => nz_number(r).map(|(r, n)| (r, StatusValue::UidNext(n)))?,
        S::UidValidity => nz_number(r).map(|(r, n)| (r, StatusValue::UidValidity(n)))?,
        S::Unseen => number(r).map(|(r, n)| (r, StatusValue::Unseen(n)))?,
        S::Deleted => number(r).map(|(r, n)| (r, StatusValue::Deleted(n)))?,
        S::Size => number64(r).map(|(r, n)| (r, StatusValue::Size(n)))?,
        S::Recent => number(r).map(|(r, n)| (r, StatusValue::Recent(n)))?,
        S::HighestModSeq => {
            mod_sequence_valzer(r).map(|(r, n)| (r, StatusValue::HighestModSeq(n)))?
        }
    };
    Ok(value)
}

/// ```text
/// esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
/// ```
fn esearch_response(i: &[u8]) -> PResult<'_, ESearchResponse<'_>> {
    let mut r = i;
    let mut tag_value = None;
    if r.starts_with(b" (") {
        let (rest, ()) = keyword(&r[2..], "TAG ")?;
        let (rest, s) = string(rest)?;
        let Ok(t) = std::str::from_utf8(s.as_bytes()) else {
            return fail(rest, "tag-string");
        };
        let Ok(t) = crate::types::Tag::try_from(t.to_owned()) else {
            return fail(rest, "tag-string");
        };
        let (rest, ()) = byte(rest, b')', "search-correlator")?;
        tag_value = Some(t);
        r = rest;
    }
    let mut uid = false;
    if r.len() >= 4
        && r[..4].eq_ignore_ascii_case(b" UID")
        && !r.get(4).is_some_and(u8::is_ascii_alphabetic)
    {
        uid = true;
        r = &r[4..];
    }
    let mut items = Vec::new();
    while let Some(rest) = r.strip_prefix(b" ") {
        let (rest, word) = token(rest)?;
        let mut buf = [0u8; 16];
        let name = upper(word, &mut buf).map(<[u8]>::to_vec);
        let (rest, ()) = sp(rest)?;
        let (rest, item) = match name.as_deref() {
            Some(b"MIN") => nz_number(rest).map(|(r, n)| (r, ESearchItem::Min(n)))?,
            Some(b"MAX") => nz_number(rest).map(|(r, n)| (r, ESearchItem::Max(n)))?,
            Some(b"ALL") => sequence_set(rest).map(|(r, s)| (r, ESearchItem::All(s)))?,
            Some(b"COUNT") => number(rest).map(|(r, n)| (r, ESearchItem::Count(n)))?,
            Some(b"MODSEQ") => {
                mod_sequence_value(rest).map(|(r, n)| (r, ESearchItem::ModSeq(n)))?
            }
            _ => return fail(r, "search-return-data"),
        };
        items.push(item);
        r = rest;
    }
    Ok((
        r,
        ESearchResponse {
            tag: tag_value,
            uid,
            items,
        },
    ))
}

/// ```text
/// namespace       = nil / "(" 1*namespace-descr ")"
/// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
///                   [namespace-response-extensions] ")"
/// ```
fn namespace(i: &[u8]) -> PResult<'_, Vec<NamespaceDescription<'_>>> {
    if i.first() != Some(&b'(') {
        let (r, ()) = keyword(i, "NIL")?;
        return Ok((r, Vec::new()));
    }
    let (mut r, ()) = byte(i, b'(', "namespace")?;
    let mut out = Vec::new();
    loop {
        let (rest, ()) = byte(r, b'(', "namespace-descr")?;
        let (rest, prefix) = named("namespace-descr", string(rest))?;
        let (rest, ()) = sp(rest)?;
        let (rest, delim) = delimiter(rest)?;
        let (rest, ()) = byte(rest, b')', "namespace-descr")?;
        out.push(NamespaceDescription {
            prefix,
            delimiter: delim,
        });
        if out.len() > MAX_LIST {
            return fail_hard(rest, PKind::TooMany("namespace-descr"));
        }
        match rest.first() {
            Some(b')') => return Ok((&rest[1..], out)),
            _ => r = rest,
        }
    }
}
