//! The example binary as a user runs it: `--help`, bad options, and a session over
//! loopback with the demo login.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_imap-memory-server");

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
        help.contains("--listen ADDR:PORT") && help.contains("demo"),
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
fn demo_login_over_loopback() {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _server = Server(child);
    assert!(
        first.starts_with("listening on 127.0.0.1:")
            && second.starts_with("listening on 127.0.0.1:")
    );
    for line in [first, second] {
        let address = line.trim_start_matches("listening on ");
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
            .write_all(
                b"a1 LOGIN demo demo\r\na2 SELECT INBOX\r\na3 FETCH 1:* (FLAGS)\r\na4 LOGOUT\r\n",
            )
            .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        assert!(
            text.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2"),
            "{text}"
        );
        assert!(text.contains("a1 OK [CAPABILITY"), "{text}");
        assert!(text.contains("* 3 EXISTS"), "{text}");
        assert!(text.contains("* 3 FETCH (FLAGS (\\Flagged))"), "{text}");
        assert!(text.ends_with("a4 OK LOGOUT completed\r\n"), "{text}");
    }
}
