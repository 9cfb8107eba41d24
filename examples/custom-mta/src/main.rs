//! custom-mta: how to write your own MTA with this workspace, in one file.
//!
//! ```text
//!   SMTP client ──► smtp-proto Server ──► Handler (relay check, collect body)
//!                                            │ DKIM-sign (mailauth)
//!                                            ▼
//!                                   mta-queue Queue::enqueue  (fsync, then 250)
//!                                            │
//!           routing: rule "partners" → smarthost, hook "+bulk" → bulk queue,
//!           everything else by MX; throttle on big providers; events logged
//!                                            ▼
//!                           SmtpTransport ──► the next hop (MX or relay)
//! ```
//!
//! Run it (mail to `*.partner.test` goes through `--partner-relay`; everything else
//! by MX, here on port 2526 of what `--zone` says):
//!
//! ```sh
//! cargo run -p custom-mta -- --listen 127.0.0.1:2525 --spool /tmp/spool \
//!     --zone zone.txt --mx-port 2526 --dkim-domain example.org
//! ```
//!
//! It prints `listening on ADDR` once it accepts connections, then one line per queue
//! event. Only clients on loopback may relay (a real MTA checks AUTH or a network
//! list here).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use mailwright_auth::dkim::DkimSigner;
use mailwright_auth::dns::{
    DnsError, HickoryResolver, Lookup, Rdata, RecordType, Resolver, ResolverConfig, Zone,
};
use mailwright_queue::route::{DeliveryOptions, Relay, RelayTls, Route, RouteAction, Router, Rule};
use mailwright_queue::transport::smtp::SmtpTransport;
use mailwright_queue::{
    Envelope, FileSpool, Limits, Queue, QueueBuilder, QueueConfig, Rate, RetryPolicy,
    SchedulerConfig, Throttle,
};
use mailwright_smtp::server::ServerConfig;
use mailwright_smtp::tokio::{
    ConnectionInfo, Context, Handler, MessageOutcome, Server, SessionHandler, TlsMode,
};
use mailwright_smtp::{Domain, EnhancedStatusCode, ForwardPath, Mailbox, Reply, ReplyCode};

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "A small custom MTA built on smtp-proto, mailauth and mta-queue")]
struct Args {
    /// Address to accept SMTP on.
    #[arg(long, default_value = "127.0.0.1:2525")]
    listen: SocketAddr,
    /// Spool directory.
    #[arg(long)]
    spool: PathBuf,
    /// Our host name (greeting, EHLO, DSN Reporting-MTA).
    #[arg(long, default_value = "custom-mta.test")]
    hostname: String,
    /// Answer DNS from this zone file instead of the system's resolver.
    #[arg(long)]
    zone: Option<PathBuf>,
    /// Ask this DNS server (e.g. 127.0.0.1:5353) instead of /etc/resolv.conf.
    #[arg(long)]
    dns: Option<SocketAddr>,
    /// The port MX hosts are contacted on (25; tests use loopback high ports).
    #[arg(long, default_value_t = 25)]
    mx_port: u16,
    /// The custom rule: mail to `*.partner.test` goes through this smarthost.
    #[arg(long)]
    partner_relay: Option<SocketAddr>,
    /// Require STARTTLS (with a verified certificate for `--partner-name`) on the
    /// partner smarthost.
    #[arg(long)]
    partner_tls: bool,
    /// The smarthost's name in its certificate.
    #[arg(long, default_value = "localhost")]
    partner_name: String,
    /// Trust the CA certificates in this PEM file (instead of the system's roots).
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// Retry deferred mail every N seconds (tests), instead of the default schedule.
    #[arg(long)]
    retry_secs: Option<u64>,
    /// DKIM-sign as this domain (an Ed25519 key made at start; its DNS record is
    /// printed).
    #[arg(long)]
    dkim_domain: Option<String>,
    /// The throttle: connections at once to any one receiving site.
    #[arg(long, default_value_t = 20)]
    site_connections: u32,
    /// Messages per connection before it is closed.
    #[arg(long, default_value_t = 100)]
    messages_per_connection: u32,
    /// Accept and queue, but deliver nothing (load tests measure enqueue alone).
    #[arg(long)]
    hold: bool,
    /// Print no per-event lines.
    #[arg(long)]
    quiet: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();

    // DNS: a zone file for tests, or real DNS.
    let dns = match (&args.zone, args.dns) {
        (Some(path), _) => Dns::Zone(Zone::parse(&std::fs::read_to_string(path)?)?),
        (None, Some(server)) => Dns::Real(HickoryResolver::new(ResolverConfig::with_nameserver(
            server,
        ))),
        (None, None) => Dns::Real(HickoryResolver::from_system_conf()?),
    };

    // Routing: one custom rule (partners through a smarthost) and one hook (a "+bulk"
    // subaddress goes to the low-priority bulk queue); everything else by MX.
    let mut router = Router::new();
    if let Some(relay) = args.partner_relay {
        // With --partner-tls the relay is named (its certificate is checked against
        // that name) and resolved through DNS like any host.
        let (host, tls) = match args.partner_tls {
            true => (args.partner_name.clone(), RelayTls::StartTlsRequired),
            false => (relay.ip().to_string(), RelayTls::Opportunistic),
        };
        router.push(
            Rule::new("partners")
                .domain(".partner.test".parse()?)
                .action(RouteAction::Relay(
                    Relay::new(host, relay.port()).with_tls(tls),
                )),
        );
    }
    router.set_default(
        DeliveryOptions::default().ehlo(args.hostname.clone()),
        args.mx_port,
    );
    let port = args.mx_port;
    router.set_hook(Arc::new(move |_: &Envelope, rcpt: &Mailbox<'static>| {
        rcpt.local_part()
            .as_str()
            .ends_with("+bulk")
            .then(|| Route::new(RouteAction::Mx { port }, "bulk"))
    }));

    // Queues and the throttle: bulk mail goes after the rest and slower; every site
    // whose MX hosts are under .provider.test (a large mailbox provider) gets at most
    // 2 connections and 50 messages per second.
    let site_limits = Limits::default()
        .connections(args.site_connections)
        .messages_per_connection(args.messages_per_connection);
    let mut global = Limits::unlimited().connections(500);
    if args.hold {
        global = global.connections(0);
    }
    let mut retry = RetryPolicy::default();
    if let Some(secs) = args.retry_secs {
        retry = retry.schedule(vec![Duration::from_secs(secs)]).jitter(0.0);
    }
    let config = SchedulerConfig::default()
        .queue(
            QueueConfig::new("default")
                .priority(10)
                .retry(retry.clone()),
        )
        .queue(
            QueueConfig::new("bulk")
                .priority(-10)
                .rate(Rate::per_second(100)),
        )
        .queue(
            QueueConfig::new("bounces")
                .retry(RetryPolicy::default().max_lifetime(Duration::from_secs(2 * 86_400))),
        )
        .site_limits(site_limits)
        .global(global)
        .throttle(Throttle::new(
            ".provider.test".parse()?,
            Limits::default().connections(2).rate(Rate::per_second(50)),
        ));

    // The queue: a durable file spool, SMTP delivery, and an event hook for logs.
    let spool = Arc::new(FileSpool::open(&args.spool)?);
    let quiet = args.quiet;
    let transport = match &args.ca_file {
        Some(path) => {
            let mut roots = mailwright_queue::transport::smtp::RootCertStore::empty();
            let pem = std::fs::read(path)?;
            for cert in mailwright_queue::transport::smtp::certificates_from_pem(&pem) {
                roots.add(cert)?;
            }
            SmtpTransport::with_roots(roots)
        }
        None => SmtpTransport::new(),
    };
    let queue = QueueBuilder::new(spool, dns, transport)
        .config(config)
        .router(router)
        .hostname(args.hostname.clone())
        .on_event(move |event| {
            if !quiet {
                println!("event {event}");
            }
        })
        .start()
        .await?;
    let recovered = queue.recovery();
    println!(
        "recovered {} entries ({} corrupt set aside)",
        recovered.entries,
        recovered.corrupt.len()
    );

    // DKIM: an Ed25519 key made now; publish the printed record to make it verify.
    let signer = args.dkim_domain.as_deref().map(|domain| {
        let seed: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
        let signer = DkimSigner::new(
            mailwright_auth::crypto::SigningKey::ed25519_from_seed(&seed),
            domain,
            "mta",
        );
        println!("dkim {} TXT \"{}\"", signer.dns_name(), signer.dns_record());
        signer
    });

    // SMTP in: smtp-proto's server calls our handler for each decision.
    let mut server_config = ServerConfig::new(Domain::try_from(args.hostname.clone())?);
    server_config.dsn(true).pipelining(true).chunking(true);
    let handler = Accept {
        queue: queue.clone(),
        signer: signer.map(Arc::new),
    };
    let server = Arc::new(Server::new(server_config, handler));
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("listening on {}", listener.local_addr()?);
    server
        .serve(listener, TlsMode::Plain, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    queue.shutdown().await;
    Ok(())
}

/// The SMTP handler: one value for the listener.
struct Accept {
    queue: Queue<Dns, SmtpTransport>,
    signer: Option<Arc<DkimSigner>>,
}

/// One connection's state: the message being received.
struct AcceptSession {
    queue: Queue<Dns, SmtpTransport>,
    signer: Option<Arc<DkimSigner>>,
    loopback: bool,
    body: Vec<u8>,
}

impl Handler for Accept {
    type Session = AcceptSession;

    async fn connect(&self, info: &ConnectionInfo) -> Result<AcceptSession, Reply<'static>> {
        Ok(AcceptSession {
            queue: self.queue.clone(),
            signer: self.signer.clone(),
            loopback: info.peer.ip().is_loopback(),
            body: Vec::new(),
        })
    }
}

impl SessionHandler for AcceptSession {
    async fn rcpt_to(
        &mut self,
        _ctx: &Context,
        _to: &ForwardPath<'static>,
        _params: &mailwright_smtp::RcptParameters<'static>,
        _envelope: &mailwright_smtp::Envelope<'static>,
    ) -> Result<(), Reply<'static>> {
        // No open relay: only loopback clients may send anywhere.
        if self.loopback {
            Ok(())
        } else {
            Err(
                Reply::new(ReplyCode::TRANSACTION_FAILED, "relay access denied")
                    .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED),
            )
        }
    }

    async fn body_chunk(&mut self, _ctx: &Context, chunk: Bytes) {
        self.body.extend_from_slice(&chunk);
    }

    async fn message(
        &mut self,
        _ctx: &Context,
        envelope: &mailwright_smtp::Envelope<'static>,
        _size: u64,
    ) -> MessageOutcome {
        let mut body = std::mem::take(&mut self.body);
        // The queue's envelope, with every parameter (DSN, BODY=, SMTPUTF8).
        let envelope = match Envelope::from_smtp(envelope) {
            Ok(envelope) => envelope,
            Err(error) => {
                return MessageOutcome::Rejected(
                    Reply::new(ReplyCode::TRANSACTION_FAILED, error.to_string())
                        .with_enhanced(EnhancedStatusCode::INVALID_ARGUMENTS),
                );
            }
        };
        // Sign before queuing, so retries send the same signature.
        if let Some(signer) = &self.signer {
            #[allow(clippy::disallowed_methods, reason = "a binary stamps the real time")]
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            if let Ok(header) = signer.sign(&body, now) {
                let mut signed = header.into_bytes();
                signed.extend_from_slice(b"\r\n");
                signed.append(&mut body);
                body = signed;
            }
        }
        // Only now, with the message and envelope fsynced, does the client hear 250;
        // if the queue cannot take it, the reply it maps to (452 4.3.1 for a full disk).
        match self.queue.enqueue(envelope, body).await {
            Ok(id) => MessageOutcome::Accepted(id.to_string()),
            Err(error) => MessageOutcome::Rejected(Reply::from(&error)),
        }
    }

    async fn message_aborted(
        &mut self,
        _ctx: &Context,
        _reason: mailwright_smtp::server::AbortReason,
    ) {
        self.body.clear();
    }
}

/// DNS from a zone file (tests) or real servers.
enum Dns {
    Zone(Zone),
    Real(HickoryResolver),
}

impl Resolver for Dns {
    async fn query(&self, name: &str, rtype: RecordType) -> Result<Lookup<Rdata>, DnsError> {
        match self {
            Self::Zone(zone) => zone.query(name, rtype).await,
            Self::Real(resolver) => resolver.query(name, rtype).await,
        }
    }
}
