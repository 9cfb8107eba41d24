//! The SASL exchange of `AUTH` (RFC 4954) for `PLAIN` (RFC 4616) and `LOGIN`.
//!
//! The session runs the exchange (challenges, base64, cancellation, line limits) and
//! hands the application only the finished [`Credentials`].

use crate::codec::frame::Line;
use crate::codec::parse;
use crate::command::SaslLine;
use crate::error::{LimitExceeded, Policy, Sequence, SessionError, Unsupported};
use crate::reply::Reply;
use crate::server::session::{Mode, Pending};
use crate::server::{Credentials, HelloKind, ServerSession};
use crate::types::{EnhancedStatusCode, Mechanism, ReplyCode, SaslResponse, Secret};
use zeroize::Zeroizing;

/// Where a SASL exchange is.
#[derive(Debug)]
pub(crate) enum SaslStep {
    /// `334 ` sent after `AUTH PLAIN`: the response holds the credentials.
    PlainResponse,
    /// `334 VXNlcm5hbWU6` ("Username:") sent after `AUTH LOGIN`.
    LoginUsername,
    /// `334 UGFzc3dvcmQ6` ("Password:") sent.
    LoginPassword { username: Secret<Zeroizing<String>> },
}

/// `Username:` in base64, the challenge of LOGIN.
const USERNAME: &str = "VXNlcm5hbWU6";
/// `Password:` in base64, the challenge of LOGIN.
const PASSWORD: &str = "UGFzc3dvcmQ6";

impl ServerSession {
    /// `AUTH mechanism [initial-response]` (RFC 4954 section 4).
    pub(super) fn auth_command(
        &mut self,
        mechanism: Mechanism<'_>,
        initial: Option<SaslResponse<'_>>,
    ) -> Result<(), SessionError> {
        if self.config.auth_mechanisms.is_empty() {
            return Err(SessionError::Unsupported(Unsupported::Command("AUTH")));
        }
        if !self.auth_offered() {
            return Err(SessionError::Policy(Policy::AuthNeedsTls));
        }
        match &self.hello {
            None | Some((_, HelloKind::Helo)) => {
                return Err(SessionError::OutOfSequence(Sequence::HelloFirst));
            }
            Some(_) => {}
        }
        if self.authenticated.is_some() {
            return Err(SessionError::OutOfSequence(Sequence::AlreadyAuthenticated));
        }
        if self.transaction.is_some() {
            return Err(SessionError::OutOfSequence(Sequence::TransactionInProgress));
        }
        if !self.config.auth_mechanisms.contains(&mechanism) {
            return Err(SessionError::Unsupported(Unsupported::Mechanism));
        }
        let initial = initial
            .map(|response| response.decode())
            .transpose()
            .map_err(|_| SessionError::InvalidAuthResponse)?;
        let step = if mechanism == Mechanism::PLAIN {
            match initial {
                Some(data) => return self.finish_plain(data.declassify()),
                None => SaslStep::PlainResponse,
            }
        } else {
            match initial {
                Some(data) => SaslStep::LoginPassword {
                    username: Secret::new(Zeroizing::new(text(data.declassify())?)),
                },
                None => SaslStep::LoginUsername,
            }
        };
        self.challenge(step);
        Ok(())
    }

    /// Sends the `334` for `step` and reads SASL lines next.
    fn challenge(&mut self, step: SaslStep) {
        let text = match step {
            SaslStep::PlainResponse => "",
            SaslStep::LoginUsername => USERNAME,
            SaslStep::LoginPassword { .. } => PASSWORD,
        };
        self.reply(ReplyCode::AUTH_CHALLENGE, None, text);
        self.lines.set_max(self.config.limits.max_auth_line);
        self.mode = Mode::Sasl(step);
    }

    /// Back to command lines.
    fn end_exchange(&mut self) {
        self.lines.set_max(self.config.limits.max_command_line);
        self.mode = Mode::Command;
    }

    /// Takes one SASL line off the input and handles it; false when there is none.
    pub(super) fn next_sasl_line(&mut self) -> bool {
        let line = match self.lines.next(&mut self.input) {
            None => return false,
            Some(Line::TooLong) => {
                self.end_exchange();
                self.error(SessionError::AuthLineTooLong);
                return true;
            }
            Some(Line::Complete { len }) => self.input.split_to(len),
        };
        let Mode::Sasl(step) = std::mem::replace(&mut self.mode, Mode::Command) else {
            return true;
        };
        self.end_exchange();
        let outcome = match parse::sasl_line(&line) {
            Ok(SaslLine::Cancel) => Err(SessionError::AuthCancelled),
            Ok(SaslLine::Response(response)) => match response.decode() {
                Ok(data) => self.sasl_step(step, data.declassify()),
                Err(_) => Err(SessionError::InvalidAuthResponse),
            },
            Err(_) => Err(SessionError::InvalidAuthResponse),
        };
        if let Err(error) = outcome {
            self.error(error);
        }
        true
    }

    fn sasl_step(&mut self, step: SaslStep, data: &[u8]) -> Result<(), SessionError> {
        match step {
            SaslStep::PlainResponse => self.finish_plain(data),
            SaslStep::LoginUsername => {
                let username = Secret::new(Zeroizing::new(text(data)?));
                self.challenge(SaslStep::LoginPassword { username });
                Ok(())
            }
            SaslStep::LoginPassword { username } => {
                self.pending = Pending::Auth(Box::new(Credentials {
                    mechanism: Mechanism::LOGIN,
                    authzid: None,
                    username: String::clone(username.declassify()),
                    password: Secret::new(Zeroizing::new(text(data)?)),
                }));
                Ok(())
            }
        }
    }

    /// `PLAIN`: `[authzid] NUL authcid NUL passwd` (RFC 4616 section 2).
    fn finish_plain(&mut self, data: &[u8]) -> Result<(), SessionError> {
        let mut parts = data.split(|&b| b == 0);
        let (Some(authzid), Some(authcid), Some(password), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SessionError::InvalidAuthResponse);
        };
        if authcid.is_empty() {
            return Err(SessionError::InvalidAuthResponse);
        }
        self.pending = Pending::Auth(Box::new(Credentials {
            mechanism: Mechanism::PLAIN,
            authzid: (!authzid.is_empty()).then(|| text(authzid)).transpose()?,
            username: text(authcid)?,
            password: Secret::new(Zeroizing::new(text(password)?)),
        }));
        Ok(())
    }

    pub(super) fn answer_auth(&mut self, reply: Option<Reply<'_>>) {
        let Pending::Auth(credentials) = std::mem::replace(&mut self.pending, Pending::None) else {
            return;
        };
        self.activity = true;
        match reply {
            None => {
                let credentials = *credentials;
                self.authenticated = Some(
                    credentials
                        .authzid
                        .clone()
                        .unwrap_or_else(|| credentials.username.clone()),
                );
                self.reply(
                    ReplyCode::AUTH_SUCCEEDED,
                    Some(EnhancedStatusCode::AUTH_SUCCEEDED),
                    "authentication successful",
                );
            }
            Some(reply) => {
                self.send(&reply);
                self.auth_failures += 1;
                if self.auth_failures >= self.config.limits.max_auth_failures {
                    self.fail(SessionError::Limit(LimitExceeded::AuthFailures));
                }
            }
        }
        self.advance();
    }
}

/// Credentials are UTF-8 text without NUL (RFC 4616 section 2).
fn text(data: &[u8]) -> Result<String, SessionError> {
    match std::str::from_utf8(data) {
        Ok(text) if !text.contains('\0') => Ok(text.to_owned()),
        _ => Err(SessionError::InvalidAuthResponse),
    }
}
