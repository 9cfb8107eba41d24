//! Parsers of commands (RFC 9051 section 6 and the extension RFCs).

use std::borrow::Cow;

use crate::codec::parse::core::{
    astring, atom, base64, byte, capability, crlf, date_time, flag, flag_list, keyword,
    list_mailbox, literal, literal8, mailbox, mod_sequence_value, mod_sequence_valzer, nstring,
    nz_number, paren_list, paren_list1, sequence_set, sp, starts_with_keyword, string, tag, token,
};
use crate::codec::parse::error::{PResult, fail, named};
use crate::codec::parse::fetch::{fetch_items, fetch_modifiers};
use crate::codec::parse::search::{search_program, search_return_opts, sort_criteria};
use crate::command::{
    AppendData, Command, CommandBody, IdParameters, ListReturnOption, ListSelectOption,
    QresyncParameters, SelectParameter, StatusItem, StoreKind, StoreModifier,
};
use crate::types::{AuthMechanism, Secret, Vec1};

/// Uppercases a short keyword into `buf` for matching; `None` when too long.
pub(crate) fn upper<'b>(word: &[u8], buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (o, &b) in out.iter_mut().zip(word) {
        *o = b.to_ascii_uppercase();
    }
    Some(out)
}

/// ```text
/// command = tag SP (command-any / command-auth / command-nonauth /
///           command-select) CRLF
/// ```
pub(crate) fn command(i: &[u8]) -> PResult<'_, Command<'_>> {
    let (i, tag) = tag(i)?;
    let (i, ()) = sp(i)?;
    let (i, body) = command_body(i)?;
    let (i, ()) = crlf(i)?;
    Ok((i, Command { tag, body }))
}

fn command_body(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (rest, name) = token(i)?;
    let mut buf = [0u8; 16];
    let Some(name) = upper(name, &mut buf) else {
        return fail(i, "command");
    };
    use CommandBody as C;
    let body = match name {
        b"CAPABILITY" => (rest, C::Capability),
        b"NOOP" => (rest, C::Noop),
        b"LOGOUT" => (rest, C::Logout),
        b"STARTTLS" => (rest, C::StartTls),
        b"NAMESPACE" => (rest, C::Namespace),
        b"IDLE" => (rest, C::Idle),
        b"CHECK" => (rest, C::Check),
        b"CLOSE" => (rest, C::Close),
        b"UNSELECT" => (rest, C::Unselect),
        b"EXPUNGE" => (rest, C::Expunge),
        b"ID" => id(rest)?,
        b"AUTHENTICATE" => authenticate(rest)?,
        b"LOGIN" => login(rest)?,
        b"ENABLE" => enable(rest)?,
        b"SELECT" => {
            let (r, (mailbox, parameters)) = select_args(rest)?;
            (
                r,
                C::Select {
                    mailbox,
                    parameters,
                },
            )
        }
        b"EXAMINE" => {
            let (r, (mailbox, parameters)) = select_args(rest)?;
            (
                r,
                C::Examine {
                    mailbox,
                    parameters,
                },
            )
        }
        b"CREATE" => one_mailbox(rest, |mailbox| C::Create { mailbox })?,
        b"DELETE" => one_mailbox(rest, |mailbox| C::Delete { mailbox })?,
        b"SUBSCRIBE" => one_mailbox(rest, |mailbox| C::Subscribe { mailbox })?,
        b"UNSUBSCRIBE" => one_mailbox(rest, |mailbox| C::Unsubscribe { mailbox })?,
        b"RENAME" => {
            let (r, ()) = sp(rest)?;
            let (r, from) = mailbox(r)?;
            let (r, ()) = sp(r)?;
            let (r, to) = mailbox(r)?;
            (r, C::Rename { from, to })
        }
        b"LIST" => list(rest)?,
        b"LSUB" => {
            let (r, ()) = sp(rest)?;
            let (r, reference) = mailbox(r)?;
            let (r, ()) = sp(r)?;
            let (r, pattern) = list_mailbox(r)?;
            (r, C::Lsub { reference, pattern })
        }
        b"STATUS" => {
            let (r, ()) = sp(rest)?;
            let (r, mailbox) = mailbox(r)?;
            let (r, ()) = sp(r)?;
            let (r, items) = paren_list1(r, "status-att", status_att)?;
            (r, C::Status { mailbox, items })
        }
        b"APPEND" => append(rest)?,
        b"UID" => uid_command(rest)?,
        b"SEARCH" => search(rest, false)?,
        b"SORT" => sort(rest, false)?,
        b"FETCH" => fetch(rest, false)?,
        b"STORE" => store(rest, false)?,
        b"COPY" => copy_or_move(rest, false, false)?,
        b"MOVE" => copy_or_move(rest, false, true)?,
        _ => return fail(i, "command"),
    };
    Ok(body)
}

fn uid_command(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (rest, name) = token(i)?;
    let mut buf = [0u8; 16];
    match upper(name, &mut buf) {
        Some(b"FETCH") => fetch(rest, true),
        Some(b"STORE") => store(rest, true),
        Some(b"SEARCH") => search(rest, true),
        Some(b"SORT") => sort(rest, true),
        Some(b"COPY") => copy_or_move(rest, true, false),
        Some(b"MOVE") => copy_or_move(rest, true, true),
        Some(b"EXPUNGE") => {
            let (r, ()) = sp(rest)?;
            let (r, sequence_set) = sequence_set(r)?;
            Ok((r, CommandBody::UidExpunge { sequence_set }))
        }
        _ => fail(i, "uid"),
    }
}

fn one_mailbox<'a>(
    i: &'a [u8],
    build: impl FnOnce(crate::types::Mailbox<'a>) -> CommandBody<'a>,
) -> PResult<'a, CommandBody<'a>> {
    let (r, ()) = sp(i)?;
    let (r, m) = mailbox(r)?;
    Ok((r, build(m)))
}

/// ```text
/// id = "ID" SP id-params-list
/// id-params-list = "(" *(string SP nstring) ")" / nil
/// ```
fn id(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, parameters) = id_params_list(r)?;
    Ok((r, CommandBody::Id { parameters }))
}

pub(crate) fn id_params_list(i: &[u8]) -> PResult<'_, IdParameters<'_>> {
    if i.first() != Some(&b'(') {
        let (r, ()) = keyword(i, "NIL")?;
        return Ok((r, None));
    }
    let (r, list) = paren_list(i, "id-params-list", |i| {
        let (i, k) = string(i)?;
        let (i, ()) = sp(i)?;
        let (i, v) = nstring(i)?;
        Ok((i, (k, v)))
    })?;
    Ok((r, Some(list)))
}

/// ```text
/// authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] *(CRLF base64)
/// initial-resp = (base64 / "=")
/// ```
fn authenticate(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, mech) = atom(r)?;
    let mechanism = AuthMechanism::unvalidated(mech.into_inner());
    let (r, initial_response) = match r.first() {
        Some(b' ') => {
            let (r, data) = named("initial-resp", base64(&r[1..]))?;
            (r, Some(Secret::new(Cow::Owned(data))))
        }
        _ => (r, None),
    };
    Ok((
        r,
        CommandBody::Authenticate {
            mechanism,
            initial_response,
        },
    ))
}

/// ```text
/// login = "LOGIN" SP userid SP password
/// ```
fn login(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, username) = named("userid", astring(r))?;
    let (r, ()) = sp(r)?;
    let (r, password) = named("password", astring(r))?;
    Ok((
        r,
        CommandBody::Login {
            username,
            password: Secret::new(password),
        },
    ))
}

/// ```text
/// enable = "ENABLE" 1*(SP capability)
/// ```
fn enable(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (mut r, ()) = sp(i)?;
    let mut caps = Vec::new();
    loop {
        let (rest, cap) = capability(r)?;
        caps.push(cap);
        match rest.strip_prefix(b" ") {
            Some(rest) => r = rest,
            None => {
                r = rest;
                break;
            }
        }
    }
    Ok((
        r,
        CommandBody::Enable {
            capabilities: Vec1::unvalidated(caps),
        },
    ))
}

/// ```text
/// select = "SELECT" SP mailbox [select-params]
/// select-params = SP "(" select-param *(SP select-param) ")"
/// ```
fn select_args(i: &[u8]) -> PResult<'_, (crate::types::Mailbox<'_>, Vec<SelectParameter>)> {
    let (r, ()) = sp(i)?;
    let (r, m) = mailbox(r)?;
    if r.starts_with(b" (") {
        let (r, params) = paren_list(&r[1..], "select-params", select_param)?;
        return Ok((r, (m, params)));
    }
    Ok((r, (m, Vec::new())))
}

/// ```text
/// select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP
///                mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
/// seq-match-data = "(" known-sequence-set SP known-uid-set ")"
/// ```
fn select_param(i: &[u8]) -> PResult<'_, SelectParameter> {
    if let Ok((r, ())) = keyword(i, "CONDSTORE") {
        return Ok((r, SelectParameter::CondStore));
    }
    let (r, ()) = keyword(i, "QRESYNC")?;
    let (r, ()) = sp(r)?;
    let (r, ()) = byte(r, b'(', "select-param")?;
    let (r, uid_validity) = nz_number(r)?;
    let (r, ()) = sp(r)?;
    let (mut r, modseq) = mod_sequence_value(r)?;
    let mut known_uids = None;
    let mut seq_match = None;
    if let Some(rest) = r.strip_prefix(b" ") {
        if rest.first() == Some(&b'(') {
            let (rest, pair) = seq_match_data(rest)?;
            seq_match = Some(pair);
            r = rest;
        } else {
            let (rest, uids) = sequence_set(rest)?;
            known_uids = Some(uids);
            r = rest;
            if let Some(rest) = r.strip_prefix(b" ") {
                let (rest, pair) = seq_match_data(rest)?;
                seq_match = Some(pair);
                r = rest;
            }
        }
    }
    let (r, ()) = byte(r, b')', "select-param")?;
    Ok((
        r,
        SelectParameter::Qresync(QresyncParameters {
            uid_validity,
            modseq,
            known_uids,
            seq_match,
        }),
    ))
}

fn seq_match_data(i: &[u8]) -> PResult<'_, (crate::types::SequenceSet, crate::types::SequenceSet)> {
    let (r, ()) = byte(i, b'(', "seq-match-data")?;
    let (r, seqs) = sequence_set(r)?;
    let (r, ()) = sp(r)?;
    let (r, uids) = sequence_set(r)?;
    let (r, ()) = byte(r, b')', "seq-match-data")?;
    Ok((r, (seqs, uids)))
}

/// ```text
/// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat
///        [SP list-return-opts]
/// list-select-opts = "(" [list-select-opt *(SP list-select-opt)] ")"
/// mbox-or-pat = list-mailbox / patterns
/// patterns = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
fn list(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (mut r, ()) = sp(i)?;
    let mut selection = Vec::new();
    if r.first() == Some(&b'(') {
        let (rest, opts) = paren_list(r, "list-select-opts", list_select_opt)?;
        selection = opts;
        let (rest, ()) = sp(rest)?;
        r = rest;
    }
    let (r, reference) = mailbox(r)?;
    let (r, ()) = sp(r)?;
    let (mut r, patterns) = if r.first() == Some(&b'(') {
        paren_list1(r, "patterns", list_mailbox)?
    } else {
        let (r, p) = list_mailbox(r)?;
        (r, Vec1::one(p))
    };
    let mut return_options = Vec::new();
    if r.first() == Some(&b' ') && starts_with_keyword(&r[1..], "RETURN") {
        let (rest, ()) = keyword(&r[1..], "RETURN")?;
        let (rest, ()) = sp(rest)?;
        let (rest, opts) = paren_list(rest, "list-return-opts", return_option)?;
        return_options = opts;
        r = rest;
    }
    Ok((
        r,
        CommandBody::List {
            selection,
            reference,
            patterns,
            return_options,
        },
    ))
}

fn list_select_opt(i: &[u8]) -> PResult<'_, ListSelectOption> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    let opt = match upper(word, &mut buf) {
        Some(b"SUBSCRIBED") => ListSelectOption::Subscribed,
        Some(b"REMOTE") => ListSelectOption::Remote,
        Some(b"RECURSIVEMATCH") => ListSelectOption::RecursiveMatch,
        Some(b"SPECIAL-USE") => ListSelectOption::SpecialUse,
        _ => return fail(i, "list-select-opt"),
    };
    Ok((r, opt))
}

fn return_option(i: &[u8]) -> PResult<'_, ListReturnOption> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    let opt = match upper(word, &mut buf) {
        Some(b"SUBSCRIBED") => ListReturnOption::Subscribed,
        Some(b"CHILDREN") => ListReturnOption::Children,
        Some(b"SPECIAL-USE") => ListReturnOption::SpecialUse,
        Some(b"STATUS") => {
            let (r, ()) = sp(r)?;
            let (r, items) = paren_list1(r, "status-option", status_att)?;
            return Ok((r, ListReturnOption::Status(items)));
        }
        _ => return fail(i, "return-option"),
    };
    Ok((r, opt))
}

/// ```text
/// status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE"
/// ```
pub(crate) fn status_att(i: &[u8]) -> PResult<'_, StatusItem> {
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    let item = match upper(word, &mut buf) {
        Some(b"MESSAGES") => StatusItem::Messages,
        Some(b"UIDNEXT") => StatusItem::UidNext,
        Some(b"UIDVALIDITY") => StatusItem::UidValidity,
        Some(b"UNSEEN") => StatusItem::Unseen,
        Some(b"DELETED") => StatusItem::Deleted,
        Some(b"SIZE") => StatusItem::Size,
        Some(b"RECENT") => StatusItem::Recent,
        Some(b"HIGHESTMODSEQ") => StatusItem::HighestModSeq,
        _ => return fail(i, "status-att"),
    };
    Ok((r, item))
}

/// ```text
/// append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal
/// append-data = literal / literal8
/// ```
fn append(i: &[u8]) -> PResult<'_, CommandBody<'_>> {
    let (r, head) = append_head(i)?;
    let (r, message) = match r.first() {
        Some(b'~') => literal8(r).map(|(r, l)| (r, AppendData::Binary(l)))?,
        _ => named("append", literal(r)).map(|(r, l)| (r, AppendData::Literal(l)))?,
    };
    Ok((
        r,
        CommandBody::Append {
            mailbox: head.0,
            flags: head.1,
            date: head.2,
            message,
        },
    ))
}

/// What comes before the message of an APPEND.
pub(crate) type AppendHead<'a> = (
    crate::types::Mailbox<'a>,
    Vec<crate::types::Flag<'a>>,
    Option<crate::types::DateTime>,
);

/// The head of an APPEND whose frame ends with the announcement of its message:
/// `tag SP "APPEND" SP mailbox [SP flag-list] [SP date-time] SP` followed by exactly
/// one literal header. `None` for any other frame (including an APPEND whose
/// mailbox name is itself a literal still to come).
pub(crate) fn append_message_head(frame: &[u8]) -> Option<(crate::types::Tag<'_>, AppendHead<'_>)> {
    let (r, t) = tag(frame).ok()?;
    let (r, ()) = sp(r).ok()?;
    let (r, ()) = keyword(r, "APPEND").ok()?;
    let (r, head) = append_head(r).ok()?;
    let r = r.strip_prefix(b"~").unwrap_or(r);
    let (rest, _) = crate::codec::parse::core::literal_header(r).ok()?;
    rest.is_empty().then_some((t, head))
}

/// `SP mailbox [SP flag-list] [SP date-time] SP`, up to the literal.
pub(crate) fn append_head(i: &[u8]) -> PResult<'_, AppendHead<'_>> {
    let (r, ()) = sp(i)?;
    let (r, m) = mailbox(r)?;
    let (mut r, ()) = sp(r)?;
    let mut flags = Vec::new();
    if r.first() == Some(&b'(') {
        let (rest, f) = flag_list(r)?;
        flags = f;
        let (rest, ()) = sp(rest)?;
        r = rest;
    }
    let mut date = None;
    if r.first() == Some(&b'"') {
        let (rest, d) = date_time(r)?;
        date = Some(d);
        let (rest, ()) = sp(rest)?;
        r = rest;
    }
    Ok((r, (m, flags, date)))
}

fn search(i: &[u8], uid: bool) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, return_options) = if starts_with_keyword(r, "RETURN ") {
        let (r, opts) = search_return_opts(r)?;
        let (r, ()) = sp(r)?;
        (r, Some(opts))
    } else {
        (r, None)
    };
    let (r, (charset, criteria)) = search_program(r)?;
    Ok((
        r,
        CommandBody::Search {
            return_options,
            charset,
            criteria,
            uid,
        },
    ))
}

/// ```text
/// sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
/// search-criteria = charset 1*(SP search-key)
/// ```
fn sort(i: &[u8], uid: bool) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, criteria) = sort_criteria(r)?;
    let (r, ()) = sp(r)?;
    let (r, charset) = crate::codec::parse::core::charset(r)?;
    let (r, ()) = sp(r)?;
    let (r, search) = crate::codec::parse::search::search_keys(r)?;
    Ok((
        r,
        CommandBody::Sort {
            criteria,
            charset,
            search,
            uid,
        },
    ))
}

fn fetch(i: &[u8], uid: bool) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, sequence_set) = sequence_set(r)?;
    let (r, ()) = sp(r)?;
    let (r, items) = fetch_items(r)?;
    let (r, modifiers) = if r.starts_with(b" (") {
        fetch_modifiers(&r[1..])?
    } else {
        (r, Vec::new())
    };
    Ok((
        r,
        CommandBody::Fetch {
            sequence_set,
            items,
            modifiers,
            uid,
        },
    ))
}

/// ```text
/// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
/// store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
///                   (flag-list / (flag *(SP flag)))
/// ```
fn store(i: &[u8], uid: bool) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, sequence_set) = sequence_set(r)?;
    let (r, ()) = sp(r)?;
    let (r, modifiers) = if r.first() == Some(&b'(') {
        let (r, mods) = paren_list(r, "store-modifiers", |i| {
            let (i, ()) = keyword(i, "UNCHANGEDSINCE")?;
            let (i, ()) = sp(i)?;
            let (i, n) = mod_sequence_valzer(i)?;
            Ok((i, StoreModifier::UnchangedSince(n)))
        })?;
        let (r, ()) = sp(r)?;
        (r, mods)
    } else {
        (r, Vec::new())
    };
    let (r, kind) = match r.first() {
        Some(b'+') => (&r[1..], StoreKind::Add),
        Some(b'-') => (&r[1..], StoreKind::Remove),
        _ => (r, StoreKind::Replace),
    };
    let (r, ()) = keyword(r, "FLAGS")?;
    let (r, silent) = match keyword(r, ".SILENT") {
        Ok((r, ())) => (r, true),
        Err(_) => (r, false),
    };
    let (r, ()) = sp(r)?;
    let (r, flags) = if r.first() == Some(&b'(') {
        flag_list(r)?
    } else {
        let (r, flags) = crate::codec::parse::core::sp_list1(r, "flag", flag)?;
        (r, flags.into_inner())
    };
    Ok((
        r,
        CommandBody::Store {
            sequence_set,
            kind,
            silent,
            flags,
            modifiers,
            uid,
        },
    ))
}

fn copy_or_move(i: &[u8], uid: bool, is_move: bool) -> PResult<'_, CommandBody<'_>> {
    let (r, ()) = sp(i)?;
    let (r, sequence_set) = sequence_set(r)?;
    let (r, ()) = sp(r)?;
    let (r, mailbox) = mailbox(r)?;
    let body = if is_move {
        CommandBody::Move {
            sequence_set,
            mailbox,
            uid,
        }
    } else {
        CommandBody::Copy {
            sequence_set,
            mailbox,
            uid,
        }
    };
    Ok((r, body))
}

/// The tag of a command line, if it starts with a valid one (to tag a `BAD` reply).
pub(crate) fn command_tag(i: &[u8]) -> Option<crate::types::Tag<'_>> {
    match tag(i) {
        Ok((rest, t)) if rest.first() == Some(&b' ') => Some(t),
        _ => None,
    }
}

/// ```text
/// idle-done = "DONE" CRLF
/// ```
pub(crate) fn idle_done(i: &[u8]) -> PResult<'_, ()> {
    let (i, ()) = keyword(i, "DONE")?;
    crlf(i)
}

/// A client's answer during AUTHENTICATE: base64 data, or `*` to cancel.
///
/// ```text
/// authenticate = ... *(CRLF base64)
/// ```
pub(crate) fn authenticate_data(i: &[u8]) -> PResult<'_, Option<Vec<u8>>> {
    if let [b'*', b'\r', b'\n', rest @ ..] = i {
        return Ok((rest, None));
    }
    let (i, data) = named("base64", base64(i))?;
    let (i, ()) = crlf(i)?;
    Ok((i, Some(data)))
}
