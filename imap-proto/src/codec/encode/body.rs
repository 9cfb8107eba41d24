//! Encoders of ENVELOPE and BODY/BODYSTRUCTURE, mirroring `parse::body`.

use crate::codec::encode::core::{Writer, nstring, string};
use crate::response::{
    Address, BodyExtension, BodyStructure, Envelope, ExtensionTail, SpecificFields,
};
use crate::types::IString;

pub(crate) fn envelope(w: &mut Writer<'_>, e: &Envelope<'_>) {
    w.byte(b'(');
    nstring(w, &e.date);
    w.sp();
    nstring(w, &e.subject);
    for list in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        w.sp();
        address_list(w, list);
    }
    w.sp();
    nstring(w, &e.in_reply_to);
    w.sp();
    nstring(w, &e.message_id);
    w.byte(b')');
}

fn address_list(w: &mut Writer<'_>, list: &[Address<'_>]) {
    if list.is_empty() {
        w.bytes(b"NIL");
        return;
    }
    w.byte(b'(');
    for a in list {
        w.byte(b'(');
        nstring(w, &a.name);
        w.sp();
        nstring(w, &a.adl);
        w.sp();
        nstring(w, &a.mailbox);
        w.sp();
        nstring(w, &a.host);
        w.byte(b')');
    }
    w.byte(b')');
}

/// `body`; with `extensions` false the extension data is left out (the BODY item).
pub(crate) fn body_structure(w: &mut Writer<'_>, b: &BodyStructure<'_>, extensions: bool) {
    w.byte(b'(');
    match b {
        BodyStructure::Single {
            basic,
            specific,
            extension,
        } => {
            match specific {
                SpecificFields::Basic {
                    media_type,
                    subtype,
                } => {
                    string(w, media_type);
                    w.sp();
                    string(w, subtype);
                }
                SpecificFields::Message { subtype, .. } => {
                    w.bytes(b"\"MESSAGE\" ");
                    string(w, subtype);
                }
                SpecificFields::Text { subtype, .. } => {
                    w.bytes(b"\"TEXT\" ");
                    string(w, subtype);
                }
            }
            w.sp();
            params(w, &basic.parameters);
            w.sp();
            nstring(w, &basic.id);
            w.sp();
            nstring(w, &basic.description);
            w.sp();
            string(w, &basic.encoding);
            w.sp();
            w.u32(basic.size);
            match specific {
                SpecificFields::Basic { .. } => {}
                SpecificFields::Message {
                    envelope: e,
                    body_structure: inner,
                    lines,
                    ..
                } => {
                    w.sp();
                    envelope(w, e);
                    w.sp();
                    body_structure(w, inner, extensions);
                    w.sp();
                    w.u32(*lines);
                }
                SpecificFields::Text { lines, .. } => {
                    w.sp();
                    w.u32(*lines);
                }
            }
            if let (true, Some(ext)) = (extensions, extension) {
                w.sp();
                nstring(w, &ext.md5);
                extension_tail(w, ext.tail.as_ref());
            }
        }
        BodyStructure::Multi {
            bodies,
            subtype,
            extension,
        } => {
            for part in bodies {
                body_structure(w, part, extensions);
            }
            w.sp();
            string(w, subtype);
            if let (true, Some(ext)) = (extensions, extension) {
                w.sp();
                params(w, &ext.parameters);
                extension_tail(w, ext.tail.as_ref());
            }
        }
    }
    w.byte(b')');
}

fn params(w: &mut Writer<'_>, list: &[(IString<'_>, IString<'_>)]) {
    if list.is_empty() {
        w.bytes(b"NIL");
        return;
    }
    w.paren_list(list, |w, (k, v)| {
        string(w, k);
        w.sp();
        string(w, v);
    });
}

fn extension_tail(w: &mut Writer<'_>, tail: Option<&ExtensionTail<'_>>) {
    let Some(tail) = tail else { return };
    w.sp();
    match &tail.disposition {
        None => w.bytes(b"NIL"),
        Some(d) => {
            w.byte(b'(');
            string(w, &d.kind);
            w.sp();
            params(w, &d.parameters);
            w.byte(b')');
        }
    }
    let Some(lang) = &tail.tail else { return };
    w.sp();
    match lang.languages.as_slice() {
        [] => w.bytes(b"NIL"),
        [one] => string(w, one),
        many => w.paren_list(many, string),
    }
    let Some(loc) = &lang.tail else { return };
    w.sp();
    nstring(w, &loc.location);
    for ext in &loc.extensions {
        w.sp();
        body_extension(w, ext);
    }
}

fn body_extension(w: &mut Writer<'_>, e: &BodyExtension<'_>) {
    match e {
        BodyExtension::NString(s) => nstring(w, s),
        BodyExtension::Number(n) => w.number64(*n),
        BodyExtension::List(list) => w.paren_list(list, body_extension),
    }
}
