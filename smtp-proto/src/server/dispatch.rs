//! Command handling: the ordering rules of RFC 5321 section 4.1.4 and of the
//! extensions, and the answers to the envelope decisions.

use bytes::BufMut;

use crate::codec::frame::Line;
use crate::codec::parse;
use crate::command::{Command, MailParameters, RcptParameters};
use crate::error::{LimitExceeded, Policy, Sequence, SessionError, Unsupported};
use crate::reply::Reply;
use crate::server::session::{Mode, Pending, Transaction};
use crate::server::{HelloKind, Protocol, ServerConfig, ServerSession, VerifyKind};
use crate::types::{
    BodyType, EnhancedStatusCode, Envelope, ForwardPath, Host, Recipient, ReplyCode, ReversePath,
};

impl ServerSession {
    /// Takes one command line off the input and handles it; false when there is none.
    pub(super) fn next_command(&mut self) -> bool {
        match self.lines.next(&mut self.input) {
            None => false,
            Some(Line::TooLong) => {
                self.error(SessionError::LineTooLong);
                true
            }
            Some(Line::Complete { len }) => {
                let line = self.input.split_to(len);
                match parse::command(&line) {
                    Ok(command) => self.on_command(command),
                    Err(error) => self.error(error.into()),
                }
                true
            }
        }
    }

    fn on_command(&mut self, command: Command<'_>) {
        let lmtp = self.config.protocol == Protocol::Lmtp;
        let outcome = match command {
            Command::Ehlo(_) | Command::Helo(_) if lmtp => Err(unsupported("EHLO/HELO")),
            Command::Lhlo(_) if !lmtp => Err(unsupported("LHLO")),
            Command::Ehlo(host) => self.hello_command(host, HelloKind::Ehlo),
            Command::Helo(host) => self.hello_command(host, HelloKind::Helo),
            Command::Lhlo(host) => self.hello_command(host, HelloKind::Lhlo),
            Command::Mail { from, params } => self.mail_command(from, params),
            Command::Rcpt { to, params } => self.rcpt_command(to, params),
            Command::Data => self.data_command(),
            Command::Bdat { size, last } => {
                self.bdat_command(size, last);
                Ok(())
            }
            Command::Rset => {
                self.end_transaction(crate::server::AbortReason::Reset);
                self.reply(ReplyCode::OK, Some(EnhancedStatusCode::OK), "reset");
                Ok(())
            }
            Command::Noop(_) => {
                self.reply(ReplyCode::OK, Some(EnhancedStatusCode::OK), "OK");
                Ok(())
            }
            Command::Quit => {
                self.end_transaction(crate::server::AbortReason::Closed);
                let config = std::sync::Arc::clone(&self.config);
                self.reply_parts(
                    ReplyCode::CLOSING,
                    Some(EnhancedStatusCode::OK),
                    &[config.hostname.as_str(), " closing connection"],
                );
                self.closing = true;
                Ok(())
            }
            Command::Vrfy(arg) if self.config.vrfy => {
                self.pending = Pending::Verify(Box::new((VerifyKind::Vrfy, arg.into_owned())));
                Ok(())
            }
            Command::Expn(arg) if self.config.vrfy => {
                self.pending = Pending::Verify(Box::new((VerifyKind::Expn, arg.into_owned())));
                Ok(())
            }
            Command::Vrfy(_) => {
                self.reply(
                    ReplyCode::CANNOT_VERIFY,
                    EnhancedStatusCode::new(2, 5, 0).ok(),
                    "cannot VRFY user, but will accept message and attempt delivery",
                );
                Ok(())
            }
            Command::Expn(_) => Err(unsupported("EXPN")),
            Command::Help(_) => {
                self.reply(
                    ReplyCode::HELP,
                    Some(EnhancedStatusCode::OK),
                    "see https://www.rfc-editor.org/rfc/rfc5321",
                );
                Ok(())
            }
            Command::StartTls => self.starttls_command(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth_command(mechanism, initial_response),
        };
        if let Err(error) = outcome {
            self.error(error);
        }
    }

    fn hello_command(&mut self, host: Host<'_>, kind: HelloKind) -> Result<(), SessionError> {
        self.pending = Pending::Hello(Box::new((host.into_owned(), kind)));
        Ok(())
    }

    fn mail_command(
        &mut self,
        from: ReversePath<'_>,
        params: MailParameters<'_>,
    ) -> Result<(), SessionError> {
        let Some((_, kind)) = &self.hello else {
            return Err(SessionError::OutOfSequence(Sequence::HelloFirst));
        };
        let extended = *kind != HelloKind::Helo;
        if self.transaction.is_some() {
            return Err(SessionError::OutOfSequence(Sequence::NestedMail));
        }
        if self.config.tls_required && !self.tls {
            return Err(SessionError::Policy(Policy::TlsRequired));
        }
        if self.config.auth_required && self.authenticated.is_none() {
            return Err(SessionError::Policy(Policy::AuthRequired));
        }
        self.check_mail_parameters(&params, extended)?;
        if !from.is_ascii() && !params.smtputf8 {
            return Err(SessionError::Unsupported(Unsupported::NonAsciiAddress));
        }
        self.pending = Pending::MailFrom(Box::new((from.into_owned(), params.into_owned())));
        Ok(())
    }

    fn check_mail_parameters(
        &self,
        params: &MailParameters<'_>,
        extended: bool,
    ) -> Result<(), SessionError> {
        let config = &self.config;
        let refuse = |name| Err(SessionError::Unsupported(Unsupported::Parameter(name)));
        if !extended && !params.is_empty() {
            // Parameters need EHLO (RFC 5321 section 4.1.1.2).
            return Err(SessionError::Unsupported(Unsupported::ParametersAfterHelo));
        }
        if params
            .size
            .is_some_and(|size| size > config.limits.max_message_size)
        {
            return Err(SessionError::Limit(LimitExceeded::MessageSize));
        }
        match params.body {
            Some(BodyType::EightBitMime) if !config.eight_bit_mime => return refuse("BODY"),
            Some(BodyType::BinaryMime) if !(config.binarymime && config.chunking) => {
                return refuse("BODY");
            }
            _ => {}
        }
        if params.smtputf8 && !config.smtputf8 {
            return refuse("SMTPUTF8");
        }
        if (params.ret.is_some() || params.envid.is_some()) && !config.dsn {
            return refuse("RET/ENVID");
        }
        if params.auth.is_some() && config.auth_mechanisms.is_empty() {
            return refuse("AUTH");
        }
        if !params.other().is_empty() {
            return Err(SessionError::Unsupported(Unsupported::UnknownParameter));
        }
        Ok(())
    }

    fn rcpt_command(
        &mut self,
        to: ForwardPath<'_>,
        params: RcptParameters<'_>,
    ) -> Result<(), SessionError> {
        let Some(transaction) = &self.transaction else {
            return Err(SessionError::OutOfSequence(Sequence::MailFirst));
        };
        if transaction.envelope.recipients.len() >= self.config.limits.max_recipients {
            return Err(SessionError::Limit(LimitExceeded::Recipients));
        }
        if !params.is_empty() && matches!(self.hello, Some((_, HelloKind::Helo))) {
            return Err(SessionError::Unsupported(Unsupported::ParametersAfterHelo));
        }
        if (params.notify.is_some() || params.orcpt.is_some()) && !self.config.dsn {
            return Err(SessionError::Unsupported(Unsupported::Parameter(
                "NOTIFY/ORCPT",
            )));
        }
        if !params.other().is_empty() {
            return Err(SessionError::Unsupported(Unsupported::UnknownParameter));
        }
        if !to.is_ascii() && !transaction.envelope.mail_params.smtputf8 {
            return Err(SessionError::Unsupported(Unsupported::NonAsciiAddress));
        }
        self.pending = Pending::Rcpt(Box::new(Recipient::with_params(
            to.into_owned(),
            params.into_owned(),
        )));
        Ok(())
    }

    fn starttls_command(&mut self) -> Result<(), SessionError> {
        if !self.config.starttls {
            return Err(unsupported("STARTTLS"));
        }
        if self.tls {
            return Err(SessionError::OutOfSequence(Sequence::TlsActive));
        }
        if self.hello.is_none() {
            return Err(SessionError::OutOfSequence(Sequence::HelloFirst));
        }
        if self.transaction.is_some() {
            return Err(SessionError::OutOfSequence(Sequence::TransactionInProgress));
        }
        self.reply(
            ReplyCode::SERVICE_READY,
            Some(EnhancedStatusCode::OK),
            "ready to start TLS",
        );
        // CVE-2011-0411: nothing pipelined after STARTTLS in plaintext may be read as
        // if it came over TLS.
        self.input.clear();
        self.lines.reset();
        self.mode = Mode::StartTls;
        self.pending = Pending::StartTls;
        Ok(())
    }

    /// Ends the transaction (RSET, EHLO, QUIT, end of message); a body in progress is
    /// reported as aborted.
    pub(super) fn end_transaction(&mut self, reason: crate::server::AbortReason) {
        self.abort_body(reason);
        self.transaction = None;
        if matches!(self.mode, Mode::Bdat { .. } | Mode::Data(_)) {
            self.mode = Mode::Command;
        }
    }

    // ----- answers to the decisions -----

    pub(super) fn answer_hello(&mut self, reply: Option<Reply<'_>>) {
        let Pending::Hello(hello) = std::mem::replace(&mut self.pending, Pending::None) else {
            return;
        };
        self.activity = true;
        if let Some(reply) = reply {
            self.send(&reply);
            self.advance();
            return;
        }
        let (host, kind) = *hello;
        self.end_transaction(crate::server::AbortReason::Reset);
        let config = std::sync::Arc::clone(&self.config);
        let greeting = [config.hostname.as_str(), " greets ", host.as_str()];
        match kind {
            HelloKind::Helo => self.reply_parts(ReplyCode::OK, None, &greeting),
            HelloKind::Ehlo | HelloKind::Lhlo => {
                self.capabilities(&config, &greeting);
            }
        }
        self.hello = Some((host, kind));
        self.advance();
    }

    /// Writes the EHLO reply: the greeting, then what this connection offers now
    /// (STARTTLS only before TLS, AUTH only where allowed and not yet done).
    fn capabilities(&mut self, config: &ServerConfig, greeting: &[&str]) {
        let auth = self.auth_offered() && self.authenticated.is_none();
        let tls = self.tls;
        let out = &mut self.output;
        let ok = ReplyCode::OK;
        crate::codec::encode::reply_line(ok, None, true, greeting, out);
        let offers = [
            (config.pipelining, "PIPELINING"),
            (config.eight_bit_mime, "8BITMIME"),
            (config.smtputf8, "SMTPUTF8"),
            (config.enhanced_status_codes, "ENHANCEDSTATUSCODES"),
            (config.chunking, "CHUNKING"),
            (config.chunking && config.binarymime, "BINARYMIME"),
            (config.dsn, "DSN"),
            (config.starttls && !tls, "STARTTLS"),
        ];
        for (_, keyword) in offers.iter().filter(|(on, _)| *on) {
            crate::codec::encode::reply_line(ok, None, true, &[keyword], out);
        }
        out.put_slice(if auth { b"250-SIZE " } else { b"250 SIZE " });
        crate::codec::encode::put_decimal(config.limits.max_message_size, out);
        out.put_slice(b"\r\n");
        if auth {
            out.put_slice(b"250 AUTH");
            for mechanism in &config.auth_mechanisms {
                out.put_u8(b' ');
                out.put_slice(mechanism.as_str().as_bytes());
            }
            out.put_slice(b"\r\n");
        }
    }

    /// Whether AUTH is offered on this connection now.
    pub(super) fn auth_offered(&self) -> bool {
        !self.config.auth_mechanisms.is_empty() && (self.tls || !self.config.auth_requires_tls)
    }

    pub(super) fn answer_mail(&mut self, reply: Option<Reply<'_>>) {
        let Pending::MailFrom(mail) = std::mem::replace(&mut self.pending, Pending::None) else {
            return;
        };
        self.activity = true;
        match reply {
            Some(reply) if reply.is_negative() => self.send(&reply),
            reply => {
                let (from, params) = *mail;
                let mut envelope = Envelope::new(from);
                envelope.mail_params = params;
                self.transaction = Some(Transaction {
                    envelope,
                    rcpt_refused: false,
                    body_started: false,
                    bdat: false,
                    size: 0,
                    failed: None,
                });
                match reply {
                    Some(reply) => self.send(&reply),
                    None => self.reply(
                        ReplyCode::OK,
                        Some(EnhancedStatusCode::ADDRESS_OK),
                        "sender OK",
                    ),
                }
            }
        }
        self.advance();
    }

    pub(super) fn answer_rcpt(&mut self, reply: Option<Reply<'_>>) {
        let Pending::Rcpt(rcpt) = std::mem::replace(&mut self.pending, Pending::None) else {
            return;
        };
        self.activity = true;
        if let Some(transaction) = &mut self.transaction {
            match &reply {
                Some(reply) if reply.is_negative() => transaction.rcpt_refused = true,
                _ => transaction.envelope.recipients.push(*rcpt),
            }
        }
        match reply {
            Some(reply) => self.send(&reply),
            None => self.reply(
                ReplyCode::OK,
                Some(EnhancedStatusCode::DESTINATION_VALID),
                "recipient OK",
            ),
        }
        self.advance();
    }

    pub(super) fn answer_verify(&mut self, reply: Reply<'_>) {
        if !matches!(self.pending, Pending::Verify(_)) {
            return;
        }
        self.pending = Pending::None;
        self.activity = true;
        self.send(&reply);
        self.advance();
    }
}

fn unsupported(command: &'static str) -> SessionError {
    SessionError::Unsupported(Unsupported::Command(command))
}
