//! Helpers of the loopback tests: stores to run over (each test body runs over every
//! store implementation, see [`each_store`]), a user table, seeding through the store
//! traits, imap-proto's tokio server over the adapter with real TLS (rcgen
//! certificates), raw sockets, and real clients (Python's imaplib, curl) as child
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

use mailwright_imap::server::{LoginRejection, ServerConfig};
use mailwright_imap::tokio::{Options as ServerOptions, Peer, Server, TlsMode, server_tls_config};
use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore};
use mailwright_store::{
    AccountName, AppendOptions, Flags, MailboxName, MaildirStore, SpecialUse, SpecialUses,
};
use mailwright_store_imap::{Authenticator, ImapBackend, Options};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
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

/// `alice` / `secret` and `bob` / `hunter2`, each on the account of that name.
#[derive(Debug)]
pub struct Users;

impl Authenticator for Users {
    async fn authenticate(
        &self,
        username: &str,
        password: &[u8],
        _peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        match (username, password) {
            ("alice", b"secret") | ("bob", b"hunter2") => {
                Ok(AccountName::try_from(username).unwrap())
            }
            _ => Err(LoginRejection::BadCredentials),
        }
    }
}

/// Creates `mailbox` (unless it exists) with `special_use` in `user`'s account and
/// appends `messages` to it with their flags.
pub fn seed<P: AccountProvider>(
    store: &P,
    user: &str,
    mailbox: &str,
    special_use: Option<SpecialUse>,
    messages: &[(Vec<u8>, Flags)],
) {
    let account = store
        .account(&AccountName::try_from(user).unwrap())
        .unwrap();
    let name = MailboxName::try_from(mailbox).unwrap();
    let info = match account.mailbox(&name) {
        Ok(info) => info,
        Err(_) => {
            let uses = special_use.map_or(SpecialUses::new(), |u| SpecialUses::new().with(u));
            account.create_mailbox(&name, uses).unwrap()
        }
    };
    for (message, flags) in messages {
        account
            .append_bytes(info.id, message, &AppendOptions::new(flags.clone(), None))
            .unwrap();
    }
}

/// A running server: its plain (STARTTLS) and implicit-TLS addresses, the CA file
/// clients trust, and the way to stop it.
pub struct TestServer {
    pub plain: SocketAddr,
    pub tls: SocketAddr,
    pub ca: PathBuf,
    pub cert_pem: String,
    pub stop: watch::Sender<bool>,
    pub tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

/// Starts imap-proto's tokio server over the adapter on `store`, with `options`, a
/// self-signed certificate for `localhost`/127.0.0.1, and two listeners (plain with
/// STARTTLS, implicit TLS).
pub async fn start<P>(store: P, options: Options) -> TestServer
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
    let mut backend = ImapBackend::new(store, Users);
    backend.options(options);
    let mut config = ServerConfig::default();
    backend.configure(&mut config);
    let mut server = Server::new(config, backend);
    let mut server_options = ServerOptions::default();
    server_options.shutdown_grace(Duration::from_secs(5));
    server
        .tls(server_tls_config(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap())
        .options(server_options);
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
        let greeting = client.read_until("* ").await;
        assert!(greeting.starts_with("* OK"), "{greeting}");
        client
    }

    /// Sends `text` as it is.
    pub async fn send(&mut self, text: &str) {
        self.0.get_mut().write_all(text.as_bytes()).await.unwrap();
    }

    /// Reads lines (and the literals they announce) up to and including the first
    /// line that starts with `end`.
    pub async fn read_until(&mut self, end: &str) -> String {
        String::from_utf8_lossy(&self.read_bytes_until(end).await).into_owned()
    }

    /// [`Client::read_until`], as bytes (literals may hold any octet).
    pub async fn read_bytes_until(&mut self, end: &str) -> Vec<u8> {
        let mut text = Vec::new();
        loop {
            let mut line = Vec::new();
            let n =
                tokio::time::timeout(Duration::from_secs(20), self.0.read_until(b'\n', &mut line))
                    .await
                    .expect("server answered in time")
                    .unwrap();
            text.extend_from_slice(&line);
            if n == 0 || line.starts_with(end.as_bytes()) {
                return text;
            }
            if let Some(size) = literal_size(&line) {
                let mut data = vec![0; size];
                self.0.read_exact(&mut data).await.unwrap();
                text.extend_from_slice(&data);
            }
        }
    }

    /// Sends a tagged command and reads up to its completion.
    pub async fn command(&mut self, tag: &str, command: &str) -> String {
        String::from_utf8_lossy(&self.command_bytes(tag, command).await).into_owned()
    }

    /// [`Client::command`], the answer as bytes.
    pub async fn command_bytes(&mut self, tag: &str, command: &str) -> Vec<u8> {
        self.send(&format!("{tag} {command}\r\n")).await;
        self.read_bytes_until(&format!("{tag} ")).await
    }

    /// LOGIN and SELECT INBOX.
    pub async fn login(address: SocketAddr, user: &str, password: &str) -> Self {
        let mut client = Self::connect(address).await;
        let answer = client
            .command("l", &format!("LOGIN {user} {password}"))
            .await;
        assert!(answer.contains("l OK"), "{answer}");
        client
    }
}

/// The size of the literal a line ends with (`{n}\r\n`, `~{n}\r\n`).
fn literal_size(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r\n")?.strip_suffix(b"}")?;
    let open = line.iter().rposition(|&b| b == b'{')?;
    std::str::from_utf8(&line[open + 1..])
        .ok()?
        .trim_end_matches('+')
        .parse()
        .ok()
}
