//! Property tests of the adapter over both store implementations (the Maildir +
//! SQLite one and the in-memory one; each test body runs over each): messages with Unicode
//! headers and broken MIME through FETCH (every item encodes to what the client
//! parser reads back), SEARCH and SORT keys translated to the store, and whole
//! sessions of imap-proto's tokio server fed Unicode commands.
//!
//! They cover what the hand-written in-memory backend of imap-proto tested of its
//! own MIME and search code, now that mailstore's parser and index answer instead.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use mailwright_imap::codec::frame::{FrameEvent, Framer};
use mailwright_imap::command::{CommandBody, FetchItems, SearchKey as ImapKey};
use mailwright_imap::response::{Data, FetchData, Response};
use mailwright_imap::server::LoginRejection;
use mailwright_imap::tokio::{Backend, FetchRequest, Peer, Server, Stop, TlsMode};
use mailwright_imap::types::{AString, Vec1};
use mailwright_store::store::{AccountProvider, MailStore, MailboxStore, MessageStore};
use mailwright_store::{
    Account, AccountName, AppendOptions, MailboxId, MailboxName, MaildirStore, MemoryAccount,
    MemoryStore, SortCriterion, SortKey, Uid, UidSet,
};
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::{Authenticator, ImapBackend};

/// Pieces that break byte-index arithmetic and IMAP syntax: multi-byte UTF-8 (2, 3
/// and 4 bytes), modified UTF-7 shifts, wildcards, delimiters, quoting, literal
/// braces, line breaks and NUL.
const TRICKY: &[&str] = &[
    "日本語の件名テスト #2",
    "Привет",
    "é",
    "ß",
    "台北",
    "\u{1F600}",
    "🎉",
    "\u{10FFFF}",
    "\u{FEFF}",
    "\u{301}",
    "&",
    "&-",
    "&AGE-",
    "&U,BTFw-",
    "&Jjo",
    "-",
    "%",
    "*",
    "/",
    ".",
    "\"",
    "\\",
    "INBOX",
    "inbox",
    " ",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "{3}\r\n",
    "~",
    "+",
    ":",
    "<",
    ">",
    "@",
    "=?UTF-8?B?",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\0",
];

/// Any Unicode text, biased toward [`TRICKY`] pieces and short ASCII runs; at most
/// `max` pieces.
fn unicode_text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        3 => proptest::sample::select(TRICKY).prop_map(String::from),
        2 => "[a-zA-Z0-9 ]{1,4}",
        1 => "\\PC{1,4}",
    ];
    proptest::collection::vec(piece, 0..=max).prop_map(|pieces| pieces.concat())
}

/// [`unicode_text`] without NUL, CR and LF.
fn unicode_line(max: usize) -> impl Strategy<Value = String> {
    unicode_text(max).prop_map(|s| s.replace(['\0', '\r', '\n'], ""))
}

/// Pieces of RFC 5322 / MIME messages: header fields with Unicode (raw 8-bit) names
/// and values, folding, multipart boundaries that are themselves Unicode, embedded
/// messages, transfer encodings and their escapes, and bare garbage.
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
            "Subject: 🎉 party\r\n",
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
fn message() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(message_piece(), 0..24).prop_map(|p| p.concat().into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ]
}

fn fail(error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

/// An account of one store implementation holding messages.
struct Held {
    /// Which store: `maildir` or `memory`.
    store: &'static str,
    account: Box<dyn MailStore>,
    inbox: MailboxId,
    _dir: Option<tempfile::TempDir>,
}

/// The same messages `raws` in INBOX (UIDs 1, 2, ...) of an account of each store
/// implementation: the Maildir + SQLite one (in a temporary directory, not fsynced)
/// and the in-memory one. A test body runs over each.
fn holding(raws: &[Vec<u8>]) -> Result<Vec<Held>, TestCaseError> {
    let dir = tempfile::tempdir().map_err(fail)?;
    let mut options = mailwright_store::Options::new();
    options.dangerous_set_durable(false);
    let maildir = Account::open(dir.path().join("a"), &options).map_err(fail)?;
    let mut out = Vec::new();
    for (store, account, dir) in [
        (
            "maildir",
            Box::new(maildir) as Box<dyn MailStore>,
            Some(dir),
        ),
        ("memory", Box::new(MemoryAccount::new()), None),
    ] {
        let inbox = account.mailbox(&MailboxName::inbox()).map_err(fail)?.id;
        for raw in raws {
            account
                .append_bytes(inbox, raw, &AppendOptions::default())
                .map_err(fail)?;
        }
        out.push(Held {
            store,
            account,
            inbox,
            _dir: dir,
        });
    }
    Ok(out)
}

/// `* 1 FETCH (item)` encodes to bytes that parse back to the same response.
fn fetch_round_trip(item: FetchData<'static>) -> Result<(), TestCaseError> {
    let response = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: Vec1::one(item),
    });
    let mut bytes = Vec::new();
    mailwright_imap::codec::encode::response(&response, &mut bytes);
    let parsed = mailwright_imap::codec::parse::response(&bytes).map(Response::into_owned);
    prop_assert_eq!(
        parsed,
        Ok(response),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    Ok(())
}

fn astring(s: &str) -> Result<AString<'static>, TestCaseError> {
    AString::from_text(s.to_owned()).map_err(fail)
}

/// The store's answer to an IMAP search key (as the adapter translates it).
fn search(held: &Held, key: &ImapKey<'_>) -> Result<Vec<u32>, TestCaseError> {
    let key = crate::convert::search_key(key, 0);
    Ok(held
        .account
        .search(held.inbox, &key)
        .map_err(fail)?
        .into_iter()
        .map(Uid::get)
        .collect())
}

const SORT_KEYS: [SortKey; 9] = [
    SortKey::Arrival,
    SortKey::Cc,
    SortKey::Date,
    SortKey::From,
    SortKey::Size,
    SortKey::Subject,
    SortKey::To,
    SortKey::DisplayFrom,
    SortKey::DisplayTo,
];

/// Every attribute the adapter answers, sections and partials of parts that may or
/// may not exist included.
const FETCH_ALL: &[u8] = b"a FETCH 1 (FLAGS UID MODSEQ INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE RFC822 RFC822.HEADER RFC822.TEXT BODY[] BODY[HEADER] BODY[TEXT] BODY[1] BODY[2] BODY[1.1] BODY[2.1] BODY[1.MIME] BODY[2.MIME] BODY[1.HEADER] BODY[2.TEXT] BODY[HEADER.FIELDS (SUBJECT FROM \"X-\xc3\x9c\")] BODY[1.HEADER.FIELDS.NOT (DATE)] BODY[]<3.10> BODY[1]<0.1> BINARY[] BINARY[1] BINARY[2.1] BINARY[1]<1.2> BINARY.SIZE[] BINARY.SIZE[1])\r\n";

#[test]
fn multi_byte_subjects_search_and_sort() -> Result<(), TestCaseError> {
    for held in holding(&[
        "Subject: Re: 日本語の件名テスト #2\r\n\r\nbody\r\n".into(),
        "Subject: Fwd: Привет (fwd)\r\n\r\nbody\r\n".into(),
        "Subject: =?UTF-8?B?8J+OiSBwYXJ0eQ==?=\r\n\r\nbody\r\n".into(),
    ])? {
        let subject = |s: &str| astring(s).map(ImapKey::Subject);
        let store = held.store;
        assert_eq!(search(&held, &subject("テスト #2")?)?, vec![1], "{store}");
        assert_eq!(search(&held, &subject("привет")?)?, vec![2], "{store}");
        assert_eq!(
            search(&held, &subject("🎉")?)?,
            vec![3],
            "{store}: RFC 2047"
        );
        let sorted = held
            .account
            .sort(
                held.inbox,
                &[SortCriterion::new(SortKey::Subject)],
                &mailwright_store::SearchKey::All,
            )
            .map_err(fail)?;
        // Base subjects: "日本語の件名テスト #2", "Привет", "🎉 party", by UTF-8 bytes.
        let order: Vec<u32> = sorted.iter().map(|u| u.get()).collect();
        assert_eq!(order, vec![2, 1, 3], "{store}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every FETCH item of any stored message (Unicode headers, broken MIME, raw
    /// bytes) is sent in a form the client parser reads back unchanged, ENVELOPE and
    /// BODYSTRUCTURE of mailstore's parse included.
    #[test]
    fn fetch_items_of_any_message(raw in message()) {
        let command = mailwright_imap::codec::parse::command(FETCH_ALL).map_err(fail)?;
        let CommandBody::Fetch { items: FetchItems::Attributes(attributes), .. } = command.body else {
            return Err(TestCaseError::fail("not a FETCH of attributes"));
        };
        let request = FetchRequest::new(attributes.iter().map(|a| a.clone().into_owned()).collect());
        let mut answers = Vec::new();
        for held in holding(&[raw])? {
            let (fetched, _) = crate::fetch::fetch(&*held.account, held.inbox, &UidSet::all(), &request).map_err(fail)?;
            prop_assert_eq!(fetched.len(), 1, "{}", held.store);
            let (_, items) = fetched.into_iter().next().ok_or_else(|| fail("no message"))?;
            // Every attribute is answered, ENVELOPE and BODYSTRUCTURE too.
            prop_assert_eq!(items.len(), attributes.len(), "{}", held.store);
            for item in &items {
                fetch_round_trip(item.clone())?;
            }
            answers.push(items);
        }
        // Both stores answer alike (but for INTERNALDATE, stamped at append).
        let without_date = |items: &[FetchData<'static>]| -> Vec<FetchData<'static>> {
            items.iter().filter(|i| !matches!(i, FetchData::InternalDate(_))).cloned().collect()
        };
        prop_assert_eq!(without_date(&answers[0]), without_date(&answers[1]));
    }

    /// SEARCH SUBJECT finds a message by any piece of its Unicode subject cut at
    /// character boundaries (case-insensitively for ASCII), and TEXT by any word of
    /// it.
    #[test]
    fn subject_search_finds_any_piece(
        words in proptest::collection::vec(prop_oneof![
            proptest::sample::select(vec!["日本語の件名テスト", "Привет", "Καλημέρα", "🎉", "台北", "Grüße", "é", "\u{1F600}"]).prop_map(String::from),
            "[a-zA-Z0-9]{1,6}",
        ], 1..5),
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
        word in any::<prop::sample::Index>(),
    ) {
        let subject = words.join(" ");
        let cuts: Vec<usize> = subject.char_indices().map(|(i, _)| i).chain([subject.len()]).collect();
        let (x, y) = (cuts[a.index(cuts.len())], cuts[b.index(cuts.len())]);
        let piece = subject.get(x.min(y)..x.max(y)).unwrap_or_default();
        let upper = piece.to_ascii_uppercase();
        let word = &words[word.index(words.len())];
        for held in holding(&[format!("Subject: {subject}\r\n\r\nbody\r\n").into_bytes()])? {
            let store = held.store;
            prop_assert_eq!(search(&held, &ImapKey::Subject(astring(piece)?))?, vec![1], "{}: {:?} in {:?}", store, piece, subject);
            prop_assert_eq!(search(&held, &ImapKey::Subject(astring(&upper)?))?, vec![1], "{}: {:?} in {:?}", store, upper, subject);
            prop_assert_eq!(search(&held, &ImapKey::Text(astring(word)?))?, vec![1], "{}: TEXT {:?} in {:?}", store, word, subject);
        }
    }

    /// Search keys with any Unicode text on any message never fail, and NOT inverts.
    ///
    /// (Not SENTSINCE/SENTBEFORE/SENTON: of a message without a `Date:` field,
    /// mailstore's index finds neither the key nor its NOT.)
    #[test]
    fn any_key_text_on_any_message(raw in message(), text in unicode_text(6)) {
        let s = astring(&text.replace('\0', ""))?;
        let keys = [
            ImapKey::Subject(s.clone()),
            ImapKey::From(s.clone()),
            ImapKey::Body(s.clone()),
            ImapKey::Text(s.clone()),
            ImapKey::Header(s.clone(), s.clone()),
        ];
        let mut answers = Vec::new();
        for held in holding(&[raw])? {
            for key in &keys {
                let hit = search(&held, key)?;
                let miss = search(&held, &ImapKey::Not(Box::new(key.clone())))?;
                prop_assert_eq!(hit.len() + miss.len(), 1, "{}: {:?} / {:?}", held.store, hit, miss);
                answers.push((held.store, hit));
            }
        }
        // Both stores find the same.
        let (maildir, memory) = answers.split_at(keys.len());
        for ((_, a), (_, b)) in maildir.iter().zip(memory) {
            prop_assert_eq!(a, b);
        }
    }

    /// SORT by any criteria of messages with any headers returns each message once.
    #[test]
    fn sort_any_messages(
        raws in proptest::collection::vec(message(), 0..6),
        picks in proptest::collection::vec((0..9usize, any::<bool>()), 1..4),
    ) {
        let criteria: Vec<SortCriterion> = picks
            .iter()
            .map(|&(k, reverse)| if reverse { SortCriterion::reverse(SORT_KEYS[k]) } else { SortCriterion::new(SORT_KEYS[k]) })
            .collect();
        let mut orders = Vec::new();
        for held in holding(&raws)? {
            let sorted = held.account.sort(held.inbox, &criteria, &mailwright_store::SearchKey::All).map_err(fail)?;
            let order: Vec<u32> = sorted.iter().map(|u| u.get()).collect();
            let mut uids = order.clone();
            uids.sort_unstable();
            prop_assert_eq!(uids, (1..=u32::try_from(raws.len()).map_err(fail)?).collect::<Vec<_>>(), "{}", held.store);
            orders.push(order);
        }
        // Both stores sort alike (ARRIVAL and SIZE too: same messages, same order).
        prop_assert_eq!(&orders[0], &orders[1]);
    }
}

/// Logs in `alice` / `secret` to the account `alice`.
#[derive(Debug)]
struct Alice;

impl Authenticator for Alice {
    async fn authenticate(
        &self,
        username: &str,
        password: &[u8],
        _peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        if username == "alice" && password == b"secret" {
            AccountName::try_from("alice").map_err(|_| LoginRejection::Unavailable)
        } else {
            Err(LoginRejection::BadCredentials)
        }
    }
}

/// A Maildir store in a temporary directory (not fsynced: tests only).
fn maildir() -> (tempfile::TempDir, MaildirStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = mailwright_store::Options::new();
    options.dangerous_set_durable(false);
    let store = MaildirStore::new(dir.path(), options);
    (dir, store)
}

/// A server over `store` where `alice` has `messages` in INBOX and two mailboxes
/// with Unicode names.
fn server<P: AccountProvider + 'static>(
    store: P,
    messages: &[Vec<u8>],
) -> Result<Server<ImapBackend<P, Alice>>, TestCaseError>
where
    P::Account: 'static,
{
    let account = store
        .account(&AccountName::try_from("alice").map_err(fail)?)
        .map_err(fail)?;
    for name in ["日本語", "Привет.Мир"] {
        let name = MailboxName::try_from(name).map_err(fail)?;
        account
            .create_mailbox(&name, mailwright_store::SpecialUses::new())
            .map_err(fail)?;
    }
    let inbox = account.mailbox(&MailboxName::inbox()).map_err(fail)?.id;
    for m in messages {
        account
            .append_bytes(inbox, m, &AppendOptions::default())
            .map_err(fail)?;
    }
    let backend = ImapBackend::new(store, Alice);
    let mut config = mailwright_imap::server::ServerConfig::default();
    backend.configure(&mut config);
    Ok(Server::new(config, backend))
}

/// An argument: mostly a valid IMAP string (quoted, literal, or the modified UTF-7
/// form of a Unicode name), sometimes raw text.
fn argument() -> impl Strategy<Value = String> {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    prop_oneof![
        3 => unicode_line(8).prop_map(move |s| quote(&s)),
        2 => unicode_line(8).prop_map(move |s| quote(&mailwright_imap::types::utf7::encode(&s))),
        2 => unicode_text(8).prop_map(|s| format!("{{{}+}}\r\n{s}", s.len())),
        1 => unicode_text(8),
    ]
}

/// Command text after a tag: SEARCH/SORT/FETCH/LIST/mailbox commands with Unicode
/// arguments; `{}` stands for the argument.
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
        match mailwright_imap::codec::parse::response(&frame) {
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
async fn session<B: Backend>(server: &Server<B>, input: Vec<u8>) -> std::io::Result<Vec<u8>> {
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
            .serve_connection(stream, TlsMode::Plain, Stop::never())
            .await;
        Ok::<_, std::io::Error>(())
    };
    let (output, served) = tokio::join!(client, serve);
    served?;
    output
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A logged-in session over the adapter and a Maildir store, holding messages
    /// with Unicode and malformed MIME, fed Unicode SEARCH/SORT/FETCH/LIST/mailbox
    /// commands (rev1 and, after ENABLE UTF8=ACCEPT, UTF-8 names): no panic, the
    /// session answers every tagged command, and all output parses.
    #[test]
    fn unicode_sessions_over_the_store(
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
        let (_dir, on_disk) = maildir();
        let on_disk = server(on_disk, &messages)?;
        let in_memory = server(MemoryStore::new(), &messages)?;
        let outputs = runtime.block_on(async {
            let input = input.into_bytes();
            let limit = Duration::from_secs(30);
            (
                tokio::time::timeout(limit, session(&on_disk, input.clone())).await,
                tokio::time::timeout(limit, session(&in_memory, input)).await,
            )
        });
        let (Ok(first), Ok(second)) = outputs else {
            return Err(TestCaseError::fail("a session did not end"));
        };
        for output in [first.map_err(fail)?, second.map_err(fail)?] {
            let responses = parse_output(&output)?;
            let tagged = |tag: &str| {
                responses.iter().any(|r| matches!(r, Response::Status(s) if s.tag.as_ref().is_some_and(|t| t.as_str() == tag)))
            };
            prop_assert!(tagged("l") && tagged("s"), "{}", String::from_utf8_lossy(&output));
        }
        prop_assert_eq!(on_disk.connection_count() + in_memory.connection_count(), 0);
    }
}

/// A server still serves after Unicode input: SEARCH, SORT and FETCH of a CJK
/// subject, then a second, plain session.
#[test]
fn server_survives_unicode_input() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let subject = "Subject: 日本語の件名テスト #2\r\nFrom: Привет <p@x>\r\n\r\nbody\r\n";
    let messages = [subject.as_bytes().to_vec()];
    let first = "l LOGIN alice secret\r\ns SELECT INBOX\r\na SEARCH CHARSET UTF-8 SUBJECT \"テスト #2\"\r\nb UID SORT (SUBJECT) UTF-8 ALL\r\nc FETCH 1 (ENVELOPE BODY[HEADER.FIELDS (SUBJECT)])\r\nz LOGOUT\r\n";
    let check = |output: Vec<u8>| {
        let text = String::from_utf8_lossy(&output);
        assert!(text.contains("* SEARCH 1\r\n"), "{text}");
        assert!(text.contains("* SORT 1\r\n"), "{text}");
        assert!(text.contains("日本語の件名テスト #2"), "{text}");
    };
    let (_dir, on_disk) = maildir();
    let on_disk = Arc::new(server(on_disk, &messages).map_err(|e| e.to_string())?);
    check(runtime.block_on(session(&on_disk, first.as_bytes().to_vec()))?);
    let second = runtime.block_on(session(&on_disk, b"z LOGOUT\r\n".to_vec()))?;
    assert!(second.starts_with(b"* OK"), "{second:?}");
    let in_memory = Arc::new(server(MemoryStore::new(), &messages).map_err(|e| e.to_string())?);
    check(runtime.block_on(session(&in_memory, first.as_bytes().to_vec()))?);
    let second = runtime.block_on(session(&in_memory, b"z LOGOUT\r\n".to_vec()))?;
    assert!(second.starts_with(b"* OK"), "{second:?}");
    Ok(())
}
