//! Unicode and broken mail through the adapter, over loopback: subjects in Cyrillic,
//! Greek, CJK and emoji (8-bit and RFC 2047) found by SEARCH, ordered by SORT and given
//! back by FETCH to Python's imaplib; a CJK mailbox name; and messages with broken
//! MIME whose every FETCH item a client parser reads.
//!
//! Every test body runs over every store implementation (see `each_store!`).

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use common::{Client, seed, start};
use mailwright_imap::codec::frame::{FrameEvent, Framer};
use mailwright_imap::response::{Data, FetchData, Response};
use mailwright_store::Flags;
use mailwright_store::store::AccountProvider;
use mailwright_store_imap::{Delimiter, Options};

each_store!(
    unicode_subjects_with_imaplib,
    broken_mime_fetches_parse,
    unicode_search_sort_fetch_raw,
);

const SUBJECTS: [&str; 8] = [
    "Привет",
    "Καλημέρα σας",
    "日本語の件名テスト #2",
    "Re: 日本語の件名テスト",
    "🎉 party",
    "Cafe\u{301} (fwd)",
    "(fwd)",
    "é",
];

fn message(subject: &str) -> Vec<u8> {
    format!("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: {subject}\r\n\r\nbody\r\n")
        .into_bytes()
}

/// `subject` as one RFC 2047 encoded word (base64 of its UTF-8).
fn encoded(subject: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("=?UTF-8?B?");
    for chunk in subject.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out.push_str("?=");
    out
}

async fn unicode_subjects_with_imaplib<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    let eight_bit: Vec<(Vec<u8>, Flags)> = SUBJECTS
        .iter()
        .map(|s| (message(s), Flags::new()))
        .collect();
    let mime: Vec<(Vec<u8>, Flags)> = SUBJECTS
        .iter()
        .map(|s| (message(&encoded(s)), Flags::new()))
        .collect();
    seed(&store, "alice", "INBOX", None, &eight_bit);
    seed(&store, "alice", "INBOX", None, &mime);
    let mut options = Options::new();
    options.delimiter(Delimiter::Slash);
    let server = start(store, options).await;
    let (ok, output) = common::python(
        "unicode_subjects.py",
        &["127.0.0.1".to_owned(), server.plain.port().to_string()],
    )
    .await;
    assert!(
        ok && ["search ok", "sort ok", "fetch ok", "mailbox ok"]
            .iter()
            .all(|line| output.contains(line)),
        "{output}"
    );
}

/// Messages that break MIME in the usual ways.
const BROKEN: &[&[u8]] = &[
    // A multipart whose boundary never comes, and one never closed.
    b"Subject: no boundary\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\nno parts at all\r\n",
    b"Subject: open\r\nContent-Type: multipart/mixed; boundary=\"\xe6\x97\xa5\xe6\x9c\xac\"\r\n\r\n--\xe6\x97\xa5\xe6\x9c\xac\r\nContent-Type: text/plain\r\n\r\npart one, never closed\r\n",
    // Bad base64 and quoted-printable.
    b"Subject: bad base64\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64===\r\n",
    b"Subject: bad qp\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E=\r\n=ZZ\r\n",
    // A header without a body, a body without a header, bare LF, NUL and 8-bit.
    b"Subject: only a header\r\n",
    b"\r\njust a body\r\n",
    b"Subject: bare LF\nFrom: \xd0\x9f\xd1\x80\xd0\xb8 <p@x>\n\nline\nline\n",
    b"Subject: nul\r\n\r\nbefore\0after\r\n",
    // An embedded message that is empty, and an encoded word that is not.
    b"Subject: =?UTF-8?B?****?=\r\nContent-Type: message/rfc822\r\n\r\n",
    // Raw bytes.
    b"\xff\xfe\x00\x01garbage\r\n\r\n\xc3",
];

/// Every frame of server output parses as a response.
fn parse_output(output: &[u8]) -> Vec<Response<'static>> {
    let mut framer = Framer::for_responses(1 << 20, 1 << 26);
    framer.enqueue(output);
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        let FrameEvent::Frame(frame) = event else {
            panic!("unexpected {event:?}");
        };
        match mailwright_imap::codec::parse::response(&frame) {
            Ok(r) => out.push(r.into_owned()),
            Err(e) => panic!("{:?}: {e}", String::from_utf8_lossy(&frame)),
        }
    }
    out
}

async fn broken_mime_fetches_parse<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    let messages: Vec<(Vec<u8>, Flags)> =
        BROKEN.iter().map(|m| (m.to_vec(), Flags::new())).collect();
    seed(&store, "alice", "INBOX", None, &messages);
    let server = start(store, Options::new()).await;
    let mut client = Client::login(server.plain, "alice", "secret").await;
    client.command("s", "SELECT INBOX").await;
    let items = "(FLAGS UID RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE BODY.PEEK[] BODY.PEEK[HEADER] \
                 BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2] BODY.PEEK[1.1] \
                 BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[]<2.5> BINARY.PEEK[1] BINARY.SIZE[1])";
    let raw = client
        .command_bytes("f", &format!("FETCH 1:* {items}"))
        .await;
    let answer = String::from_utf8_lossy(&raw);
    assert!(answer.contains("f OK"), "{answer}");
    let responses = parse_output(&raw);
    let fetched: Vec<usize> = responses
        .iter()
        .filter_map(|r| match r {
            Response::Data(Data::Fetch { items, .. }) => Some(items.len()),
            _ => None,
        })
        .collect();
    assert_eq!(fetched.len(), BROKEN.len(), "{answer}");
    // Every attribute answered for every message (NIL for a part that is not there).
    assert!(fetched.iter().all(|&n| n == 17), "{fetched:?}: {answer}");
    // Each whole message comes back byte for byte (a NUL as 0x80: IMAP literals
    // cannot hold NUL).
    let whole = client.command_bytes("g", "FETCH 1:* (BODY.PEEK[])").await;
    let mut bodies = parse_output(&whole).into_iter().filter_map(|r| match r {
        Response::Data(Data::Fetch { items, .. }) => items.iter().find_map(|i| match i {
            FetchData::BodySection { data, .. } => data.0.as_ref().map(|s| s.as_bytes().to_vec()),
            _ => None,
        }),
        _ => None,
    });
    for expected in BROKEN {
        let expected: Vec<u8> = expected
            .iter()
            .map(|&b| if b == 0 { 0x80 } else { b })
            .collect();
        assert_eq!(bodies.next(), Some(expected));
    }
}

/// The same checks with a raw client: SEARCH with a literal, SORT, ENVELOPE.
async fn unicode_search_sort_fetch_raw<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    let messages: Vec<(Vec<u8>, Flags)> = SUBJECTS
        .iter()
        .map(|s| (message(s), Flags::new()))
        .collect();
    seed(&store, "alice", "INBOX", None, &messages);
    let server = start(store, Options::new()).await;
    let mut client = Client::login(server.plain, "alice", "secret").await;
    client.command("e", "ENABLE UTF8=ACCEPT").await;
    client.command("s", "SELECT INBOX").await;
    for (needle, uid) in [("テスト #2", 3), ("ПРИВЕТ", 1), ("σας", 2), ("🎉", 5)] {
        let answer = client
            .command(
                "a",
                &format!(
                    "UID SEARCH CHARSET UTF-8 SUBJECT {{{}+}}\r\n{needle}",
                    needle.len()
                ),
            )
            .await;
        assert!(
            answer.contains(&format!("* SEARCH {uid}\r\n")),
            "{needle}: {answer}"
        );
    }
    let sorted = client.command("b", "UID SORT (SUBJECT) UTF-8 ALL").await;
    // Base subjects by UTF-8 bytes: "", "cafe\u{301}", "é", "Καλημέρα σας", "Привет",
    // "日本語の件名テスト" (Re:), "日本語の件名テスト #2", "🎉 party".
    assert!(sorted.contains("* SORT 7 6 8 2 1 4 3 5\r\n"), "{sorted}");
    let envelope = client.command("c", "FETCH 3 (ENVELOPE)").await;
    assert!(envelope.contains("日本語の件名テスト #2"), "{envelope}");
    let status = client.command("d", "STATUS INBOX (MESSAGES UNSEEN)").await;
    assert!(status.contains("MESSAGES 8"), "{status}");
}
