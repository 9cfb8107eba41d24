//! pop3-proto's tokio server over the adapter, over real loopback sockets with real
//! TLS, driven by Python's poplib and curl, and by raw sockets for what those cannot
//! show: no removal without QUIT, a message expunged by another agent meanwhile,
//! Unicode subjects byte for byte.
//!
//! Every test body runs over every store implementation (see `each_store!`).

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::sync::Arc;

use common::{Client, deliver, start};
use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore};
use mailwright_store::{AccountName, MailboxName, UidSet};

each_store!(
    python_poplib_session,
    curl_with_stls_and_pop3s,
    no_removal_without_quit,
    message_expunged_meanwhile,
    unicode_subjects_byte_for_byte,
);

fn lines(n: usize, size: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut total = 0;
    while total < size {
        let text = if lines.len() % 7 == 0 {
            format!(".dot {n} {} ", lines.len())
        } else {
            format!("line {n} {} ", lines.len())
        };
        lines.push(format!("{text:x<78}"));
        total += 80;
    }
    lines
}

/// The maildrop of `poplib_session.py`: a small dot-stuffed message, then 100 KiB,
/// 600 KiB and 1.5 MiB ones.
fn maildrop() -> Vec<Vec<u8>> {
    let mut messages = vec![
        b"From: a@example.org\r\nSubject: small\r\n\r\n.leading dot\r\n..two dots\r\nbody\r\n"
            .to_vec(),
    ];
    for (n, size) in [100 * 1024, 600 * 1024, 1536 * 1024]
        .into_iter()
        .enumerate()
    {
        let body = lines(n, size).join("\r\n");
        messages.push(
            format!("From: a@example.org\r\nSubject: size {size}\r\n\r\n{body}\r\n").into_bytes(),
        );
    }
    messages
}

async fn python_poplib_session<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    deliver(&store, "mrose", &maildrop());
    let server = start(Arc::new(store)).await;
    let (ok, output) = common::python(
        "poplib_session.py",
        &[
            "127.0.0.1".to_owned(),
            server.plain.port().to_string(),
            server.tls.port().to_string(),
            server.ca.display().to_string(),
        ],
    )
    .await;
    assert!(ok && output.contains("poplib ok"), "{output}");
}

async fn curl_with_stls_and_pop3s<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    let message = b"From: interop@example.org\r\nSubject: interop\r\n\r\n.leading dot\r\nbody\r\n";
    deliver(&store, "mrose", &[message.to_vec()]);
    let server = start(Arc::new(store)).await;
    let ca = server.ca.display().to_string();
    for (url, starttls) in [
        (format!("pop3://{}/1", server.plain), true),
        (format!("pop3s://{}/1", server.tls), false),
    ] {
        let mut args = vec!["-sS".to_owned(), "--cacert".to_owned(), ca.clone()];
        if starttls {
            args.push("--ssl-reqd".to_owned());
        }
        args.extend(["-u".to_owned(), "mrose:tanstaaf".to_owned(), url.clone()]);
        let (ok, output) = common::run("curl", args).await;
        assert!(ok, "{url}: {output}");
        assert_eq!(output.as_bytes(), message, "{url}");
    }
}

async fn no_removal_without_quit<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    let small = maildrop().swap_remove(0);
    let stat = format!("+OK 1 {}\r\n", small.len());
    deliver(&store, "mrose", &[small]);
    let server = start(Arc::new(store)).await;
    let mut client = Client::login(server.plain).await;
    assert!(client.command("DELE 1").await.starts_with("+OK"));
    drop(client);
    // The lock goes with the connection; the message stays.
    let mut client = loop {
        let mut client = Client::connect(server.plain).await;
        client.command("USER mrose").await;
        let answer = client.command("PASS tanstaaf").await;
        if answer.starts_with("+OK") {
            break client;
        }
        assert!(answer.contains("IN-USE"), "{answer}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(client.command("STAT").await, stat);
    assert!(client.command("DELE 1").await.starts_with("+OK"));
    assert!(client.command("RSET").await.starts_with("+OK"));
    assert!(client.command("QUIT").await.starts_with("+OK"));
    let mut client = Client::login(server.plain).await;
    assert_eq!(client.command("STAT").await, stat, "RSET undid DELE");
}

async fn message_expunged_meanwhile<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    deliver(&store, "mrose", &maildrop()[..2]);
    let store = Arc::new(store);
    let server = start(Arc::clone(&store)).await;
    let mut client = Client::login(server.plain).await;
    assert!(client.command("STAT").await.starts_with("+OK 2 "));
    // An IMAP session expunges the first message after the listing.
    let account = store
        .account(&AccountName::try_from("mrose").unwrap())
        .unwrap();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap().id;
    let first: UidSet = "1".parse().unwrap();
    account.remove(inbox, &first).unwrap();
    let answer = client.command("RETR 1").await;
    assert!(answer.starts_with("-ERR"), "{answer}");
    let (status, lines) = client.multiline("RETR 2").await;
    assert!(status.starts_with("+OK"), "{status}");
    assert_eq!(lines[1], "Subject: size 102400");
    assert!(client.command("DELE 1").await.starts_with("+OK"));
    assert!(client.command("QUIT").await.starts_with("+OK"));
    let mut client = Client::login(server.plain).await;
    assert!(client.command("STAT").await.starts_with("+OK 1 "));
}

async fn unicode_subjects_byte_for_byte<P: AccountProvider + 'static>(store: P)
where
    P::Account: 'static,
{
    let subjects = [
        "Привет",
        "Καλημέρα σας",
        "日本語の件名テスト #2",
        "🎉 party",
        "é",
    ];
    let messages: Vec<Vec<u8>> = subjects
        .iter()
        .map(|s| format!("From: alice@example.org\r\nSubject: {s}\r\n\r\n{s}\r\n").into_bytes())
        .collect();
    deliver(&store, "mrose", &messages);
    let server = start(Arc::new(store)).await;
    let mut client = Client::login(server.plain).await;
    let (_, uidl) = client.multiline("UIDL").await;
    assert_eq!(uidl.len(), subjects.len());
    for (n, subject) in subjects.iter().enumerate() {
        let (status, lines) = client.multiline(&format!("RETR {}", n + 1)).await;
        assert_eq!(
            status,
            format!("+OK {} octets\r\n", messages[n].len()),
            "{subject}"
        );
        assert_eq!(lines[1], format!("Subject: {subject}"));
        assert_eq!(lines[3], *subject);
        let (_, top) = client.multiline(&format!("TOP {} 0", n + 1)).await;
        assert_eq!(
            top,
            vec![
                "From: alice@example.org".to_owned(),
                format!("Subject: {subject}"),
                String::new()
            ]
        );
    }
    client.command("QUIT").await;
    let mut again = Client::login(server.plain).await;
    let (_, second) = again.multiline("UIDL").await;
    assert_eq!(second, uidl, "unique-ids are stable across sessions");
}
