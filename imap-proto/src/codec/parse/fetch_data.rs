//! Parser of FETCH response data (`msg-att`).

use crate::codec::parse::body::{body, envelope};
use crate::codec::parse::command::upper;
use crate::codec::parse::core::{
    byte, date_time, flag, literal8, mod_sequence_value, nstring, number64, nz_number, paren_list,
    paren_list1, sp, token,
};
use crate::codec::parse::error::{PResult, fail};
use crate::codec::parse::fetch::{section, section_binary};
use crate::codec::parse::limits::MAX_DEPTH;
use crate::response::{BinaryData, FetchData};
use crate::types::Vec1;

/// ```text
/// msg-att = "(" (msg-att-dynamic / msg-att-static)
///           *(SP (msg-att-dynamic / msg-att-static)) ")"
/// ```
pub(crate) fn msg_att(i: &[u8]) -> PResult<'_, Vec1<FetchData<'_>>> {
    paren_list1(i, "msg-att", msg_att_item)
}

fn msg_att_item(i: &[u8]) -> PResult<'_, FetchData<'_>> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    use FetchData as F;
    match upper(word, &mut buf) {
        Some(b"FLAGS") => {
            let (r, ()) = sp(r)?;
            let (r, flags) = paren_list(r, "flag-fetch", flag)?;
            Ok((r, F::Flags(flags)))
        }
        Some(b"MODSEQ") => {
            let (r, ()) = sp(r)?;
            let (r, ()) = byte(r, b'(', "permsg-modsequence")?;
            let (r, n) = mod_sequence_value(r)?;
            let (r, ()) = byte(r, b')', "permsg-modsequence")?;
            Ok((r, F::ModSeq(n)))
        }
        Some(b"ENVELOPE") => {
            let (r, ()) = sp(r)?;
            let (r, e) = envelope(r)?;
            Ok((r, F::Envelope(Box::new(e))))
        }
        Some(b"INTERNALDATE") => {
            let (r, ()) = sp(r)?;
            let (r, d) = date_time(r)?;
            Ok((r, F::InternalDate(d)))
        }
        Some(b"RFC822.SIZE") => {
            let (r, ()) = sp(r)?;
            let (r, n) = number64(r)?;
            Ok((r, F::Rfc822Size(n)))
        }
        Some(b"BODYSTRUCTURE") => {
            let (r, ()) = sp(r)?;
            let (r, b) = body(r, MAX_DEPTH)?;
            Ok((r, F::BodyStructure(Box::new(b))))
        }
        Some(b"BODY") if r.first() == Some(&b' ') => {
            let (r, b) = body(&r[1..], MAX_DEPTH)?;
            Ok((r, F::Body(Box::new(b))))
        }
        Some(b"BODY") => {
            let (r, sec) = section(r)?;
            let (r, origin) = if r.first() == Some(&b'<') {
                let (r, n) = number64(&r[1..])?;
                let (r, ()) = byte(r, b'>', "origin")?;
                (r, Some(n))
            } else {
                (r, None)
            };
            let (r, ()) = sp(r)?;
            let (r, data) = nstring(r)?;
            Ok((
                r,
                F::BodySection {
                    section: sec,
                    origin,
                    data,
                },
            ))
        }
        Some(b"BINARY") => {
            let (r, sec) = section_binary(r)?;
            let (r, origin) = if r.first() == Some(&b'<') {
                let (r, n) = number64(&r[1..])?;
                let (r, ()) = byte(r, b'>', "origin")?;
                (r, Some(n))
            } else {
                (r, None)
            };
            let (r, ()) = sp(r)?;
            let (r, data) = if r.first() == Some(&b'~') {
                let (r, l) = literal8(r)?;
                (r, BinaryData::Literal8(l))
            } else {
                let (r, s) = nstring(r)?;
                (r, BinaryData::String(s))
            };
            Ok((
                r,
                F::Binary {
                    section: sec,
                    origin,
                    data,
                },
            ))
        }
        Some(b"BINARY.SIZE") => {
            let (r, sec) = section_binary(r)?;
            let (r, ()) = sp(r)?;
            let (r, size) = number64(r)?;
            Ok((r, F::BinarySize { section: sec, size }))
        }
        Some(b"UID") => {
            let (r, ()) = sp(r)?;
            let (r, uid) = nz_number(r)?;
            Ok((r, F::Uid(uid)))
        }
        Some(name @ (b"RFC822" | b"RFC822.HEADER" | b"RFC822.TEXT")) => {
            let name = name.to_vec();
            let (r, ()) = sp(r)?;
            let (r, data) = nstring(r)?;
            Ok((
                r,
                match name.as_slice() {
                    b"RFC822" => F::Rfc822(data),
                    b"RFC822.HEADER" => F::Rfc822Header(data),
                    _ => F::Rfc822Text(data),
                },
            ))
        }
        _ => fail(i, "msg-att"),
    }
}
