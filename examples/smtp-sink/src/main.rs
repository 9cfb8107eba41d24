//! `smtp-sink`: an SMTP (or LMTP) server that accepts every message, discards it, and
//! counts it. The load target of the benchmarks and the interop target of swaks.
//!
//! ```sh
//! smtp-sink --listen 127.0.0.1:2525
//! smtp-sink --listen 127.0.0.1:2525 --starttls --tls-listen 127.0.0.1:4650 --auth alice:secret
//! ```
//!
//! It shows the whole server path of `smtp-proto`: a `Handler` that refuses nothing
//! but what it is told to, the tokio `Server` with STARTTLS and implicit TLS, graceful
//! shutdown on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Parser;
use mailwright_smtp::server::{Credentials, Protocol, ServerConfig};
use mailwright_smtp::tokio::{
    AuthResult, ConnectionInfo, Context, Handler, MessageOutcome, Options, Server, SessionHandler,
    TlsMode, server_tls_config,
};
use mailwright_smtp::{
    Domain, EnhancedStatusCode, Envelope, ForwardPath, Mechanism, Reply, ReplyCode,
};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// An SMTP/LMTP server that accepts and discards mail and counts it.
///
/// Prints `listening on ADDR:PORT` for each listener once it is bound, and the totals
/// (`total: N messages, M octets, R recipients`) when it stops (Ctrl-C or SIGTERM;
/// sessions in a transaction may finish it first).
#[derive(Debug, Parser)]
#[command(name = "smtp-sink", version)]
struct Args {
    /// A plaintext listener (STARTTLS offered with --starttls); repeatable. Default
    /// 127.0.0.1:2525 when no listener is given.
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Vec<SocketAddr>,
    /// An implicit-TLS listener (port 465 style); repeatable.
    #[arg(long, value_name = "ADDR:PORT")]
    tls_listen: Vec<SocketAddr>,
    /// Offer STARTTLS on the plaintext listeners.
    #[arg(long)]
    starttls: bool,
    /// PEM certificate chain for TLS. Without it (and --tls-key), a self-signed
    /// certificate for localhost and 127.0.0.1 is made at start.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Write the self-signed certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "FILE")]
    cert_out: Option<PathBuf>,
    /// Demo credentials: offer AUTH PLAIN and LOGIN and accept this user; repeatable.
    #[arg(long, value_name = "USER:PASSWORD")]
    auth: Vec<String>,
    /// Offer AUTH on plaintext connections too (tests only: passwords in clear).
    #[arg(long)]
    auth_without_tls: bool,
    /// Require AUTH before MAIL (a submission listener).
    #[arg(long)]
    auth_required: bool,
    /// Speak LMTP (LHLO, one reply per recipient) instead of SMTP.
    #[arg(long)]
    lmtp: bool,
    /// Refuse this recipient with 550 5.1.1 (full address); repeatable.
    #[arg(long, value_name = "ADDRESS")]
    reject_rcpt: Vec<String>,
    /// The host name in the greeting and the EHLO reply.
    #[arg(long, default_value = "localhost")]
    hostname: String,
    /// The largest message, in octets (advertised as SIZE).
    #[arg(long, default_value_t = 50 * 1024 * 1024)]
    max_size: u64,
    /// The most recipients per message.
    #[arg(long, default_value_t = 100)]
    max_recipients: usize,
    /// The most connections at once (more get 421).
    #[arg(long, default_value_t = 5000)]
    max_connections: usize,
    /// Print one line per message received.
    #[arg(long, short)]
    verbose: bool,
}

/// What the sink has seen.
#[derive(Debug, Default)]
struct Counters {
    messages: AtomicU64,
    octets: AtomicU64,
    recipients: AtomicU64,
}

/// The listeners' handler: shares its state with every session.
#[derive(Debug)]
struct Sink(Arc<SinkState>);

#[derive(Debug)]
struct SinkState {
    counters: Arc<Counters>,
    users: Vec<(String, String)>,
    reject: Vec<String>,
    verbose: bool,
}

#[derive(Debug)]
struct SinkSession {
    sink: Arc<SinkState>,
}

impl Handler for Sink {
    type Session = SinkSession;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<SinkSession, Reply<'static>> {
        Ok(SinkSession {
            sink: Arc::clone(&self.0),
        })
    }
}

/// The body is dropped as it arrives (the default `body_chunk`); only the size the
/// session counted is kept.
impl SessionHandler for SinkSession {
    async fn auth(&mut self, _ctx: &Context, credentials: &Credentials) -> AuthResult {
        let password = credentials.password().declassify();
        let known = self.sink.users.iter().any(|(user, pass)| {
            user == credentials.username() && pass.as_str() == password.as_str()
        });
        if known
            && credentials
                .authzid()
                .is_none_or(|id| id == credentials.username())
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
        let address = to.mailbox().map(ToString::to_string).unwrap_or_default();
        if self
            .sink
            .reject
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&address))
        {
            return Err(
                Reply::new(ReplyCode::MAILBOX_UNAVAILABLE, "no such user here")
                    .with_enhanced(EnhancedStatusCode::BAD_DESTINATION_MAILBOX),
            );
        }
        Ok(())
    }

    async fn message(
        &mut self,
        ctx: &Context,
        envelope: &Envelope<'static>,
        size: u64,
    ) -> MessageOutcome {
        let counters = &self.sink.counters;
        let number = counters.messages.fetch_add(1, Ordering::Relaxed) + 1;
        counters.octets.fetch_add(size, Ordering::Relaxed);
        counters
            .recipients
            .fetch_add(envelope.recipients.len() as u64, Ordering::Relaxed);
        if self.sink.verbose {
            println!(
                "message {number} from {} to {} recipient(s), {size} octets, tls={}, auth={}",
                envelope.from,
                envelope.recipients.len(),
                ctx.connection.tls.is_some(),
                ctx.authenticated.as_deref().unwrap_or("-"),
            );
        }
        MessageOutcome::Accepted(format!("sink-{number}"))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("smtp-sink: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("smtp-sink: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut args: Args) -> Result<(), String> {
    if args.listen.is_empty() && args.tls_listen.is_empty() {
        args.listen.push(SocketAddr::from(([127, 0, 0, 1], 2525)));
    }
    let hostname =
        Domain::try_from(args.hostname.clone()).map_err(|err| format!("--hostname: {err}"))?;
    let users = args
        .auth
        .iter()
        .map(|pair| {
            pair.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
                .ok_or_else(|| format!("--auth {pair}: expected USER:PASSWORD"))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut config = ServerConfig::new(hostname);
    config
        .greeting(if args.lmtp {
            "LMTP smtp-sink"
        } else {
            "ESMTP smtp-sink"
        })
        .protocol(if args.lmtp {
            Protocol::Lmtp
        } else {
            Protocol::Smtp
        })
        .auth_requires_tls(!args.auth_without_tls)
        .auth_required(args.auth_required);
    if !users.is_empty() {
        config.auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN]);
    }
    config
        .limits_mut()
        .max_message_size(args.max_size)
        .max_recipients(args.max_recipients);
    let mut options = Options::default();
    options
        .max_connections(args.max_connections)
        .max_connections_per_ip(args.max_connections)
        .shutdown_grace(Duration::from_secs(10));

    let tls = if args.starttls || !args.tls_listen.is_empty() {
        Some(tls_config(&args)?)
    } else {
        None
    };
    let counters = Arc::new(Counters::default());
    let sink = Arc::new(Sink(Arc::new(SinkState {
        counters: Arc::clone(&counters),
        users,
        reject: args.reject_rcpt.clone(),
        verbose: args.verbose,
    })));

    let mut server = Server::new(config, sink);
    server.options(options);
    if let Some(tls) = &tls {
        server.tls(Arc::clone(tls));
    }
    let server = Arc::new(server);
    let plain = if args.starttls && tls.is_some() {
        TlsMode::Starttls
    } else {
        TlsMode::Plain
    };
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    let listeners = args.listen.iter().map(|addr| (*addr, plain)).chain(
        args.tls_listen
            .iter()
            .map(|addr| (*addr, TlsMode::Implicit)),
    );
    for (addr, mode) in listeners {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|err| format!("cannot listen on {addr}: {err}"))?;
        let bound = listener.local_addr().map_err(|err| err.to_string())?;
        let server = Arc::clone(&server);
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            server.serve(listener, mode, shutdown).await
        }));
        println!("listening on {bound}");
    }

    wait_for_signal().await;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    println!(
        "total: {} messages, {} octets, {} recipients",
        counters.messages.load(Ordering::Relaxed),
        counters.octets.load(Ordering::Relaxed),
        counters.recipients.load(Ordering::Relaxed),
    );
    Ok(())
}

/// The TLS configuration: the given certificate, or a self-signed one made now.
fn tls_config(args: &Args) -> Result<Arc<rustls::ServerConfig>, String> {
    let (cert, key) = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => (
            std::fs::read(cert).map_err(|err| format!("{}: {err}", cert.display()))?,
            std::fs::read(key).map_err(|err| format!("{}: {err}", key.display()))?,
        ),
        _ => {
            let names = vec![
                "localhost".to_owned(),
                "127.0.0.1".to_owned(),
                args.hostname.clone(),
            ];
            let made = rcgen::generate_simple_self_signed(names)
                .map_err(|err| format!("cannot make a certificate: {err}"))?;
            let pem = made.cert.pem();
            if let Some(out) = &args.cert_out {
                std::fs::write(out, &pem).map_err(|err| format!("{}: {err}", out.display()))?;
            }
            (
                pem.into_bytes(),
                made.signing_key.serialize_pem().into_bytes(),
            )
        }
    };
    server_tls_config(&cert, &key).map_err(|err| format!("TLS: {err}"))
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
