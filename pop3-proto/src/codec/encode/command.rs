//! Command lines.

use base64::Engine;
use bytes::BufMut;

use crate::codec::encode::decimal;
use crate::codec::parse::SASL_BASE64;
use crate::command::{Command, SaslResponse};

/// Appends `command` as one line: upper-case keyword, single spaces, CRLF.
///
/// ```
/// use mailwright_pop3::{Command, MessageNumber, codec::encode};
///
/// let mut out = Vec::new();
/// encode::command(&Command::Retr(MessageNumber::FIRST), &mut out);
/// assert_eq!(out, b"RETR 1\r\n");
/// ```
pub fn command(command: &Command<'_>, out: &mut impl BufMut) {
    out.put_slice(command.keyword().as_bytes());
    match command {
        Command::User(name) => {
            out.put_u8(b' ');
            out.put_slice(name.as_str().as_bytes());
        }
        Command::Pass(password) => {
            out.put_u8(b' ');
            out.put_slice(password.declassify());
        }
        Command::Apop { name, digest } => {
            out.put_u8(b' ');
            out.put_slice(name.as_str().as_bytes());
            out.put_u8(b' ');
            out.put_slice(&digest.to_hex());
        }
        Command::Auth {
            mechanism,
            initial_response,
        } => {
            out.put_u8(b' ');
            out.put_slice(mechanism.as_str().as_bytes());
            if let Some(initial) = initial_response {
                out.put_u8(b' ');
                match initial.declassify().is_empty() {
                    true => out.put_u8(b'='),
                    false => out.put_slice(SASL_BASE64.encode(initial.declassify()).as_bytes()),
                }
            }
        }
        Command::List(Some(message))
        | Command::Uidl(Some(message))
        | Command::Retr(message)
        | Command::Dele(message) => {
            out.put_u8(b' ');
            decimal(out, message.get().into());
        }
        Command::Top { message, lines } => {
            out.put_u8(b' ');
            decimal(out, message.get().into());
            out.put_u8(b' ');
            decimal(out, (*lines).into());
        }
        Command::AuthList
        | Command::Stat
        | Command::List(None)
        | Command::Noop
        | Command::Rset
        | Command::Quit
        | Command::Uidl(None)
        | Command::Capa
        | Command::Stls
        | Command::Utf8 => {}
    }
    out.put_slice(b"\r\n");
}

/// Appends a client's SASL line: base64 data, or `*` to cancel.
pub fn sasl_response(response: &SaslResponse, out: &mut impl BufMut) {
    match response {
        SaslResponse::Data(data) => out.put_slice(SASL_BASE64.encode(data.declassify()).as_bytes()),
        SaslResponse::Cancel => out.put_u8(b'*'),
    }
    out.put_slice(b"\r\n");
}
