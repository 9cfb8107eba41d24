//! The binary form in which envelopes and body structures are kept in the index.
//!
//! Length-prefixed fields (LEB128 lengths and numbers) behind a version byte. Decoding
//! checks every length and limits nesting, so a damaged row gives an error, not a panic.

use super::envelope::{Address, Envelope};
use super::structure::{BodyStructure, Disposition, MAX_NESTING, PartKind};

const VERSION: u8 = 1;

/// Encodes an envelope.
pub(crate) fn encode_envelope(envelope: &Envelope) -> Vec<u8> {
    let mut w = Writer(vec![VERSION]);
    w.envelope(envelope);
    w.0
}

/// Decodes an envelope; `None` when the bytes are not one.
pub(crate) fn decode_envelope(bytes: &[u8]) -> Option<Envelope> {
    let mut r = Reader(bytes);
    if r.byte()? != VERSION {
        return None;
    }
    let envelope = r.envelope()?;
    r.0.is_empty().then_some(envelope)
}

/// Encodes a body structure.
pub(crate) fn encode_structure(structure: &BodyStructure) -> Vec<u8> {
    let mut w = Writer(vec![VERSION]);
    w.structure(structure);
    w.0
}

/// Decodes a body structure; `None` when the bytes are not one.
pub(crate) fn decode_structure(bytes: &[u8]) -> Option<BodyStructure> {
    let mut r = Reader(bytes);
    if r.byte()? != VERSION {
        return None;
    }
    let structure = r.structure(0)?;
    r.0.is_empty().then_some(structure)
}

struct Writer(Vec<u8>);

impl Writer {
    fn num(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }

    fn bytes(&mut self, b: &[u8]) {
        self.num(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn opt(&mut self, b: Option<&[u8]>) {
        match b {
            Some(b) => {
                self.0.push(1);
                self.bytes(b);
            }
            None => self.0.push(0),
        }
    }

    fn pairs(&mut self, pairs: &[(String, String)]) {
        self.num(pairs.len() as u64);
        for (k, v) in pairs {
            self.bytes(k.as_bytes());
            self.bytes(v.as_bytes());
        }
    }

    fn addresses(&mut self, list: &[Address]) {
        self.num(list.len() as u64);
        for a in list {
            self.opt(a.name.as_deref());
            self.opt(a.adl.as_deref());
            self.opt(a.mailbox.as_deref());
            self.opt(a.host.as_deref());
        }
    }

    fn envelope(&mut self, e: &Envelope) {
        self.opt(e.date.as_deref());
        self.opt(e.subject.as_deref());
        for list in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
            self.addresses(list);
        }
        self.opt(e.in_reply_to.as_deref());
        self.opt(e.message_id.as_deref());
    }

    fn structure(&mut self, s: &BodyStructure) {
        self.bytes(s.media_type.as_bytes());
        self.bytes(s.media_subtype.as_bytes());
        self.pairs(&s.params);
        self.opt(s.id.as_deref().map(str::as_bytes));
        self.opt(s.description.as_deref().map(str::as_bytes));
        self.bytes(s.encoding.as_bytes());
        self.num(s.size);
        match s.lines {
            Some(lines) => {
                self.0.push(1);
                self.num(lines);
            }
            None => self.0.push(0),
        }
        self.opt(s.md5.as_deref().map(str::as_bytes));
        match &s.disposition {
            Some(d) => {
                self.0.push(1);
                self.bytes(d.kind.as_bytes());
                self.pairs(&d.params);
            }
            None => self.0.push(0),
        }
        self.num(s.language.len() as u64);
        for l in &s.language {
            self.bytes(l.as_bytes());
        }
        self.opt(s.location.as_deref().map(str::as_bytes));
        self.num(s.header_start);
        self.num(s.body_start);
        self.num(s.end);
        match &s.kind {
            PartKind::Single => self.0.push(0),
            PartKind::Multipart(parts) => {
                self.0.push(1);
                self.num(parts.len() as u64);
                for p in parts {
                    self.structure(p);
                }
            }
            PartKind::Message { envelope, body } => {
                self.0.push(2);
                self.envelope(envelope);
                self.structure(body);
            }
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn num(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<Vec<u8>> {
        let len = usize::try_from(self.num()?).ok()?;
        if len > self.0.len() {
            return None;
        }
        let (b, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(b.to_vec())
    }

    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?).ok()
    }

    fn opt(&mut self) -> Option<Option<Vec<u8>>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.bytes()?)),
            _ => None,
        }
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.opt()? {
            Some(b) => Some(Some(String::from_utf8(b).ok()?)),
            None => Some(None),
        }
    }

    /// A count of items that each take at least one byte: never more than remain.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.num()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }

    fn pairs(&mut self) -> Option<Vec<(String, String)>> {
        let n = self.count()?;
        (0..n)
            .map(|_| Some((self.string()?, self.string()?)))
            .collect()
    }

    fn addresses(&mut self) -> Option<Vec<Address>> {
        let n = self.count()?;
        (0..n)
            .map(|_| {
                Some(Address {
                    name: self.opt()?,
                    adl: self.opt()?,
                    mailbox: self.opt()?,
                    host: self.opt()?,
                })
            })
            .collect()
    }

    fn envelope(&mut self) -> Option<Envelope> {
        Some(Envelope {
            date: self.opt()?,
            subject: self.opt()?,
            from: self.addresses()?,
            sender: self.addresses()?,
            reply_to: self.addresses()?,
            to: self.addresses()?,
            cc: self.addresses()?,
            bcc: self.addresses()?,
            in_reply_to: self.opt()?,
            message_id: self.opt()?,
        })
    }

    fn structure(&mut self, depth: usize) -> Option<BodyStructure> {
        if depth > MAX_NESTING + 1 {
            return None;
        }
        let media_type = self.string()?;
        let media_subtype = self.string()?;
        let params = self.pairs()?;
        let id = self.opt_string()?;
        let description = self.opt_string()?;
        let encoding = self.string()?;
        let size = self.num()?;
        let lines = match self.byte()? {
            0 => None,
            1 => Some(self.num()?),
            _ => return None,
        };
        let md5 = self.opt_string()?;
        let disposition = match self.byte()? {
            0 => None,
            1 => Some(Disposition {
                kind: self.string()?,
                params: self.pairs()?,
            }),
            _ => return None,
        };
        let n = self.count()?;
        let language = (0..n).map(|_| self.string()).collect::<Option<Vec<_>>>()?;
        let location = self.opt_string()?;
        let header_start = self.num()?;
        let body_start = self.num()?;
        let end = self.num()?;
        if header_start > body_start || body_start > end {
            return None;
        }
        let kind = match self.byte()? {
            0 => PartKind::Single,
            1 => {
                let n = self.count()?;
                PartKind::Multipart(
                    (0..n)
                        .map(|_| self.structure(depth + 1))
                        .collect::<Option<Vec<_>>>()?,
                )
            }
            2 => PartKind::Message {
                envelope: Box::new(self.envelope()?),
                body: Box::new(self.structure(depth + 1)?),
            },
            _ => return None,
        };
        Some(BodyStructure {
            media_type,
            media_subtype,
            params,
            id,
            description,
            encoding,
            size,
            lines,
            md5,
            disposition,
            language,
            location,
            kind,
            header_start,
            body_start,
            end,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::mime::structure::scan;

    #[test]
    fn round_trips_a_scanned_message() {
        let msg = b"From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nhi\r\n--x\r\n\
Content-Type: message/rfc822\r\n\r\nSubject: inner\r\nTo: Grp: c@d;\r\n\r\nbody\r\n--x--\r\n";
        let structure = scan(msg);
        assert_eq!(
            decode_structure(&encode_structure(&structure)).unwrap(),
            structure
        );
        let envelope = crate::mime::summarize(msg).envelope;
        assert_eq!(
            decode_envelope(&encode_envelope(&envelope)).unwrap(),
            envelope
        );
    }

    proptest! {
        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_structure(&bytes);
            let _ = decode_envelope(&bytes);
        }

        #[test]
        fn scanned_structures_round_trip(body in proptest::collection::vec(prop_oneof![
            Just(b"--b\r\n".to_vec()), Just(b"--b--\r\n".to_vec()), Just(b"\r\n".to_vec()),
            Just(b"Content-Type: message/rfc822\r\n".to_vec()), Just(b"Content-Type: multipart/mixed; boundary=b\r\n".to_vec()),
            Just(b"text\r\n".to_vec()), Just(b"Subject: x\r\n".to_vec()),
        ], 0..30)) {
            let mut msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
            msg.extend(body.concat());
            let structure = scan(&msg);
            prop_assert_eq!(decode_structure(&encode_structure(&structure)).unwrap(), structure);
        }
    }
}
