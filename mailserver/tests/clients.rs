//! One server instance against real clients over loopback: curl through every
//! listener (plain, STARTTLS, implicit TLS), Python's imaplib with IDLE seeing new
//! mail, poplib, the admin API, and the scriptable commands.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::process::Command;

use common::{Instance, python};

const ZONE: &[(&str, &str, &str)] = &[
    ("example.org.", "MX", "10 mx.example.org."),
    ("mx.example.org.", "A", "127.0.0.1"),
    ("example.org.", "TXT", "\"v=spf1 ip4:127.0.0.1 -all\""),
];

fn zone() -> Vec<common::ZoneLine> {
    ZONE.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

fn curl(args: &[&str]) -> (bool, String, String) {
    let out = Command::new("curl")
        .args(["-s", "-S", "--max-time", "20"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_through_every_listener() {
    let (dns, _dns_server) = common::dns_server(&["example.org"], &zone()).await;
    let mut server = Instance::prepare("one", "example.org", dns, 25, "");
    server.add_user("bob@example.org", "bob-password-1");
    server.start();
    let p = server.ports;
    let message = server.dir.path().join("message.eml");
    std::fs::write(&message, "From: bob@example.org\r\nTo: bob@example.org\r\nSubject: via curl\r\n\r\nHello through curl.\r\n").unwrap();
    let msg = message.to_str().unwrap();
    let user = "bob@example.org:bob-password-1";

    // SMTP in (port 25 style), then submission with STARTTLS and with implicit TLS.
    let sends: [Vec<String>; 3] = [
        vec![format!("smtp://127.0.0.1:{}", p.smtp)],
        vec![
            format!("smtp://127.0.0.1:{}", p.submission),
            "--ssl-reqd".into(),
            "--user".into(),
            user.into(),
        ],
        vec![
            format!("smtps://127.0.0.1:{}", p.submissions),
            "--user".into(),
            user.into(),
        ],
    ];
    for send in &sends {
        let mut args: Vec<&str> = send.iter().map(String::as_str).collect();
        args.extend([
            "-k",
            "--mail-from",
            "bob@example.org",
            "--mail-rcpt",
            "bob@example.org",
            "--upload-file",
            msg,
        ]);
        let (ok, _, err) = curl(&args);
        assert!(ok, "curl {args:?}: {err}\n{}", server.log());
    }
    // Submission without TLS: curl cannot authenticate.
    let (ok, _, _) = curl(&[
        &format!("smtp://127.0.0.1:{}", p.submission),
        "--user",
        user,
        "--mail-from",
        "bob@example.org",
        "--mail-rcpt",
        "bob@example.org",
        "--upload-file",
        msg,
    ]);
    assert!(!ok, "AUTH must not work before STARTTLS on submission");

    // Read: IMAP plain (loopback may log in without TLS), IMAP with STARTTLS, IMAPS,
    // POP3, POP3 with STLS, POP3S.
    let reads = [
        format!("imap://127.0.0.1:{}/INBOX;UID=1", p.imap),
        format!("imap://127.0.0.1:{}/INBOX;UID=2 --ssl-reqd", p.imap),
        format!("imaps://127.0.0.1:{}/INBOX;UID=3", p.imaps),
        format!("pop3://127.0.0.1:{}/1", p.pop3),
        format!("pop3://127.0.0.1:{}/2 --ssl-reqd", p.pop3),
        format!("pop3s://127.0.0.1:{}/3", p.pop3s),
    ];
    for read in &reads {
        let mut args: Vec<&str> = read.split(' ').collect();
        args.extend(["-k", "--user", user]);
        let (ok, out, err) = curl(&args);
        assert!(ok, "curl {read}: {err}");
        assert!(out.contains("Hello through curl."), "curl {read}: {out}");
        assert!(out.contains("Received: from"), "trace field: {out}");
    }

    // The messages submitted are DKIM-signed (both algorithms), the inbound one carries
    // Authentication-Results with SPF pass (127.0.0.1 is in example.org's SPF).
    let (_, inbound, _) = curl(&[
        &format!("imap://127.0.0.1:{}/INBOX;UID=1", p.imap),
        "--user",
        user,
    ]);
    assert!(inbound.contains("spf=pass"), "{inbound}");
    let (_, submitted, _) = curl(&[
        &format!("imap://127.0.0.1:{}/INBOX;UID=2", p.imap),
        "--user",
        user,
    ]);
    assert!(
        submitted.contains("a=rsa-sha256") && submitted.contains("a=ed25519-sha256"),
        "{submitted}"
    );

    // Admin API: status needs the token; metrics count what happened.
    let (code, _) = {
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(format!("http://127.0.0.1:{}/api/status", p.admin))
            .output()
            .unwrap();
        (String::from_utf8_lossy(&out.stdout).into_owned(), ())
    };
    assert_eq!(code, "401");
    let (code, metrics) = server.admin("GET", "/metrics", None);
    assert_eq!(code, 200);
    assert!(
        metrics.contains("mailserver_messages_accepted_total{service=\"submission\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("mailserver_messages_accepted_total{service=\"smtp\"} 1"),
        "{metrics}"
    );
    let (code, found) = server.admin(
        "GET",
        "/api/users/bob@example.org/messages?subject=curl",
        None,
    );
    assert_eq!(code, 200);
    assert_eq!(found.matches("\"uid\"").count(), 3, "{found}");
    let (code, one) = server.admin("GET", "/api/users/bob@example.org/messages/INBOX/1", None);
    assert_eq!(code, 200);
    assert!(one.contains("Authentication-Results"), "{one}");

    // One line per SMTP transaction, with its queue id.
    let log = server.log();
    assert_eq!(log.matches("smtp transaction").count(), 1, "{log}");
    assert_eq!(log.matches("submission transaction").count(), 2, "{log}");
    assert!(log.contains("queue_id="), "{log}");

    // A full mailbox is refused at RCPT with 452 4.2.2 (quota set through the API).
    let (code, body) = server.admin(
        "PATCH",
        "/api/users/bob@example.org",
        Some("{\"quota_bytes\": 100}"),
    );
    assert_eq!(code, 200, "{body}");
    let (ok, _, err) = curl(&[
        &format!("smtp://127.0.0.1:{}", p.smtp),
        "--mail-from",
        "x@example.org",
        "--mail-rcpt",
        "bob@example.org",
        "--upload-file",
        msg,
    ]);
    assert!(!ok && err.contains("452"), "{err}");
    assert!(server.stop(), "graceful stop");
}

const IDLE_SCRIPT: &str = r#"
import imaplib, smtplib, socket, sys, threading, time
imap_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])
M = imaplib.IMAP4("127.0.0.1", imap_port)
M.login("bob@example.org", "bob-password-1")
typ, data = M.select("INBOX")
before = int(data[0])
M.send(b"a1 IDLE\r\n")
assert M.readline().startswith(b"+"), "no continuation"
def deliver():
    time.sleep(0.5)
    s = smtplib.SMTP("127.0.0.1", smtp_port)
    s.sendmail("carol@example.org", ["bob@example.org"], b"From: carol@example.org\r\nSubject: while idle\r\n\r\nping\r\n")
    s.quit()
threading.Thread(target=deliver).start()
M.sock.settimeout(15)
line = M.readline()
print(line.decode().strip())
assert line.strip() == b"* %d EXISTS" % (before + 1), line
M.send(b"DONE\r\n")
while True:
    l = M.readline()
    if l.startswith(b"a1 "):
        assert b"OK" in l, l
        break
M.logout()
print("idle ok")
"#;

const POP3_SCRIPT: &str = r#"
import poplib, ssl, sys
port, sport = int(sys.argv[1]), int(sys.argv[2])
P = poplib.POP3("127.0.0.1", port)
P.stls(context=ssl._create_unverified_context())
P.user("bob@example.org"); P.pass_("bob-password-1")
count, size = P.stat()
print("stat", count, size)
lines = P.retr(count)[1]
assert b"Subject: while idle" in lines, lines
P.dele(count)
P.quit()
P = poplib.POP3_SSL("127.0.0.1", sport, context=ssl._create_unverified_context())
P.user("bob@example.org"); P.pass_("bob-password-1")
assert P.stat()[0] == count - 1
try:
    P2 = poplib.POP3_SSL("127.0.0.1", sport, context=ssl._create_unverified_context())
    P2.user("bob@example.org"); P2.pass_("bob-password-1")
    raise SystemExit("second session got the lock")
except poplib.error_proto as e:
    assert b"IN-USE" in e.args[0], e
P.quit()
print("pop3 ok")
"#;

/// Messages of three sizes, as RETR serves them differently: up to 128 KiB read on the
/// connection's worker, up to 1 MiB read whole on the blocking side, larger ones streamed
/// in chunks. Each comes back byte for byte, dot-stuffed lines included.
const POP3_SIZES_SCRIPT: &str = r#"
import poplib, smtplib, ssl, sys
smtp_port, port = int(sys.argv[1]), int(sys.argv[2])
bodies = []
for n, size in enumerate([100 * 1024, 600 * 1024, 1536 * 1024]):
    lines, total = [], 0
    while total < size:
        line = (".dot %d %d " % (n, len(lines)) if len(lines) % 7 == 0 else "line %d %d " % (n, len(lines))).ljust(78, "x")
        lines.append(line.encode())
        total += 80
    bodies.append(lines)
    s = smtplib.SMTP("127.0.0.1", smtp_port)
    s.sendmail("carol@example.org", ["bob@example.org"],
               b"From: carol@example.org\r\nSubject: size %d\r\n\r\n" % size + b"\r\n".join(lines) + b"\r\n")
    s.quit()
P = poplib.POP3("127.0.0.1", port)
P.stls(context=ssl._create_unverified_context())
P.user("bob@example.org"); P.pass_("bob-password-1")
count = P.stat()[0]
for i, lines in enumerate(bodies):
    got = P.retr(count - len(bodies) + 1 + i)[1]
    body = got[got.index(b"") + 1:]
    assert body == lines, (i, len(body), len(lines))
P.quit()
print("sizes ok", count)
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_idle_and_pop3_with_python() {
    let (dns, _dns_server) = common::dns_server(&["example.org"], &zone()).await;
    let mut server = Instance::prepare("idle", "example.org", dns, 25, "");
    server.add_user("bob@example.org", "bob-password-1");
    server.start();
    let p = server.ports;
    let out = python(IDLE_SCRIPT, &[&p.imap.to_string(), &p.smtp.to_string()]);
    assert!(
        out.contains("* 1 EXISTS") && out.contains("idle ok"),
        "{out}"
    );
    let out = python(POP3_SCRIPT, &[&p.pop3.to_string(), &p.pop3s.to_string()]);
    assert!(out.contains("pop3 ok"), "{out}");
    let out = python(
        POP3_SIZES_SCRIPT,
        &[&p.smtp.to_string(), &p.pop3.to_string()],
    );
    assert!(out.contains("sizes ok"), "{out}");
}

#[test]
fn commands_are_scriptable_and_bad_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(common::binary())
            .arg("--data")
            .arg(&data)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["domain", "add", "example.com"], "");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "example.com. IN MX 10",
        "v=spf1",
        "rsa1._domainkey.example.com. IN TXT \"v=DKIM1; k=rsa;",
        "ed1._domainkey.example.com. IN TXT \"v=DKIM1; k=ed25519;",
        "_dmarc.example.com. IN TXT \"v=DMARC1;",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(data.join("dkim/example.com/rsa1.pem").is_file());
    assert!(
        run(
            &["user", "add", "ann@example.com", "--password-stdin"],
            "pw-ann-1\n"
        )
        .status
        .success()
    );
    let generated = run(&["user", "add", "ben@example.com"], "");
    assert!(
        String::from_utf8_lossy(&generated.stdout).starts_with("ben@example.com "),
        "prints the generated password"
    );
    let dup = run(
        &["user", "add", "ann@example.com", "--password-stdin"],
        "x\n",
    );
    assert!(!dup.status.success() && String::from_utf8_lossy(&dup.stderr).contains("exists"));
    let foreign = run(
        &["user", "add", "x@nowhere.example", "--password-stdin"],
        "x\n",
    );
    assert!(String::from_utf8_lossy(&foreign.stderr).contains("unknown domain"));
    assert!(
        run(
            &["user", "passwd", "ann@example.com", "--password-stdin"],
            "pw-ann-2\n"
        )
        .status
        .success()
    );
    let list = run(&["user", "list"], "");
    assert_eq!(
        String::from_utf8_lossy(&list.stdout),
        "ann@example.com\nben@example.com\n"
    );
    assert!(
        run(&["user", "del", "ben@example.com"], "")
            .status
            .success()
    );
    assert_eq!(
        String::from_utf8_lossy(&run(&["user", "list", "example.com"], "").stdout),
        "ann@example.com\n"
    );

    let config = dir.path().join("bad.toml");
    std::fs::write(
        &config,
        "hostname = \"mx.example.com\"\n[listen]\nimap = [\"127.0.0.1:143\", \"not-an-address\"]\n",
    )
    .unwrap();
    let out = Command::new(common::binary())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`listen.imap[1]`") && err.contains("not-an-address"),
        "{err}"
    );
    std::fs::write(
        &config,
        "hostname = \"mx.example.com\"\n[limits]\nmax_mesage_size = \"1M\"\n",
    )
    .unwrap();
    let out = Command::new(common::binary())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("max_mesage_size"),
        "{err}"
    );
}

const RATE: &str = r#"
import smtplib, ssl, sys
port = int(sys.argv[1])
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.login("bob@example.org", "bob-password-1")
for i in range(2):
    s.sendmail("bob@example.org", ["bob@example.org"], b"From: bob@example.org\r\nSubject: n\r\n\r\nx\r\n")
try:
    s.sendmail("bob@example.org", ["bob@example.org"], b"From: bob@example.org\r\nSubject: n\r\n\r\nx\r\n")
    raise SystemExit("third message accepted")
except smtplib.SMTPDataError as e:
    assert e.smtp_code == 450 and b"4.7.1" in e.smtp_error, e
s.quit()
# At most two connections from one address per service.
import socket
smtp_port = int(sys.argv[2])
held = [socket.create_connection(("127.0.0.1", smtp_port)) for _ in range(2)]
for c in held:
    assert c.recv(200).startswith(b"220"), "greeting"
third = socket.create_connection(("127.0.0.1", smtp_port))
answer = third.recv(200)
assert answer.startswith(b"421 4.7.0"), answer
print("limited")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submission_rate_limit_and_connection_limit() {
    let (dns, _dns_server) = common::dns_server(&["example.org"], &zone()).await;
    let mut server = Instance::prepare(
        "rate",
        "example.org",
        dns,
        25,
        "[submission]\nmessages_per_hour = 2\n[limits]\nmax_connections_per_ip = 2\n",
    );
    server.add_user("bob@example.org", "bob-password-1");
    server.start();
    let out = python(
        RATE,
        &[
            &server.ports.submission.to_string(),
            &server.ports.smtp.to_string(),
        ],
    );
    assert!(out.contains("limited"), "{out}");
    let (_, metrics) = server.admin("GET", "/metrics", None);
    assert!(
        metrics.contains("mailserver_messages_rejected_total{reason=\"rate_limit\"} 1"),
        "{metrics}"
    );
}
