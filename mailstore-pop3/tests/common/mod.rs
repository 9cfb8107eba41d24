//! Helpers of the loopback tests: stores to run over (each test body runs over every
//! store implementation, see [`each_store`]), a user table, seeding through the store
//! traits, pop3-proto's tokio server over the adapter with real TLS (rcgen
//! certificates), raw sockets, and real clients (Python's poplib, curl) as child
//! processes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    unreachable_pub,
    reason = "test helpers: a failed unwrap is a failed test; not every test uses every helper"
)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use mailwright_pop3::server::{Credentials, LoginRejection, ServerConfig};
use mailwright_pop3::tokio::{Options, Peer, Server, TlsMode, server_tls_config};
use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore};
use mailwright_store::{AccountName, AppendOptions, MailboxName, MaildirStore};
use mailwright_store_pop3::{Authenticator, Pop3Handler};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Runs each named test body (`async fn name<P: AccountProvider + 'static>(store: P)`)
/// over every store implementation, the Maildir + SQLite one (`maildir::name`) and the
/// in-memory one (`memory::name`): one `#[tokio::test]` per body and store.
#[macro_export]
macro_rules! each_store {
    ($($test:ident),* $(,)?) => {
        mod maildir {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let (_dir, store) = $crate::common::maildir();
                    super::$test(store).await;
                }
            )*
        }
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(mailwright_store::MemoryStore::new()).await;
                }
            )*
        }
    };
}

/// A Maildir store in a temporary directory (not fsynced: tests only).
pub fn maildir() -> (tempfile::TempDir, MaildirStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut options = mailwright_store::Options::new();
    options.dangerous_set_durable(false);
    let store = MaildirStore::new(dir.path(), options);
    (dir, store)
}

/// `mrose` / `tanstaaf` (RFC 1939's example, also for APOP), on the account `mrose`.
#[derive(Debug)]
pub struct Users;

impl Authenticator for Users {
    async fn authenticate(
        &self,
        credentials: &Credentials,
        _peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        let good = match credentials {
            Credentials::Password { user, password, .. } => {
                user == "mrose" && password.declassify().as_slice() == b"tanstaaf"
            }
            Credentials::Apop {
                user,
                digest,
                timestamp,
            } => user.as_str() == "mrose" && timestamp.verify(b"tanstaaf", digest),
            _ => false,
        };
        if good {
            Ok(AccountName::try_from("mrose").unwrap())
        } else {
            Err(LoginRejection::BadCredentials)
        }
    }
}

/// Appends `messages` to `user`'s INBOX.
pub fn deliver<P: AccountProvider>(store: &P, user: &str, messages: &[Vec<u8>]) {
    let account = store
        .account(&AccountName::try_from(user).unwrap())
        .unwrap();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    for message in messages {
        account
            .append_bytes(inbox.id, message, &AppendOptions::default())
            .unwrap();
    }
}

/// A running server: its STLS and implicit-TLS addresses, the CA file clients trust,
/// and the way to stop it.
pub struct TestServer {
    pub plain: SocketAddr,
    pub tls: SocketAddr,
    pub ca: PathBuf,
    pub stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

/// Starts pop3-proto's tokio server over the adapter on `store` (shared: the test may
/// change the store meanwhile), with APOP offered, a self-signed certificate for
/// `localhost`/127.0.0.1, and two listeners (STLS, implicit TLS).
pub async fn start<P>(store: Arc<P>) -> TestServer
where
    P: AccountProvider + 'static,
    P::Account: 'static,
{
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &cert_pem).unwrap();
    let mut server = Server::new(ServerConfig::default(), Pop3Handler::shared(store, Users));
    let mut options = Options::default();
    options
        .shutdown_grace(Duration::from_secs(5))
        .login_failure_delay(Duration::from_millis(10));
    server
        .tls(server_tls_config(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap())
        .options(options)
        .apop(true);
    let server = Arc::new(server);
    let (stop, stopped) = watch::channel(false);
    let mut addresses = Vec::new();
    for mode in [TlsMode::Starttls, TlsMode::Implicit] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        addresses.push(listener.local_addr().unwrap());
        let server = Arc::clone(&server);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            server.serve(listener, mode, shutdown).await
        });
    }
    TestServer {
        plain: addresses[0],
        tls: addresses[1],
        ca,
        stop,
        _dir: dir,
    }
}

/// Runs a client program with a time limit; returns (success, stdout + stderr).
pub async fn run(program: &str, args: Vec<String>) -> (bool, String) {
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

/// Runs a script of `tests/clients/` with Python 3 and `args`.
pub async fn python(script: &str, args: &[String]) -> (bool, String) {
    let path = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut all = vec![path];
    all.extend(args.iter().cloned());
    run("python3", all).await
}

/// A raw client connection, read line by line.
pub struct Client(pub BufReader<TcpStream>);

impl Client {
    /// Connects and reads the greeting.
    pub async fn connect(address: SocketAddr) -> Self {
        let mut client = Self(BufReader::new(TcpStream::connect(address).await.unwrap()));
        let greeting = client.line().await;
        assert!(greeting.starts_with("+OK"), "{greeting}");
        client
    }

    /// One line of the answer.
    pub async fn line(&mut self) -> String {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(20), self.0.read_line(&mut line))
            .await
            .expect("server answered in time")
            .unwrap();
        line
    }

    /// Sends a command and reads its status line.
    pub async fn command(&mut self, command: &str) -> String {
        self.0
            .get_mut()
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        self.line().await
    }

    /// Sends a command with a multi-line answer; the status line and the lines up to
    /// the terminating `.`, dot-stuffing undone.
    pub async fn multiline(&mut self, command: &str) -> (String, Vec<String>) {
        let status = self.command(command).await;
        let mut lines = Vec::new();
        if status.starts_with("+OK") {
            loop {
                let line = self.line().await;
                let line = line.trim_end_matches("\r\n");
                if line == "." {
                    break;
                }
                lines.push(line.strip_prefix('.').unwrap_or(line).to_owned());
            }
        }
        (status, lines)
    }

    /// USER and PASS.
    pub async fn login(address: SocketAddr) -> Self {
        let mut client = Self::connect(address).await;
        client.command("USER mrose").await;
        let answer = client.command("PASS tanstaaf").await;
        assert!(answer.starts_with("+OK"), "{answer}");
        client
    }
}
