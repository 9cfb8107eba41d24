//! The shared listener over real loopback sockets, with real TLS (an rcgen
//! certificate made here): connection limits in total and per IP with the refusal
//! line, graceful shutdown with its grace period, the handshake timeout against a
//! client that never speaks TLS, and the write timeout against a client that never
//! reads. The service is a small line protocol made for the test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    reason = "test code: a failed unwrap is a failed test; the clock measures the grace period"
)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailwright_base::listener::{
    self, Accepted, Edge, MaybeTls, Observer, Options, Service, TlsMode, client_tls_config,
    server_tls_config,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_rustls::TlsConnector;

/// What the observer heard, in order.
#[derive(Debug, PartialEq)]
enum Heard {
    Opened(IpAddr),
    Refused(IpAddr),
    Closed(IpAddr, Option<String>),
}

struct Ears(mpsc::UnboundedSender<Heard>);

impl Observer for Ears {
    fn opened(&self, peer: SocketAddr, _local: SocketAddr) {
        let _ = self.0.send(Heard::Opened(peer.ip()));
    }

    fn refused(&self, peer: SocketAddr, _local: SocketAddr) {
        let _ = self.0.send(Heard::Refused(peer.ip()));
    }

    fn closed(
        &self,
        peer: SocketAddr,
        _local: SocketAddr,
        error: Option<&(dyn std::error::Error + 'static)>,
    ) {
        let error = error.map(|e| match e.downcast_ref::<listener::Error>() {
            Some(listener::Error::HandshakeTimeout) => "handshake timeout".to_owned(),
            Some(listener::Error::WriteTimeout) => "write timeout".to_owned(),
            Some(listener::Error::Dropped) => "dropped".to_owned(),
            _ => e.to_string(),
        });
        let _ = self.0.send(Heard::Closed(peer.ip(), error));
    }
}

/// The test protocol: `+hello` (and `tls` when encrypted) on connect; `starttls` →
/// `go` and a handshake; `flood` → output until the write timeout; `stubborn` →
/// ignores the stop signal from now on; on stop, `bye`.
struct Lines {
    edge: Edge,
}

impl Service for Lines {
    type Error = listener::Error;

    fn edge(&self) -> &Edge {
        &self.edge
    }

    fn refusal(&self) -> Vec<u8> {
        b"-busy\r\n".to_vec()
    }

    async fn connection(&self, accepted: Accepted) -> Result<(), listener::Error> {
        let Accepted {
            mut stream,
            mut stop,
            ..
        } = accepted;
        let timeout = self.edge.write_timeout();
        let hello: &[u8] = if stream.is_tls() {
            b"+hello tls\r\n"
        } else {
            b"+hello\r\n"
        };
        listener::write_all_within(&mut stream, hello, timeout).await?;
        let mut stubborn = false;
        let mut buf = [0u8; 1024];
        loop {
            let read = tokio::select! {
                read = stream.read(&mut buf) => read?,
                () = stop.stopped(), if !stubborn => {
                    listener::write_all_within(&mut stream, b"bye\r\n", timeout).await?;
                    let _ = stream.shutdown().await;
                    return Ok(());
                }
            };
            match &buf[..read] {
                [] => return Ok(()),
                b"starttls\r\n" => {
                    listener::write_all_within(&mut stream, b"go\r\n", timeout).await?;
                    self.edge.start_tls(&mut stream).await?;
                    listener::write_all_within(&mut stream, b"+hello tls\r\n", timeout).await?;
                }
                b"flood\r\n" => {
                    let chunk = vec![b'x'; 64 * 1024];
                    loop {
                        listener::write_all_within(&mut stream, &chunk, timeout).await?;
                    }
                }
                b"stubborn\r\n" => {
                    stubborn = true;
                    listener::write_all_within(&mut stream, b"ok\r\n", timeout).await?;
                }
                _ => listener::write_all_within(&mut stream, b"?\r\n", timeout).await?,
            }
        }
    }
}

struct Certificate {
    server: Arc<rustls::ServerConfig>,
    client: TlsConnector,
}

fn certificate() -> Certificate {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let pem = cert.cert.pem();
    Certificate {
        server: server_tls_config(pem.as_bytes(), cert.signing_key.serialize_pem().as_bytes())
            .unwrap(),
        client: TlsConnector::from(client_tls_config(pem.as_bytes()).unwrap()),
    }
}

/// A running service on one listener per mode asked for.
struct Running {
    service: Arc<Lines>,
    addresses: Vec<SocketAddr>,
    heard: mpsc::UnboundedReceiver<Heard>,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<Vec<std::io::Result<()>>>,
}

async fn start(options: Options, tls: Option<&Certificate>, modes: &[TlsMode]) -> Running {
    let (ears, heard) = mpsc::unbounded_channel();
    let mut edge = Edge::new();
    edge.set_options(options);
    edge.set_observer(Arc::new(Ears(ears)));
    if let Some(tls) = tls {
        edge.set_tls(Arc::clone(&tls.server));
    }
    let service = Arc::new(Lines { edge });
    let (stop, stopped) = oneshot::channel::<()>();
    let stopped = futures_shared(stopped);
    let mut addresses = Vec::new();
    let mut serving = Vec::new();
    for &mode in modes {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        addresses.push(socket.local_addr().unwrap());
        let stopped = stopped.clone();
        serving.push(tokio::spawn(listener::serve(
            Arc::clone(&service),
            socket,
            mode,
            async move {
                let mut stopped = stopped;
                let _ = stopped.wait_for(|stop| *stop).await;
            },
        )));
    }
    let served = tokio::spawn(async move {
        let mut results = Vec::new();
        for task in serving {
            results.push(task.await.unwrap());
        }
        results
    });
    Running {
        service,
        addresses,
        heard,
        stop: Some(stop),
        served,
    }
}

/// A oneshot turned into a watch, so that several listeners see one stop.
fn futures_shared(stopped: oneshot::Receiver<()>) -> tokio::sync::watch::Receiver<bool> {
    let (send, receive) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _ = stopped.await;
        let _ = send.send(true);
    });
    receive
}

impl Running {
    async fn next(&mut self) -> Heard {
        tokio::time::timeout(Duration::from_secs(10), self.heard.recv())
            .await
            .expect("the observer heard something in time")
            .unwrap()
    }

    async fn shut_down(&mut self) -> Vec<std::io::Result<()>> {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(10), &mut self.served)
            .await
            .expect("serve returned in time")
            .unwrap()
    }
}

/// Connects from `source` (any 127.0.0.0/8 address works on loopback).
async fn connect_from(source: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from((Ipv4Addr::from(source), 0)))
        .unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until `want` bytes came or the stream ended.
async fn read_some<S: AsyncRead + Unpin>(stream: &mut S, want: usize) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while got.len() < want {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("answer in time")
            .unwrap_or(0);
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(got).unwrap()
}

async fn say<S: AsyncWrite + Unpin>(stream: &mut S, line: &str) {
    stream.write_all(line.as_bytes()).await.unwrap();
}

const ONE: [u8; 4] = [127, 0, 0, 1];
const TWO: [u8; 4] = [127, 0, 0, 2];
const THREE: [u8; 4] = [127, 0, 0, 3];

fn ip(address: [u8; 4]) -> IpAddr {
    IpAddr::from(address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_in_total_and_per_ip_refuse_with_the_protocol_line() {
    let mut options = Options::default();
    options.max_connections(3).max_connections_per_ip(2);
    let mut running = start(options, None, &[TlsMode::Plain, TlsMode::Plain]).await;
    let (first_listener, second_listener) = (running.addresses[0], running.addresses[1]);

    let mut a1 = connect_from(ONE, first_listener).await;
    assert_eq!(read_some(&mut a1, 8).await, "+hello\r\n");
    // The limits count over every listener of the service.
    let mut a2 = connect_from(ONE, second_listener).await;
    assert_eq!(read_some(&mut a2, 8).await, "+hello\r\n");
    assert_eq!(running.next().await, Heard::Opened(ip(ONE)));
    assert_eq!(running.next().await, Heard::Opened(ip(ONE)));

    let mut a3 = connect_from(ONE, first_listener).await;
    assert_eq!(read_some(&mut a3, 100).await, "-busy\r\n", "then closed");
    assert_eq!(running.next().await, Heard::Refused(ip(ONE)));

    let mut b1 = connect_from(TWO, first_listener).await;
    assert_eq!(read_some(&mut b1, 8).await, "+hello\r\n");
    assert_eq!(running.next().await, Heard::Opened(ip(TWO)));
    assert_eq!(running.service.edge().connection_count(), 3);

    let mut c1 = connect_from(THREE, second_listener).await;
    assert_eq!(read_some(&mut c1, 100).await, "-busy\r\n", "in total");
    assert_eq!(running.next().await, Heard::Refused(ip(THREE)));

    drop(a1);
    assert_eq!(running.next().await, Heard::Closed(ip(ONE), None));
    let mut a4 = connect_from(ONE, first_listener).await;
    assert_eq!(
        read_some(&mut a4, 8).await,
        "+hello\r\n",
        "the slot was given back"
    );
    assert_eq!(running.next().await, Heard::Opened(ip(ONE)));

    for result in running.shut_down().await {
        result.unwrap();
    }
    for client in [&mut a2, &mut b1, &mut a4] {
        assert_eq!(read_some(client, 100).await, "bye\r\n");
    }
    assert_eq!(running.service.edge().connection_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_says_bye_then_drops_what_outlives_the_grace_period() {
    let grace = Duration::from_millis(400);
    let mut options = Options::default();
    options.shutdown_grace(grace);
    let mut running = start(options, None, &[TlsMode::Plain]).await;
    let address = running.addresses[0];

    let mut polite = connect_from(ONE, address).await;
    assert_eq!(read_some(&mut polite, 8).await, "+hello\r\n");
    let mut stubborn = connect_from(TWO, address).await;
    assert_eq!(read_some(&mut stubborn, 8).await, "+hello\r\n");
    say(&mut stubborn, "stubborn\r\n").await;
    assert_eq!(read_some(&mut stubborn, 4).await, "ok\r\n");
    running.next().await;
    running.next().await;

    let asked = Instant::now();
    for result in running.shut_down().await {
        result.unwrap();
    }
    let took = asked.elapsed();
    assert!(took >= grace, "waited for the stubborn session: {took:?}");
    assert!(
        took < grace + Duration::from_secs(3),
        "then dropped it: {took:?}"
    );

    assert_eq!(read_some(&mut polite, 100).await, "bye\r\n", "then closed");
    assert_eq!(
        read_some(&mut stubborn, 100).await,
        "",
        "dropped without a word"
    );
    let mut closed = vec![running.next().await, running.next().await];
    closed.sort_by_key(|heard| format!("{heard:?}"));
    assert_eq!(
        closed,
        [
            Heard::Closed(ip(ONE), None),
            Heard::Closed(ip(TWO), Some("dropped".to_owned())),
        ]
    );
    assert_eq!(running.service.edge().connection_count(), 0);
    assert!(
        TcpStream::connect(address).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_and_starttls_with_a_handshake_timeout() {
    let tls = certificate();
    let mut options = Options::default();
    options
        .handshake_timeout(Duration::from_millis(300))
        .max_connections_per_ip(2);
    let mut running = start(options, Some(&tls), &[TlsMode::Implicit, TlsMode::Starttls]).await;
    let (implicit, starttls) = (running.addresses[0], running.addresses[1]);
    let name = || rustls::pki_types::ServerName::try_from("localhost").unwrap();

    // Implicit TLS: the greeting comes encrypted.
    let tcp = connect_from(ONE, implicit).await;
    let mut encrypted = tls.client.connect(name(), tcp).await.unwrap();
    assert_eq!(read_some(&mut encrypted, 12).await, "+hello tls\r\n");
    assert_eq!(running.next().await, Heard::Opened(ip(ONE)));

    // STARTTLS: the greeting in clear, then the upgrade.
    let mut tcp = connect_from(TWO, starttls).await;
    assert_eq!(read_some(&mut tcp, 8).await, "+hello\r\n");
    say(&mut tcp, "starttls\r\n").await;
    assert_eq!(read_some(&mut tcp, 4).await, "go\r\n");
    let mut upgraded = tls.client.connect(name(), tcp).await.unwrap();
    assert_eq!(read_some(&mut upgraded, 12).await, "+hello tls\r\n");
    assert_eq!(running.next().await, Heard::Opened(ip(TWO)));

    // A client that never speaks TLS is dropped after the handshake timeout.
    let mut silent = connect_from(THREE, implicit).await;
    let asked = Instant::now();
    assert_eq!(read_some(&mut silent, 1).await, "", "closed without a word");
    let took = asked.elapsed();
    assert!(took >= Duration::from_millis(250), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(running.next().await, Heard::Opened(ip(THREE)));
    assert_eq!(
        running.next().await,
        Heard::Closed(ip(THREE), Some("handshake timeout".to_owned()))
    );

    // Over the limit on an implicit-TLS listener: closed at once, no line in clear.
    let _second = connect_from(ONE, starttls).await;
    assert_eq!(running.next().await, Heard::Opened(ip(ONE)));
    let mut third = connect_from(ONE, implicit).await;
    assert_eq!(read_some(&mut third, 1).await, "");
    assert_eq!(running.next().await, Heard::Refused(ip(ONE)));

    for result in running.shut_down().await {
        result.unwrap();
    }
    assert_eq!(read_some(&mut encrypted, 100).await, "bye\r\n");
    assert_eq!(read_some(&mut upgraded, 100).await, "bye\r\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_meets_the_write_timeout() {
    let mut options = Options::default();
    options.write_timeout(Duration::from_millis(300));
    let mut running = start(options, None, &[TlsMode::Plain]).await;
    let mut client = connect_from(ONE, running.addresses[0]).await;
    assert_eq!(read_some(&mut client, 8).await, "+hello\r\n");
    assert_eq!(running.next().await, Heard::Opened(ip(ONE)));
    say(&mut client, "flood\r\n").await;
    // The client reads nothing more; the socket buffers fill, the write waits.
    assert_eq!(
        running.next().await,
        Heard::Closed(ip(ONE), Some("write timeout".to_owned()))
    );
    assert_eq!(running.service.edge().connection_count(), 0);
    for result in running.shut_down().await {
        result.unwrap();
    }
}

#[tokio::test]
async fn tls_modes_need_a_tls_configuration() {
    let service = Arc::new(Lines { edge: Edge::new() });
    for mode in [TlsMode::Starttls, TlsMode::Implicit] {
        let socket = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let refused = listener::serve(Arc::clone(&service), socket, mode, async {})
            .await
            .unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::InvalidInput);
    }
    let mut stream = MaybeTls::plain(tokio::io::empty());
    assert!(matches!(
        service.edge().start_tls(&mut stream).await,
        Err(listener::Error::NoTls)
    ));
}

#[tokio::test]
async fn stop_signals() {
    let never = listener::Stop::never();
    assert!(!never.is_stopping());
    let (send, mut stop) = listener::Stop::channel();
    assert!(!stop.is_stopping());
    send.send(true).unwrap();
    stop.stopped().await;
    assert!(stop.is_stopping());
    let (send, mut stop) = listener::Stop::channel();
    drop(send);
    stop.stopped().await;
    assert!(stop.is_stopping(), "a dropped sender is a stop");
    stop.once().await;
    let again = tokio::time::timeout(Duration::from_millis(50), stop.once()).await;
    assert!(again.is_err(), "once: heard a single time");
    stop.stopped().await;
}
