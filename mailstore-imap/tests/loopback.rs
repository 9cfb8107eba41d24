//! imap-proto's tokio server over the adapter, over real loopback sockets with real
//! TLS, driven by clients nobody here wrote (Python's imaplib, curl) and by raw
//! sockets for what those cannot show: the NO codes of APPEND, COPY and LOGIN,
//! IDLE seeing another connection's flag changes and expunges, QRESYNC.
//!
//! Every test body runs over every store implementation (see `each_store!`).

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Client, seed, start};
use mailwright_store::store::{AccountProvider, QuotaStore};
use mailwright_store::{AccountName, Flags, Quota, SpecialUse, SystemFlag};
use mailwright_store_imap::{Delimiter, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

each_store!(
    python_imaplib_full_session,
    curl_with_starttls_and_imaps,
    refusals_carry_their_codes,
    idle_sees_other_connections,
    qresync_reports_changes_since,
    implicit_tls_session,
);

fn message(n: usize, subject: &str) -> Vec<u8> {
    let word = ["first", "second", "third"][n];
    format!(
        "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: {subject}\r\nDate: Fri, 27 Nov 2026 10:0{n}:00 +0100\r\n\r\n{word} message body\r\n"
    )
    .into_bytes()
}

/// `alice`: three messages in INBOX (the first seen) and a Sent mailbox.
fn alice<P: AccountProvider>(store: &P) {
    seed(store, "alice", "Sent", Some(SpecialUse::Sent), &[]);
    let messages: Vec<(Vec<u8>, Flags)> = ["Welcome", "Quarterly report", "Lunch"]
        .iter()
        .enumerate()
        .map(|(n, subject)| {
            let flags = if n == 0 {
                Flags::new().with(SystemFlag::Seen)
            } else {
                Flags::new()
            };
            (message(n, subject), flags)
        })
        .collect();
    seed(store, "alice", "INBOX", None, &messages);
}

fn slash() -> Options {
    let mut options = Options::new();
    options.delimiter(Delimiter::Slash);
    options
}

async fn python_imaplib_full_session<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    alice(&store);
    let server = start(store, slash()).await;
    let (ok, output) = common::python(
        "imaplib_session.py",
        &[
            "127.0.0.1".to_owned(),
            server.plain.port().to_string(),
            server.tls.port().to_string(),
            server.ca.display().to_string(),
        ],
    )
    .await;
    assert!(ok && output.contains("imaplib ok"), "{output}");
}

async fn curl_with_starttls_and_imaps<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    alice(&store);
    let server = start(store, Options::new()).await;
    let ca = server.ca.display().to_string();
    let curl = |url: String, starttls: bool| {
        let mut args = vec!["-sS".to_owned(), "--cacert".to_owned(), ca.clone()];
        if starttls {
            args.push("--ssl-reqd".to_owned());
        }
        args.extend(["-u".to_owned(), "alice:secret".to_owned(), url]);
        common::run("curl", args)
    };
    let (ok, output) = curl(format!("imap://{}/INBOX;UID=2", server.plain), true).await;
    assert!(ok, "{output}");
    assert_eq!(
        output.as_bytes(),
        message(1, "Quarterly report"),
        "curl imap:// with STARTTLS"
    );
    let (ok, output) = curl(format!("imaps://{}/INBOX;UID=1", server.tls), false).await;
    assert!(ok, "{output}");
    assert_eq!(output.as_bytes(), message(0, "Welcome"), "curl imaps://");
    let (ok, output) = curl(format!("imaps://{}/", server.tls), false).await;
    assert!(
        ok && output.contains("INBOX") && output.contains("\\Sent") && output.contains("\".\""),
        "curl LIST: {output}"
    );
}

async fn refusals_carry_their_codes<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    alice(&store);
    let account = store
        .account(&AccountName::try_from("alice").unwrap())
        .unwrap();
    let mut options = Options::new();
    options.max_message_size(1000);
    let server = start(store, options).await;
    let mut client = Client::connect(server.plain).await;
    let answer = client.command("a", "LOGIN alice wrong").await;
    assert!(answer.contains("a NO [AUTHENTICATIONFAILED]"), "{answer}");
    // AUTHENTICATE PLAIN with an authorization identity other than the user.
    let answer = client
        .command("b", "AUTHENTICATE PLAIN Ym9iAGFsaWNlAHNlY3JldA==")
        .await;
    assert!(answer.contains("b NO [AUTHORIZATIONFAILED]"), "{answer}");
    let answer = client
        .command("c", "AUTHENTICATE PLAIN YWxpY2UAYWxpY2UAc2VjcmV0")
        .await;
    assert!(answer.contains("c OK"), "same authzid as user: {answer}");
    // Synchronizing literals: refused before the client sends them.
    let answer = client.command("d", "APPEND INBOX {2000}").await;
    assert!(answer.contains("d NO [TOOBIG]"), "{answer}");
    let answer = client.command("e", "APPEND Nowhere {5}").await;
    assert!(answer.contains("e NO [TRYCREATE]"), "{answer}");
    account
        .set_quota(Quota::unlimited().with_max_bytes(600))
        .unwrap();
    let answer = client.command("f", "APPEND INBOX {500}").await;
    assert!(answer.contains("f NO [OVERQUOTA]"), "{answer}");
    client.command("g", "SELECT INBOX").await;
    let answer = client.command("h", "COPY 1 Nowhere").await;
    assert!(answer.contains("h NO [TRYCREATE]"), "{answer}");
    let answer = client.command("i", "CREATE Sent").await;
    assert!(answer.contains("i NO [ALREADYEXISTS]"), "{answer}");
    let answer = client.command("j", "DELETE Nowhere").await;
    assert!(answer.contains("j NO [NONEXISTENT]"), "{answer}");
    let answer = client.command("k", "CREATE a/b").await;
    assert!(
        answer.contains("k NO"),
        "no / in the store's names: {answer}"
    );
}

async fn idle_sees_other_connections<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    alice(&store);
    let server = start(store, Options::new()).await;
    let mut idle = Client::login(server.plain, "alice", "secret").await;
    idle.command("s", "SELECT INBOX").await;
    idle.send("i IDLE\r\n").await;
    idle.read_until("+ ").await;
    let mut other = Client::login(server.plain, "alice", "secret").await;
    other.command("s", "SELECT INBOX").await;
    // Our own STORE is not echoed to us, but reaches the IDLE connection.
    let answer = other
        .command("a", "STORE 2 +FLAGS.SILENT (\\Flagged)")
        .await;
    assert!(!answer.contains("FETCH"), "{answer}");
    let seen = idle.read_until("* 2 FETCH").await;
    assert!(seen.contains("\\Flagged"), "{seen}");
    let appended = "Subject: while idle\r\n\r\nping\r\n";
    let answer = other
        .command(
            "b",
            &format!("APPEND INBOX {{{}+}}\r\n{appended}", appended.len()),
        )
        .await;
    assert!(answer.contains("b OK [APPENDUID"), "{answer}");
    idle.read_until("* 4 EXISTS").await;
    other
        .command("c", "STORE 1 +FLAGS.SILENT (\\Deleted)")
        .await;
    let answer = other.command("d", "EXPUNGE").await;
    assert!(answer.contains("* 1 EXPUNGE"), "{answer}");
    idle.read_until("* 1 EXPUNGE").await;
    idle.send("DONE\r\n").await;
    let done = idle.read_until("i ").await;
    assert!(done.starts_with("i OK"), "{done}");
}

async fn qresync_reports_changes_since<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    alice(&store);
    let server = start(store, Options::new()).await;
    let mut client = Client::login(server.plain, "alice", "secret").await;
    client.command("e", "ENABLE QRESYNC").await;
    let selected = client.command("s", "SELECT INBOX").await;
    let field = |text: &str, name: &str| -> u64 {
        let at = text.find(name).unwrap() + name.len() + 1;
        text[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let validity = field(&selected, "UIDVALIDITY");
    let modseq = field(&selected, "HIGHESTMODSEQ");
    client.command("a", "STORE 3 +FLAGS (\\Answered)").await;
    client
        .command("b", "STORE 1 +FLAGS.SILENT (\\Deleted)")
        .await;
    client.command("c", "EXPUNGE").await;
    client.command("u", "UNSELECT").await;
    let again = client
        .command(
            "q",
            &format!("SELECT INBOX (QRESYNC ({validity} {modseq}))"),
        )
        .await;
    assert!(again.contains("* VANISHED (EARLIER) 1"), "{again}");
    assert!(
        again.contains("UID 3") && again.contains("\\Answered"),
        "{again}"
    );
    let vanished = client
        .command(
            "v",
            &format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq} VANISHED)"),
        )
        .await;
    assert!(vanished.contains("* VANISHED (EARLIER) 1"), "{vanished}");
}

async fn implicit_tls_session<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    alice(&store);
    let server = start(store, Options::new()).await;
    let mut roots = rustls::RootCertStore::empty();
    let der =
        rustls::pki_types::pem::PemObject::from_pem_slice(server.cert_pem.as_bytes()).unwrap();
    roots.add(der).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = tokio::net::TcpStream::connect(server.tls).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, stream).await.unwrap();
    tls.write_all(b"a LOGIN alice secret\r\nb SELECT INBOX\r\nc FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\nd LOGOUT\r\n")
        .await
        .unwrap();
    let mut text = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), tls.read_to_end(&mut text))
        .await
        .unwrap()
        .ok();
    let text = String::from_utf8_lossy(&text);
    assert!(text.contains("* 3 EXISTS"), "{text}");
    assert!(text.contains("Subject: Quarterly report\r\n\r\n"), "{text}");
    assert!(text.contains("d OK"), "{text}");
}
