//! The tokio server and client over real loopback sockets with real TLS (an rcgen
//! certificate made here), against real peers: Python's smtplib
//! (`tests/peers/smtplib_check.py`), curl (`smtp://` with STARTTLS, `smtps://`) and our
//! own client.

#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use mailwright_smtp::client::{ClientConfig, ClientCredentials};
use mailwright_smtp::server::{Credentials, ServerConfig};
use mailwright_smtp::tokio::{
    AuthResult, Client, ConnectionInfo, Context, Error, Handler, MessageOutcome, Options, Server,
    SessionHandler, TlsMode, client_tls_config, server_tls_config,
};
use mailwright_smtp::{
    Domain, EnhancedStatusCode, Envelope, ForwardPath, Mailbox, Mechanism, Reply, ReplyCode,
    ReversePath,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;

/// A stored message: envelope, body, who was authenticated, whether TLS was on.
#[derive(Clone, Debug)]
struct Stored {
    envelope: Envelope<'static>,
    body: Vec<u8>,
    authenticated: Option<String>,
    tls: bool,
}

#[derive(Clone, Default)]
struct Store(Arc<Mutex<Vec<Stored>>>);

impl Store {
    fn all(&self) -> Vec<Stored> {
        self.0.lock().unwrap().clone()
    }

    fn from(&self, sender: &str) -> Vec<Stored> {
        self.all()
            .into_iter()
            .filter(|m| m.envelope.from.to_string() == format!("<{sender}>"))
            .collect()
    }
}

struct TestHandler(Store);

struct TestSession {
    store: Store,
    body: Vec<u8>,
}

impl Handler for TestHandler {
    type Session = TestSession;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<TestSession, Reply<'static>> {
        Ok(TestSession {
            store: self.0.clone(),
            body: Vec::new(),
        })
    }
}

impl SessionHandler for TestSession {
    async fn auth(&mut self, _ctx: &Context, credentials: &Credentials) -> AuthResult {
        if credentials.username() == "alice"
            && credentials.password().declassify().as_str() == "secret"
        {
            AuthResult::Accepted
        } else {
            AuthResult::InvalidCredentials
        }
    }

    async fn rcpt_to(
        &mut self,
        _ctx: &Context,
        to: &ForwardPath<'static>,
        _params: &mailwright_smtp::RcptParameters<'static>,
        _envelope: &Envelope<'static>,
    ) -> Result<(), Reply<'static>> {
        match to.mailbox() {
            Some(mailbox) if mailbox.local_part().as_str() == "nobody" => Err(Reply::new(
                ReplyCode::MAILBOX_UNAVAILABLE,
                "no such user here",
            )
            .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX)),
            _ => Ok(()),
        }
    }

    async fn body_chunk(&mut self, _ctx: &Context, chunk: Bytes) {
        self.body.extend_from_slice(&chunk);
    }

    async fn message(
        &mut self,
        ctx: &Context,
        envelope: &Envelope<'static>,
        size: u64,
    ) -> MessageOutcome {
        assert_eq!(size, self.body.len() as u64);
        let mut store = self.store.0.lock().unwrap();
        store.push(Stored {
            envelope: envelope.clone(),
            body: std::mem::take(&mut self.body),
            authenticated: ctx.authenticated.clone(),
            tls: ctx.connection.tls.is_some(),
        });
        MessageOutcome::Accepted(format!("Q{}", store.len()))
    }

    async fn message_aborted(
        &mut self,
        _ctx: &Context,
        _reason: mailwright_smtp::server::AbortReason,
    ) {
        self.body.clear();
    }
}

/// A running pair of listeners (STARTTLS and implicit TLS) with their certificate.
struct Running {
    port: u16,
    tls_port: u16,
    ca_pem: String,
    dir: PathBuf,
    store: Store,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Running {
    fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
}

fn config() -> ServerConfig {
    let mut config = ServerConfig::new(Domain::try_from("mx.test.example").unwrap());
    config.auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN]);
    config
}

async fn start(name: &str, options: Options) -> Running {
    let dir = std::env::temp_dir().join(format!("smtp-loopback-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let ca_pem = cert.cert.pem();
    std::fs::write(dir.join("ca.pem"), &ca_pem).unwrap();
    let tls = server_tls_config(
        ca_pem.as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
    )
    .unwrap();
    let store = Store::default();
    let mut server = Server::new(config(), TestHandler(store.clone()));
    server.tls(tls).options(options);
    let server = Arc::new(server);
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let implicit = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (port, tls_port) = (
        plain.local_addr().unwrap().port(),
        implicit.local_addr().unwrap().port(),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    for (listener, mode) in [(plain, TlsMode::Starttls), (implicit, TlsMode::Implicit)] {
        let server = Arc::clone(&server);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            server.serve(listener, mode, shutdown).await
        });
    }
    Running {
        port,
        tls_port,
        ca_pem,
        dir,
        store,
        stop,
    }
}

fn fast() -> Options {
    let mut options = Options::default();
    options
        .login_failure_delay(Duration::from_millis(10))
        .shutdown_grace(Duration::from_secs(2));
    options
}

fn big_message(size: usize) -> Vec<u8> {
    let mut message = b"From: big@example.org\r\nSubject: one megabyte\r\n\r\n".to_vec();
    let mut line = 0usize;
    while message.len() < size {
        if line.is_multiple_of(50) {
            message.extend_from_slice(b".a line that starts with a dot\r\n");
        }
        message.extend_from_slice(
            format!(
                "{line:08} abcdefghijklmnopqrstuvwxyz 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n"
            )
            .as_bytes(),
        );
        line += 1;
    }
    message
}

async fn run(program: &str, args: &[&str], dir: &Path) -> std::process::Output {
    tokio::time::timeout(
        Duration::from_secs(120),
        Command::new(program).args(args).current_dir(dir).output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{program} timed out"))
    .unwrap_or_else(|err| panic!("cannot run {program}: {err}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_smtplib() {
    let running = start("smtplib", fast()).await;
    let big = big_message(1024 * 1024);
    let big_file = running.dir.join("big.eml");
    std::fs::write(&big_file, &big).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/smtplib_check.py");
    let output = run(
        "python3",
        &[
            script.to_str().unwrap(),
            &running.port.to_string(),
            &running.tls_port.to_string(),
            running.ca_file().to_str().unwrap(),
            big_file.to_str().unwrap(),
        ],
        &running.dir,
    )
    .await;
    assert!(
        output.status.success(),
        "smtplib_check.py failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let store = &running.store;
    let plain = store.from("plain@example.org");
    assert_eq!(plain.len(), 1);
    assert!(!plain[0].tls && plain[0].authenticated.is_none());
    for sender in [
        "plainauth@example.org",
        "loginauth@example.org",
        "implicit@example.org",
    ] {
        let stored = store.from(sender);
        assert_eq!(stored.len(), 1, "{sender}");
        assert!(stored[0].tls, "{sender}");
        assert_eq!(
            stored[0].authenticated.as_deref(),
            Some("alice"),
            "{sender}"
        );
    }
    let utf8 = store.from("jörg@example.org");
    assert_eq!(utf8.len(), 1);
    assert!(utf8[0].envelope.mail_params.smtputf8);
    assert_eq!(
        utf8[0].envelope.recipients[0].path.to_string(),
        "<grüße@bücher.example>"
    );
    assert!(
        String::from_utf8(utf8[0].body.clone())
            .unwrap()
            .contains("Ünïcödé")
    );
    let big_stored = store.from("big@example.org");
    assert_eq!(big_stored.len(), 1);
    assert_eq!(big_stored[0].envelope.recipients.len(), 1);
    assert_eq!(
        big_stored[0].body, big,
        "the 1 MB body arrives byte for byte"
    );
    let pipelined = store.from("pipelined@example.org");
    assert_eq!(pipelined.len(), 1);
    assert_eq!(pipelined[0].envelope.recipients.len(), 2);
    let body = String::from_utf8_lossy(&pipelined[0].body);
    assert!(body.contains("MAIL FROM:<smuggled@example.org>"), "{body}");
    assert!(
        store.from("smuggled@example.org").is_empty(),
        "smuggling ended DATA"
    );
    let _ = running.stop.send(true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_smtp_and_smtps() {
    let running = start("curl", fast()).await;
    let message = running.dir.join("message.eml");
    std::fs::write(
        &message,
        "From: curl@example.org\r\nSubject: from curl\r\n\r\nHello from curl.\r\n.leading dot\r\n",
    )
    .unwrap();
    let ca = running.ca_file();
    let (ca, message) = (ca.to_str().unwrap(), message.to_str().unwrap());
    let plain_url = format!("smtp://127.0.0.1:{}", running.port);
    let tls_url = format!("smtps://127.0.0.1:{}", running.tls_port);
    let cases: [(&str, Vec<&str>); 3] = [
        ("curl-plain@example.org", vec![plain_url.as_str()]),
        (
            "curl-starttls@example.org",
            vec![
                plain_url.as_str(),
                "--ssl-reqd",
                "--cacert",
                ca,
                "-u",
                "alice:secret",
            ],
        ),
        (
            "curl-smtps@example.org",
            vec![tls_url.as_str(), "--cacert", ca, "-u", "alice:secret"],
        ),
    ];
    for (sender, extra) in &cases {
        let mut args = vec![
            "-sS",
            "--max-time",
            "60",
            "--mail-from",
            sender,
            "--mail-rcpt",
            "b@example.org",
            "--upload-file",
            message,
        ];
        args.extend(extra.iter().copied());
        let output = run("curl", &args, &running.dir).await;
        assert!(
            output.status.success(),
            "curl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stored = running.store.from(sender);
        assert_eq!(stored.len(), 1, "{sender}");
        assert!(
            stored[0]
                .body
                .ends_with(b"Hello from curl.\r\n.leading dot\r\n"),
            "{sender}: {:?}",
            String::from_utf8_lossy(&stored[0].body)
        );
    }
    assert!(!running.store.from("curl-plain@example.org")[0].tls);
    let tls = running.store.from("curl-starttls@example.org");
    assert!(tls[0].tls && tls[0].authenticated.as_deref() == Some("alice"));
    assert!(running.store.from("curl-smtps@example.org")[0].tls);
    let _ = running.stop.send(true);
}

fn envelope(from: &str, to: &str) -> Envelope<'static> {
    let mut envelope = Envelope::new(ReversePath::Mailbox(
        Mailbox::try_from(from.to_owned()).unwrap(),
    ));
    envelope.add_recipient(ForwardPath::Mailbox(
        Mailbox::try_from(to.to_owned()).unwrap(),
    ));
    envelope
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_our_server() {
    let running = start("ours", fast()).await;
    let tls = client_tls_config(running.ca_pem.as_bytes()).unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();

    // Plain, then STARTTLS + AUTH, two messages (BDAT and DATA) on one connection.
    let mut client = Client::connect(("127.0.0.1", running.port), ClientConfig::default())
        .await
        .unwrap();
    assert!(client.capabilities().starttls() && client.capabilities().chunking());
    client
        .starttls(Arc::clone(&tls), name.clone())
        .await
        .unwrap();
    assert!(client.tls_info().is_some());
    let wrong = client
        .authenticate(ClientCredentials::new("alice", "nope"))
        .await;
    assert!(
        matches!(wrong, Err(Error::Rejected(ref r)) if r.code() == ReplyCode::AUTH_FAILED),
        "{wrong:?}"
    );
    client
        .authenticate(ClientCredentials::new("alice", "secret"))
        .await
        .unwrap();
    let body = b"Subject: ours\n\n.dot\nbare LF lines\n".repeat(5000);
    let delivery = client
        .send(
            &envelope("ours-bdat@example.org", "b@example.org"),
            &body[..],
        )
        .await
        .unwrap();
    assert!(delivery.is_success(), "{delivery:?}");
    let delivery = client
        .send_bytes(
            &envelope("ours-second@example.org", "nobody@example.org"),
            b"x",
        )
        .await
        .unwrap();
    assert!(!delivery.envelope.body_expected() && delivery.message.is_none());
    client.quit().await.unwrap();
    let stored = running.store.from("ours-bdat@example.org");
    let expected = String::from_utf8(body).unwrap().replace('\n', "\r\n");
    assert_eq!(stored[0].body, expected.as_bytes());
    assert!(stored[0].tls && stored[0].authenticated.as_deref() == Some("alice"));

    // DATA instead of BDAT, over implicit TLS.
    let mut config = ClientConfig::default();
    config.bdat(false);
    let mut client = Client::connect_tls(("127.0.0.1", running.tls_port), config, tls, name)
        .await
        .unwrap();
    let delivery = client
        .send_bytes(
            &envelope("ours-data@example.org", "b@example.org"),
            b".\n..\r\n.x",
        )
        .await
        .unwrap();
    assert!(delivery.is_success());
    client.quit().await.unwrap();
    assert_eq!(
        running.store.from("ours-data@example.org")[0].body,
        b".\r\n..\r\n.x\r\n"
    );
    let _ = running.stop.send(true);
}

/// Reads one reply (all its lines) from a raw connection.
async fn read_reply(reader: &mut BufReader<TcpStream>) -> String {
    let mut reply = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            return reply;
        }
        reply.push_str(&line);
        if line.as_bytes().get(3) != Some(&b'-') {
            return reply;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_limit_and_graceful_shutdown() {
    let mut options = fast();
    options.max_connections_per_ip(1);
    let running = start("limits", options).await;
    let mut first = BufReader::new(
        TcpStream::connect(("127.0.0.1", running.port))
            .await
            .unwrap(),
    );
    assert!(
        read_reply(&mut first)
            .await
            .starts_with("220 mx.test.example")
    );
    let mut second = BufReader::new(
        TcpStream::connect(("127.0.0.1", running.port))
            .await
            .unwrap(),
    );
    let busy = read_reply(&mut second).await;
    assert_eq!(
        busy, "421 4.7.0 mx.test.example too many connections, try again later\r\n",
        "over the per-IP limit"
    );
    assert_eq!(read_reply(&mut second).await, "", "closed after 421");

    // A session in the middle of a transaction finishes it after shutdown is asked;
    // then it gets 421.
    first
        .get_mut()
        .write_all(b"EHLO a\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        .await
        .unwrap();
    for _ in 0..4 {
        read_reply(&mut first).await;
    }
    let _ = running.stop.send(true);
    tokio::time::sleep(Duration::from_millis(100)).await;
    first.get_mut().write_all(b"body\r\n.\r\n").await.unwrap();
    let accepted = read_reply(&mut first).await;
    assert!(accepted.starts_with("250 2.0.0 OK queued as"), "{accepted}");
    let closing = read_reply(&mut first).await;
    assert!(
        closing.starts_with("421 4.3.2 mx.test.example service shutting down"),
        "{closing}"
    );
    assert_eq!(read_reply(&mut first).await, "", "closed after 421");
    assert_eq!(running.store.from("s@example.org").len(), 1);
}
