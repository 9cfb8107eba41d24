//! The tokio server over real loopback sockets with real TLS (certificates made
//! here with rcgen), driven by clients nobody here wrote: Python's imaplib and
//! curl (run as subprocesses), plus raw sockets for the cases those cannot make.
//! The backend is the small one of `tests/common` (fixed messages, no MIME parser).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use mailwright_imap::server::ServerConfig;
use mailwright_imap::tokio::{Options, Server, TlsMode, server_tls_config};
use mailwright_imap::types::{Flag, MailboxAttribute};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

mod common;

use common::TestBackend;

struct TestServer {
    plain: SocketAddr,
    tls: SocketAddr,
    ca: PathBuf,
    cert_pem: String,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

fn message(n: usize, subject: &str) -> String {
    let word = ["first", "second", "third"][n];
    format!(
        "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: {subject}\r\nDate: Fri, 27 Nov 2026 10:0{n}:00 +0100\r\n\r\n{word} message body\r\n"
    )
}

fn backend() -> TestBackend {
    let backend = TestBackend::new();
    backend.add_user("alice", "secret");
    backend.create_mailbox("Sent", Some(MailboxAttribute::SENT));
    for (n, subject) in ["Welcome", "Quarterly report", "Lunch"].iter().enumerate() {
        let flags = if n == 0 { vec![Flag::SEEN] } else { Vec::new() };
        backend.append("INBOX", message(n, subject).as_bytes(), flags);
    }
    backend
}

/// A server over [`backend`] with TLS, set up further by `configure`, on a
/// STARTTLS listener and an implicit-TLS one.
async fn start(configure: impl FnOnce(&mut Server<TestBackend>)) -> TestServer {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &cert_pem).unwrap();
    let mut server = Server::new(ServerConfig::default(), backend());
    server.tls(server_tls_config(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap());
    configure(&mut server);
    let server = Arc::new(server);
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut addresses = Vec::new();
    for mode in [TlsMode::Starttls, TlsMode::Implicit] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        addresses.push(listener.local_addr().unwrap());
        let server = Arc::clone(&server);
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            server.serve(listener, mode, shutdown).await
        }));
    }
    TestServer {
        plain: addresses[0],
        tls: addresses[1],
        ca,
        cert_pem,
        stop,
        tasks,
        _dir: dir,
    }
}

async fn default_server() -> TestServer {
    start(|_| {}).await
}

/// Runs a client program with a time limit; returns (success, stdout + stderr).
async fn run(program: &str, args: Vec<String>) -> (bool, String) {
    let program = program.to_owned();
    let child = tokio::task::spawn_blocking(move || Command::new(program).args(args).output());
    let output = tokio::time::timeout(Duration::from_secs(120), child)
        .await
        .expect("client finished in time")
        .unwrap()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_imaplib_full_session() {
    let server = default_server().await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/imaplib_session.py"
    );
    let (ok, output) = run(
        "python3",
        vec![
            script.to_owned(),
            "127.0.0.1".to_owned(),
            server.plain.port().to_string(),
            server.tls.port().to_string(),
            server.ca.display().to_string(),
        ],
    )
    .await;
    assert!(ok && output.contains("imaplib ok"), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_imap_with_starttls_and_imaps() {
    let server = default_server().await;
    let expected = message(1, "Quarterly report");
    let ca = server.ca.display().to_string();
    let (ok, output) = run(
        "curl",
        vec![
            "-sS".into(),
            "--ssl-reqd".into(),
            "--cacert".into(),
            ca.clone(),
            "-u".into(),
            "alice:secret".into(),
            format!("imap://{}/INBOX;UID=2", server.plain),
        ],
    )
    .await;
    assert!(ok, "{output}");
    assert_eq!(output, expected, "curl imap:// with STARTTLS");
    let (ok, output) = run(
        "curl",
        vec![
            "-sS".into(),
            "--cacert".into(),
            ca.clone(),
            "-u".into(),
            "alice:secret".into(),
            format!("imaps://{}/INBOX;UID=1", server.tls),
        ],
    )
    .await;
    assert!(ok, "{output}");
    assert_eq!(output, message(0, "Welcome"), "curl imaps://");
    let (ok, output) = run(
        "curl",
        vec![
            "-sS".into(),
            "--cacert".into(),
            ca,
            "-u".into(),
            "alice:secret".into(),
            format!("imaps://{}/", server.tls),
        ],
    )
    .await;
    assert!(
        ok && output.contains("INBOX") && output.contains("Sent"),
        "curl LIST: {output}"
    );
}

async fn read_until(reader: &mut BufReader<TcpStream>, end: &str) -> String {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line))
            .await
            .expect("server answered in time")
            .unwrap();
        text.push_str(&line);
        if n == 0 || line.starts_with(end) {
            return text;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plaintext_login_is_allowed_on_loopback_only_when_configured() {
    let server = start(|server| {
        server.plaintext_on_loopback(false);
    })
    .await;
    let stream = TcpStream::connect(server.plain).await.unwrap();
    let mut reader = BufReader::new(stream);
    let greeting = read_until(&mut reader, "* OK").await;
    assert!(
        greeting.contains("LOGINDISABLED") && greeting.contains("STARTTLS"),
        "{greeting}"
    );
    reader
        .get_mut()
        .write_all(b"a LOGIN alice secret\r\n")
        .await
        .unwrap();
    let answer = read_until(&mut reader, "a ").await;
    assert!(answer.starts_with("a NO [PRIVACYREQUIRED]"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_discards_pipelined_plaintext() {
    let server = default_server().await;
    let stream = TcpStream::connect(server.plain).await.unwrap();
    let mut reader = BufReader::new(stream);
    read_until(&mut reader, "* OK").await;
    // The injected LOGIN rides in the same packet as STARTTLS.
    reader
        .get_mut()
        .write_all(b"a STARTTLS\r\nb LOGIN alice secret\r\n")
        .await
        .unwrap();
    let answer = read_until(&mut reader, "a ").await;
    assert_eq!(answer, "a OK Begin TLS negotiation now\r\n");
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
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = connector.connect(name, reader.into_inner()).await.unwrap();
    tls.write_all(b"c CAPABILITY\r\n").await.unwrap();
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    while !text.contains("c OK") {
        let n = tokio::time::timeout(Duration::from_secs(10), tls.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed early: {text}");
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(
        !text.contains("b OK"),
        "the injected LOGIN was not run: {text}"
    );
    assert!(
        text.contains("AUTH=PLAIN") && !text.contains("STARTTLS"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_limits_and_graceful_shutdown() {
    let mut options = Options::default();
    options
        .max_connections_per_ip(2)
        .shutdown_grace(Duration::from_secs(5));
    let server = start(|server| {
        server.options(options);
    })
    .await;
    let mut clients = Vec::new();
    for _ in 0..2 {
        let mut reader = BufReader::new(TcpStream::connect(server.plain).await.unwrap());
        let greeting = read_until(&mut reader, "* OK").await;
        assert!(greeting.starts_with("* OK"), "{greeting}");
        clients.push(reader);
    }
    let mut third = BufReader::new(TcpStream::connect(server.plain).await.unwrap());
    let refused = read_until(&mut third, "* BYE").await;
    assert_eq!(refused, "* BYE [UNAVAILABLE] Too many connections\r\n");
    clients[0]
        .get_mut()
        .write_all(b"a LOGIN alice secret\r\n")
        .await
        .unwrap();
    read_until(&mut clients[0], "a OK").await;
    server.stop.send(true).unwrap();
    for client in &mut clients {
        let bye = read_until(client, "* BYE").await;
        assert!(
            bye.ends_with("* BYE [UNAVAILABLE] Server shutting down\r\n"),
            "{bye}"
        );
    }
    for task in server.tasks {
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_fetch_streams_every_message() {
    let server = default_server().await;
    let mut reader = BufReader::new(TcpStream::connect(server.plain).await.unwrap());
    read_until(&mut reader, "* OK").await;
    reader
        .get_mut()
        .write_all(b"a LOGIN alice secret\r\nb SELECT INBOX\r\n")
        .await
        .unwrap();
    read_until(&mut reader, "b OK").await;
    // 600 appends of a 10 KiB message through the protocol, then one FETCH of all.
    let body = "x".repeat(10 * 1024 - 2) + "\r\n";
    let mut script = String::new();
    for n in 0..600 {
        script.push_str(&format!(
            "c{n} APPEND INBOX {{{}+}}\r\n{body}\r\n",
            body.len()
        ));
    }
    reader.get_mut().write_all(script.as_bytes()).await.unwrap();
    read_until(&mut reader, "c599 OK").await;
    reader
        .get_mut()
        .write_all(b"d FETCH 1:* (UID BODY.PEEK[])\r\n")
        .await
        .unwrap();
    let mut count = 0;
    let mut total = 0usize;
    loop {
        let mut line = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), reader.read_until(b'\n', &mut line))
            .await
            .unwrap()
            .unwrap();
        if line.starts_with(b"d OK") {
            break;
        }
        if line.starts_with(b"* ") && line.windows(5).any(|w| w == b"FETCH") {
            count += 1;
            let text = String::from_utf8_lossy(&line);
            let size: usize = text
                .rsplit('{')
                .next()
                .unwrap()
                .trim_end_matches("}\r\n")
                .parse()
                .unwrap();
            let mut data = vec![0u8; size];
            reader.read_exact(&mut data).await.unwrap();
            if count > 3 {
                assert_eq!(
                    data,
                    body.as_bytes(),
                    "message {count} came back as appended"
                );
            }
            total += size;
        }
    }
    assert_eq!(count, 603, "every message answered");
    assert!(total > 600 * 10 * 1024, "{total}");
}
