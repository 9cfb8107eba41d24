//! `pop3-memory-server`: a POP3 server whose maildrops last as long as it runs.
//!
//! It shows the whole path of a POP3 server built from the workspace's crates:
//! `pop3-proto` (session, tokio driver, TLS) over `mailstore-pop3` (the maildrop traits
//! implemented over mailstore's store traits), with mailstore's in-memory store and a
//! fixed table of users (USER/PASS, AUTH and APOP). It is the interop target for
//! Python's poplib and curl:
//!
//! ```sh
//! pop3-memory-server --listen 127.0.0.1:1110 --user mrose:tanstaaf \
//!     --message mrose:tests/message.eml
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use mailwright_pop3::server::{Credentials, LoginRejection};
use mailwright_pop3::tokio::{Peer, Server, TlsMode, server_tls_config};
use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore};
use mailwright_store::{AccountName, AppendOptions, MailboxName};
use mailwright_store_pop3::{Authenticator, Pop3Handler};

const HELP: &str = "\
pop3-memory-server: a POP3 server (RFC 1939, 2449, 2595, 5034) over in-memory maildrops
(mailstore's in-memory store, gone when the server stops)

USAGE:
    pop3-memory-server [OPTIONS]

OPTIONS:
    --listen ADDR:PORT       plain POP3 listener (STLS offered when TLS is set); repeatable
    --tls-listen ADDR:PORT   implicit-TLS listener (port 995 style); repeatable
    --tls-cert FILE          PEM certificate chain for STLS and implicit TLS
    --tls-key FILE           PEM private key for --tls-cert
    --user NAME:PASSWORD     a user with an empty maildrop; repeatable
    --message NAME:FILE      deliver FILE into NAME's maildrop; repeatable
    --message-size NAME:N    deliver a generated message of N octets; repeatable
    -h, --help               print this help

Users log in with USER/PASS, AUTH PLAIN/LOGIN or APOP. Prints `listening on ADDR:PORT`
for each listener once it is bound; Ctrl-C shuts down gracefully. Without
--listen/--tls-listen it listens on 127.0.0.1:1110. Loopback clients may log in without
TLS.
";

#[derive(Default)]
struct Args {
    listen: Vec<SocketAddr>,
    tls_listen: Vec<SocketAddr>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    users: Vec<(String, String)>,
    messages: Vec<(String, Vec<u8>)>,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("pop3-memory-server: {message}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("pop3-memory-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pop3-memory-server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The users: login name and clear-text password (APOP needs it); each user's
/// maildrop is the INBOX of the account of that name.
#[derive(Debug, Default)]
struct Users(HashMap<String, String>);

impl Authenticator for Users {
    async fn authenticate(
        &self,
        credentials: &Credentials,
        _peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        let user = credentials.user();
        let Some(secret) = self.0.get(user) else {
            return Err(LoginRejection::BadCredentials);
        };
        let good = match credentials {
            Credentials::Password { password, .. } => {
                password.declassify().as_slice() == secret.as_bytes()
            }
            Credentials::Apop {
                digest, timestamp, ..
            } => timestamp.verify(secret.as_bytes(), digest),
            _ => false,
        };
        if !good {
            return Err(LoginRejection::BadCredentials);
        }
        AccountName::try_from(user).map_err(|_| LoginRejection::BadCredentials)
    }
}

/// Stores `message` in `user`'s INBOX (creating the account if needed).
fn deliver<P: AccountProvider>(store: &P, user: &str, message: &[u8]) -> Result<(), String> {
    let name = AccountName::try_from(user).map_err(|e| format!("user {user}: {e}"))?;
    let account = store
        .account(&name)
        .map_err(|e| format!("account {user}: {e}"))?;
    let inbox = account
        .mailbox(&MailboxName::inbox())
        .map_err(|e| e.to_string())?;
    account
        .append_bytes(inbox.id, message, &AppendOptions::default())
        .map_err(|e| format!("deliver to {user}: {e}"))?;
    Ok(())
}

async fn run(mut args: Args) -> Result<(), String> {
    // The maildrops: mailstore's in-memory store, gone when the server stops.
    let store = mailwright_store::MemoryStore::new();
    let mut users = Users::default();
    for (name, password) in &args.users {
        let account =
            AccountName::try_from(name.as_str()).map_err(|e| format!("user {name}: {e}"))?;
        store
            .account(&account)
            .map_err(|e| format!("account {name}: {e}"))?;
        users.0.insert(name.clone(), password.clone());
    }
    for (name, message) in args.messages.drain(..) {
        deliver(&store, &name, &message)?;
    }
    let config = mailwright_pop3::server::ServerConfig::default();
    let mut server = Server::new(config, Pop3Handler::new(store, users));
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let cert = std::fs::read(cert).map_err(|e| format!("cannot read {cert}: {e}"))?;
            let key = std::fs::read(key).map_err(|e| format!("cannot read {key}: {e}"))?;
            let config = server_tls_config(&cert, &key).map_err(|e| format!("TLS: {e}"))?;
            server.tls(config);
        }
        (None, None) if args.tls_listen.is_empty() => {}
        _ => {
            return Err(
                "--tls-listen needs --tls-cert and --tls-key, and those two go together".into(),
            );
        }
    }
    if args.listen.is_empty() && args.tls_listen.is_empty() {
        args.listen.push(SocketAddr::from(([127, 0, 0, 1], 1110)));
    }
    let server = Arc::new(server);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    // A plain listener offers the upgrade when there is a certificate.
    let plain = if args.tls_cert.is_some() {
        TlsMode::Starttls
    } else {
        TlsMode::Plain
    };
    let listeners = args.listen.iter().map(|addr| (addr, plain));
    let implicit = args.tls_listen.iter().map(|addr| (addr, TlsMode::Implicit));
    for (addr, mode) in listeners.chain(implicit) {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on {bound}");
        let server = Arc::clone(&server);
        let mut stopped = stopped.clone();
        tasks.spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            server.serve(listener, mode, shutdown).await
        });
    }
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(true);
    while let Some(result) = tasks.join_next().await {
        if let Ok(Err(error)) = result {
            eprintln!("pop3-memory-server: {error}");
        }
    }
    Ok(())
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args::default();
    while let Some(flag) = argv.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => args.listen.push(address(&value)?),
            "--tls-listen" => args.tls_listen.push(address(&value)?),
            "--tls-cert" => args.tls_cert = Some(value),
            "--tls-key" => args.tls_key = Some(value),
            "--user" => {
                let (name, password) = pair(&value, "--user NAME:PASSWORD")?;
                args.users.push((name.to_owned(), password.to_owned()));
            }
            "--message" => {
                let (name, file) = pair(&value, "--message NAME:FILE")?;
                let body = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
                args.messages.push((name.to_owned(), body));
            }
            "--message-size" => {
                let (name, size) = pair(&value, "--message-size NAME:N")?;
                let size: usize = size.parse().map_err(|_| format!("not a size: {size}"))?;
                args.messages
                    .push((name.to_owned(), generated_message(size)));
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Some(args))
}

fn address(value: &str) -> Result<SocketAddr, String> {
    value
        .parse()
        .map_err(|_| format!("not an ADDR:PORT: {value}"))
}

fn pair<'a>(value: &'a str, syntax: &str) -> Result<(&'a str, &'a str), String> {
    value
        .split_once(':')
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| format!("expected {syntax}, got {value}"))
}

/// A message of exactly `size` octets (never shorter than its header), in 80-octet
/// CRLF lines.
fn generated_message(size: usize) -> Vec<u8> {
    let mut message =
        format!("From: generator@example.org\r\nSubject: {size} octets\r\n\r\n").into_bytes();
    let mut line = 0u64;
    while message.len() < size {
        let text = format!("{line:08} {}\r\n", "abcdefghij".repeat(7));
        message.extend_from_slice(text.as_bytes());
        line += 1;
    }
    if message.len() > size && size > 2 {
        message.truncate(size - 2);
        message.extend_from_slice(b"\r\n");
    }
    message
}
