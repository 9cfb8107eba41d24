//! `smtp-send`: sends a message file to an SMTP or LMTP server with the tokio client of
//! `smtp-proto`: STARTTLS or implicit TLS, AUTH, pipelining, BDAT when offered.
//!
//! ```sh
//! smtp-send --server 127.0.0.1:2525 --from a@example.org --to b@example.org message.eml
//! smtp-send --server mail.example.org:587 --starttls --auth alice:secret \
//!     --from alice@example.org --to bob@example.net message.eml
//! ```

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use mailwright_smtp::client::{ClientConfig, ClientCredentials};
use mailwright_smtp::server::Protocol;
use mailwright_smtp::tokio::{Client, Delivery, client_tls_config};
use mailwright_smtp::{Domain, Envelope, ForwardPath, Host, Mailbox, ReversePath};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Sends a message file over SMTP or LMTP.
///
/// Prints the server's reply for the envelope and each recipient; exits 0 when every
/// recipient accepted every copy, 1 when some were refused, 2 on errors.
#[derive(Debug, Parser)]
#[command(name = "smtp-send", version)]
struct Args {
    /// The server to connect to.
    #[arg(long, value_name = "HOST:PORT")]
    server: String,
    /// The envelope sender (MAIL FROM); empty for the null path `<>`.
    #[arg(long, value_name = "ADDRESS")]
    from: String,
    /// An envelope recipient (RCPT TO); repeatable.
    #[arg(long, value_name = "ADDRESS", required = true)]
    to: Vec<String>,
    /// The message file (RFC 5322, any line endings); `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: String,
    /// Upgrade with STARTTLS before sending (fails if not offered).
    #[arg(long, conflicts_with = "tls")]
    starttls: bool,
    /// Use implicit TLS from the first byte (port 465).
    #[arg(long)]
    tls: bool,
    /// PEM certificate(s) to trust for TLS (a private CA or a self-signed server).
    /// Required with --starttls or --tls.
    #[arg(long, value_name = "FILE")]
    ca_file: Option<String>,
    /// The name the server's certificate must carry. Default: the host of --server.
    #[arg(long, value_name = "NAME")]
    server_name: Option<String>,
    /// Authenticate with AUTH PLAIN (or LOGIN).
    #[arg(long, value_name = "USER:PASSWORD")]
    auth: Option<String>,
    /// The name sent with EHLO/LHLO.
    #[arg(long, default_value = "localhost")]
    helo: String,
    /// Speak LMTP (LHLO; one reply per recipient).
    #[arg(long)]
    lmtp: bool,
    /// Do not pipeline even when the server offers PIPELINING.
    #[arg(long)]
    no_pipelining: bool,
    /// Use DATA even when the server offers CHUNKING (BDAT).
    #[arg(long)]
    no_bdat: bool,
    /// Send the message this many times over the one connection.
    #[arg(long, default_value_t = 1)]
    count: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("smtp-send: cannot start the runtime: {err}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("smtp-send: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool, String> {
    let envelope = envelope(&args)?;
    let message = read_message(&args.file).await?;
    let helo = Domain::try_from(args.helo.clone()).map_err(|err| format!("--helo: {err}"))?;
    let mut config = ClientConfig::new(Host::Domain(helo));
    config
        .protocol(if args.lmtp {
            Protocol::Lmtp
        } else {
            Protocol::Smtp
        })
        .pipelining(!args.no_pipelining)
        .bdat(!args.no_bdat);

    let server_name = args.server_name.clone().unwrap_or_else(|| {
        let host = args
            .server
            .rsplit_once(':')
            .map_or(&*args.server, |(host, _)| host);
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned()
    });
    let tls = if args.starttls || args.tls {
        let ca = args
            .ca_file
            .as_ref()
            .ok_or("--starttls and --tls need --ca-file")?;
        let pem = std::fs::read(ca).map_err(|err| format!("{ca}: {err}"))?;
        let config = client_tls_config(&pem).map_err(|err| format!("{ca}: {err}"))?;
        let name = rustls::pki_types::ServerName::try_from(server_name.clone())
            .map_err(|err| format!("server name {server_name}: {err}"))?;
        Some((config, name))
    } else {
        None
    };

    let mut client = match (&tls, args.tls) {
        (Some((tls_config, name)), true) => {
            Client::connect_tls(&*args.server, config, Arc::clone(tls_config), name.clone()).await
        }
        _ => {
            let stream = TcpStream::connect(&*args.server)
                .await
                .map_err(|err| format!("cannot connect to {}: {err}", args.server))?;
            Client::start(stream, config).await
        }
    }
    .map_err(|err| format!("{}: {err}", args.server))?;
    if let (Some((tls_config, name)), true) = (&tls, args.starttls) {
        client
            .starttls(Arc::clone(tls_config), name.clone())
            .await
            .map_err(|err| format!("STARTTLS: {err}"))?;
    }
    if let Some(auth) = &args.auth {
        let (user, password) = auth
            .split_once(':')
            .ok_or("--auth: expected USER:PASSWORD")?;
        client
            .authenticate(ClientCredentials::new(user, password))
            .await
            .map_err(|err| format!("AUTH: {err}"))?;
    }
    let mut all_accepted = true;
    for copy in 1..=args.count {
        let delivery = client
            .send_bytes(&envelope, &message)
            .await
            .map_err(|err| format!("sending copy {copy}: {err}"))?;
        all_accepted &= report(&envelope, &delivery);
    }
    client.quit().await.map_err(|err| format!("QUIT: {err}"))?;
    Ok(all_accepted)
}

fn envelope(args: &Args) -> Result<Envelope<'static>, String> {
    let from = if args.from.is_empty() {
        ReversePath::Null
    } else {
        ReversePath::Mailbox(
            Mailbox::try_from(args.from.clone()).map_err(|err| format!("--from: {err}"))?,
        )
    };
    let mut envelope = Envelope::new(from);
    for to in &args.to {
        let mailbox = Mailbox::try_from(to.clone()).map_err(|err| format!("--to {to}: {err}"))?;
        envelope.add_recipient(ForwardPath::Mailbox(mailbox));
    }
    Ok(envelope)
}

async fn read_message(file: &str) -> Result<Vec<u8>, String> {
    let mut message = Vec::new();
    if file == "-" {
        tokio::io::stdin()
            .read_to_end(&mut message)
            .await
            .map_err(|err| format!("standard input: {err}"))?;
    } else {
        message = tokio::fs::read(file)
            .await
            .map_err(|err| format!("{file}: {err}"))?;
    }
    Ok(message)
}

/// Prints the outcome; true when every recipient took the message.
fn report(envelope: &Envelope<'_>, delivery: &Delivery) -> bool {
    let result = &delivery.envelope;
    println!("MAIL: {}", result.mail());
    for (recipient, reply) in envelope.recipients.iter().zip(result.recipients()) {
        let reply = reply
            .as_ref()
            .map_or_else(|| "not sent".to_owned(), ToString::to_string);
        println!("RCPT {}: {reply}", recipient.path);
    }
    let Some(message) = &delivery.message else {
        println!("message not sent");
        return false;
    };
    for (index, reply) in message.replies() {
        println!("DATA {}: {reply}", envelope.recipients[*index].path);
    }
    message.is_success() && message.replies().len() == envelope.recipients.len()
}
