//! `imap-memory-server`: an IMAP4rev2 server whose mailboxes live in memory.
//!
//! It shows the whole path of `imap-proto` (codec, session, tokio driver, TLS, and
//! the backend traits implemented by the in-memory `MemoryBackend`) and is the
//! interop target for Python's imaplib and curl:
//!
//! ```sh
//! imap-memory-server --listen 127.0.0.1:1143
//! # log in as demo / demo
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use imap_proto::tokio::{MemoryBackend, Options, Server, server_config_from_pem};
use imap_proto::types::{Flag, MailboxAttribute};

const HELP: &str = "\
imap-memory-server: an IMAP4rev2/IMAP4rev1 server (RFC 9051, 3501 and extensions) over
an in-memory mailbox set

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
Sent, Trash and Archive mailboxes (with their special-use attributes).

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

/// The demo account: three messages in INBOX and the special-use mailboxes.
fn demo(backend: &MemoryBackend) {
    backend.add_user(DEMO_USER, DEMO_PASSWORD);
    for (name, use_) in [
        ("Drafts", MailboxAttribute::DRAFTS),
        ("Sent", MailboxAttribute::SENT),
        ("Trash", MailboxAttribute::TRASH),
        ("Archive", MailboxAttribute::ARCHIVE),
    ] {
        backend.create_mailbox(DEMO_USER, name, Some(use_));
    }
    let messages: [(&str, &str, Vec<Flag<'static>>); 3] = [
        (
            "Welcome to imap-memory-server",
            "This server keeps everything in memory.\r\nLog in as demo/demo.\r\n",
            vec![Flag::SEEN],
        ),
        (
            "Quarterly report",
            "Numbers are up.\r\nSee you at the meeting.\r\n",
            Vec::new(),
        ),
        ("Lunch?", "Pizza at noon?\r\n", vec![Flag::FLAGGED]),
    ];
    for (n, (subject, body, flags)) in messages.into_iter().enumerate() {
        let message = format!(
            "From: Alice Example <alice@example.org>\r\nTo: demo@example.org\r\nSubject: {subject}\r\n\
             Date: Fri, 27 Nov 2026 10:0{n}:00 +0100\r\nMessage-ID: <demo-{n}@example.org>\r\n\
             Content-Type: text/plain; charset=us-ascii\r\n\r\n{body}"
        );
        backend.append(DEMO_USER, "INBOX", message.as_bytes(), flags);
    }
}

async fn run(mut args: Args) -> Result<(), String> {
    let backend = MemoryBackend::new();
    demo(&backend);
    for (name, password) in &args.users {
        backend.add_user(name, password);
    }
    for (name, message) in args.messages.drain(..) {
        backend
            .append(&name, "INBOX", &message, Vec::new())
            .ok_or_else(|| format!("--message for unknown user {name}"))?;
    }
    let mut server = Server::new(backend);
    let mut options = Options::default();
    if let Some(n) = args.max_connections {
        options.max_connections(n);
    }
    if let Some(n) = args.max_per_ip {
        options.max_connections_per_ip(n);
    }
    server.options(options);
    let mut config = imap_proto::server::ServerConfig::default();
    config
        .greeting("imap-memory-server ready")
        .id_field("name", "imap-memory-server")
        .id_field("version", env!("CARGO_PKG_VERSION"));
    server.config(config);
    match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let cert = std::fs::read(cert).map_err(|e| format!("cannot read {cert}: {e}"))?;
            let key = std::fs::read(key).map_err(|e| format!("cannot read {key}: {e}"))?;
            let config = server_config_from_pem(&cert, &key).map_err(|e| format!("TLS: {e}"))?;
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
    let listeners = args.listen.iter().map(|addr| (addr, false));
    for (addr, implicit_tls) in listeners.chain(args.tls_listen.iter().map(|addr| (addr, true))) {
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
            server.serve(listener, implicit_tls, shutdown).await
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
