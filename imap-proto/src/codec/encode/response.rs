//! Encoders of responses, mirroring `parse::response`.

use base64::Engine as _;

use crate::codec::encode::body::{body_structure, envelope};
use crate::codec::encode::command::{id_params, section, section_binary};
use crate::codec::encode::core::{
    Writer, charset, date_time, delimiter, flag, flag_list, flag_perm, literal8, mailbox, nstring,
    sequence_set, string,
};
use crate::response::{
    BinaryData, Code, Continue, Data, ESearchItem, FetchData, ListExtendedItem, ListItem,
    NamespaceDescription, Response, StatusKind, StatusResponse, StatusValue,
};
use crate::types::Text;

pub(crate) fn response(w: &mut Writer<'_>, r: &Response<'_>) {
    match r {
        Response::Status(s) => status(w, s),
        Response::Data(d) => data(w, d),
        Response::Continue(c) => continue_req(w, c),
    }
}

pub(crate) fn status(w: &mut Writer<'_>, s: &StatusResponse<'_>) {
    // BYE and PREAUTH exist only untagged (RFC 9051 section 7.1.4, 7.1.5).
    let untagged = matches!(s.kind, StatusKind::Bye | StatusKind::PreAuth);
    match &s.tag {
        Some(t) if !untagged => w.bytes(t.as_str().as_bytes()),
        _ => w.byte(b'*'),
    }
    w.sp();
    w.bytes(s.kind.as_str().as_bytes());
    resp_text(w, s.code.as_ref(), &s.text);
    w.crlf();
}

/// ` [code] text`, including the leading SP.
fn resp_text(w: &mut Writer<'_>, c: Option<&Code<'_>>, t: &Text<'_>) {
    if let Some(c) = c {
        w.bytes(b" [");
        code(w, c);
        w.byte(b']');
    }
    if !t.as_str().is_empty() || c.is_none() {
        w.sp();
        w.bytes(t.as_str().as_bytes());
    }
}

pub(crate) fn code(w: &mut Writer<'_>, c: &Code<'_>) {
    if let Some(name) = c.simple_name() {
        w.bytes(name.as_bytes());
        return;
    }
    match c {
        Code::BadCharset(list) => {
            w.bytes(b"BADCHARSET");
            if !list.is_empty() {
                w.sp();
                w.paren_list(list, charset);
            }
        }
        Code::Capability(caps) => {
            w.bytes(b"CAPABILITY");
            for cap in caps {
                w.sp();
                w.bytes(cap.as_str().as_bytes());
            }
        }
        Code::PermanentFlags(flags) => {
            w.bytes(b"PERMANENTFLAGS ");
            w.paren_list(flags, flag_perm);
        }
        Code::UidNext(n) => {
            w.bytes(b"UIDNEXT ");
            w.u32(n.get());
        }
        Code::UidValidity(n) => {
            w.bytes(b"UIDVALIDITY ");
            w.u32(n.get());
        }
        Code::Unseen(n) => {
            w.bytes(b"UNSEEN ");
            w.u32(n.get());
        }
        Code::AppendUid { uid_validity, uids } => {
            w.bytes(b"APPENDUID ");
            w.u32(uid_validity.get());
            w.sp();
            sequence_set(w, uids);
        }
        Code::CopyUid {
            uid_validity,
            source,
            destination,
        } => {
            w.bytes(b"COPYUID ");
            w.u32(uid_validity.get());
            w.sp();
            sequence_set(w, source);
            w.sp();
            sequence_set(w, destination);
        }
        Code::HighestModSeq(n) => {
            w.bytes(b"HIGHESTMODSEQ ");
            w.modseq(*n);
        }
        Code::Modified(set) => {
            w.bytes(b"MODIFIED ");
            sequence_set(w, set);
        }
        Code::Other { name, text } => {
            w.bytes(name.as_str().as_bytes());
            // Text in a code may hold neither "]" nor line breaks; drop them.
            let keep = |b: &u8| !matches!(b, b']' | b'\r' | b'\n' | 0);
            if let Some(text) = text.as_deref().filter(|t| t.bytes().any(|b| keep(&b))) {
                w.sp();
                for b in text.bytes().filter(keep) {
                    w.byte(b);
                }
            }
        }
        // Argument-less codes were written above.
        _ => {}
    }
}

fn continue_req(w: &mut Writer<'_>, c: &Continue<'_>) {
    w.byte(b'+');
    match c {
        Continue::Basic { code, text } => resp_text(w, code.as_ref(), text),
        Continue::Base64(data) => {
            w.sp();
            w.bytes(
                base64::engine::general_purpose::STANDARD
                    .encode(data)
                    .as_bytes(),
            );
        }
    }
    w.crlf();
}

pub(crate) fn data(w: &mut Writer<'_>, d: &Data<'_>) {
    w.bytes(b"* ");
    match d {
        Data::Capability(caps) => {
            w.bytes(b"CAPABILITY");
            for cap in caps {
                w.sp();
                w.bytes(cap.as_str().as_bytes());
            }
        }
        Data::Enabled(caps) => {
            w.bytes(b"ENABLED");
            for cap in caps {
                w.sp();
                w.bytes(cap.as_str().as_bytes());
            }
        }
        Data::List(item) => {
            w.bytes(b"LIST ");
            list_item(w, item);
        }
        Data::Lsub(item) => {
            w.bytes(b"LSUB ");
            list_item(w, item);
        }
        Data::Status { mailbox: m, items } => {
            w.bytes(b"STATUS ");
            mailbox(w, m);
            w.sp();
            w.paren_list(items, status_value);
        }
        Data::Search { numbers, modseq } => {
            w.bytes(b"SEARCH");
            for n in numbers {
                w.sp();
                w.u32(n.get());
            }
            if let Some(m) = modseq {
                w.bytes(b" (MODSEQ ");
                w.modseq(*m);
                w.byte(b')');
            }
        }
        Data::Sort(numbers) => {
            w.bytes(b"SORT");
            for n in numbers {
                w.sp();
                w.u32(n.get());
            }
        }
        Data::ESearch(e) => {
            w.bytes(b"ESEARCH");
            if let Some(t) = &e.tag {
                w.bytes(b" (TAG ");
                crate::codec::encode::core::quoted_str(w, t.as_str());
                w.byte(b')');
            }
            if e.uid {
                w.bytes(b" UID");
            }
            for item in &e.items {
                w.sp();
                match item {
                    ESearchItem::Min(n) => {
                        w.bytes(b"MIN ");
                        w.u32(n.get());
                    }
                    ESearchItem::Max(n) => {
                        w.bytes(b"MAX ");
                        w.u32(n.get());
                    }
                    ESearchItem::All(set) => {
                        w.bytes(b"ALL ");
                        sequence_set(w, set);
                    }
                    ESearchItem::Count(n) => {
                        w.bytes(b"COUNT ");
                        w.u32(*n);
                    }
                    ESearchItem::ModSeq(n) => {
                        w.bytes(b"MODSEQ ");
                        w.modseq(*n);
                    }
                }
            }
        }
        Data::Flags(flags) => {
            w.bytes(b"FLAGS ");
            flag_list(w, flags);
        }
        Data::Exists(n) => {
            w.u32(*n);
            w.bytes(b" EXISTS");
        }
        Data::Recent(n) => {
            w.u32(*n);
            w.bytes(b" RECENT");
        }
        Data::Expunge(n) => {
            w.u32(n.get());
            w.bytes(b" EXPUNGE");
        }
        Data::Fetch { seq, items } => {
            w.u32(seq.get());
            w.bytes(b" FETCH ");
            w.paren_list(items, fetch_data);
        }
        Data::Vanished { earlier, uids } => {
            w.bytes(if *earlier {
                b"VANISHED (EARLIER) "
            } else {
                b"VANISHED "
            });
            sequence_set(w, uids);
        }
        Data::Id(params) => {
            w.bytes(b"ID ");
            id_params(w, params);
        }
        Data::Namespace {
            personal,
            other,
            shared,
        } => {
            w.bytes(b"NAMESPACE ");
            namespace(w, personal);
            w.sp();
            namespace(w, other);
            w.sp();
            namespace(w, shared);
        }
    }
    w.crlf();
}

fn list_item(w: &mut Writer<'_>, item: &ListItem<'_>) {
    w.paren_list(&item.attributes, |w, a| w.bytes(a.as_str().as_bytes()));
    w.sp();
    delimiter(w, item.delimiter);
    w.sp();
    mailbox(w, &item.mailbox);
    if !item.extended.is_empty() {
        w.sp();
        w.paren_list(&item.extended, |w, e| match e {
            ListExtendedItem::ChildInfoSubscribed => w.bytes(b"CHILDINFO (\"SUBSCRIBED\")"),
            ListExtendedItem::OldName(m) => {
                w.bytes(b"OLDNAME (");
                mailbox(w, m);
                w.byte(b')');
            }
        });
    }
}

fn status_value(w: &mut Writer<'_>, v: &StatusValue) {
    let (name, n): (&[u8], u64) = match v {
        StatusValue::Messages(n) => (b"MESSAGES ", u64::from(*n)),
        StatusValue::UidNext(n) => (b"UIDNEXT ", u64::from(n.get())),
        StatusValue::UidValidity(n) => (b"UIDVALIDITY ", u64::from(n.get())),
        StatusValue::Unseen(n) => (b"UNSEEN ", u64::from(*n)),
        StatusValue::Deleted(n) => (b"DELETED ", u64::from(*n)),
        StatusValue::Size(n) => (b"SIZE ", *n),
        StatusValue::Recent(n) => (b"RECENT ", u64::from(*n)),
        StatusValue::HighestModSeq(n) => (b"HIGHESTMODSEQ ", *n),
    };
    w.bytes(name);
    w.number64(n);
}

fn namespace(w: &mut Writer<'_>, list: &[NamespaceDescription<'_>]) {
    if list.is_empty() {
        w.bytes(b"NIL");
        return;
    }
    w.byte(b'(');
    for d in list {
        w.byte(b'(');
        string(w, &d.prefix);
        w.sp();
        delimiter(w, d.delimiter);
        w.byte(b')');
    }
    w.byte(b')');
}

/// One FETCH data item.
pub(crate) fn fetch_data(w: &mut Writer<'_>, item: &FetchData<'_>) {
    match item {
        FetchData::Flags(flags) => {
            w.bytes(b"FLAGS ");
            w.paren_list(flags, flag);
        }
        FetchData::ModSeq(n) => {
            w.bytes(b"MODSEQ (");
            w.modseq(*n);
            w.byte(b')');
        }
        FetchData::Envelope(e) => {
            w.bytes(b"ENVELOPE ");
            envelope(w, e);
        }
        FetchData::InternalDate(d) => {
            w.bytes(b"INTERNALDATE ");
            date_time(w, d);
        }
        FetchData::Rfc822Size(n) => {
            w.bytes(b"RFC822.SIZE ");
            w.number64(*n);
        }
        FetchData::Body(b) => {
            w.bytes(b"BODY ");
            body_structure(w, b, false);
        }
        FetchData::BodyStructure(b) => {
            w.bytes(b"BODYSTRUCTURE ");
            body_structure(w, b, true);
        }
        FetchData::BodySection {
            section: s,
            origin,
            data,
        } => {
            w.bytes(b"BODY");
            section(w, s.as_ref());
            if let Some(o) = origin {
                w.byte(b'<');
                w.number64(*o);
                w.byte(b'>');
            }
            w.sp();
            nstring(w, data);
        }
        FetchData::Binary {
            section: s,
            origin,
            data,
        } => {
            w.bytes(b"BINARY");
            section_binary(w, s);
            if let Some(o) = origin {
                w.byte(b'<');
                w.number64(*o);
                w.byte(b'>');
            }
            w.sp();
            match data {
                BinaryData::String(s) => nstring(w, s),
                BinaryData::Literal8(l) => literal8(w, l),
            }
        }
        FetchData::BinarySize { section: s, size } => {
            w.bytes(b"BINARY.SIZE");
            section_binary(w, s);
            w.sp();
            w.number64(*size);
        }
        FetchData::Uid(uid) => {
            w.bytes(b"UID ");
            w.u32(uid.get());
        }
        FetchData::Rfc822(d) => {
            w.bytes(b"RFC822 ");
            nstring(w, d);
        }
        FetchData::Rfc822Header(d) => {
            w.bytes(b"RFC822.HEADER ");
            nstring(w, d);
        }
        FetchData::Rfc822Text(d) => {
            w.bytes(b"RFC822.TEXT ");
            nstring(w, d);
        }
    }
}
