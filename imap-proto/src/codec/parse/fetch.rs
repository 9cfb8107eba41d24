//! Parsers of FETCH data item names, sections and modifiers.

use std::num::NonZeroU32;

use crate::codec::parse::command::upper;
use crate::codec::parse::core::{
    astring, byte, keyword, mod_sequence_value, number64, nz_number, nz_number64, paren_list,
    paren_list1, sp, token,
};
use crate::codec::parse::error::{PKind, PResult, fail, fail_hard};
use crate::command::{FetchAttribute, FetchItems, FetchModifier, Part, Partial, Section};
use crate::types::Vec1;

/// ```text
/// ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
/// ```
pub(crate) fn fetch_items(i: &[u8]) -> PResult<'_, FetchItems<'_>> {
    if i.first() == Some(&b'(') {
        let (r, list) = paren_list1(i, "fetch-att", fetch_att)?;
        return Ok((r, FetchItems::Attributes(list)));
    }
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    match upper(word, &mut buf) {
        Some(b"ALL") => Ok((r, FetchItems::All)),
        Some(b"FULL") => Ok((r, FetchItems::Full)),
        Some(b"FAST") => Ok((r, FetchItems::Fast)),
        _ => fetch_att(i).map(|(r, a)| (r, FetchItems::Attributes(Vec1::one(a)))),
    }
}

/// ```text
/// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" /
///             "RFC822.SIZE" / "BODY" ["STRUCTURE"] / "UID" /
///             "BODY" section [partial] / "BODY.PEEK" section [partial] /
///             "BINARY" [".PEEK"] section-binary [partial] /
///             "BINARY.SIZE" section-binary
/// fetch-att =/ "RFC822" / "RFC822.HEADER" / "RFC822.TEXT" / "MODSEQ"
/// ```
pub(crate) fn fetch_att(i: &[u8]) -> PResult<'_, FetchAttribute<'_>> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    use FetchAttribute as A;
    let attr = match upper(word, &mut buf) {
        Some(b"ENVELOPE") => A::Envelope,
        Some(b"FLAGS") => A::Flags,
        Some(b"INTERNALDATE") => A::InternalDate,
        Some(b"RFC822.SIZE") => A::Rfc822Size,
        Some(b"RFC822") => A::Rfc822,
        Some(b"RFC822.HEADER") => A::Rfc822Header,
        Some(b"RFC822.TEXT") => A::Rfc822Text,
        Some(b"BODYSTRUCTURE") => A::BodyStructure,
        Some(b"UID") => A::Uid,
        Some(b"MODSEQ") => A::ModSeq,
        Some(b"BODY") if r.first() != Some(&b'[') => A::Body,
        Some(name @ (b"BODY" | b"BODY.PEEK")) => {
            let peek = name.len() > 4;
            let (r, section) = section(r)?;
            let (r, partial) = opt_partial(r)?;
            return Ok((
                r,
                A::BodySection {
                    section,
                    partial,
                    peek,
                },
            ));
        }
        Some(name @ (b"BINARY" | b"BINARY.PEEK")) => {
            let peek = name.len() > 6;
            let (r, section) = section_binary(r)?;
            let (r, partial) = opt_partial(r)?;
            return Ok((
                r,
                A::Binary {
                    section,
                    partial,
                    peek,
                },
            ));
        }
        Some(b"BINARY.SIZE") => {
            let (r, section) = section_binary(r)?;
            return Ok((r, A::BinarySize { section }));
        }
        _ => return fail(i, "fetch-att"),
    };
    Ok((r, attr))
}

fn opt_partial(i: &[u8]) -> PResult<'_, Option<Partial>> {
    if i.first() != Some(&b'<') {
        return Ok((i, None));
    }
    let (r, offset) = number64(&i[1..])?;
    let (r, ()) = byte(r, b'.', "partial")?;
    let (r, length) = nz_number64(r)?;
    let (r, ()) = byte(r, b'>', "partial")?;
    Ok((r, Some(Partial { offset, length })))
}

/// ```text
/// section-part = nz-number *("." nz-number)
/// ```
fn section_part(i: &[u8]) -> PResult<'_, Vec1<NonZeroU32>> {
    let (mut r, first) = nz_number(i)?;
    let mut parts = vec![first];
    while r.first() == Some(&b'.') && r.get(1).is_some_and(u8::is_ascii_digit) {
        let (rest, n) = nz_number(&r[1..])?;
        parts.push(n);
        if parts.len() > crate::codec::parse::limits::MAX_DEPTH * 4 {
            return fail_hard(r, PKind::TooMany("section-part"));
        }
        r = rest;
    }
    Ok((r, Vec1::unvalidated(parts)))
}

/// ```text
/// section         = "[" [section-spec] "]"
/// section-spec    = section-msgtext / (section-part ["." section-text])
/// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
/// section-text    = section-msgtext / "MIME"
/// ```
pub(crate) fn section(i: &[u8]) -> PResult<'_, Option<Section<'_>>> {
    let (r, ()) = byte(i, b'[', "section")?;
    if let Some(r) = r.strip_prefix(b"]") {
        return Ok((r, None));
    }
    let (r, part, text_follows) = if r.first().is_some_and(u8::is_ascii_digit) {
        let (r, p) = section_part(r)?;
        match r.first() {
            Some(b'.') => (&r[1..], Some(Part(p)), true),
            _ => (r, Some(Part(p)), false),
        }
    } else {
        (r, None, true)
    };
    let (r, sec) = if !text_follows {
        match part {
            Some(p) => (r, Section::Part(p)),
            None => return fail(r, "section"),
        }
    } else {
        section_text(r, part)?
    };
    let (r, ()) = byte(r, b']', "section")?;
    Ok((r, Some(sec)))
}

fn section_text(i: &[u8], part: Option<Part>) -> PResult<'_, Section<'_>> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 24];
    let upper_word = buf.get_mut(..word.len()).map(|out| {
        for (o, &b) in out.iter_mut().zip(word) {
            *o = b.to_ascii_uppercase();
        }
        &*out
    });
    match upper_word {
        Some(b"HEADER") => Ok((r, Section::Header(part))),
        Some(b"TEXT") => Ok((r, Section::Text(part))),
        Some(b"MIME") => match part {
            Some(p) => Ok((r, Section::Mime(p))),
            None => fail(i, "section-text"),
        },
        Some(w @ (b"HEADER.FIELDS" | b"HEADER.FIELDS.NOT")) => {
            let not = w.len() > 13;
            let (r, ()) = sp(r)?;
            let (r, names) = paren_list1(r, "header-list", astring)?;
            if not {
                Ok((r, Section::HeaderFieldsNot(part, names)))
            } else {
                Ok((r, Section::HeaderFields(part, names)))
            }
        }
        _ => fail(i, "section-msgtext"),
    }
}

/// ```text
/// section-binary = "[" [section-part] "]"
/// ```
pub(crate) fn section_binary(i: &[u8]) -> PResult<'_, Vec<NonZeroU32>> {
    let (r, ()) = byte(i, b'[', "section-binary")?;
    if let Some(r) = r.strip_prefix(b"]") {
        return Ok((r, Vec::new()));
    }
    let (r, parts) = section_part(r)?;
    let (r, ()) = byte(r, b']', "section-binary")?;
    Ok((r, parts.into_inner()))
}

/// ```text
/// fetch-modifiers    = SP "(" fetch-modifier *(SP fetch-modifier) ")"
/// fetch-modifier     = chgsince-fetch-mod / vanished-fetch-mod
/// chgsince-fetch-mod = "CHANGEDSINCE" SP mod-sequence-value
/// vanished-fetch-mod = "VANISHED"
/// ```
pub(crate) fn fetch_modifiers(i: &[u8]) -> PResult<'_, Vec<FetchModifier>> {
    paren_list(i, "fetch-modifier", |i| {
        if let Ok((r, ())) = keyword(i, "CHANGEDSINCE ") {
            let (r, n) = mod_sequence_value(r)?;
            return Ok((r, FetchModifier::ChangedSince(n)));
        }
        let (r, ()) = keyword(i, "VANISHED")?;
        Ok((r, FetchModifier::Vanished))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        let (_, s) = section(b"[1.2.HEADER.FIELDS.NOT (From To)]").unwrap();
        assert!(
            matches!(s, Some(Section::HeaderFieldsNot(Some(_), ref names)) if names.len() == 2)
        );
        assert_eq!(section(b"[]").unwrap().1, None);
        assert!(matches!(section(b"[3]").unwrap().1, Some(Section::Part(_))));
        assert!(matches!(
            section(b"[3.MIME]").unwrap().1,
            Some(Section::Mime(_))
        ));
        assert!(section(b"[MIME]").is_err(), "MIME needs a part");
        assert!(section(b"[0]").is_err());
        assert!(
            section(b"[HEADER.FIELDS ()]").is_err(),
            "header-list is not empty"
        );
    }

    #[test]
    fn attributes() {
        let (_, a) = fetch_att(b"BODY.PEEK[]<0.4096>").unwrap();
        assert!(matches!(
            a,
            FetchAttribute::BodySection {
                section: None,
                partial: Some(Partial { offset: 0, .. }),
                peek: true
            }
        ));
        assert_eq!(fetch_att(b"BODY ").unwrap().1, FetchAttribute::Body);
        assert!(fetch_att(b"BODY[]<1.0>").is_err(), "zero length");
        let (_, a) = fetch_att(b"binary.peek[1.2]").unwrap();
        assert!(
            matches!(a, FetchAttribute::Binary { peek: true, ref section, .. } if section.len() == 2)
        );
        assert!(matches!(fetch_items(b"fast").unwrap().1, FetchItems::Fast));
        assert!(fetch_att(b"BODYX").is_err());
    }
}
