//! Command lines, as a client sends them.

use bytes::BufMut;

use crate::command::{Command, MailParameters, RcptParameters, SaslLine};
use crate::types::EsmtpParameter;

/// Writes `command` as one line with its CRLF; verbs upper case, parameters in a
/// fixed order (the typed ones first, then the others as given).
pub fn command(command: &Command<'_>, out: &mut impl BufMut) {
    match command {
        Command::Ehlo(host) | Command::Helo(host) | Command::Lhlo(host) => {
            verb_and(out, command.verb(), host.as_str());
        }
        Command::Mail { from, params } => {
            out.put_slice(b"MAIL FROM:");
            out.put_slice(from.to_string().as_bytes());
            mail_parameters(params, out);
        }
        Command::Rcpt { to, params } => {
            out.put_slice(b"RCPT TO:");
            out.put_slice(to.to_string().as_bytes());
            rcpt_parameters(params, out);
        }
        Command::Bdat { size, last } => {
            out.put_slice(b"BDAT ");
            out.put_slice(size.to_string().as_bytes());
            if *last {
                out.put_slice(b" LAST");
            }
        }
        Command::Noop(arg) | Command::Help(arg) => match arg {
            Some(arg) => verb_and(out, command.verb(), arg.as_str()),
            None => out.put_slice(command.verb().as_bytes()),
        },
        Command::Vrfy(arg) | Command::Expn(arg) => verb_and(out, command.verb(), arg.as_str()),
        Command::Auth {
            mechanism,
            initial_response,
        } => {
            verb_and(out, "AUTH", mechanism.as_str());
            if let Some(response) = initial_response {
                out.put_u8(b' ');
                out.put_slice(response.as_str().as_bytes());
            }
        }
        Command::Data | Command::Rset | Command::Quit | Command::StartTls => {
            out.put_slice(command.verb().as_bytes());
        }
    }
    out.put_slice(b"\r\n");
}

/// Writes one line of a SASL exchange: the base64 response (an empty line for the
/// empty response) or `*`.
pub fn sasl_line(line: &SaslLine<'_>, out: &mut impl BufMut) {
    match line {
        SaslLine::Response(response) if response.as_str() == "=" => {}
        SaslLine::Response(response) => out.put_slice(response.as_str().as_bytes()),
        SaslLine::Cancel => out.put_u8(b'*'),
    }
    out.put_slice(b"\r\n");
}

fn verb_and(out: &mut impl BufMut, verb: &str, arg: &str) {
    out.put_slice(verb.as_bytes());
    out.put_u8(b' ');
    out.put_slice(arg.as_bytes());
}

fn param(out: &mut impl BufMut, keyword: &str, value: &str) {
    out.put_u8(b' ');
    out.put_slice(keyword.as_bytes());
    out.put_u8(b'=');
    out.put_slice(value.as_bytes());
}

fn other(out: &mut impl BufMut, params: &[EsmtpParameter<'_>]) {
    for p in params {
        out.put_u8(b' ');
        out.put_slice(p.to_string().as_bytes());
    }
}

fn mail_parameters(params: &MailParameters<'_>, out: &mut impl BufMut) {
    if let Some(size) = params.size {
        param(out, "SIZE", &size.to_string());
    }
    if let Some(body) = params.body {
        param(out, "BODY", body.as_str());
    }
    if params.smtputf8 {
        out.put_slice(b" SMTPUTF8");
    }
    if let Some(ret) = params.ret {
        param(out, "RET", ret.as_str());
    }
    if let Some(envid) = &params.envid {
        param(out, "ENVID", envid.as_str());
    }
    if let Some(auth) = &params.auth {
        param(out, "AUTH", auth.as_str());
    }
    other(out, params.other());
}

fn rcpt_parameters(params: &RcptParameters<'_>, out: &mut impl BufMut) {
    if let Some(notify) = params.notify {
        param(out, "NOTIFY", &notify.to_string());
    }
    if let Some(orcpt) = &params.orcpt {
        param(out, "ORCPT", &orcpt.to_string());
    }
    other(out, params.other());
}
