//! The writer and the encoders of the basic rules, mirroring `parse::core`.

use crate::codec::encode::{write_u32, write_u64};
use crate::types::char_class::is_atom_char;
use crate::types::{
    AString, Charset, Date, DateTime, Flag, FlagPerm, IString, ListMailbox, Literal, Literal8,
    LiteralMode, Mailbox, NString, Quoted, SequenceSet,
};

/// Appends to an output buffer and, for commands, records where synchronizing
/// literals start and end.
pub(crate) struct Writer<'o> {
    pub(crate) out: &'o mut Vec<u8>,
    cuts: Option<&'o mut Vec<(usize, Option<LiteralMode>)>>,
}

impl<'o> Writer<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        Self { out, cuts: None }
    }

    pub(crate) fn with_cuts(
        out: &'o mut Vec<u8>,
        cuts: &'o mut Vec<(usize, Option<LiteralMode>)>,
    ) -> Self {
        Self {
            out,
            cuts: Some(cuts),
        }
    }

    #[inline]
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.out.push(b);
    }

    #[inline]
    pub(crate) fn sp(&mut self) {
        self.out.push(b' ');
    }

    #[inline]
    pub(crate) fn crlf(&mut self) {
        self.out.extend_from_slice(b"\r\n");
    }

    #[inline]
    pub(crate) fn u32(&mut self, n: u32) {
        write_u32(self.out, n);
    }

    #[inline]
    pub(crate) fn u64(&mut self, n: u64) {
        write_u64(self.out, n);
    }

    /// `number64` (RFC 9051): 0 to 2^63-1; larger values are sent as 2^63-1.
    #[inline]
    pub(crate) fn number64(&mut self, n: u64) {
        write_u64(self.out, n.min(crate::types::MAX_MODSEQ));
    }

    /// `mod-sequence-value` / `nz-number64`: 1 to 2^63-1; values outside are
    /// sent as the nearest valid one.
    #[inline]
    pub(crate) fn modseq(&mut self, n: u64) {
        write_u64(self.out, n.clamp(1, crate::types::MAX_MODSEQ));
    }

    /// `{n}` / `{n+}` (with `prefix` `~` for literal8), CRLF, the data.
    fn literal_data(&mut self, prefix: &[u8], data: &[u8], mode: LiteralMode) {
        self.bytes(prefix);
        self.byte(b'{');
        self.u64(data.len() as u64);
        if mode == LiteralMode::NonSync {
            self.byte(b'+');
        }
        self.bytes(b"}\r\n");
        if mode == LiteralMode::Sync
            && let Some(cuts) = self.cuts.as_deref_mut()
        {
            cuts.push((self.out.len(), None));
            self.out.extend_from_slice(data);
            cuts.push((self.out.len(), Some(LiteralMode::Sync)));
            return;
        }
        self.out.extend_from_slice(data);
    }

    /// Items separated by SP.
    pub(crate) fn sp_list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                self.sp();
            }
            each(self, item);
        }
    }

    /// `"(" items separated by SP ")"`.
    pub(crate) fn paren_list<T>(&mut self, items: &[T], each: impl FnMut(&mut Self, &T)) {
        self.byte(b'(');
        self.sp_list(items, each);
        self.byte(b')');
    }
}

pub(crate) fn quoted(w: &mut Writer<'_>, q: &Quoted<'_>) {
    quoted_str(w, q.as_str());
}

/// `DQUOTE *QUOTED-CHAR DQUOTE` for text known to hold no CR, LF or NUL.
pub(crate) fn quoted_str(w: &mut Writer<'_>, s: &str) {
    w.byte(b'"');
    let bytes = s.as_bytes();
    if memchr::memchr2(b'"', b'\\', bytes).is_none() {
        w.bytes(bytes);
    } else {
        for &b in bytes {
            if b == b'"' || b == b'\\' {
                w.byte(b'\\');
            }
            w.byte(b);
        }
    }
    w.byte(b'"');
}

pub(crate) fn literal(w: &mut Writer<'_>, l: &Literal<'_>) {
    w.literal_data(b"", l.data(), l.mode());
}

pub(crate) fn literal8(w: &mut Writer<'_>, l: &Literal8<'_>) {
    w.literal_data(b"~", l.data(), l.mode());
}

pub(crate) fn string(w: &mut Writer<'_>, s: &IString<'_>) {
    match s {
        IString::Quoted(q) => quoted(w, q),
        IString::Literal(l) => literal(w, l),
    }
}

pub(crate) fn astring(w: &mut Writer<'_>, s: &AString<'_>) {
    match s {
        AString::Atom(a) => w.bytes(a.as_str().as_bytes()),
        AString::String(s) => string(w, s),
    }
}

pub(crate) fn nstring(w: &mut Writer<'_>, s: &NString<'_>) {
    match &s.0 {
        Some(s) => string(w, s),
        None => w.bytes(b"NIL"),
    }
}

pub(crate) fn mailbox(w: &mut Writer<'_>, m: &Mailbox<'_>) {
    match m {
        Mailbox::Inbox => w.bytes(b"INBOX"),
        Mailbox::Other(name) => astring(w, name),
    }
}

pub(crate) fn list_mailbox(w: &mut Writer<'_>, m: &ListMailbox<'_>) {
    match m {
        ListMailbox::Token(t) => w.bytes(t.as_str().as_bytes()),
        ListMailbox::String(s) => string(w, s),
    }
}

pub(crate) fn flag(w: &mut Writer<'_>, f: &Flag<'_>) {
    w.bytes(f.as_str().as_bytes());
}

pub(crate) fn flag_perm(w: &mut Writer<'_>, f: &FlagPerm<'_>) {
    match f {
        FlagPerm::Flag(f) => flag(w, f),
        FlagPerm::Asterisk => w.bytes(b"\\*"),
    }
}

pub(crate) fn flag_list(w: &mut Writer<'_>, flags: &[Flag<'_>]) {
    w.paren_list(flags, flag);
}

pub(crate) fn charset(w: &mut Writer<'_>, c: &Charset<'_>) {
    if c.as_str().bytes().all(is_atom_char) {
        w.bytes(c.as_str().as_bytes());
    } else {
        quoted_str(w, c.as_str());
    }
}

pub(crate) fn date(w: &mut Writer<'_>, d: &Date) {
    w.u32(u32::from(d.day()));
    w.byte(b'-');
    w.bytes(d.month_name().as_bytes());
    w.byte(b'-');
    let y = d.year();
    for div in [1000, 100, 10, 1] {
        w.byte(b'0' + (y / div % 10) as u8);
    }
}

pub(crate) fn date_time(w: &mut Writer<'_>, t: &DateTime) {
    w.byte(b'"');
    t.write_to(w.out);
    w.byte(b'"');
}

pub(crate) fn sequence_set(w: &mut Writer<'_>, s: &SequenceSet) {
    s.write_to(w.out);
}

/// A delimiter: a quoted character or NIL.
pub(crate) fn delimiter(w: &mut Writer<'_>, d: Option<char>) {
    match d {
        // A quoted string cannot hold these; they are no delimiter anyone uses.
        Some('\r' | '\n' | '\0') | None => w.bytes(b"NIL"),
        Some(c) => {
            let mut buf = [0u8; 4];
            quoted_str(w, c.encode_utf8(&mut buf));
        }
    }
}
