//! Shared helpers of the in-memory backend's tests (messages with Unicode
//! headers, FETCH round trips), and whole sessions over the backend fed Unicode
//! commands through the tokio server.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::frame::{FrameEvent, Framer};
use crate::response::{Data, FetchData, Response};
use crate::testing::{unicode_line, unicode_text};
use crate::tokio::{MemoryBackend, Server};
use crate::types::Vec1;

/// `* 1 FETCH (item)` encodes to bytes that parse back to the same response.
pub(super) fn fetch_round_trip(item: FetchData<'static>) -> Result<(), TestCaseError> {
    let response = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: Vec1::one(item),
    });
    let mut bytes = Vec::new();
    crate::encode::response(&response, &mut bytes);
    let parsed = crate::parse::response(&bytes).map(Response::into_owned);
    prop_assert_eq!(
        parsed,
        Ok(response),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    Ok(())
}

/// Pieces of RFC 5322 / MIME messages: header fields with Unicode (raw 8-bit)
/// names and values, folding, multipart boundaries that are themselves Unicode,
/// embedded messages, transfer encodings and their escapes, and bare garbage.
fn message_piece() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        proptest::sample::select(vec![
            "Subject",
            "From",
            "To",
            "Cc",
            "Date",
            "Content-Type",
            "Message-ID",
            "X-Ü",
        ])
        .prop_map(String::from),
        unicode_line(2),
    ];
    prop_oneof![
        4 => (name, unicode_line(8)).prop_map(|(n, v)| format!("{n}: {v}\r\n")),
        1 => unicode_line(6).prop_map(|v| format!(" {v}\r\n")),
        1 => proptest::sample::select(vec![
            "Content-Type: multipart/mixed; boundary=\"日本\"\r\n",
            "Content-Type: multipart/alternative; boundary=Привет\r\n",
            "Content-Type: multipart/digest; boundary=\"\"\r\n",
            "Content-Type: message/rfc822\r\n",
            "Content-Type: text/plain; charset=\"utf-8\"; name=\"日本語.txt\"\r\n",
            "Content-Transfer-Encoding: base64\r\n",
            "Content-Transfer-Encoding: quoted-printable\r\n",
            "Content-Disposition: attachment; filename=\"Грüße.pdf\"\r\n",
            "Content-Language: ja, ru\r\n",
            "Date: Fri, 27 Nov 2026 10:14:05 +0100 (日本)\r\n",
            "From: \"日本語の件名テスト #2\" <a@例え.jp>, Привет:;\r\n",
            "Subject: =?UTF-8?B?5pel5pys6Kqe?=\r\n",
        ])
        .prop_map(String::from),
        2 => proptest::sample::select(vec![
            "\r\n", "\n", "--日本\r\n", "--日本--\r\n", "--Привет\r\n", "--Привет--\r\n",
            "--\r\n", "----\r\n", "=C3=A9", "=\r\n", "=", "=E", "5pel5pys6Kqe\r\n", "AAEC",
        ])
        .prop_map(String::from),
        2 => unicode_text(8),
    ]
}

/// A message made of [`message_piece`]s, or arbitrary bytes.
pub(super) fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(message_piece(), 0..24).prop_map(|p| p.concat().into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ]
}

/// An argument: mostly a valid IMAP string (quoted, literal, or the modified
/// UTF-7 form of a Unicode name), sometimes raw text.
fn argument() -> impl Strategy<Value = String> {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    prop_oneof![
        3 => unicode_line(8).prop_map(move |s| quote(&s)),
        2 => unicode_line(8).prop_map(move |s| quote(&crate::types::utf7::encode(&s))),
        2 => unicode_text(8).prop_map(|s| format!("{{{}+}}\r\n{s}", s.len())),
        1 => unicode_text(8),
    ]
}

/// Command text after a tag: SEARCH/SORT/FETCH/LIST/mailbox commands with
/// Unicode arguments; `{}` stands for the argument.
fn command() -> impl Strategy<Value = String> {
    let template = proptest::sample::select(vec![
        "SEARCH SUBJECT {}",
        "SEARCH CHARSET UTF-8 SUBJECT {}",
        "SEARCH CHARSET UTF-8 TEXT {}",
        "UID SEARCH CHARSET UTF-8 OR FROM {} BODY {}",
        "SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 NOT CC {}",
        "SEARCH HEADER {} {}",
        "SEARCH SENTSINCE 1-Jan-2000 SENTBEFORE 1-Jan-2100 NOT TO {}",
        "UID SORT (SUBJECT FROM DISPLAYFROM) UTF-8 SUBJECT {}",
        "SORT (REVERSE DATE TO CC ARRIVAL SIZE DISPLAYTO SUBJECT) UTF-8 ALL",
        "FETCH 1:* (ENVELOPE BODYSTRUCTURE BODY[HEADER.FIELDS ({} SUBJECT)])",
        "FETCH 1:* (BODY.PEEK[1] BODY.PEEK[2.1] BODY.PEEK[1.MIME] BODY.PEEK[1.TEXT] BODY.PEEK[2.HEADER])",
        "UID FETCH 1:* (BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[TEXT]<0.7> BODY[HEADER.FIELDS.NOT (FROM)])",
        "LIST \"\" {}",
        "LIST {} *",
        "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" ({} %) RETURN (CHILDREN STATUS (MESSAGES))",
        "LSUB \"\" {}",
        "CREATE {}",
        "DELETE {}",
        "RENAME {} {}",
        "SUBSCRIBE {}",
        "STATUS {} (MESSAGES UNSEEN SIZE)",
        "EXAMINE {}",
        "SELECT {}",
        "COPY 1:* {}",
        "MOVE 1 {}",
        "ID ({} {})",
        "STORE 1:* +FLAGS ({})",
        "NOOP {}",
    ]);
    let append = message().prop_map(|m| {
        format!(
            "APPEND INBOX {{{}+}}\r\n{}",
            m.len(),
            String::from_utf8_lossy(&m)
        )
    });
    prop_oneof![
        6 => (template, argument()).prop_map(|(t, a)| t.replace("{}", &a)),
        1 => append,
    ]
}

/// Every frame of server output parses as a response; the responses.
fn parse_output(output: &[u8]) -> Result<Vec<Response<'static>>, TestCaseError> {
    let mut framer = Framer::for_responses(1 << 20, 1 << 26);
    framer.enqueue(output);
    let mut out = Vec::new();
    while let Some(event) = framer.poll() {
        let FrameEvent::Frame(frame) = event else {
            return Err(TestCaseError::fail(format!("unexpected {event:?}")));
        };
        match crate::parse::response(&frame) {
            Ok(r) => out.push(r.into_owned()),
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "{:?}: {e}",
                    String::from_utf8_lossy(&frame)
                )));
            }
        }
    }
    Ok(out)
}

/// Runs one connection of `server` in this task (a panic fails the test) with a
/// client that sends `input`, closes its side and reads everything.
async fn session(server: &Server<MemoryBackend>, input: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address: SocketAddr = listener.local_addr()?;
    let client = async move {
        let mut stream = TcpStream::connect(address).await?;
        stream.write_all(&input).await?;
        stream.shutdown().await?;
        let mut output = Vec::new();
        stream.read_to_end(&mut output).await?;
        Ok::<_, std::io::Error>(output)
    };
    let serve = async {
        let (stream, _) = listener.accept().await?;
        // A connection that ends in an I/O error is still a finished session.
        let _ = server
            .serve_connection(
                stream,
                crate::tokio::TlsMode::Plain,
                crate::tokio::Stop::never(),
            )
            .await;
        Ok::<_, std::io::Error>(())
    };
    let (output, served) = tokio::join!(client, serve);
    served?;
    output
}

fn backend(messages: &[Vec<u8>]) -> MemoryBackend {
    let backend = MemoryBackend::new();
    backend.add_user("alice", "secret");
    backend.create_mailbox("alice", "日本語", None);
    backend.create_mailbox("alice", "Привет/Мир", None);
    for m in messages {
        backend.append("alice", "INBOX", m, Vec::new());
    }
    backend
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A logged-in session over the in-memory backend, holding messages with
    /// Unicode and malformed MIME, fed Unicode SEARCH/SORT/FETCH/LIST/mailbox
    /// commands (rev1 and, after ENABLE UTF8=ACCEPT, UTF-8 names): no panic, the
    /// session answers every tagged command, and all output parses.
    #[test]
    fn unicode_sessions_over_memory(
        messages in proptest::collection::vec(message(), 1..4),
        commands in proptest::collection::vec(command(), 1..6),
        utf8 in any::<bool>(),
    ) {
        let mut input = String::from("l LOGIN alice secret\r\n");
        if utf8 {
            input.push_str("e ENABLE UTF8=ACCEPT\r\n");
        }
        input.push_str("s SELECT INBOX\r\n");
        for (n, c) in commands.iter().enumerate() {
            input.push_str(&format!("c{n} {c}\r\n"));
        }
        input.push_str("z LOGOUT\r\n");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let server = Server::new(crate::server::ServerConfig::default(), backend(&messages));
        let output = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(30), session(&server, input.into_bytes())).await
        });
        let Ok(output) = output else {
            return Err(TestCaseError::fail("the session did not end"));
        };
        let output = output.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let responses = parse_output(&output)?;
        let tagged = |tag: &str| {
            responses.iter().any(|r| matches!(r, Response::Status(s) if s.tag.as_ref().is_some_and(|t| t.as_str() == tag)))
        };
        prop_assert!(tagged("l") && tagged("s"), "{}", String::from_utf8_lossy(&output));
        prop_assert_eq!(server.connection_count(), 0);
    }
}

/// A server still serves after arbitrary Unicode input broke nothing: the same
/// backend answers a second, plain session.
#[test]
fn server_survives_unicode_input() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let subject = "Subject: 日本語の件名テスト #2\r\nFrom: Привет <p@x>\r\n\r\nbody\r\n";
    let server = Arc::new(Server::new(
        crate::server::ServerConfig::default(),
        backend(&[subject.as_bytes().to_vec()]),
    ));
    let first = "l LOGIN alice secret\r\ns SELECT INBOX\r\na SEARCH CHARSET UTF-8 SUBJECT \"テスト #2\"\r\nb UID SORT (SUBJECT) UTF-8 ALL\r\nc FETCH 1 (ENVELOPE BODY[HEADER.FIELDS (SUBJECT)])\r\nz LOGOUT\r\n";
    let output = runtime.block_on(session(&server, first.as_bytes().to_vec()))?;
    let text = String::from_utf8_lossy(&output);
    assert!(text.contains("* SEARCH 1\r\n"), "{text}");
    assert!(text.contains("* SORT 1\r\n"), "{text}");
    assert!(text.contains("日本語の件名テスト #2"), "{text}");
    let second = runtime.block_on(session(&server, b"z LOGOUT\r\n".to_vec()))?;
    assert!(second.starts_with(b"* OK"), "{second:?}");
    Ok(())
}
