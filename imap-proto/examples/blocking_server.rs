//! Driving the sans-IO session without tokio: a blocking IMAP server on
//! `std::net`, one connection at a time, serving two fixed messages.
//!
//! ```sh
//! cargo run -p mailwright-imap --example blocking_server
//! # then, for example:
//! curl -u demo:demo imap://127.0.0.1:1143/INBOX;UID=1
//! ```
//!
//! The loop is the calling protocol of `ServerSession`: write the output, answer
//! the events, read input (with the session's next deadline as the read timeout),
//! tell the session the time.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use mailwright_imap::command::FetchAttribute;
use mailwright_imap::response::FetchData;
use mailwright_imap::server::{
    Event, LoginRejection, MailboxInfo, Rejection, SelectedMailbox, ServerConfig, ServerSession,
    StatusInfo,
};
use mailwright_imap::types::{Flag, Literal, NString, Uid};

const MESSAGES: [&str; 2] = [
    "From: alice@example.org\r\nSubject: hello\r\n\r\nFirst message.\r\n",
    "From: bob@example.org\r\nSubject: again\r\n\r\nSecond message.\r\n",
];

fn uid(n: u32) -> Uid {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// The clock, read here at the edge; the session only ever gets `now` passed in.
#[allow(clippy::disallowed_methods, reason = "the I/O edge owns the clock")]
fn now() -> Instant {
    Instant::now()
}

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:1143")?;
    println!("listening on {}", listener.local_addr()?);
    for stream in listener.incoming() {
        if let Err(error) = serve(stream?) {
            eprintln!("connection ended: {error}");
        }
    }
    Ok(())
}

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut config = ServerConfig::default();
    // Loopback only, so passwords may go without TLS.
    config.plaintext_auth(true);
    let mut session = ServerSession::new(config);
    let mut out = BytesMut::new();
    let mut buf = [0u8; 4096];
    loop {
        // 1. output
        if session.poll_output(&mut out) > 0 {
            stream.write_all(&out)?;
            out.clear();
        }
        if session.is_closed() {
            return Ok(());
        }
        // 2. events
        if answer(&mut session) {
            continue;
        }
        // 3. input, waiting no longer than the session's next deadline
        let wait = session.poll_timeout().map(|deadline| {
            deadline
                .saturating_duration_since(now())
                .max(Duration::from_millis(1))
        });
        stream.set_read_timeout(wait)?;
        match stream.read(&mut buf) {
            Ok(0) => {
                session.handle_eof();
                return Ok(());
            }
            Ok(n) => session.handle_input(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e),
        }
        // 4. time
        session.handle_timeout(now());
    }
}

/// Answers one event from the fixed mailbox; `false` when there was none.
fn answer(session: &mut ServerSession) -> bool {
    let Some(event) = session.poll_event() else {
        return false;
    };
    match event {
        Event::Login(d) => match (d.username(), d.password()) {
            ("demo", b"demo") => d.accept(),
            _ => d.reject(LoginRejection::BadCredentials),
        },
        Event::List(d) => d.respond(vec![MailboxInfo::new("INBOX")]),
        Event::Status(d) => d.respond(StatusInfo::new(2, 0, uid(3), uid(1))),
        Event::Select(d) if d.mailbox() == "INBOX" => {
            d.accept(SelectedMailbox::new(uid(1), uid(3), vec![uid(1), uid(2)]).read_only());
        }
        Event::Select(d) => d.reject(Rejection::nonexistent()),
        Event::Fetch(mut d) => {
            let attributes = d.attributes().to_vec();
            let wanted: Vec<Uid> = d.messages().map(|(_, u)| u).collect();
            for u in wanted {
                let text = MESSAGES[(u.get() - 1) as usize % MESSAGES.len()];
                let items = attributes
                    .iter()
                    .filter_map(|a| match a {
                        FetchAttribute::Flags => Some(FetchData::Flags(vec![Flag::SEEN])),
                        FetchAttribute::Uid => Some(FetchData::Uid(u)),
                        FetchAttribute::Rfc822Size => {
                            Some(FetchData::Rfc822Size(text.len() as u64))
                        }
                        FetchAttribute::BodySection { section: None, .. }
                        | FetchAttribute::Rfc822 => {
                            let body =
                                NString(Some(Literal::from_bytes_lossy(text.as_bytes()).into()));
                            Some(FetchData::BodySection {
                                section: None,
                                origin: None,
                                data: body,
                            })
                        }
                        _ => None,
                    })
                    .collect();
                d.respond(u, items);
            }
            d.finish();
        }
        Event::Search(d) => {
            let all = d.candidates().collect();
            d.respond(all, None);
        }
        Event::StartTls => session.close(),
        Event::Mailbox(d) => d.reject(Rejection::cannot("this demo is read-only")),
        Event::Append(d) => d.reject(Rejection::cannot("this demo is read-only")),
        Event::Store(d) => d.reject(Rejection::cannot("this demo is read-only")),
        Event::Copy(d) => d.reject(Rejection::cannot("this demo is read-only")),
        Event::Expunge(d) => d.reject(Rejection::cannot("this demo is read-only")),
        _ => return false,
    }
    true
}
