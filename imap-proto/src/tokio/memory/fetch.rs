//! FETCH data of a stored message: ENVELOPE, BODYSTRUCTURE, sections, partials,
//! BINARY.

use crate::command::{FetchAttribute, Partial, Section};
use crate::response::{
    BasicFields, BinaryData, BodyStructure, Disposition, Envelope, ExtensionTail, FetchData,
    LanguageTail, LocationTail, MultiPartExtension, SinglePartExtension, SpecificFields,
};
use crate::tokio::memory::header::addresses;
use crate::tokio::memory::mime::{Part, header_fields, parameters};
use crate::tokio::memory::store::Stored;
use crate::types::{AString, IString, Literal, Literal8, LiteralMode, NString, Uid, Vec1};

/// The data items of one message.
pub(crate) fn items(
    message: &Stored,
    uid: Uid,
    attributes: &[FetchAttribute<'_>],
) -> Vec<FetchData<'static>> {
    attributes
        .iter()
        .filter_map(|a| item(message, uid, a))
        .collect()
}

fn item(m: &Stored, uid: Uid, attribute: &FetchAttribute<'_>) -> Option<FetchData<'static>> {
    let raw = &m.raw[..];
    Some(match attribute {
        FetchAttribute::Flags => FetchData::Flags(m.flags.clone()),
        FetchAttribute::Uid => FetchData::Uid(uid),
        FetchAttribute::ModSeq => FetchData::ModSeq(m.modseq),
        FetchAttribute::InternalDate => FetchData::InternalDate(m.internal_date),
        FetchAttribute::Rfc822Size => FetchData::Rfc822Size(raw.len() as u64),
        FetchAttribute::Envelope => FetchData::Envelope(Box::new(envelope(&m.part))),
        FetchAttribute::Body => FetchData::Body(Box::new(structure(&m.part).without_extensions())),
        FetchAttribute::BodyStructure => FetchData::BodyStructure(Box::new(structure(&m.part))),
        FetchAttribute::Rfc822 => FetchData::Rfc822(literal(raw.to_vec())),
        FetchAttribute::Rfc822Header => {
            FetchData::Rfc822Header(literal(raw[m.part.header.clone()].to_vec()))
        }
        FetchAttribute::Rfc822Text => {
            FetchData::Rfc822Text(literal(raw[m.part.body.clone()].to_vec()))
        }
        FetchAttribute::BodySection {
            section, partial, ..
        } => {
            let data = section_bytes(&m.part, raw, section.as_ref());
            let (data, origin) = slice(data, *partial);
            FetchData::BodySection {
                section: section.clone().map(Section::into_owned),
                origin,
                data: match data {
                    Some(d) => literal(d),
                    None => NString(None),
                },
            }
        }
        FetchAttribute::Binary {
            section, partial, ..
        } => {
            let data = binary(&m.part, raw, section);
            let (data, origin) = slice(data, *partial);
            FetchData::Binary {
                section: section.clone(),
                origin,
                data: match data {
                    Some(d) if memchr::memchr(0, &d).is_some() => {
                        BinaryData::Literal8(Literal8::new(d, LiteralMode::Sync))
                    }
                    Some(d) => BinaryData::String(literal(d)),
                    None => BinaryData::String(NString(None)),
                },
            }
        }
        FetchAttribute::BinarySize { section } => FetchData::BinarySize {
            section: section.clone(),
            size: binary(&m.part, raw, section).map_or(0, |d| d.len() as u64),
        },
    })
}

fn literal(data: Vec<u8>) -> NString<'static> {
    NString(Some(IString::Literal(Literal::from_bytes_lossy(data))))
}

fn slice(data: Option<Vec<u8>>, partial: Option<Partial>) -> (Option<Vec<u8>>, Option<u64>) {
    match (data, partial) {
        (Some(d), Some(p)) => {
            let start = usize::try_from(p.offset).unwrap_or(usize::MAX).min(d.len());
            let len = usize::try_from(p.length.get()).unwrap_or(usize::MAX);
            let end = start.saturating_add(len).min(d.len());
            (Some(d[start..end].to_vec()), Some(p.offset))
        }
        (d, _) => (d, None),
    }
}

/// The bytes of a BODY[section].
fn section_bytes(root: &Part, raw: &[u8], section: Option<&Section<'_>>) -> Option<Vec<u8>> {
    let Some(section) = section else {
        return Some(raw.to_vec());
    };
    let numbers = |p: &Option<crate::command::Part>| -> Vec<u32> {
        p.as_ref()
            .map(|p| p.numbers().iter().map(|n| n.get()).collect())
            .unwrap_or_default()
    };
    // HEADER/TEXT of a part address the message embedded in it.
    let message_of = |path: &[u32]| -> Option<&Part> {
        if path.is_empty() {
            return Some(root);
        }
        root.find(path)?.message.as_deref()
    };
    Some(match section {
        Section::Part(p) => {
            let path: Vec<u32> = p.numbers().iter().map(|n| n.get()).collect();
            raw[root.find(&path)?.body.clone()].to_vec()
        }
        Section::Mime(p) => {
            let path: Vec<u32> = p.numbers().iter().map(|n| n.get()).collect();
            raw[root.find(&path)?.header.clone()].to_vec()
        }
        Section::Header(p) => raw[message_of(&numbers(p))?.header.clone()].to_vec(),
        Section::Text(p) => raw[message_of(&numbers(p))?.body.clone()].to_vec(),
        Section::HeaderFields(p, names) | Section::HeaderFieldsNot(p, names) => {
            let header = &raw[message_of(&numbers(p))?.header.clone()];
            let names: Vec<String> = names.iter().map(astring_text).collect();
            header_fields(
                header,
                &names,
                matches!(section, Section::HeaderFieldsNot(..)),
            )
        }
    })
}

fn astring_text(a: &AString<'_>) -> String {
    String::from_utf8_lossy(a.as_bytes()).into_owned()
}

/// The decoded bytes of a BINARY[section].
fn binary(root: &Part, raw: &[u8], section: &[std::num::NonZeroU32]) -> Option<Vec<u8>> {
    if section.is_empty() {
        return Some(raw.to_vec());
    }
    let path: Vec<u32> = section.iter().map(|n| n.get()).collect();
    Some(root.find(&path)?.decoded_body(raw))
}

fn nstring(value: Option<&str>) -> NString<'static> {
    match value {
        Some(v) => NString::from_text(v.to_owned()).unwrap_or_default(),
        None => NString(None),
    }
}

fn istring(value: &str) -> IString<'static> {
    IString::from_text(value.to_owned())
        .unwrap_or_else(|_| IString::Quoted(crate::types::Quoted::empty()))
}

/// The ENVELOPE of the message whose header is `part`'s.
pub(crate) fn envelope(part: &Part) -> Envelope<'static> {
    let list = |name: &str| part.field(name).map(addresses).unwrap_or_default();
    let from = list("From");
    let sender = match list("Sender") {
        l if l.is_empty() => from.clone(),
        l => l,
    };
    let reply_to = match list("Reply-To") {
        l if l.is_empty() => from.clone(),
        l => l,
    };
    Envelope {
        date: nstring(part.field("Date")),
        subject: nstring(part.field("Subject")),
        from,
        sender,
        reply_to,
        to: list("To"),
        cc: list("Cc"),
        bcc: list("Bcc"),
        in_reply_to: nstring(part.field("In-Reply-To")),
        message_id: nstring(part.field("Message-ID")),
    }
}

fn params(list: &[(String, String)]) -> Vec<(IString<'static>, IString<'static>)> {
    list.iter().map(|(k, v)| (istring(k), istring(v))).collect()
}

fn extension_tail(part: &Part) -> Option<ExtensionTail<'static>> {
    let disposition = part.field("Content-Disposition").map(|value| {
        let (kind, list) = parameters(value);
        Disposition {
            kind: istring(&kind.to_ascii_uppercase()),
            parameters: params(&list),
        }
    });
    let languages = part
        .field("Content-Language")
        .map(|v| v.split(',').map(|l| istring(l.trim())).collect())
        .unwrap_or_default();
    Some(ExtensionTail {
        disposition,
        tail: Some(LanguageTail {
            languages,
            tail: Some(LocationTail {
                location: nstring(part.field("Content-Location")),
                extensions: Vec::new(),
            }),
        }),
    })
}

/// BODYSTRUCTURE of a part, with extension data.
pub(crate) fn structure(part: &Part) -> BodyStructure<'static> {
    if part.is_multipart() && !part.children.is_empty() {
        let bodies: Vec<BodyStructure<'static>> = part.children.iter().map(structure).collect();
        return BodyStructure::Multi {
            bodies: Vec1::unvalidated(bodies),
            subtype: istring(&part.subtype),
            extension: Some(MultiPartExtension {
                parameters: params(&part.params),
                tail: extension_tail(part),
            }),
        };
    }
    let basic = BasicFields {
        parameters: params(&part.params),
        id: nstring(part.field("Content-ID")),
        description: nstring(part.field("Content-Description")),
        encoding: istring(
            &part
                .encoding
                .as_deref()
                .unwrap_or("7BIT")
                .to_ascii_uppercase(),
        ),
        size: u32::try_from(part.body.len()).unwrap_or(u32::MAX),
    };
    let specific = match (&part.message, part.media_type.as_str()) {
        (Some(inner), _) => SpecificFields::Message {
            subtype: istring(&part.subtype),
            envelope: Box::new(envelope(inner)),
            body_structure: Box::new(structure(inner)),
            lines: part.lines,
        },
        (None, "TEXT") => SpecificFields::Text {
            subtype: istring(&part.subtype),
            lines: part.lines,
        },
        (None, media) => SpecificFields::Basic {
            // A multipart without parts is reported as an opaque part.
            media_type: istring(if media == "MULTIPART" {
                "APPLICATION"
            } else {
                media
            }),
            subtype: istring(if media == "MULTIPART" {
                "OCTET-STREAM"
            } else {
                &part.subtype
            }),
        },
    };
    BodyStructure::Single {
        basic,
        specific,
        extension: Some(SinglePartExtension {
            md5: nstring(part.field("Content-MD5")),
            tail: extension_tail(part),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(item: &FetchData<'_>) -> String {
        let mut out = Vec::new();
        let data = crate::response::Data::Fetch {
            seq: std::num::NonZeroU32::MIN,
            items: Vec1::one(item.clone()),
        };
        crate::encode::response(&crate::response::Response::Data(data), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    const RAW: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\nSubject: IMAP4rev2 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\nMessage-Id: <B27397-0100000@cac.washington.edu>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nline one\r\nline two\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"x.bin\"\r\n\r\nAAEC\r\n--b--\r\n";

    #[test]
    fn envelope_and_structure() {
        let part = Part::parse(RAW);
        let env = encode(&FetchData::Envelope(Box::new(envelope(&part))));
        assert!(
            env.contains("((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))"),
            "{env}"
        );
        assert!(env.contains("((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\""), "{env}");
        let body = encode(&FetchData::BodyStructure(Box::new(structure(&part))));
        assert!(body.contains("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 18 2 NIL NIL NIL NIL)"), "{body}");
        assert!(body.contains("\"BASE64\" 4 NIL (\"ATTACHMENT\" (\"FILENAME\" \"x.bin\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)"), "{body}");
        let parsed = crate::parse::response(body.as_bytes());
        assert!(parsed.is_ok(), "our own BODYSTRUCTURE parses");
    }

    #[test]
    fn sections() {
        let part = Part::parse(RAW);
        let s = |text: &str| {
            let line = format!("a FETCH 1 BODY[{text}]\r\n");
            let cmd = crate::parse::command(line.as_bytes()).unwrap().into_owned();
            let crate::command::CommandBody::Fetch {
                items: crate::command::FetchItems::Attributes(a),
                ..
            } = cmd.body
            else {
                panic!()
            };
            let FetchAttribute::BodySection { section, .. } = a.first().clone() else {
                panic!()
            };
            section_bytes(&part, RAW, section.as_ref())
                .map(|d| String::from_utf8_lossy(&d).into_owned())
        };
        assert_eq!(s("1").as_deref(), Some("line one\r\nline two"));
        assert_eq!(s("2").as_deref(), Some("AAEC"));
        assert_eq!(
            s("2.MIME").unwrap().lines().next(),
            Some("Content-Type: application/octet-stream")
        );
        assert_eq!(
            s("HEADER.FIELDS (SUBJECT)").as_deref(),
            Some("Subject: IMAP4rev2 WG mtg summary and minutes\r\n\r\n")
        );
        assert!(s("TEXT").unwrap().starts_with("--b\r\n"));
        assert_eq!(s("3"), None);
        assert_eq!(
            binary(&part, RAW, &[std::num::NonZeroU32::new(2).unwrap()]),
            Some(vec![0, 1, 2])
        );
        let (d, o) = slice(
            Some(b"0123456789".to_vec()),
            Some(Partial {
                offset: 8,
                length: std::num::NonZeroU64::new(5).unwrap(),
            }),
        );
        assert_eq!((d.unwrap(), o), (b"89".to_vec(), Some(8)));
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{envelope, items, structure};
        use crate::command::{CommandBody, FetchItems};
        use crate::response::FetchData;
        use crate::tokio::memory::mime::Part;
        use crate::tokio::memory::store::Folder;
        use crate::tokio::memory::tests::{fetch_round_trip, message};
        use crate::types::{DateTime, Uid};

        /// Every attribute the backend answers, sections and partials of parts
        /// that may or may not exist included.
        const FETCH: &[u8] = b"a FETCH 1 (FLAGS UID MODSEQ INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE RFC822 RFC822.HEADER RFC822.TEXT BODY[] BODY[HEADER] BODY[TEXT] BODY[1] BODY[2] BODY[1.1] BODY[2.1] BODY[1.MIME] BODY[2.MIME] BODY[1.HEADER] BODY[2.TEXT] BODY[HEADER.FIELDS (SUBJECT FROM \"X-\xc3\x9c\")] BODY[1.HEADER.FIELDS.NOT (DATE)] BODY[]<3.10> BODY[1]<0.1> BINARY[] BINARY[1] BINARY[2.1] BINARY[1]<1.2> BINARY.SIZE[] BINARY.SIZE[1])\r\n";

        proptest! {
            #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

            /// Every FETCH item of any stored message (Unicode headers, broken
            /// MIME, raw bytes) is sent in a form the client parser reads back
            /// unchanged; ENVELOPE and BODYSTRUCTURE of the parsed tree too.
            #[test]
            fn fetch_items_of_any_message(raw in message()) {
                let command = crate::parse::command(FETCH).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let CommandBody::Fetch { items: FetchItems::Attributes(attributes), .. } = command.body else {
                    return Err(TestCaseError::fail("not a FETCH of attributes"));
                };
                let mut folder = Folder::new(1);
                let uid = folder.add(raw.clone().into(), Vec::new(), DateTime::UNIX_EPOCH);
                let stored = folder.find(uid).ok_or_else(|| TestCaseError::fail("not stored"))?;
                let data = items(stored, Uid::MIN, attributes.as_slice());
                prop_assert_eq!(data.len(), attributes.len());
                for item in data {
                    fetch_round_trip(item)?;
                }
                let root = Part::parse(&raw);
                fetch_round_trip(FetchData::Envelope(Box::new(envelope(&root))))?;
                fetch_round_trip(FetchData::BodyStructure(Box::new(structure(&root))))?;
            }
        }
    }
}
