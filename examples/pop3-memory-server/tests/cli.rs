//! The example binary as a user runs it: `--help`, bad options, and a session over
//! loopback with `--user`, `--message` and `--message-size`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_pop3-memory-server");

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn help_and_bad_options() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--listen ADDR:PORT") && help.contains("--user NAME:PASSWORD"),
        "{help}"
    );
    let out = Command::new(BIN).arg("--bogus").arg("x").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown option --bogus"));
    let out = Command::new(BIN)
        .arg("--tls-listen")
        .arg("127.0.0.1:0")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "implicit TLS without a certificate is refused"
    );
}

#[test]
fn user_and_messages_over_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("message.eml");
    let message = b"From: interop@example.org\r\nSubject: interop\r\n\r\n.leading dot\r\nbody\r\n";
    std::fs::write(&file, message).unwrap();
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--user", "mrose:tanstaaf"])
        .arg("--message")
        .arg(format!("mrose:{}", file.display()))
        .args(["--message-size", "mrose:200000"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let _server = Server(child);
    let address = first.trim_start_matches("listening on ");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"USER mrose\r\nPASS tanstaaf\r\nSTAT\r\nLIST 2\r\nRETR 1\r\nQUIT\r\n")
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("+OK"), "{text}");
    let stat = format!("+OK 2 {}\r\n", message.len() + 200_000);
    assert!(text.contains(&stat), "{text}");
    assert!(text.contains("+OK 2 200000\r\n"), "{text}");
    assert!(
        text.contains("\r\n..leading dot\r\nbody\r\n.\r\n"),
        "dot-stuffed: {text}"
    );
    let quit = text.trim_end().lines().last().unwrap_or_default();
    assert!(quit.starts_with("+OK"), "QUIT: {text}");
}
