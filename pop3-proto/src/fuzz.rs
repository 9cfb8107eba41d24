//! Entry points for the fuzz crate (private feature `__fuzz`; not part of the API).

use std::time::{Duration, Instant};

use bytes::BytesMut;

use crate::codec::frame::BodyProgress;
use crate::maildrop::MessageInfo;
use crate::server::{Credentials, Event, LoginRejection, ServerConfig, ServerSession};
use crate::types::UniqueId;

/// Drives a server session with `data` as the client's bytes, cut into pieces at the
/// positions the data itself chooses, answering every event (login succeeds for the
/// password `pw`, bodies are fed in 5-octet chunks) and advancing a simulated clock.
///
/// # Panics
///
/// When the session breaks an invariant: output that is not CRLF lines, or more
/// buffered output than the limits allow.
pub fn server_session(data: &[u8]) {
    let mut config = ServerConfig::default();
    config.plaintext_without_tls(true).stls(true);
    let mut session = ServerSession::new(config);
    let messages = [&b"A: b\r\n\r\n.x\r\ny"[..], b"\n\n.\n"];
    let listing: Vec<MessageInfo> = messages
        .iter()
        .enumerate()
        .filter_map(|(at, body)| {
            UniqueId::try_from(format!("u{at}"))
                .ok()
                .map(|uid| MessageInfo::new(body.len() as u64, uid))
        })
        .collect();
    // Only the start of the simulated clock comes from the real one.
    #[allow(
        clippy::disallowed_methods,
        reason = "fuzz support: a starting instant"
    )]
    let mut now = Instant::now();
    let mut out = BytesMut::new();
    let mut rest = data;
    while !rest.is_empty() && !session.is_closed() {
        let take = usize::from(rest[0] % 16) + 1;
        let (piece, tail) = rest.split_at(take.min(rest.len()));
        rest = tail;
        session.handle_input(piece);
        now += Duration::from_secs(u64::from(piece[0] % 4) * 100);
        session.handle_timeout(now);
        drive(&mut session, &listing, &messages, &mut out);
        assert!(out.len() < 1 << 20, "bounded output");
        out.clear();
    }
}

fn drive(
    session: &mut ServerSession,
    listing: &[MessageInfo],
    messages: &[&[u8]],
    out: &mut BytesMut,
) {
    for _ in 0..10_000 {
        let written = session.poll_output(out);
        match session.poll_event() {
            Some(Event::Login(login)) => {
                let ok = matches!(login.credentials(), Credentials::Password { password, .. } if password.declassify() == b"pw");
                match ok {
                    true => login.accept(listing.to_vec()),
                    false => login.reject(LoginRejection::BadCredentials),
                }
            }
            Some(Event::Retrieve(retrieve)) => {
                let body = messages.get(retrieve.index()).copied().unwrap_or_default();
                retrieve.accept();
                for chunk in body.chunks(5) {
                    if session.handle_body(chunk) == Ok(BodyProgress::Complete) {
                        break;
                    }
                }
                let _ = session.finish_body();
            }
            Some(Event::Update(update)) => update.accept(),
            Some(Event::StartTls) => session.tls_started(),
            None if written == 0 => break,
            None => {}
        }
    }
    for line in out[..]
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
    {
        assert!(line.ends_with(b"\r"), "output lines end with CRLF");
    }
}
