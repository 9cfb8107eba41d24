//! The tokio driver over real loopback sockets with real TLS (an rcgen certificate),
//! against peers nobody here wrote: Python's poplib and curl.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test setup: a failed unwrap is a failed test"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailwright_pop3::maildrop::MemoryStore;
use mailwright_pop3::server::ServerConfig;
use mailwright_pop3::tokio::{Options, Server, TlsMode, server_tls_config};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;

struct Running {
    port: u16,
    tls_port: u16,
    ca_file: PathBuf,
    dir: PathBuf,
    store: MemoryStore,
    stop: tokio::sync::watch::Sender<bool>,
}

/// A message of `size` octets in CRLF lines, some starting with a dot.
fn large_message(size: usize) -> Vec<u8> {
    let mut message = b"From: big@example.org\r\nSubject: large\r\n\r\n".to_vec();
    let mut line = 0;
    while message.len() < size {
        let text = if line % 50 == 0 {
            format!(".{line:07} dot-stuffed line\r\n")
        } else {
            format!("{line:08} {}\r\n", "0123456789".repeat(6))
        };
        message.extend_from_slice(text.as_bytes());
        line += 1;
    }
    message
}

/// Options with a short login-failure delay.
fn fast() -> Options {
    let mut options = Options::default();
    options.login_failure_delay(Duration::from_millis(50));
    options
}

async fn start(name: &str, large: &[u8], options: Options) -> Running {
    let dir = std::env::temp_dir().join(format!("pop3-loopback-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, cert.cert.pem()).unwrap();
    let tls = server_tls_config(
        cert.cert.pem().as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
    )
    .unwrap();

    let store = MemoryStore::new();
    store.add_user("mrose", "tanstaaf");
    store.deliver(
        "mrose",
        "From: a@example.org\r\nSubject: short\r\n\r\nline one\r\nline two\r\n",
    );
    store.deliver("mrose", large.to_vec());
    store.deliver("mrose", "Subject: dots\n\n.\n..two dots\nend\n");

    let mut server = Server::new(ServerConfig::default(), store.clone());
    server.tls(tls).options(options);
    let server = Arc::new(server);
    let plain = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let implicit = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (port, tls_port) = (
        plain.local_addr().unwrap().port(),
        implicit.local_addr().unwrap().port(),
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    for (listener, mode) in [(plain, TlsMode::Starttls), (implicit, TlsMode::Implicit)] {
        let server = Arc::clone(&server);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            server.serve(listener, mode, shutdown).await
        });
    }
    Running {
        port,
        tls_port,
        ca_file,
        dir,
        store,
        stop,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_poplib() {
    let large = large_message(3 * 1024 * 1024);
    let running = start("poplib", &large, fast()).await;
    let large_file = running.dir.join("large.eml");
    std::fs::write(&large_file, &large).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/poplib_check.py");
    let output = tokio::time::timeout(
        Duration::from_secs(120),
        Command::new("python3")
            .arg(script)
            .arg(running.port.to_string())
            .arg(running.tls_port.to_string())
            .arg(&running.ca_file)
            .arg(&large_file)
            .output(),
    )
    .await
    .expect("poplib finished in time")
    .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "poplib checks failed");
    assert!(stdout.contains("all poplib checks passed"));
    assert_eq!(
        running.store.count("mrose"),
        2,
        "DELE + QUIT removed one message"
    );
    let _ = running.stop.send(true);
}

async fn curl(args: &[&str]) -> (bool, Vec<u8>, String) {
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        Command::new("curl").args(args).output(),
    )
    .await
    .expect("curl finished in time")
    .expect("curl runs");
    (
        output.status.success(),
        output.stdout,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_pop3_and_pop3s() {
    let large = large_message(1024 * 1024);
    let running = start("curl", &large, fast()).await;
    let ca = running.ca_file.to_string_lossy().into_owned();

    // pop3:// LIST (curl uses CAPA, AUTH or USER/PASS, then LIST).
    let url = format!("pop3://127.0.0.1:{}/", running.port);
    let (ok, listing, stderr) = curl(&["-sS", "-u", "mrose:tanstaaf", &url]).await;
    assert!(ok, "{stderr}");
    let listing = String::from_utf8(listing).unwrap();
    assert_eq!(listing.lines().count(), 3, "{listing}");
    assert!(listing.contains(&format!("2 {}", large.len())), "{listing}");

    // pop3:// RETR of 1 MB.
    let url = format!("pop3://127.0.0.1:{}/2", running.port);
    let (ok, message, stderr) = curl(&["-sS", "-u", "mrose:tanstaaf", &url]).await;
    assert!(ok, "{stderr}");
    assert_eq!(message, large, "curl got the message byte for byte");

    // pop3:// with STLS required (--ssl-reqd).
    let url = format!("pop3://127.0.0.1:{}/1", running.port);
    let (ok, message, stderr) = curl(&[
        "-sS",
        "--ssl-reqd",
        "--cacert",
        &ca,
        "-u",
        "mrose:tanstaaf",
        &url,
    ])
    .await;
    assert!(ok, "{stderr}");
    assert!(message.starts_with(b"From: a@example.org\r\n"));

    // pop3s:// (implicit TLS).
    let url = format!("pop3s://127.0.0.1:{}/3", running.tls_port);
    let (ok, message, stderr) = curl(&["-sS", "--cacert", &ca, "-u", "mrose:tanstaaf", &url]).await;
    assert!(ok, "{stderr}");
    assert_eq!(message, b"Subject: dots\r\n\r\n.\r\n..two dots\r\nend\r\n");

    // A wrong password fails.
    let url = format!("pop3s://127.0.0.1:{}/1", running.tls_port);
    let (ok, _, _) = curl(&["-sS", "--cacert", &ca, "-u", "mrose:wrong", &url]).await;
    assert!(!ok);
    let _ = running.stop.send(true);
}

/// Graceful shutdown: a logged-in session gets `-ERR [SYS/TEMP]`, nothing is removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_applies_no_deletions() {
    let running = start("shutdown", b"Subject: x\r\n\r\ny\r\n", fast()).await;
    let stream = TcpStream::connect(("127.0.0.1", running.port))
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    assert!(lines.next_line().await.unwrap().unwrap().starts_with("+OK"));
    write
        .write_all(b"USER mrose\r\nPASS tanstaaf\r\nDELE 1\r\n")
        .await
        .unwrap();
    for _ in 0..3 {
        assert!(lines.next_line().await.unwrap().unwrap().starts_with("+OK"));
    }
    let _ = running.stop.send(true);
    let farewell = tokio::time::timeout(Duration::from_secs(5), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(farewell, "-ERR [SYS/TEMP] server shutting down");
    assert_eq!(lines.next_line().await.unwrap(), None, "connection closed");
    assert_eq!(running.store.count("mrose"), 3, "no UPDATE on shutdown");
}

/// A connection over the per-IP limit gets `-ERR [SYS/TEMP]` and is closed; the
/// slot comes back when the first client leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_limit_refuses_with_sys_temp() {
    let mut options = fast();
    options.max_connections_per_ip(1);
    let running = start("limit", b"Subject: x\r\n\r\ny\r\n", options).await;
    let connect = || async {
        let stream = TcpStream::connect(("127.0.0.1", running.port))
            .await
            .unwrap();
        let (read, write) = stream.into_split();
        (BufReader::new(read).lines(), write)
    };
    let (mut first, mut first_write) = connect().await;
    assert!(first.next_line().await.unwrap().unwrap().starts_with("+OK"));
    let (mut second, _) = connect().await;
    assert_eq!(
        second.next_line().await.unwrap().unwrap(),
        "-ERR [SYS/TEMP] too many connections"
    );
    assert_eq!(second.next_line().await.unwrap(), None, "then closed");
    first_write.write_all(b"QUIT\r\n").await.unwrap();
    assert!(first.next_line().await.unwrap().unwrap().starts_with("+OK"));
    assert_eq!(first.next_line().await.unwrap(), None);
    let mut third = None;
    for _ in 0..100 {
        let (mut lines, write) = connect().await;
        let line = lines.next_line().await.unwrap().unwrap();
        if line.starts_with("+OK") {
            third = Some((lines, write));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(third.is_some(), "the slot was given back");
    let _ = running.stop.send(true);
}
