//! From frames to commands: state rules, argument checks, and what each command
//! waits for.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::codec::frame::LiteralAnnouncement;
use crate::codec::parse;
use crate::command::{
    CommandBody, FetchAttribute, FetchModifier, ListReturnOption, ListSelectOption,
    SearchReturnOption, SelectParameter, StatusItem, StoreModifier,
};
use crate::response::{Continue, Data, NamespaceDescription, Response};
use crate::server::list::{ListQuery, combine};
use crate::server::pending::{
    AppendPending, CopyPending, ExpungePending, FetchPending, ListPending, LoginPending,
    MailboxOperation, MailboxPending, Pending, SearchPending, SelectPending, StatusPending,
    StorePending,
};
use crate::server::sasl::{self, PasswordCredentials, SaslStep};
use crate::server::search::to_uid_keys;
use crate::server::view::uid;
use crate::server::{Extension, ServerSession, SessionError, State};
use crate::types::{AString, AuthMechanism, IString, LiteralMode, Mailbox, Secret, Tag, Text};

/// Most octets LITERAL- allows in a non-synchronizing literal (RFC 7888).
const LITERAL_MINUS_MAX: u64 = 4096;

impl ServerSession {
    /// A complete frame: a command, or the next line of a multi-step command.
    pub(crate) fn handle_frame(&mut self, frame: Bytes) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Sasl(tag, mechanism, step) => self.sasl_line(&frame, tag, mechanism, step),
            Pending::Idle(tag) => {
                if parse::idle_done(&frame).is_ok() {
                    self.complete_ok(tag, None, "IDLE terminated", true);
                } else {
                    self.refuse(Some(tag), SessionError::ExpectedDone);
                }
            }
            Pending::AppendTail(p) => {
                if &frame[..] == b"\r\n" {
                    self.pending = Pending::AppendDone(p);
                } else {
                    // MULTIAPPEND and APPEND extensions are not offered.
                    self.refuse(Some(p.tag), SessionError::Unsupported("MULTIAPPEND"));
                }
            }
            other => {
                self.pending = other;
                self.dispatch_frame(&frame);
            }
        }
    }

    /// A literal was announced: decide before its bytes are read.
    pub(crate) fn handle_literal(&mut self, a: LiteralAnnouncement) {
        if !matches!(self.pending, Pending::None) {
            // SASL responses and DONE are single lines.
            let tag = match std::mem::replace(&mut self.pending, Pending::None) {
                Pending::Sasl(tag, ..) | Pending::Idle(tag) => Some(tag),
                Pending::AppendTail(p) => Some(p.tag),
                _ => None,
            };
            self.framer.reject_literal();
            self.refuse(tag, SessionError::Unsupported("a literal here"));
            return;
        }
        let head = parse::append_message_head(self.framer.pending()).map(
            |(tag, (mailbox, flags, date))| (tag.into_owned(), mailbox.into_owned(), flags, date),
        );
        let Some((tag, mailbox, flags, date)) = head else {
            self.generic_literal(a);
            return;
        };
        if !matches!(self.state, State::Authenticated | State::Selected) {
            self.framer.reject_literal();
            self.refuse(Some(tag), SessionError::WrongState { command: "APPEND" });
            return;
        }
        if a.binary && !self.config.is_enabled(Extension::Binary) {
            self.framer.reject_literal();
            self.refuse(Some(tag), SessionError::Unsupported("BINARY"));
            return;
        }
        if self.literal_mode_refused(a) || a.length > self.config.limits.max_append {
            self.framer.reject_literal();
            self.refuse(Some(tag), SessionError::LiteralTooLarge);
            return;
        }
        let name = match self.mailbox_name(&mailbox) {
            Ok(name) => name,
            Err(error) => {
                self.framer.reject_literal();
                self.refuse(Some(tag), error);
                return;
            }
        };
        self.pending = Pending::Append(Box::new(AppendPending {
            tag,
            name,
            flags: flags
                .into_iter()
                .map(crate::types::Flag::into_owned)
                .collect(),
            date,
            length: a.length,
            remaining: a.length,
            binary: a.binary,
            sync: a.mode == LiteralMode::Sync,
        }));
    }

    fn literal_mode_refused(&self, a: LiteralAnnouncement) -> bool {
        a.mode == LiteralMode::NonSync && !self.config.literal_plus && a.length > LITERAL_MINUS_MAX
    }

    /// A literal inside a command other than an APPEND message.
    fn generic_literal(&mut self, a: LiteralAnnouncement) {
        let tag = parse::command_tag(self.framer.pending()).map(Tag::into_owned);
        let refused = self.literal_mode_refused(a)
            || a.length > self.config.limits.max_literal
            || self.framer.literal_exceeds_frame_limit();
        if refused {
            self.framer.reject_literal();
            self.refuse(tag, SessionError::LiteralTooLarge);
            return;
        }
        self.framer.accept_literal();
        if a.mode == LiteralMode::Sync {
            self.write_continue("Ready for literal data");
        }
    }

    pub(crate) fn write_continue(&mut self, text: &'static str) {
        crate::codec::encode::response(
            &Response::Continue(Continue::Basic {
                code: None,
                text: Text::unvalidated(text),
            }),
            &mut self.output,
        );
    }

    fn dispatch_frame(&mut self, frame: &[u8]) {
        match parse::command(frame) {
            Ok(command) => {
                let tag = command.tag.into_owned();
                self.dispatch(tag, command.body);
            }
            Err(error) => {
                let tag = parse::command_tag(frame);
                self.refuse(tag, SessionError::Syntax(error));
            }
        }
    }

    /// The Unicode name of a wire-form mailbox name.
    pub(crate) fn mailbox_name(&self, mailbox: &Mailbox<'_>) -> Result<String, SessionError> {
        mailbox
            .to_name(self.utf8_names())
            .map(|n| n.into_owned())
            .map_err(|_| {
                SessionError::Syntax(crate::error::ParseError::Syntax {
                    rule: "mailbox",
                    offset: 0,
                })
            })
    }

    fn require(&mut self, tag: &Tag<'static>, command: &'static str, allowed: &[State]) -> bool {
        if allowed.contains(&self.state) {
            return true;
        }
        self.refuse(Some(tag.clone()), SessionError::WrongState { command });
        false
    }

    fn require_extension(
        &mut self,
        tag: &Tag<'static>,
        extension: Extension,
        what: &'static str,
    ) -> bool {
        if self.config.is_enabled(extension) {
            return true;
        }
        self.refuse(Some(tag.clone()), SessionError::Unsupported(what));
        false
    }

    fn dispatch(&mut self, tag: Tag<'static>, body: CommandBody<'_>) {
        use CommandBody as C;
        const ANY: &[State] = &[
            State::NotAuthenticated,
            State::Authenticated,
            State::Selected,
        ];
        const NOT_AUTH: &[State] = &[State::NotAuthenticated];
        const AUTH: &[State] = &[State::Authenticated, State::Selected];
        const SELECTED: &[State] = &[State::Selected];
        let name = body.name();
        let allowed = match &body {
            C::Capability | C::Noop | C::Logout | C::Id { .. } => ANY,
            C::StartTls | C::Authenticate { .. } | C::Login { .. } => NOT_AUTH,
            C::Enable { .. } => &[State::Authenticated],
            C::Check
            | C::Close
            | C::Unselect
            | C::Expunge
            | C::UidExpunge { .. }
            | C::Search { .. }
            | C::Sort { .. }
            | C::Fetch { .. }
            | C::Store { .. }
            | C::Copy { .. }
            | C::Move { .. } => SELECTED,
            _ => AUTH,
        };
        if !self.require(&tag, name, allowed) {
            return;
        }
        match body {
            C::Capability => {
                let caps = self.config.capabilities(self.state, self.tls_active);
                self.write_data(Data::Capability(caps));
                self.complete_ok(tag, None, "CAPABILITY completed", true);
            }
            C::Noop | C::Check => self.complete_ok(tag, None, &format!("{name} completed"), true),
            C::Logout => {
                self.write_status(crate::response::StatusResponse::bye(
                    None,
                    Text::unvalidated("Logging out"),
                ));
                self.write_status(crate::response::StatusResponse::ok(
                    Some(tag),
                    None,
                    Text::unvalidated("LOGOUT completed"),
                ));
                self.logout();
            }
            C::Id { .. } => {
                if self.require_extension(&tag, Extension::Id, "ID") {
                    let fields: Vec<(IString<'static>, crate::types::NString<'static>)> = self
                        .config
                        .id
                        .iter()
                        .filter_map(|(k, v)| {
                            Some((
                                IString::from_text(k.clone()).ok()?,
                                crate::types::NString::from_text(v.clone()).ok()?,
                            ))
                        })
                        .collect();
                    let params = if fields.is_empty() {
                        None
                    } else {
                        Some(fields)
                    };
                    self.write_data(Data::Id(params));
                    self.complete_ok(tag, None, "ID completed", true);
                }
            }
            C::StartTls => {
                if !self.config.tls_available || self.tls_active {
                    self.refuse(Some(tag), SessionError::Unsupported("STARTTLS"));
                } else {
                    self.write_status(crate::response::StatusResponse::ok(
                        Some(tag),
                        None,
                        Text::unvalidated("Begin TLS negotiation now"),
                    ));
                    self.pending = Pending::StartTls;
                }
            }
            C::Login { username, password } => self.login(tag, username, password),
            C::Authenticate {
                mechanism,
                initial_response,
            } => self.authenticate(
                tag,
                mechanism.into_owned(),
                initial_response.map(|r| r.into_declassified().into_owned()),
            ),
            C::Enable { capabilities } => self.enable(tag, &capabilities),
            C::Select {
                mailbox,
                parameters,
            } => self.select(tag, &mailbox, &parameters, false),
            C::Examine {
                mailbox,
                parameters,
            } => self.select(tag, &mailbox, &parameters, true),
            C::Create { mailbox } => self.mailbox_operation(tag, "CREATE", &mailbox, None),
            C::Delete { mailbox } => self.mailbox_operation(tag, "DELETE", &mailbox, None),
            C::Rename { from, to } => self.mailbox_operation(tag, "RENAME", &from, Some(&to)),
            C::Subscribe { mailbox } => self.mailbox_operation(tag, "SUBSCRIBE", &mailbox, None),
            C::Unsubscribe { mailbox } => {
                self.mailbox_operation(tag, "UNSUBSCRIBE", &mailbox, None)
            }
            C::List {
                selection,
                reference,
                patterns,
                return_options,
            } => self.list(
                tag,
                &selection,
                &reference,
                patterns.as_slice(),
                &return_options,
                false,
            ),
            C::Lsub { reference, pattern } => {
                self.list(tag, &[], &reference, &[pattern], &[], true)
            }
            C::Namespace => {
                if self.require_extension(&tag, Extension::Namespace, "NAMESPACE") {
                    let personal = vec![NamespaceDescription {
                        prefix: IString::Quoted(crate::types::Quoted::empty()),
                        delimiter: Some(self.config.delimiter),
                    }];
                    self.write_data(Data::Namespace {
                        personal,
                        other: Vec::new(),
                        shared: Vec::new(),
                    });
                    self.complete_ok(tag, None, "NAMESPACE completed", true);
                }
            }
            C::Status { mailbox, items } => self.status(tag, &mailbox, items.as_slice()),
            C::Append { .. } => {
                // Every APPEND ends with its message literal, which the session takes
                // through the announcement path; a whole APPEND frame means the
                // message arrived as part of a generic literal, which is refused.
                self.refuse(
                    Some(tag),
                    SessionError::Unsupported("APPEND without a message literal"),
                );
            }
            C::Idle => {
                if self.require_extension(&tag, Extension::Idle, "IDLE") {
                    crate::codec::encode::response(
                        &Response::Continue(Continue::Basic {
                            code: None,
                            text: Text::unvalidated("idling"),
                        }),
                        &mut self.output,
                    );
                    self.flush_updates(true);
                    self.pending = Pending::Idle(tag);
                }
            }
            C::Close => {
                let read_only = self.view.as_ref().is_none_or(|v| v.read_only);
                if read_only {
                    self.deselect();
                    self.write_status(crate::response::StatusResponse::ok(
                        Some(tag),
                        None,
                        Text::unvalidated("CLOSE completed"),
                    ));
                } else {
                    self.pending = Pending::Expunge(Box::new(ExpungePending {
                        tag,
                        uids: None,
                        close: true,
                    }));
                }
            }
            C::Unselect => {
                if self.require_extension(&tag, Extension::Unselect, "UNSELECT") {
                    self.deselect();
                    self.write_status(crate::response::StatusResponse::ok(
                        Some(tag),
                        None,
                        Text::unvalidated("UNSELECT completed"),
                    ));
                }
            }
            C::Expunge => {
                if self.writable(&tag) {
                    self.pending = Pending::Expunge(Box::new(ExpungePending {
                        tag,
                        uids: None,
                        close: false,
                    }));
                }
            }
            C::UidExpunge { sequence_set } => {
                if self.require_extension(&tag, Extension::UidPlus, "UID EXPUNGE")
                    && self.writable(&tag)
                {
                    let uids = self.resolve(&sequence_set, true).unwrap_or_default();
                    self.pending = Pending::Expunge(Box::new(ExpungePending {
                        tag,
                        uids: Some(uids.into_iter().map(|(_, u)| uid(u)).collect()),
                        close: false,
                    }));
                }
            }
            C::Search {
                return_options,
                charset,
                criteria,
                uid: by_uid,
            } => self.search(
                tag,
                return_options,
                charset.as_ref(),
                criteria.as_slice(),
                None,
                by_uid,
            ),
            C::Sort {
                criteria,
                charset,
                search,
                uid: by_uid,
            } => {
                if self.require_extension(&tag, Extension::Sort, "SORT") {
                    self.search(
                        tag,
                        None,
                        Some(&charset),
                        search.as_slice(),
                        Some(criteria.into_inner()),
                        by_uid,
                    );
                }
            }
            C::Fetch {
                sequence_set,
                items,
                modifiers,
                uid: by_uid,
            } => self.fetch(tag, &sequence_set, &items, &modifiers, by_uid),
            C::Store {
                sequence_set,
                kind,
                silent,
                flags,
                modifiers,
                uid: by_uid,
            } => {
                if !self.writable(&tag) {
                    return;
                }
                let Some(messages) = self.resolve_or_refuse(&tag, &sequence_set, by_uid) else {
                    return;
                };
                let unchanged_since = modifiers
                    .iter()
                    .map(|StoreModifier::UnchangedSince(n)| *n)
                    .next();
                if unchanged_since.is_some() {
                    if !self.require_extension(&tag, Extension::CondStore, "UNCHANGEDSINCE") {
                        return;
                    }
                    self.enabled.condstore = true;
                }
                if messages.is_empty() {
                    self.complete_ok(tag, None, "STORE completed", by_uid);
                    return;
                }
                self.pending = Pending::Store(Box::new(StorePending {
                    tag,
                    uid: by_uid,
                    uids: messages.into_iter().map(|(_, u)| uid(u)).collect(),
                    kind,
                    silent,
                    flags: flags
                        .into_iter()
                        .map(crate::types::Flag::into_owned)
                        .collect(),
                    unchanged_since,
                }));
            }
            C::Copy {
                sequence_set,
                mailbox,
                uid: by_uid,
            } => self.copy(tag, &sequence_set, &mailbox, by_uid, false),
            C::Move {
                sequence_set,
                mailbox,
                uid: by_uid,
            } => {
                if self.require_extension(&tag, Extension::Move, "MOVE") && self.writable(&tag) {
                    self.copy(tag, &sequence_set, &mailbox, by_uid, true);
                }
            }
            // `CommandBody` is non-exhaustive for users; every variant is handled above.
            #[allow(unreachable_patterns)]
            _ => self.refuse(Some(tag), SessionError::Unsupported("command")),
        }
    }

    fn writable(&mut self, tag: &Tag<'static>) -> bool {
        if self.view.as_ref().is_some_and(|v| v.read_only) {
            self.refuse(Some(tag.clone()), SessionError::ReadOnly);
            return false;
        }
        true
    }

    fn resolve(&self, set: &crate::types::SequenceSet, by_uid: bool) -> Option<Vec<(u32, u32)>> {
        self.view.as_ref().and_then(|v| v.resolve(set, by_uid))
    }

    fn resolve_or_refuse(
        &mut self,
        tag: &Tag<'static>,
        set: &crate::types::SequenceSet,
        by_uid: bool,
    ) -> Option<Vec<(u32, u32)>> {
        let resolved = self.resolve(set, by_uid);
        if resolved.is_none() {
            self.refuse(Some(tag.clone()), SessionError::InvalidSequence);
        }
        resolved
    }

    // ----- not authenticated -----

    fn login(&mut self, tag: Tag<'static>, username: AString<'_>, password: Secret<AString<'_>>) {
        if !self.config.password_allowed(self.tls_active) {
            self.refuse(Some(tag), SessionError::PrivacyRequired);
            return;
        }
        let Ok(username) = String::from_utf8(username.as_bytes().to_vec()) else {
            self.refuse(Some(tag), SessionError::SaslMalformed);
            return;
        };
        let password = Secret::new(password.declassify().as_bytes().to_vec());
        self.pending = Pending::Login(Box::new(LoginPending {
            tag,
            credentials: PasswordCredentials {
                username,
                password,
                authzid: None,
            },
            mechanism: None,
        }));
    }

    fn authenticate(
        &mut self,
        tag: Tag<'static>,
        mechanism: AuthMechanism<'static>,
        initial: Option<Vec<u8>>,
    ) {
        let plain =
            mechanism == AuthMechanism::PLAIN && self.config.is_enabled(Extension::AuthPlain);
        let login =
            mechanism == AuthMechanism::LOGIN && self.config.is_enabled(Extension::AuthLogin);
        if !plain && !login {
            self.write_status(crate::response::StatusResponse::no(
                Some(tag),
                Some(crate::response::Code::Cannot),
                Text::unvalidated("Unsupported authentication mechanism"),
            ));
            return;
        }
        if !self.config.password_allowed(self.tls_active) {
            self.refuse(Some(tag), SessionError::PrivacyRequired);
            return;
        }
        if initial.is_some() && !self.config.is_enabled(Extension::SaslIr) {
            self.refuse(Some(tag), SessionError::Unsupported("SASL-IR"));
            return;
        }
        match (plain, initial) {
            (true, Some(data)) => self.sasl_finish(tag, mechanism, sasl::plain(&data)),
            (true, None) => {
                self.write_challenge(b"");
                self.pending = Pending::Sasl(tag, mechanism, SaslStep::Plain);
            }
            (false, Some(user)) => match String::from_utf8(user) {
                Ok(user) => {
                    self.write_challenge(sasl::LOGIN_PASSWORD_PROMPT);
                    self.pending = Pending::Sasl(tag, mechanism, SaslStep::LoginPassword(user));
                }
                Err(_) => self.refuse(Some(tag), SessionError::SaslMalformed),
            },
            (false, None) => {
                self.write_challenge(sasl::LOGIN_USER_PROMPT);
                self.pending = Pending::Sasl(tag, mechanism, SaslStep::LoginUser);
            }
        }
    }

    fn write_challenge(&mut self, data: &[u8]) {
        crate::codec::encode::response(
            &Response::Continue(Continue::Base64(std::borrow::Cow::Borrowed(data))),
            &mut self.output,
        );
    }

    fn sasl_line(
        &mut self,
        frame: &[u8],
        tag: Tag<'static>,
        mechanism: AuthMechanism<'static>,
        step: SaslStep,
    ) {
        let data = match parse::authenticate_data(frame) {
            Ok(Some(data)) => data,
            Ok(None) => {
                self.refuse(Some(tag), SessionError::AuthenticationCancelled);
                return;
            }
            Err(_) => {
                self.refuse(Some(tag), SessionError::SaslMalformed);
                return;
            }
        };
        match step {
            SaslStep::Plain => self.sasl_finish(tag, mechanism, sasl::plain(&data)),
            SaslStep::LoginUser => match String::from_utf8(data) {
                Ok(user) if !user.is_empty() => {
                    self.write_challenge(sasl::LOGIN_PASSWORD_PROMPT);
                    self.pending = Pending::Sasl(tag, mechanism, SaslStep::LoginPassword(user));
                }
                _ => self.refuse(Some(tag), SessionError::SaslMalformed),
            },
            SaslStep::LoginPassword(username) => {
                let credentials = PasswordCredentials {
                    username,
                    password: Secret::new(data),
                    authzid: None,
                };
                self.sasl_finish(tag, mechanism, Ok(credentials));
            }
        }
    }

    fn sasl_finish(
        &mut self,
        tag: Tag<'static>,
        mechanism: AuthMechanism<'static>,
        credentials: Result<PasswordCredentials, SessionError>,
    ) {
        match credentials {
            Ok(credentials) => {
                self.pending = Pending::Login(Box::new(LoginPending {
                    tag,
                    credentials,
                    mechanism: Some(mechanism),
                }));
            }
            Err(error) => self.refuse(Some(tag), error),
        }
    }

    // ----- authenticated -----

    fn enable(&mut self, tag: Tag<'static>, capabilities: &[crate::types::Capability<'_>]) {
        use crate::types::Capability as Cap;
        let mut newly = Vec::new();
        for cap in capabilities {
            let (on, flag) = if *cap == Cap::CONDSTORE {
                (
                    self.config.is_enabled(Extension::CondStore),
                    &mut self.enabled.condstore,
                )
            } else if *cap == Cap::QRESYNC {
                (
                    self.config.is_enabled(Extension::QResync),
                    &mut self.enabled.qresync,
                )
            } else if *cap == Cap::UTF8_ACCEPT {
                (
                    self.config.is_enabled(Extension::Utf8Accept),
                    &mut self.enabled.utf8,
                )
            } else if *cap == Cap::IMAP4REV2 {
                (
                    self.config.is_enabled(Extension::Imap4Rev2),
                    &mut self.enabled.rev2,
                )
            } else {
                continue;
            };
            if on && !*flag {
                *flag = true;
                newly.push(cap.clone().into_owned());
            }
        }
        if self.enabled.qresync {
            // QRESYNC implies CONDSTORE (RFC 7162 section 3.2.3).
            self.enabled.condstore = true;
        }
        self.write_data(Data::Enabled(newly));
        self.complete_ok(tag, None, "ENABLE completed", true);
    }

    fn select(
        &mut self,
        tag: Tag<'static>,
        mailbox: &Mailbox<'_>,
        parameters: &[SelectParameter],
        read_only: bool,
    ) {
        let mut condstore = false;
        let mut qresync = None;
        for p in parameters {
            match p {
                SelectParameter::CondStore => {
                    if !self.require_extension(&tag, Extension::CondStore, "CONDSTORE") {
                        return;
                    }
                    condstore = true;
                }
                SelectParameter::Qresync(q) => {
                    if !self.enabled.qresync {
                        self.refuse(
                            Some(tag),
                            SessionError::Unsupported("QRESYNC without ENABLE"),
                        );
                        return;
                    }
                    qresync = Some(q.clone());
                }
            }
        }
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(error) => {
                self.refuse(Some(tag), error);
                return;
            }
        };
        if self.view.is_some() {
            self.deselect();
            self.write_status(crate::response::StatusResponse::ok(
                None,
                Some(crate::response::Code::Closed),
                Text::unvalidated("Previous mailbox closed"),
            ));
        }
        if condstore {
            self.enabled.condstore = true;
        }
        self.pending = Pending::Select(Box::new(SelectPending {
            tag,
            name,
            read_only,
            condstore,
            qresync,
        }));
    }

    fn mailbox_operation(
        &mut self,
        tag: Tag<'static>,
        command: &'static str,
        mailbox: &Mailbox<'_>,
        to: Option<&Mailbox<'_>>,
    ) {
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(error) => return self.refuse(Some(tag), error),
        };
        let is_inbox = matches!(mailbox, Mailbox::Inbox);
        let operation = match command {
            "CREATE" => {
                if is_inbox {
                    let rejection = crate::server::Rejection::already_exists();
                    return self.reject_command(tag, rejection);
                }
                let trimmed = name.trim_end_matches(self.config.delimiter).to_owned();
                if trimmed.is_empty() {
                    return self.reject_command(
                        tag,
                        crate::server::Rejection::cannot("Invalid mailbox name"),
                    );
                }
                MailboxOperation::Create { name: trimmed }
            }
            "DELETE" => {
                if is_inbox {
                    return self.reject_command(
                        tag,
                        crate::server::Rejection::cannot("INBOX cannot be deleted"),
                    );
                }
                MailboxOperation::Delete { name }
            }
            "RENAME" => {
                let to = match to.map(|m| self.mailbox_name(m)) {
                    Some(Ok(to)) => to,
                    Some(Err(error)) => return self.refuse(Some(tag), error),
                    None => {
                        return self
                            .refuse(Some(tag), SessionError::Misuse("RENAME without target"));
                    }
                };
                if to.eq_ignore_ascii_case("INBOX") {
                    return self.reject_command(tag, crate::server::Rejection::already_exists());
                }
                MailboxOperation::Rename { from: name, to }
            }
            "SUBSCRIBE" => MailboxOperation::Subscribe { name },
            _ => MailboxOperation::Unsubscribe { name },
        };
        self.pending = Pending::Mailbox(Box::new(MailboxPending { tag, operation }));
    }

    fn list(
        &mut self,
        tag: Tag<'static>,
        selection: &[ListSelectOption],
        reference: &Mailbox<'_>,
        patterns: &[crate::types::ListMailbox<'_>],
        return_options: &[ListReturnOption],
        lsub: bool,
    ) {
        let extended = !selection.is_empty() || !return_options.is_empty();
        if extended && !self.require_extension(&tag, Extension::ListExtended, "LIST-EXTENDED") {
            return;
        }
        let utf8 = self.utf8_names();
        let reference = match reference.to_name(utf8) {
            Ok(r) => r.into_owned(),
            Err(_) => {
                return self.refuse(Some(tag), SessionError::Unsupported("this reference name"));
            }
        };
        let mut query = ListQuery {
            lsub,
            subscribed_only: lsub,
            ..ListQuery::default()
        };
        for p in patterns {
            let Ok(pattern) = p.to_pattern(utf8) else {
                return self.refuse(Some(tag), SessionError::Unsupported("this pattern"));
            };
            if pattern.is_empty() && !lsub {
                // LIST "" "": the hierarchy delimiter and root.
                if patterns.len() == 1 {
                    self.write_data(Data::List(crate::response::ListItem {
                        attributes: vec![crate::types::MailboxAttribute::NOSELECT],
                        delimiter: Some(self.config.delimiter),
                        mailbox: Mailbox::Other(AString::String(IString::Quoted(
                            crate::types::Quoted::empty(),
                        ))),
                        extended: Vec::new(),
                    }));
                    return self.complete_ok(tag, None, "LIST completed", true);
                }
                continue;
            }
            query
                .patterns
                .push(combine(&reference, &pattern, self.config.delimiter));
        }
        let mut status = None;
        for option in selection {
            match option {
                ListSelectOption::Subscribed => query.subscribed_only = true,
                ListSelectOption::RecursiveMatch => query.recursive_match = true,
                ListSelectOption::Remote => {}
                ListSelectOption::SpecialUse => {
                    if !self.require_extension(&tag, Extension::SpecialUse, "SPECIAL-USE") {
                        return;
                    }
                    query.special_use_only = true;
                }
            }
        }
        if query.recursive_match && !query.subscribed_only {
            return self.refuse(Some(tag), SessionError::Unsupported("RECURSIVEMATCH alone"));
        }
        for option in return_options {
            match option {
                ListReturnOption::Subscribed => query.return_subscribed = true,
                ListReturnOption::Children | ListReturnOption::SpecialUse => {}
                ListReturnOption::Status(items) => {
                    if !self.require_extension(&tag, Extension::ListStatus, "LIST-STATUS") {
                        return;
                    }
                    status = Some(items.as_slice().to_vec());
                }
            }
        }
        if query.patterns.is_empty() {
            return self.complete_ok(tag, None, "LIST completed", true);
        }
        self.pending = Pending::List(Box::new(ListPending { tag, query, status }));
    }

    fn status(&mut self, tag: Tag<'static>, mailbox: &Mailbox<'_>, items: &[StatusItem]) {
        if items.contains(&StatusItem::HighestModSeq) {
            if !self.require_extension(&tag, Extension::CondStore, "HIGHESTMODSEQ") {
                return;
            }
            self.enabled.condstore = true;
        }
        let name = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(error) => return self.refuse(Some(tag), error),
        };
        self.pending = Pending::Status(Box::new(StatusPending {
            tag,
            name,
            items: items.to_vec(),
        }));
    }

    // ----- selected -----

    fn search(
        &mut self,
        tag: Tag<'static>,
        return_options: Option<Vec<SearchReturnOption>>,
        charset: Option<&crate::types::Charset<'_>>,
        criteria: &[crate::command::SearchKey<'_>],
        sort: Option<Vec<crate::command::SortCriterion>>,
        by_uid: bool,
    ) {
        if charset.is_some_and(|c| !c.is_utf8_or_ascii()) {
            return self.refuse(Some(tag), SessionError::BadCharset);
        }
        if let Some(options) = &return_options
            && options.contains(&SearchReturnOption::Save)
        {
            return self.refuse(Some(tag), SessionError::Unsupported("SEARCHRES"));
        }
        let modseq = criteria.iter().any(crate::command::SearchKey::uses_modseq);
        if modseq {
            if !self.require_extension(&tag, Extension::CondStore, "MODSEQ") {
                return;
            }
            self.enabled.condstore = true;
        }
        let Some(view) = &self.view else {
            return self.refuse(Some(tag), SessionError::WrongState { command: "SEARCH" });
        };
        let Some(criteria) = to_uid_keys(view, criteria) else {
            return self.refuse(Some(tag), SessionError::InvalidSequence);
        };
        self.pending = Pending::Search(Box::new(SearchPending {
            tag,
            uid: by_uid,
            criteria,
            return_options,
            sort,
            modseq,
        }));
    }

    fn fetch(
        &mut self,
        tag: Tag<'static>,
        set: &crate::types::SequenceSet,
        items: &crate::command::FetchItems<'_>,
        modifiers: &[FetchModifier],
        by_uid: bool,
    ) {
        let Some(messages) = self.resolve_or_refuse(&tag, set, by_uid) else {
            return;
        };
        let mut attributes: Vec<FetchAttribute<'static>> = items
            .expand()
            .into_iter()
            .map(FetchAttribute::into_owned)
            .collect();
        let mut changed_since = None;
        let mut vanished = false;
        for m in modifiers {
            match m {
                FetchModifier::ChangedSince(n) => changed_since = Some(*n),
                FetchModifier::Vanished => vanished = true,
            }
        }
        let binary = attributes.iter().any(|a| {
            matches!(
                a,
                FetchAttribute::Binary { .. } | FetchAttribute::BinarySize { .. }
            )
        });
        if binary && !self.require_extension(&tag, Extension::Binary, "BINARY") {
            return;
        }
        if changed_since.is_some() || attributes.contains(&FetchAttribute::ModSeq) {
            if !self.require_extension(&tag, Extension::CondStore, "CONDSTORE") {
                return;
            }
            self.enabled.condstore = true;
            if !attributes.contains(&FetchAttribute::ModSeq) {
                attributes.push(FetchAttribute::ModSeq);
            }
        }
        if vanished && (!by_uid || changed_since.is_none() || !self.enabled.qresync) {
            return self.refuse(Some(tag), SessionError::Unsupported("VANISHED here"));
        }
        attributes.retain(|a| *a != FetchAttribute::Uid || !by_uid);
        let read_only = self.view.as_ref().is_none_or(|v| v.read_only);
        let marks_seen = !read_only && attributes.iter().any(FetchAttribute::sets_seen);
        if messages.is_empty() && !vanished {
            return self.complete_ok(tag, None, "FETCH completed", by_uid);
        }
        self.pending = Pending::Fetch(Box::new(FetchPending {
            tag,
            uid: by_uid,
            attributes,
            messages: VecDeque::from(messages),
            changed_since,
            vanished: vanished.then(|| set.clone()),
            marks_seen,
        }));
    }

    fn copy(
        &mut self,
        tag: Tag<'static>,
        set: &crate::types::SequenceSet,
        mailbox: &Mailbox<'_>,
        by_uid: bool,
        is_move: bool,
    ) {
        let Some(messages) = self.resolve_or_refuse(&tag, set, by_uid) else {
            return;
        };
        let destination = match self.mailbox_name(mailbox) {
            Ok(name) => name,
            Err(error) => return self.refuse(Some(tag), error),
        };
        if messages.is_empty() {
            let text = if is_move {
                "MOVE completed"
            } else {
                "COPY completed"
            };
            return self.complete_ok(tag, None, text, true);
        }
        self.pending = Pending::Copy(Box::new(CopyPending {
            tag,
            uids: messages.into_iter().map(|(_, u)| uid(u)).collect(),
            destination,
            is_move,
        }));
    }
}
