//! A small scripted SMTP/LMTP server for the transport tests: loopback only, one task
//! per connection, no pipelining (so the client's one-at-a-time path is used), optional
//! STARTTLS or implicit TLS and AUTH PLAIN/LOGIN, replies chosen by the recipient's
//! local part (`bad*` 550, `temp*` 451, `tempOnce*` 451 the first time), and a record
//! of every message, connection count and TLS/AUTH state.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, UnixListener};
use tokio_rustls::TlsAcceptor;

tokio::task_local! {
    /// The client's address, for the connection task.
    static PEER: Option<std::net::IpAddr>;
}

/// One message the sink accepted.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) sender: String,
    pub(crate) recipients: Vec<String>,
    pub(crate) body: Vec<u8>,
    pub(crate) tls: bool,
    pub(crate) auth: Option<String>,
    pub(crate) mail_params: String,
    pub(crate) rcpt_params: Vec<String>,
    pub(crate) at: Instant,
    pub(crate) peer: Option<std::net::IpAddr>,
    pub(crate) helo: String,
}

/// How the sink behaves.
#[derive(Clone, Default)]
pub(crate) struct Script {
    /// The greeting line (`220 sink` unless set).
    pub(crate) greeting: Option<String>,
    /// Offer STARTTLS with this acceptor.
    pub(crate) starttls: Option<TlsAcceptor>,
    /// Run TLS from the first byte with this acceptor.
    pub(crate) implicit_tls: Option<TlsAcceptor>,
    /// Offer AUTH (after TLS) and accept this user and password.
    pub(crate) auth: Option<(String, String)>,
    /// Speak LMTP.
    pub(crate) lmtp: bool,
    /// Offer DSN.
    pub(crate) dsn: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) received: Vec<Received>,
    pub(crate) open: usize,
    pub(crate) max_open: usize,
    pub(crate) connections: usize,
    once: HashSet<String>,
}

#[derive(Clone)]
pub(crate) struct Sink {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) addr: Option<SocketAddr>,
}

impl Sink {
    /// Listens on 127.0.0.1 (an ephemeral port unless `port` is given).
    pub(crate) async fn tcp(script: Script, ip: &str, port: u16) -> Self {
        let listener = TcpListener::bind((ip, port)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    break;
                };
                let state = Arc::clone(&shared);
                let script = script.clone();
                tokio::spawn(PEER.scope(Some(peer.ip()), async move {
                    if let Some(acceptor) = &script.implicit_tls {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            serve(tls, script, state, true).await;
                        }
                    } else {
                        serve_plain(stream, script, state).await;
                    }
                }));
            }
        });
        Self {
            state,
            addr: Some(addr),
        }
    }

    /// Listens on a unix socket (LMTP).
    pub(crate) async fn unix(script: Script, path: PathBuf) -> Self {
        let listener = UnixListener::bind(&path).unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let state = Arc::clone(&shared);
                let script = script.clone();
                tokio::spawn(PEER.scope(
                    None,
                    async move { serve(stream, script, state, false).await },
                ));
            }
        });
        Self { state, addr: None }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub(crate) fn max_open(&self) -> usize {
        self.state.lock().unwrap().max_open
    }

    pub(crate) fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }
}

async fn serve_plain(stream: tokio::net::TcpStream, script: Script, state: Arc<Mutex<State>>) {
    // A plain session that may turn into TLS after STARTTLS.
    let mut stream = BufReader::new(stream);
    let tls_acceptor = script.starttls.clone();
    match session(&mut stream, &script, &state, false, true).await {
        Outcome::StartTls => {
            let Some(acceptor) = tls_acceptor else { return };
            let inner = stream.into_inner();
            if let Ok(tls) = acceptor.accept(inner).await {
                serve(tls, script, state, true).await;
            }
        }
        Outcome::Done => {}
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    script: Script,
    state: Arc<Mutex<State>>,
    tls: bool,
) {
    let mut stream = BufReader::new(stream);
    let _ = session(&mut stream, &script, &state, tls, !tls).await;
}

enum Outcome {
    Done,
    StartTls,
}

struct Open(Arc<Mutex<State>>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.lock().unwrap().open -= 1;
    }
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    script: &Script,
    state: &Arc<Mutex<State>>,
    tls: bool,
    greet: bool,
) -> Outcome {
    {
        let mut s = state.lock().unwrap();
        // A session after STARTTLS is the same connection, counted already.
        if greet || script.implicit_tls.is_some() {
            s.connections += 1;
        }
        s.open += 1;
        s.max_open = s.max_open.max(s.open);
    }
    let _open = Open(Arc::clone(state));
    let greeting = script
        .greeting
        .clone()
        .unwrap_or_else(|| "220 sink ESMTP".into());
    if greet || script.implicit_tls.is_some() {
        if send(stream, &format!("{greeting}\r\n")).await.is_err() {
            return Outcome::Done;
        }
        if !greeting.starts_with("220") {
            return Outcome::Done;
        }
    }
    let peer = PEER.try_with(|p| *p).ok().flatten();
    let mut helo = String::new();
    let mut sender: Option<(String, String)> = None;
    let mut rcpts: Vec<(String, String)> = Vec::new();
    let mut auth: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        match stream.read_line(&mut line).await {
            Ok(0) | Err(_) => return Outcome::Done,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("LHLO") {
            helo = command.get(5..).unwrap_or("").trim().to_owned();
            let mut lines = vec![
                "250-sink".to_owned(),
                "250-SIZE 52428800".into(),
                "250-8BITMIME".into(),
                "250-ENHANCEDSTATUSCODES".into(),
            ];
            if script.dsn {
                lines.push("250-DSN".into());
            }
            if script.starttls.is_some() && !tls {
                lines.push("250-STARTTLS".into());
            }
            if script.auth.is_some() && tls {
                lines.push("250-AUTH PLAIN LOGIN".into());
            }
            lines.push("250 HELP".into());
            lines.join("\r\n")
        } else if upper == "STARTTLS" && script.starttls.is_some() && !tls {
            let _ = send(stream, "220 2.0.0 go ahead\r\n").await;
            return Outcome::StartTls;
        } else if upper.starts_with("AUTH PLAIN ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(command[11..].trim())
                .unwrap_or_default();
            let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
            let ok = match (&script.auth, parts.as_slice()) {
                (Some((user, pass)), [_, u, p]) => u == &user.as_bytes() && p == &pass.as_bytes(),
                _ => false,
            };
            if ok {
                auth = script.auth.as_ref().map(|(u, _)| u.clone());
                "235 2.7.0 ok".into()
            } else {
                "535 5.7.8 bad credentials".into()
            }
        } else if upper.starts_with("MAIL FROM:") {
            let (path, params) = split_path(&command[10..]);
            sender = Some((path, params));
            rcpts.clear();
            "250 2.1.0 ok".into()
        } else if upper.starts_with("RCPT TO:") {
            let (path, params) = split_path(&command[8..]);
            let local = path.split('@').next().unwrap_or("").to_owned();
            if local.starts_with("bad") {
                "550 5.1.1 no such user".into()
            } else if local.starts_with("tempOnce") {
                if state.lock().unwrap().once.insert(path.clone()) {
                    "451 4.2.1 try again later".into()
                } else {
                    rcpts.push((path, params));
                    "250 2.1.5 ok".into()
                }
            } else if local.starts_with("temp") {
                "451 4.2.1 try again later".into()
            } else {
                rcpts.push((path, params));
                "250 2.1.5 ok".into()
            }
        } else if upper == "DATA" {
            if rcpts.is_empty() {
                "554 5.5.1 no valid recipients".into()
            } else {
                if send(stream, "354 go ahead\r\n").await.is_err() {
                    return Outcome::Done;
                }
                let mut body = Vec::new();
                let mut data_line = Vec::new();
                loop {
                    data_line.clear();
                    match stream.read_until(b'\n', &mut data_line).await {
                        Ok(0) | Err(_) => return Outcome::Done,
                        Ok(_) => {}
                    }
                    if data_line == b".\r\n" {
                        break;
                    }
                    let unstuffed = if data_line.starts_with(b"..") {
                        &data_line[1..]
                    } else {
                        &data_line[..]
                    };
                    body.extend_from_slice(unstuffed);
                }
                let (sender_path, mail_params) = sender.clone().unwrap_or_default();
                state.lock().unwrap().received.push(Received {
                    sender: sender_path,
                    recipients: rcpts.iter().map(|(p, _)| p.clone()).collect(),
                    body,
                    tls,
                    auth: auth.clone(),
                    mail_params,
                    rcpt_params: rcpts.iter().map(|(_, p)| p.clone()).collect(),
                    at: Instant::now(),
                    peer,
                    helo: helo.clone(),
                });
                let n = rcpts.len();
                rcpts.clear();
                if script.lmtp {
                    vec!["250 2.0.0 delivered"; n].join("\r\n")
                } else {
                    "250 2.0.0 queued".into()
                }
            }
        } else if upper == "RSET" {
            rcpts.clear();
            sender = None;
            "250 2.0.0 ok".into()
        } else if upper == "NOOP" {
            "250 2.0.0 ok".into()
        } else if upper == "QUIT" {
            let _ = send(stream, "221 2.0.0 bye\r\n").await;
            return Outcome::Done;
        } else {
            "502 5.5.2 not implemented".into()
        };
        if send(stream, &format!("{reply}\r\n")).await.is_err() {
            return Outcome::Done;
        }
    }
}

fn split_path(rest: &str) -> (String, String) {
    let rest = rest.trim();
    let end = rest.find('>').unwrap_or(rest.len());
    let path = rest.get(1..end).unwrap_or("").to_owned();
    let params = rest.get(end + 1..).unwrap_or("").trim().to_owned();
    (path, params)
}

async fn send<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    text: &str,
) -> std::io::Result<()> {
    let inner = stream.get_mut();
    inner.write_all(text.as_bytes()).await?;
    inner.flush().await
}

/// A CA and a server certificate for `names`, as rustls types.
pub(crate) fn certificates(names: &[&str]) -> (rustls::RootCertStore, TlsAcceptor) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let cert = params.signed_by(&key, &issuer).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    (roots, TlsAcceptor::from(Arc::new(config)))
}
