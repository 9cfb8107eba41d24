//! Parsers of ENVELOPE and BODY/BODYSTRUCTURE.

use crate::codec::parse::core::{byte, nstring, number, number64, sp, string};
use crate::codec::parse::error::{PKind, PResult, fail, fail_hard, named};
use crate::codec::parse::limits::MAX_LIST;
use crate::response::{
    Address, BasicFields, BodyExtension, BodyStructure, Disposition, Envelope, ExtensionTail,
    LanguageTail, LocationTail, MultiPartExtension, SinglePartExtension, SpecificFields,
};
use crate::types::{IString, Vec1};

/// ```text
/// envelope = "(" env-date SP env-subject SP env-from SP
///            env-sender SP env-reply-to SP env-to SP env-cc SP
///            env-bcc SP env-in-reply-to SP env-message-id ")"
/// ```
pub(crate) fn envelope(i: &[u8]) -> PResult<'_, Envelope<'_>> {
    let (r, ()) = byte(i, b'(', "envelope")?;
    let (r, date) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, subject) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, from) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, sender) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, reply_to) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, to) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, cc) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, bcc) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, in_reply_to) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, message_id) = nstring(r)?;
    let (r, ()) = byte(r, b')', "envelope")?;
    Ok((
        r,
        Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        },
    ))
}

/// ```text
/// env-from = "(" 1*address ")" / nil
/// ```
fn address_list(i: &[u8]) -> PResult<'_, Vec<Address<'_>>> {
    if i.first() != Some(&b'(') {
        let (r, ()) = crate::codec::parse::core::nil(i)?;
        return Ok((r, Vec::new()));
    }
    let mut r = &i[1..];
    let mut out = Vec::new();
    loop {
        let (rest, a) = named("address", address(r))?;
        out.push(a);
        if out.len() > MAX_LIST {
            return fail_hard(rest, PKind::TooMany("address"));
        }
        // Some servers put a space between addresses; accept it.
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        if let Some(rest) = rest.strip_prefix(b")") {
            return Ok((rest, out));
        }
        r = rest;
    }
}

/// ```text
/// address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
/// ```
fn address(i: &[u8]) -> PResult<'_, Address<'_>> {
    let (r, ()) = byte(i, b'(', "address")?;
    let (r, name) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, adl) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, mailbox) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, host) = nstring(r)?;
    let (r, ()) = byte(r, b')', "address")?;
    Ok((
        r,
        Address {
            name,
            adl,
            mailbox,
            host,
        },
    ))
}

/// A body structure; `depth` is how much deeper parts may still nest.
///
/// ```text
/// body            = "(" (body-type-1part / body-type-mpart) ")"
/// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
/// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
///                   [SP body-ext-1part]
/// ```
pub(crate) fn body(i: &[u8], depth: usize) -> PResult<'_, BodyStructure<'_>> {
    if depth == 0 {
        return fail_hard(i, PKind::TooDeep);
    }
    let (r, ()) = byte(i, b'(', "body")?;
    let (r, structure) = if r.first() == Some(&b'(') {
        body_type_mpart(r, depth)?
    } else {
        body_type_1part(r, depth)?
    };
    let (r, ()) = byte(r, b')', "body")?;
    Ok((r, structure))
}

fn body_type_mpart(i: &[u8], depth: usize) -> PResult<'_, BodyStructure<'_>> {
    let mut bodies = Vec::new();
    let mut r = i;
    loop {
        let (rest, b) = body(r, depth - 1)?;
        bodies.push(b);
        if bodies.len() > MAX_LIST {
            return fail_hard(rest, PKind::TooMany("body"));
        }
        if rest.first() == Some(&b'(') {
            r = rest;
        } else if rest.starts_with(b" (") {
            r = &rest[1..];
        } else {
            r = rest;
            break;
        }
    }
    let (r, ()) = sp(r)?;
    let (r, subtype) = named("media-subtype", string(r))?;
    let (r, extension) = if r.first() == Some(&b' ') {
        let (r, parameters) = body_fld_param(&r[1..])?;
        let (r, tail) = opt_extension_tail(r)?;
        (r, Some(MultiPartExtension { parameters, tail }))
    } else {
        (r, None)
    };
    Ok((
        r,
        BodyStructure::Multi {
            bodies: Vec1::unvalidated(bodies),
            subtype,
            extension,
        },
    ))
}

fn body_type_1part(i: &[u8], depth: usize) -> PResult<'_, BodyStructure<'_>> {
    let (r, media_type) = named("media-type", string(i))?;
    let (r, ()) = sp(r)?;
    let (r, subtype) = named("media-subtype", string(r))?;
    let (r, ()) = sp(r)?;
    let (r, basic) = body_fields(r)?;
    let is = |s: &IString<'_>, word: &str| s.as_bytes().eq_ignore_ascii_case(word.as_bytes());
    // A TEXT part without a line count, or a MESSAGE part without an envelope,
    // is read as a basic part rather than refused.
    let next_is =
        |r: &[u8], first: fn(&u8) -> bool| r.first() == Some(&b' ') && r.get(1).is_some_and(first);
    let (r, specific) = if is(&media_type, "TEXT") && next_is(r, u8::is_ascii_digit) {
        let (r, ()) = sp(r)?;
        let (r, lines) = number(r)?;
        (r, SpecificFields::Text { subtype, lines })
    } else if is(&media_type, "MESSAGE") && next_is(r, |b| *b == b'(') {
        // RFC822 and GLOBAL carry an envelope; so does any MESSAGE part that is
        // followed by one (a basic part's next field is never a list).
        let (r, ()) = sp(r)?;
        let (r, env) = envelope(r)?;
        let (r, ()) = sp(r)?;
        let (r, inner) = body(r, depth - 1)?;
        let (r, ()) = sp(r)?;
        let (r, lines) = number(r)?;
        (
            r,
            SpecificFields::Message {
                subtype,
                envelope: Box::new(env),
                body_structure: Box::new(inner),
                lines,
            },
        )
    } else {
        (
            r,
            SpecificFields::Basic {
                media_type,
                subtype,
            },
        )
    };
    let (r, extension) = if r.first() == Some(&b' ') {
        let (r, md5) = nstring(&r[1..])?;
        let (r, tail) = opt_extension_tail(r)?;
        (r, Some(SinglePartExtension { md5, tail }))
    } else {
        (r, None)
    };
    Ok((
        r,
        BodyStructure::Single {
            basic,
            specific,
            extension,
        },
    ))
}

/// ```text
/// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
///               body-fld-enc SP body-fld-octets
/// ```
fn body_fields(i: &[u8]) -> PResult<'_, BasicFields<'_>> {
    let (r, parameters) = body_fld_param(i)?;
    let (r, ()) = sp(r)?;
    let (r, id) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, description) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, encoding) = named("body-fld-enc", string(r))?;
    let (r, ()) = sp(r)?;
    let (r, size) = number(r)?;
    Ok((
        r,
        BasicFields {
            parameters,
            id,
            description,
            encoding,
            size,
        },
    ))
}

type Params<'a> = Vec<(IString<'a>, IString<'a>)>;

/// ```text
/// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
/// ```
fn body_fld_param(i: &[u8]) -> PResult<'_, Params<'_>> {
    if i.first() != Some(&b'(') {
        let (r, ()) = crate::codec::parse::core::nil(i)?;
        return Ok((r, Vec::new()));
    }
    let (r, list) = crate::codec::parse::core::paren_list1(i, "body-fld-param", |i| {
        let (r, k) = string(i)?;
        let (r, ()) = sp(r)?;
        let (r, v) = string(r)?;
        Ok((r, (k, v)))
    })?;
    Ok((r, list.into_inner()))
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
fn opt_extension_tail(i: &[u8]) -> PResult<'_, Option<ExtensionTail<'_>>> {
    let Some(r) = i.strip_prefix(b" ") else {
        return Ok((i, None));
    };
    let (r, disposition) = body_fld_dsp(r)?;
    let Some(after) = r.strip_prefix(b" ") else {
        return Ok((
            r,
            Some(ExtensionTail {
                disposition,
                tail: None,
            }),
        ));
    };
    let (r, languages) = body_fld_lang(after)?;
    let Some(after) = r.strip_prefix(b" ") else {
        return Ok((
            r,
            Some(ExtensionTail {
                disposition,
                tail: Some(LanguageTail {
                    languages,
                    tail: None,
                }),
            }),
        ));
    };
    let (mut r, location) = nstring(after)?;
    let mut extensions = Vec::new();
    while let Some(after) = r.strip_prefix(b" ") {
        let (rest, ext) = body_extension(after, crate::codec::parse::limits::MAX_DEPTH)?;
        extensions.push(ext);
        if extensions.len() > MAX_LIST {
            return fail_hard(rest, PKind::TooMany("body-extension"));
        }
        r = rest;
    }
    Ok((
        r,
        Some(ExtensionTail {
            disposition,
            tail: Some(LanguageTail {
                languages,
                tail: Some(LocationTail {
                    location,
                    extensions,
                }),
            }),
        }),
    ))
}

/// ```text
/// body-fld-dsp = "(" string SP body-fld-param ")" / nil
/// ```
fn body_fld_dsp(i: &[u8]) -> PResult<'_, Option<Disposition<'_>>> {
    if i.first() != Some(&b'(') {
        let (r, ()) = crate::codec::parse::core::nil(i)?;
        return Ok((r, None));
    }
    let (r, kind) = string(&i[1..])?;
    let (r, ()) = sp(r)?;
    let (r, parameters) = body_fld_param(r)?;
    let (r, ()) = byte(r, b')', "body-fld-dsp")?;
    Ok((r, Some(Disposition { kind, parameters })))
}

/// ```text
/// body-fld-lang = nstring / "(" string *(SP string) ")"
/// ```
fn body_fld_lang(i: &[u8]) -> PResult<'_, Vec<IString<'_>>> {
    if i.first() == Some(&b'(') {
        let (r, list) = crate::codec::parse::core::paren_list1(i, "body-fld-lang", string)?;
        return Ok((r, list.into_inner()));
    }
    let (r, s) = nstring(i)?;
    Ok((r, s.0.into_iter().collect()))
}

/// ```text
/// body-extension = nstring / number64 / "(" body-extension *(SP body-extension) ")"
/// ```
fn body_extension(i: &[u8], depth: usize) -> PResult<'_, BodyExtension<'_>> {
    match i.first() {
        Some(b'(') => {
            if depth == 0 {
                return fail_hard(i, PKind::TooDeep);
            }
            let (r, list) = crate::codec::parse::core::paren_list1(i, "body-extension", |i| {
                body_extension(i, depth - 1)
            })?;
            Ok((r, BodyExtension::List(list)))
        }
        Some(b'0'..=b'9') => number64(i).map(|(r, n)| (r, BodyExtension::Number(n))),
        Some(_) => nstring(i).map(|(r, s)| (r, BodyExtension::NString(s))),
        None => fail(i, "body-extension"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9051_bodystructure_example() {
        let input = b"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")";
        let (rest, b) = body(input, 8).unwrap();
        assert!(rest.is_empty());
        let BodyStructure::Multi {
            bodies,
            subtype,
            extension,
        } = b
        else {
            panic!("multipart expected");
        };
        assert_eq!(bodies.len(), 2);
        assert_eq!(subtype.as_bytes(), b"MIXED");
        assert!(extension.is_none());
    }

    #[test]
    fn message_rfc822_and_extensions() {
        let input = b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL (\"inline\" NIL) \"en\" NIL 5 (\"a\" 6)) 12)";
        let (rest, b) = body(input, 8).unwrap();
        assert!(rest.is_empty());
        let BodyStructure::Single {
            specific:
                SpecificFields::Message {
                    body_structure,
                    lines,
                    ..
                },
            ..
        } = b
        else {
            panic!("message/rfc822 expected");
        };
        assert_eq!(lines, 12);
        let BodyStructure::Single {
            extension: Some(ext),
            ..
        } = *body_structure
        else {
            panic!("leaf with extension expected");
        };
        let tail = ext.tail.unwrap();
        assert_eq!(tail.disposition.unwrap().kind.as_bytes(), b"inline");
        let lang = tail.tail.unwrap();
        assert_eq!(lang.languages.len(), 1);
        assert_eq!(lang.tail.unwrap().extensions.len(), 2);
    }

    #[test]
    fn depth_limit() {
        let deep = "(".repeat(40) + "\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1" + &")".repeat(40);
        assert!(matches!(
            body(deep.as_bytes(), 32),
            Err(nom::Err::Failure(_))
        ));
    }
}
