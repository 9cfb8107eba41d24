//! `mailauth`: SPF, DKIM and DMARC from the command line.
//!
//! ```text
//! mailauth spf --ip IP --helo NAME --sender ADDR [--json] [--default-explanation TEXT]
//! mailauth dkim-sign --key FILE --domain D --selector S [--now SECS] < msg > signed
//! mailauth dkim-record --key FILE [--domain D --selector S]
//! mailauth dkim-verify [--now SECS] [--json] < msg
//! mailauth dmarc --ip IP --helo NAME --sender ADDR [--now SECS] [--json] < msg
//! ```
//!
//! Every checking command takes `--zone FILE` (an in-memory zone, format in the
//! `mailwright_auth::dns::zone` docs) or `--dns ADDR:PORT` (a name server); without either
//! the name servers of /etc/resolv.conf are asked. Messages are read from standard
//! input; bare LF line endings are taken as CRLF. The exit status is 0 whenever a
//! verdict was reached (whatever it is), 2 for usage, file or key errors.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mailwright_auth::auth_results::{AuthenticationResults, MethodResult};
use mailwright_auth::crypto::SigningKey;
use mailwright_auth::dkim::{Canonicalization, DkimOutput, DkimSigner, DkimVerifier};
use mailwright_auth::dmarc::DmarcVerifier;
use mailwright_auth::dns::{
    Cache, DnsError, HickoryResolver, Lookup, Rdata, RecordType, Resolver, ResolverConfig,
    SharedLookup, TokioClock, Zone,
};
use mailwright_auth::spf::{SpfConfig, SpfOutput, SpfVerifier};
use serde_json::{Value, json};

#[derive(Debug, Parser)]
#[command(
    name = "mailauth",
    version,
    about = "SPF, DKIM and DMARC checks and DKIM signing"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where DNS answers come from.
#[derive(Debug, clap::Args)]
struct DnsArgs {
    /// Answer from this zone file instead of DNS.
    #[arg(long, value_name = "FILE", conflicts_with = "dns")]
    zone: Option<PathBuf>,
    /// Ask this name server (e.g. 127.0.0.1:5353) instead of /etc/resolv.conf's.
    #[arg(long, value_name = "ADDR:PORT")]
    dns: Option<SocketAddr>,
}

/// The SMTP facts of a check.
#[derive(Debug, clap::Args)]
struct SmtpArgs {
    /// The client's IP address.
    #[arg(long)]
    ip: IpAddr,
    /// The HELO/EHLO name.
    #[arg(long)]
    helo: String,
    /// The MAIL FROM address ('' for the null reverse-path).
    #[arg(long, allow_hyphen_values = true)]
    sender: String,
    /// The explanation given on SPF fail when the domain has no exp= (macros allowed).
    #[arg(long, value_name = "TEXT")]
    default_explanation: Option<String>,
    /// This host's name (authserv-id, the SPF `r` macro).
    #[arg(long, default_value = "localhost")]
    receiver: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check SPF for a client, HELO name and sender.
    Spf {
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        dns: DnsArgs,
        /// Current time for the `t` macro (seconds since the epoch; default now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<u64>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Sign the message on standard input; print it with its DKIM-Signature.
    DkimSign {
        /// The private key (PEM: PKCS#1 RSA, PKCS#8 RSA or Ed25519).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The signing domain (d=).
        #[arg(long)]
        domain: String,
        /// The selector (s=).
        #[arg(long)]
        selector: String,
        /// Header fields to sign, colon-separated (default: the usual set).
        #[arg(long, value_name = "NAMES")]
        headers: Option<String>,
        /// Canonicalization, header/body (default relaxed/relaxed).
        #[arg(long, value_name = "C", default_value = "relaxed/relaxed")]
        canonicalization: String,
        /// Signing time (seconds since the epoch; default now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<u64>,
    },
    /// Print the DNS TXT record to publish for a key.
    DkimRecord {
        /// The private key (PEM).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Print a zone-file line for this domain (with --selector).
        #[arg(long, requires = "selector")]
        domain: Option<String>,
        /// The selector.
        #[arg(long, requires = "domain")]
        selector: Option<String>,
    },
    /// Verify every DKIM signature of the message on standard input.
    DkimVerify {
        #[command(flatten)]
        dns: DnsArgs,
        /// The clock for t=/x= (seconds since the epoch; default now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<u64>,
        /// This host's name (authserv-id).
        #[arg(long, default_value = "localhost")]
        receiver: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// SPF, DKIM and DMARC for the message on standard input.
    Dmarc {
        #[command(flatten)]
        smtp: SmtpArgs,
        #[command(flatten)]
        dns: DnsArgs,
        /// The clock for DKIM t=/x= (seconds since the epoch; default now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        now: Option<u64>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// The resolver chosen on the command line.
#[derive(Clone, Debug)]
enum CliResolver {
    Zone(Zone),
    Dns(Cache<HickoryResolver, TokioClock>),
}

impl Resolver for CliResolver {
    async fn query(&self, name: &str, rtype: RecordType) -> Result<Lookup<Rdata>, DnsError> {
        match self {
            Self::Zone(zone) => zone.query(name, rtype).await,
            Self::Dns(dns) => dns.query(name, rtype).await,
        }
    }

    async fn query_shared(&self, name: &str, rtype: RecordType) -> Result<SharedLookup, DnsError> {
        match self {
            Self::Zone(zone) => zone.query_shared(name, rtype).await,
            Self::Dns(dns) => dns.query_shared(name, rtype).await,
        }
    }
}

/// A failure that stops the command before a verdict.
#[derive(Debug)]
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(err: E) -> Self {
        Self(err.to_string())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(output) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&output).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            }
        }
        Err(Fatal(message)) => {
            eprintln!("mailauth: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> Result<Vec<u8>, Fatal> {
    match command {
        Command::Spf {
            smtp,
            dns,
            now,
            json,
        } => {
            let resolver = resolver(&dns)?;
            let out = spf(&resolver, &smtp, clock(now)).await;
            let line = ar_line(&smtp.receiver, vec![spf_method(&out)]);
            Ok(match json {
                true => json_line(&spf_json(&out)),
                false => line,
            })
        }
        Command::DkimSign {
            key,
            domain,
            selector,
            headers,
            canonicalization,
            now,
        } => {
            let key = read_key(&key)?;
            let mut signer = DkimSigner::new(key, &domain, &selector);
            if let Some(headers) = headers {
                signer.set_headers(headers.split(':').map(str::trim));
            }
            let (header, body) = canonicalization
                .split_once('/')
                .unwrap_or((&canonicalization, "simple"));
            let parse = |name: &str| {
                Canonicalization::from_name(name)
                    .ok_or_else(|| Fatal(format!("unknown canonicalization {name}")))
            };
            signer.set_canonicalization(parse(header)?, parse(body)?);
            let message = read_message()?;
            let field = signer.sign(&message, clock(now))?;
            Ok([field.into_bytes(), message].concat())
        }
        Command::DkimRecord {
            key,
            domain,
            selector,
        } => {
            let key = read_key(&key)?;
            let record = key.dns_record();
            Ok(match (domain, selector) {
                (Some(domain), Some(selector)) => {
                    let strings: Vec<String> = record
                        .as_bytes()
                        .chunks(255)
                        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
                        .collect();
                    format!(
                        "{selector}._domainkey.{domain}. TXT {}\n",
                        strings.join(" ")
                    )
                }
                _ => format!("{record}\n"),
            }
            .into_bytes())
        }
        Command::DkimVerify {
            dns,
            now,
            receiver,
            json,
        } => {
            let resolver = resolver(&dns)?;
            let message = read_message()?;
            let results = DkimVerifier::new(resolver)
                .verify(&message, clock(now))
                .await;
            Ok(match json {
                true => json_line(&json!({ "signatures": dkim_json(&results) })),
                false => ar_line(&receiver, dkim_methods(&results)),
            })
        }
        Command::Dmarc {
            smtp,
            dns,
            now,
            json,
        } => {
            let resolver = resolver(&dns)?;
            let message = read_message()?;
            let now = clock(now);
            let spf_out = spf(&resolver, &smtp, now).await;
            let dkim = DkimVerifier::new(resolver.clone())
                .verify(&message, now)
                .await;
            let dmarc = DmarcVerifier::new(resolver)
                .verify(&message, &spf_out, &dkim)
                .await;
            if json {
                return Ok(json_line(&json!({
                    "result": dmarc.result.as_str(),
                    "policy": dmarc.policy.map(|p| p.as_str()),
                    "disposition": dmarc.disposition.as_str(),
                    "domain": dmarc.domain,
                    "spf_aligned": dmarc.spf_aligned,
                    "dkim_aligned": dmarc.dkim_aligned,
                    "spf": spf_json(&spf_out),
                    "dkim": { "signatures": dkim_json(&dkim) },
                })));
            }
            let mut methods = vec![spf_method(&spf_out)];
            methods.extend(dkim_methods(&dkim));
            methods.push(MethodResult::dmarc(&dmarc));
            Ok(ar_line(&smtp.receiver, methods))
        }
    }
}

fn resolver(args: &DnsArgs) -> Result<CliResolver, Fatal> {
    if let Some(path) = &args.zone {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Fatal(format!("{}: {err}", path.display())))?;
        return Ok(CliResolver::Zone(Zone::parse(&text)?));
    }
    let dns = match args.dns {
        Some(addr) => HickoryResolver::new(ResolverConfig::with_nameserver(addr)),
        None => HickoryResolver::from_system_conf()
            .map_err(|err| Fatal(format!("/etc/resolv.conf: {err}")))?,
    };
    Ok(CliResolver::Dns(Cache::new(dns, TokioClock::new())))
}

async fn spf(resolver: &CliResolver, smtp: &SmtpArgs, now: u64) -> SpfOutput {
    let mut config = SpfConfig::new(&smtp.receiver);
    if let Some(text) = &smtp.default_explanation {
        config.set_default_explanation(text);
    }
    SpfVerifier::new(resolver.clone(), config)
        .verify_mail_from(smtp.ip, &smtp.helo, &smtp.sender, now)
        .await
}

fn spf_method(out: &SpfOutput) -> MethodResult {
    let method = MethodResult::spf(out);
    match &out.explanation {
        Some(explanation) => method.with_reason(explanation),
        None => method,
    }
}

fn spf_json(out: &SpfOutput) -> Value {
    json!({
        "result": out.result.as_str(),
        "domain": out.domain,
        "identity": out.identity.as_str(),
        "explanation": out.explanation,
        "mechanism": out.mechanism.as_ref().map(ToString::to_string),
        "problem": out.problem.as_ref().map(ToString::to_string),
    })
}

fn dkim_methods(results: &[DkimOutput]) -> Vec<MethodResult> {
    match results.is_empty() {
        true => vec![MethodResult::dkim_none()],
        false => results.iter().map(MethodResult::dkim).collect(),
    }
}

fn dkim_json(results: &[DkimOutput]) -> Vec<Value> {
    results
        .iter()
        .map(|out| {
            json!({
                "result": out.result.as_str(),
                "domain": out.domain,
                "selector": out.selector,
                "algorithm": out.algorithm.map(|a| a.as_str()),
                "error": out.error.as_ref().map(ToString::to_string),
                "body_length": out.body_length,
                "body_extended": out.body_extended,
                "testing": out.testing,
            })
        })
        .collect()
}

/// One Authentication-Results line (unfolded) with a final newline.
fn ar_line(receiver: &str, methods: Vec<MethodResult>) -> Vec<u8> {
    let mut header = AuthenticationResults::new(receiver);
    for method in methods {
        header.push(method);
    }
    format!("{}\n", header.to_string().replace("\r\n\t", " ")).into_bytes()
}

fn json_line(value: &Value) -> Vec<u8> {
    format!("{value}\n").into_bytes()
}

fn read_key(path: &PathBuf) -> Result<SigningKey, Fatal> {
    let pem =
        std::fs::read_to_string(path).map_err(|err| Fatal(format!("{}: {err}", path.display())))?;
    SigningKey::from_pem(&pem).map_err(|err| Fatal(format!("{}: {err}", path.display())))
}

/// Standard input, with bare LF line endings made CRLF.
fn read_message() -> Result<Vec<u8>, Fatal> {
    let mut raw = Vec::new();
    std::io::stdin().read_to_end(&mut raw)?;
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 40);
    let mut previous = 0u8;
    for &b in &raw {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    Ok(out)
}

/// The time given on the command line, or the system clock.
fn clock(given: Option<u64>) -> u64 {
    given.unwrap_or_else(|| {
        // The command line is the edge where real time enters; the library takes it
        // as an argument.
        #[allow(clippy::disallowed_methods)]
        let now = std::time::SystemTime::now();
        now.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}
