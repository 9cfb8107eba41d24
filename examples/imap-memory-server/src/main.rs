//! `imap-memory-server`: an IMAP4rev2 server whose mailboxes last as long as it runs.
//!
//! It shows the whole path of an IMAP server built from the workspace's crates:
//! `imap-proto` (codec, session, tokio driver, TLS) over `mailstore-imap` (the backend
//! traits implemented over mailstore's store traits), with mailstore's in-memory store
//! and a fixed table of users. It is the interop target for Python's imaplib and curl:
//!
//! ```sh
//! imap-memory-server --listen 127.0.0.1:1143
//! # log in as demo / demo
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use mailwright_imap::server::LoginRejection;
use mailwright_imap::tokio::{Options, Peer, Server, TlsMode, server_tls_config};
use mailwright_store::store::{AccountProvider, MailboxStore, MessageStore};
use mailwright_store::{
    AccountName, AppendOptions, Flags, MailboxName, SpecialUse, SpecialUses, SystemFlag,
};
use mailwright_store_imap::{Authenticator, Delimiter, ImapBackend};

const HELP: &str = "\
imap-memory-server: an IMAP4rev2/IMAP4rev1 server (RFC 9051, 3501 and extensions) over
an in-memory mailbox set (mailstore's in-memory store, gone when the server stops)

USAGE:
    imap-memory-server [OPTIONS]

OPTIONS:
    --listen ADDR:PORT       plain IMAP listener (STARTTLS offered when TLS is set); repeatable
    --tls-listen ADDR:PORT   implicit-TLS listener (port 993 style); repeatable
    --tls-cert FILE          PEM certificate chain for STARTTLS and implicit TLS
    --tls-key FILE           PEM private key for --tls-cert
    --user NAME:PASSWORD     another user with an empty INBOX; repeatable
    --message NAME:FILE      deliver FILE into NAME's INBOX; repeatable
    --max-connections N      most connections at once (default 10000)
    --max-per-ip N           most connections at once from one address (default 50)
    -h, --help               print this help

The demo login is `demo` / `demo`: its INBOX holds three messages and it has Drafts,
Sent, Trash and Archive mailboxes (with their special-use attributes). The hierarchy
delimiter is `/`.

Prints `listening on ADDR:PORT` for each listener once it is bound; Ctrl-C shuts down
gracefully. Without --listen/--tls-listen it listens on 127.0.0.1:1143. Loopback clients
may log in without TLS.
";

/// The fixed demo account.
const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo";

#[derive(Default)]
struct Args {
    listen: Vec<SocketAddr>,
    tls_listen: Vec<SocketAddr>,
    tls_cert: Option<String>,
    tls_key: Option<String>,
    users: Vec<(String, String)>,
    messages: Vec<(String, Vec<u8>)>,
    max_connections: Option<usize>,
    max_per_ip: Option<usize>,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("imap-memory-server: {message}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("imap-memory-server: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("imap-memory-server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The users: login name and password; each user's mail is the account of that name.
#[derive(Debug, Default)]
struct Users(HashMap<String, String>);

impl Authenticator for Users {
    async fn authenticate(
        &self,
        username: &str,
        password: &[u8],
        _peer: Peer,
    ) -> Result<AccountName, LoginRejection> {
        match self.0.get(username) {
            Some(known) if known.as_bytes() == password => {
                AccountName::try_from(username).map_err(|_| LoginRejection::BadCredentials)
            }
            _ => Err(LoginRejection::BadCredentials),
        }
    }
}

/// The account of a user name.
fn account<P: AccountProvider>(store: &P, user: &str) -> Result<P::Account, String> {
    let name = AccountName::try_from(user).map_err(|e| format!("user {user}: {e}"))?;
    store
        .account(&name)
        .map_err(|e| format!("account {user}: {e}"))
}

/// Stores `message` in `user`'s INBOX.
fn deliver<P: AccountProvider>(
    store: &P,
    user: &str,
    message: &[u8],
    flags: Flags,
) -> Result<(), String> {
    let account = account(store, user)?;
    let inbox = account
        .mailbox(&MailboxName::inbox())
        .map_err(|e| e.to_string())?;
    account
        .append_bytes(inbox.id, message, &AppendOptions::new(flags, None))
        .map_err(|e| format!("deliver to {user}: {e}"))?;
    Ok(())
}

/// The demo account: three messages in INBOX and the special-use mailboxes.
fn demo<P: AccountProvider>(store: &P) -> Result<(), String> {
    let account = account(store, DEMO_USER)?;
    for (name, use_) in [
        ("Drafts", SpecialUse::Drafts),
        ("Sent", SpecialUse::Sent),
        ("Trash", SpecialUse::Trash),
        ("Archive", SpecialUse::Archive),
    ] {
        let name = MailboxName::try_from(name).map_err(|e| e.to_string())?;
        account
            .create_mailbox(&name, SpecialUses::new().with(use_))
            .map_err(|e| e.to_string())?;
    }
    let messages = [
        (
            "Welcome to imap-memory-server",
            "This server forgets everything when it stops.\r\nLog in as demo/demo.\r\n",
            Flags::new().with(SystemFlag::Seen),
        ),
        (
            "Quarterly report",
            "Numbers are up.\r\nSee you at the meeting.\r\n",
            Flags::new(),
        ),
        (
            "Lunch?",
            "Pizza at noon?\r\n",
            Flags::new().with(SystemFlag::Flagged),
        ),
    ];
    for (n, (subject, body, flags)) in messages.into_iter().enumerate() {
        let message = format!(
            "From: Alice Example <alice@example.org>\r\nTo: demo@example.org\r\nSubject: {subject}\r\n\
             Date: Fri, 27 Nov 2026 10:0{n}:00 +0100\r\nMessage-ID: <demo-{n}@example.org>\r\n\
             Content-Type: text/plain; charset=us-ascii\r\n\r\n{body}"
        );
        deliver(store, DEMO_USER, message.as_bytes(), flags)?;
    }
    Ok(())
}

async fn run(mut args: Args) -> Result<(), String> {
    // The mailboxes: mailstore's in-memory store, gone when the server stops.
    let store = mailwright_store::MemoryStore::new();
    let mut users = Users::default();
    users.0.insert(DEMO_USER.into(), DEMO_PASSWORD.into());
    demo(&store)?;
    for (name, password) in &args.users {
        account(&store, name)?;
        users.0.insert(name.clone(), password.clone());
    }
    for (name, message) in args.messages.drain(..) {
        if !users.0.contains_key(&name) {
            return Err(format!("--message for unknown user {name}"));
        }
        deliver(&store, &name, &message, Flags::new())?;
    }
    let mut backend = ImapBackend::new(store, users);
    let mut backend_options = mailwright_store_imap::Options::new();
    backend_options.delimiter(Delimiter::Slash);
    backend.options(backend_options);
    let mut config = mailwright_imap::server::ServerConfig::default();
    config
        .greeting("imap-memory-server ready")
        .id_field("name", "imap-memory-server")
        .id_field("version", env!("CARGO_PKG_VERSION"));
    backend.configure(&mut config);
    let mut server = Server::new(config, backend);
    let mut options = Options::default();
    if let Some(n) = args.max_connections {
        options.max_connections(n);
    }
    if let Some(n) = args.max_per_ip {
        options.max_connections_per_ip(n);
    }
    server.options(options);
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
        args.listen.push(SocketAddr::from(([127, 0, 0, 1], 1143)));
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
            eprintln!("imap-memory-server: {error}");
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
            "--max-connections" => args.max_connections = Some(count(&value)?),
            "--max-per-ip" => args.max_per_ip = Some(count(&value)?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Some(args))
}

fn count(value: &str) -> Result<usize, String> {
    value.parse().map_err(|_| format!("not a number: {value}"))
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
