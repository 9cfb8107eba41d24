//! Encoders of commands, mirroring `parse::command`.

use base64::Engine as _;

use crate::codec::encode::core::{
    Writer, astring, charset, date, date_time, flag, flag_list, list_mailbox, literal, literal8,
    mailbox, nstring, quoted_str, sequence_set, string,
};
use crate::command::{
    AppendData, Command, CommandBody, FetchAttribute, FetchItems, FetchModifier, ListReturnOption,
    Part, SearchKey, Section, SelectParameter, StatusItem, StoreKind, StoreModifier,
};

pub(crate) fn command(w: &mut Writer<'_>, c: &Command<'_>) {
    w.bytes(c.tag.as_str().as_bytes());
    w.sp();
    body(w, &c.body);
    w.crlf();
}

fn uid_prefix(w: &mut Writer<'_>, uid: bool) {
    if uid {
        w.bytes(b"UID ");
    }
}

fn body(w: &mut Writer<'_>, b: &CommandBody<'_>) {
    use CommandBody as C;
    match b {
        C::Capability
        | C::Noop
        | C::Logout
        | C::StartTls
        | C::Namespace
        | C::Idle
        | C::Check
        | C::Close
        | C::Unselect
        | C::Expunge => w.bytes(b.name().as_bytes()),
        C::Id { parameters } => {
            w.bytes(b"ID ");
            id_params(w, parameters);
        }
        C::Authenticate {
            mechanism,
            initial_response,
        } => {
            w.bytes(b"AUTHENTICATE ");
            w.bytes(mechanism.as_str().as_bytes());
            if let Some(ir) = initial_response {
                w.sp();
                let data = ir.declassify();
                if data.is_empty() {
                    w.byte(b'=');
                } else {
                    w.bytes(
                        base64::engine::general_purpose::STANDARD
                            .encode(data)
                            .as_bytes(),
                    );
                }
            }
        }
        C::Login { username, password } => {
            w.bytes(b"LOGIN ");
            astring(w, username);
            w.sp();
            astring(w, password.declassify());
        }
        C::Enable { capabilities } => {
            w.bytes(b"ENABLE");
            for c in capabilities {
                w.sp();
                w.bytes(c.as_str().as_bytes());
            }
        }
        C::Select {
            mailbox: m,
            parameters,
        }
        | C::Examine {
            mailbox: m,
            parameters,
        } => {
            w.bytes(b.name().as_bytes());
            w.sp();
            mailbox(w, m);
            if !parameters.is_empty() {
                w.sp();
                w.paren_list(parameters, select_param);
            }
        }
        C::Create { mailbox: m }
        | C::Delete { mailbox: m }
        | C::Subscribe { mailbox: m }
        | C::Unsubscribe { mailbox: m } => {
            w.bytes(b.name().as_bytes());
            w.sp();
            mailbox(w, m);
        }
        C::Rename { from, to } => {
            w.bytes(b"RENAME ");
            mailbox(w, from);
            w.sp();
            mailbox(w, to);
        }
        C::List {
            selection,
            reference,
            patterns,
            return_options,
        } => {
            w.bytes(b"LIST ");
            if !selection.is_empty() {
                w.paren_list(selection, |w, o| w.bytes(o.as_str().as_bytes()));
                w.sp();
            }
            mailbox(w, reference);
            w.sp();
            if patterns.len() == 1 {
                list_mailbox(w, patterns.first());
            } else {
                w.paren_list(patterns, list_mailbox);
            }
            if !return_options.is_empty() {
                w.bytes(b" RETURN ");
                w.paren_list(return_options, return_option);
            }
        }
        C::Lsub { reference, pattern } => {
            w.bytes(b"LSUB ");
            mailbox(w, reference);
            w.sp();
            list_mailbox(w, pattern);
        }
        C::Status { mailbox: m, items } => {
            w.bytes(b"STATUS ");
            mailbox(w, m);
            w.sp();
            w.paren_list(items, status_item);
        }
        C::Append {
            mailbox: m,
            flags,
            date,
            message,
        } => {
            w.bytes(b"APPEND ");
            mailbox(w, m);
            if !flags.is_empty() {
                w.sp();
                flag_list(w, flags);
            }
            if let Some(d) = date {
                w.sp();
                date_time(w, d);
            }
            w.sp();
            match message {
                AppendData::Literal(l) => literal(w, l),
                AppendData::Binary(l) => literal8(w, l),
            }
        }
        C::UidExpunge { sequence_set: set } => {
            w.bytes(b"UID EXPUNGE ");
            sequence_set(w, set);
        }
        C::Search {
            return_options,
            charset: cs,
            criteria,
            uid,
        } => {
            uid_prefix(w, *uid);
            w.bytes(b"SEARCH");
            if let Some(opts) = return_options {
                w.bytes(b" RETURN ");
                w.paren_list(opts, |w, o| w.bytes(o.as_str().as_bytes()));
            }
            if let Some(cs) = cs {
                w.bytes(b" CHARSET ");
                charset(w, cs);
            }
            for key in criteria {
                w.sp();
                search_key(w, key);
            }
        }
        C::Sort {
            criteria,
            charset: cs,
            search,
            uid,
        } => {
            uid_prefix(w, *uid);
            w.bytes(b"SORT ");
            w.paren_list(criteria, |w, c| {
                if c.reverse {
                    w.bytes(b"REVERSE ");
                }
                w.bytes(c.key.as_str().as_bytes());
            });
            w.sp();
            charset(w, cs);
            for key in search {
                w.sp();
                search_key(w, key);
            }
        }
        C::Fetch {
            sequence_set: set,
            items,
            modifiers,
            uid,
        } => {
            uid_prefix(w, *uid);
            w.bytes(b"FETCH ");
            sequence_set(w, set);
            w.sp();
            fetch_items(w, items);
            if !modifiers.is_empty() {
                w.sp();
                w.paren_list(modifiers, |w, m| match m {
                    FetchModifier::ChangedSince(n) => {
                        w.bytes(b"CHANGEDSINCE ");
                        w.modseq(*n);
                    }
                    FetchModifier::Vanished => w.bytes(b"VANISHED"),
                });
            }
        }
        C::Store {
            sequence_set: set,
            kind,
            silent,
            flags,
            modifiers,
            uid,
        } => {
            uid_prefix(w, *uid);
            w.bytes(b"STORE ");
            sequence_set(w, set);
            w.sp();
            if !modifiers.is_empty() {
                w.paren_list(modifiers, |w, m| match m {
                    StoreModifier::UnchangedSince(n) => {
                        w.bytes(b"UNCHANGEDSINCE ");
                        w.number64(*n);
                    }
                });
                w.sp();
            }
            w.bytes(match kind {
                StoreKind::Replace => b"FLAGS",
                StoreKind::Add => b"+FLAGS",
                StoreKind::Remove => b"-FLAGS",
            });
            if *silent {
                w.bytes(b".SILENT");
            }
            w.sp();
            flag_list(w, flags);
        }
        C::Copy {
            sequence_set: set,
            mailbox: m,
            uid,
        }
        | C::Move {
            sequence_set: set,
            mailbox: m,
            uid,
        } => {
            uid_prefix(w, *uid);
            w.bytes(if matches!(b, C::Copy { .. }) {
                b"COPY "
            } else {
                b"MOVE "
            });
            sequence_set(w, set);
            w.sp();
            mailbox(w, m);
        }
    }
}

pub(crate) fn id_params(w: &mut Writer<'_>, params: &crate::command::IdParameters<'_>) {
    match params {
        None => w.bytes(b"NIL"),
        Some(list) => w.paren_list(list, |w, (k, v)| {
            string(w, k);
            w.sp();
            nstring(w, v);
        }),
    }
}

fn select_param(w: &mut Writer<'_>, p: &SelectParameter) {
    match p {
        SelectParameter::CondStore => w.bytes(b"CONDSTORE"),
        SelectParameter::Qresync(q) => {
            w.bytes(b"QRESYNC (");
            w.u32(q.uid_validity.get());
            w.sp();
            w.modseq(q.modseq);
            if let Some(known) = &q.known_uids {
                w.sp();
                sequence_set(w, known);
            }
            if let Some((seqs, uids)) = &q.seq_match {
                w.bytes(b" (");
                sequence_set(w, seqs);
                w.sp();
                sequence_set(w, uids);
                w.byte(b')');
            }
            w.byte(b')');
        }
    }
}

fn return_option(w: &mut Writer<'_>, o: &ListReturnOption) {
    match o {
        ListReturnOption::Subscribed => w.bytes(b"SUBSCRIBED"),
        ListReturnOption::Children => w.bytes(b"CHILDREN"),
        ListReturnOption::SpecialUse => w.bytes(b"SPECIAL-USE"),
        ListReturnOption::Status(items) => {
            w.bytes(b"STATUS ");
            w.paren_list(items, status_item);
        }
    }
}

pub(crate) fn status_item(w: &mut Writer<'_>, s: &StatusItem) {
    w.bytes(s.as_str().as_bytes());
}

fn search_key(w: &mut Writer<'_>, k: &SearchKey<'_>) {
    use SearchKey as K;
    let word = |w: &mut Writer<'_>, word: &[u8]| w.bytes(word);
    match k {
        K::All => word(w, b"ALL"),
        K::Answered => word(w, b"ANSWERED"),
        K::Deleted => word(w, b"DELETED"),
        K::Draft => word(w, b"DRAFT"),
        K::Flagged => word(w, b"FLAGGED"),
        K::New => word(w, b"NEW"),
        K::Old => word(w, b"OLD"),
        K::Recent => word(w, b"RECENT"),
        K::Seen => word(w, b"SEEN"),
        K::Unanswered => word(w, b"UNANSWERED"),
        K::Undeleted => word(w, b"UNDELETED"),
        K::Undraft => word(w, b"UNDRAFT"),
        K::Unflagged => word(w, b"UNFLAGGED"),
        K::Unseen => word(w, b"UNSEEN"),
        K::Bcc(s) | K::Body(s) | K::Cc(s) | K::From(s) | K::Subject(s) | K::Text(s) | K::To(s) => {
            word(
                w,
                match k {
                    K::Bcc(_) => b"BCC ",
                    K::Body(_) => b"BODY ",
                    K::Cc(_) => b"CC ",
                    K::From(_) => b"FROM ",
                    K::Subject(_) => b"SUBJECT ",
                    K::Text(_) => b"TEXT ",
                    _ => b"TO ",
                },
            );
            astring(w, s);
        }
        K::Before(d)
        | K::On(d)
        | K::Since(d)
        | K::SentBefore(d)
        | K::SentOn(d)
        | K::SentSince(d) => {
            word(
                w,
                match k {
                    K::Before(_) => b"BEFORE ",
                    K::On(_) => b"ON ",
                    K::Since(_) => b"SINCE ",
                    K::SentBefore(_) => b"SENTBEFORE ",
                    K::SentOn(_) => b"SENTON ",
                    _ => b"SENTSINCE ",
                },
            );
            date(w, d);
        }
        K::Keyword(f) => {
            word(w, b"KEYWORD ");
            flag(w, f);
        }
        K::Unkeyword(f) => {
            word(w, b"UNKEYWORD ");
            flag(w, f);
        }
        K::Header(field, value) => {
            word(w, b"HEADER ");
            astring(w, field);
            w.sp();
            astring(w, value);
        }
        K::Larger(n) => {
            word(w, b"LARGER ");
            w.number64(*n);
        }
        K::Smaller(n) => {
            word(w, b"SMALLER ");
            w.number64(*n);
        }
        K::Older(n) => {
            word(w, b"OLDER ");
            w.u32((*n).max(1)); // nz-number: 0 seconds is sent as 1
        }
        K::Younger(n) => {
            word(w, b"YOUNGER ");
            w.u32((*n).max(1));
        }
        K::Uid(set) => {
            word(w, b"UID ");
            sequence_set(w, set);
        }
        K::Not(k) => {
            word(w, b"NOT ");
            search_key(w, k);
        }
        K::Or(a, b) => {
            word(w, b"OR ");
            search_key(w, a);
            w.sp();
            search_key(w, b);
        }
        K::ModSeq { entry, modseq } => {
            word(w, b"MODSEQ ");
            if let Some((f, t)) = entry {
                quoted_str(w, &format!("/flags/{}", f.as_str()));
                w.sp();
                w.bytes(match t {
                    crate::command::EntryType::Private => b"priv",
                    crate::command::EntryType::Shared => b"shared",
                    crate::command::EntryType::All => b"all",
                });
                w.sp();
            }
            w.number64(*modseq);
        }
        K::SequenceSet(set) => sequence_set(w, set),
        K::And(keys) => w.paren_list(keys, search_key),
    }
}

fn fetch_items(w: &mut Writer<'_>, items: &FetchItems<'_>) {
    match items {
        FetchItems::All => w.bytes(b"ALL"),
        FetchItems::Fast => w.bytes(b"FAST"),
        FetchItems::Full => w.bytes(b"FULL"),
        FetchItems::Attributes(list) if list.len() == 1 => fetch_attribute(w, list.first()),
        FetchItems::Attributes(list) => w.paren_list(list, fetch_attribute),
    }
}

fn fetch_attribute(w: &mut Writer<'_>, a: &FetchAttribute<'_>) {
    use FetchAttribute as A;
    match a {
        A::Envelope => w.bytes(b"ENVELOPE"),
        A::Flags => w.bytes(b"FLAGS"),
        A::InternalDate => w.bytes(b"INTERNALDATE"),
        A::Rfc822Size => w.bytes(b"RFC822.SIZE"),
        A::Rfc822 => w.bytes(b"RFC822"),
        A::Rfc822Header => w.bytes(b"RFC822.HEADER"),
        A::Rfc822Text => w.bytes(b"RFC822.TEXT"),
        A::Body => w.bytes(b"BODY"),
        A::BodyStructure => w.bytes(b"BODYSTRUCTURE"),
        A::Uid => w.bytes(b"UID"),
        A::ModSeq => w.bytes(b"MODSEQ"),
        A::BodySection {
            section: s,
            partial,
            peek,
        } => {
            w.bytes(if *peek { b"BODY.PEEK" } else { b"BODY" });
            section(w, s.as_ref());
            if let Some(p) = partial {
                w.byte(b'<');
                w.number64(p.offset);
                w.byte(b'.');
                w.modseq(p.length.get());
                w.byte(b'>');
            }
        }
        A::Binary {
            section: s,
            partial,
            peek,
        } => {
            w.bytes(if *peek { b"BINARY.PEEK" } else { b"BINARY" });
            section_binary(w, s);
            if let Some(p) = partial {
                w.byte(b'<');
                w.number64(p.offset);
                w.byte(b'.');
                w.modseq(p.length.get());
                w.byte(b'>');
            }
        }
        A::BinarySize { section: s } => {
            w.bytes(b"BINARY.SIZE");
            section_binary(w, s);
        }
    }
}

fn part(w: &mut Writer<'_>, p: &Part) {
    for (n, num) in p.numbers().iter().enumerate() {
        if n > 0 {
            w.byte(b'.');
        }
        w.u32(num.get());
    }
}

/// `"[" [section-spec] "]"`.
pub(crate) fn section(w: &mut Writer<'_>, s: Option<&Section<'_>>) {
    w.byte(b'[');
    if let Some(s) = s {
        let prefix = |w: &mut Writer<'_>, p: &Option<Part>| {
            if let Some(p) = p {
                part(w, p);
                w.byte(b'.');
            }
        };
        match s {
            Section::Part(p) => part(w, p),
            Section::Header(p) => {
                prefix(w, p);
                w.bytes(b"HEADER");
            }
            Section::HeaderFields(p, names) | Section::HeaderFieldsNot(p, names) => {
                prefix(w, p);
                w.bytes(if matches!(s, Section::HeaderFields(..)) {
                    b"HEADER.FIELDS ("
                } else {
                    b"HEADER.FIELDS.NOT ("
                });
                w.sp_list(names, astring);
                w.byte(b')');
            }
            Section::Text(p) => {
                prefix(w, p);
                w.bytes(b"TEXT");
            }
            Section::Mime(p) => {
                part(w, p);
                w.bytes(b".MIME");
            }
        }
    }
    w.byte(b']');
}

/// `"[" [section-part] "]"`.
pub(crate) fn section_binary(w: &mut Writer<'_>, s: &[std::num::NonZeroU32]) {
    w.byte(b'[');
    for (n, num) in s.iter().enumerate() {
        if n > 0 {
            w.byte(b'.');
        }
        w.u32(num.get());
    }
    w.byte(b']');
}
