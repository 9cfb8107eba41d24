//! Two instances on loopback, A for example.org and B for example.net, with MX, SPF,
//! DKIM and DMARC records served by a DNS server in the test: alice@example.org
//! submits with smtplib (STARTTLS, AUTH), A signs and queues, finds B by MX and
//! delivers, B verifies; bob@example.net reads it with imaplib and poplib and sees
//! spf=pass dkim=pass dmarc=pass. An unknown recipient at B gives alice a DSN; open
//! relaying is refused; alice cannot send as bob; a message failing DMARC with
//! p=reject is refused.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use common::{Instance, Ports, ZoneLine, python};

fn line(name: &str, kind: &str, value: &str) -> ZoneLine {
    (name.to_owned(), kind.to_owned(), value.to_owned())
}

fn domain_zone(domain: &str) -> Vec<ZoneLine> {
    vec![
        line(&format!("{domain}."), "MX", &format!("10 mx.{domain}.")),
        line(&format!("mx.{domain}."), "A", "127.0.0.1"),
        line(
            &format!("{domain}."),
            "TXT",
            "\"v=spf1 ip4:127.0.0.1 -all\"",
        ),
        line(
            &format!("_dmarc.{domain}."),
            "TXT",
            "\"v=DMARC1; p=reject\"",
        ),
    ]
}

const SUBMIT: &str = r#"
import smtplib, ssl, sys
port, password, to, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.login("alice@example.org", password)
s.sendmail("alice@example.org", [to], ("From: Alice <alice@example.org>\r\nTo: %s\r\nSubject: %s\r\n\r\nHello from A to B.\r\n" % (to, subject)).encode())
# Alice cannot send as bob: neither in the envelope nor in From.
try:
    s.sendmail("bob@example.net", [to], b"From: bob@example.net\r\nSubject: spoof\r\n\r\nx\r\n")
    raise SystemExit("sent as bob (envelope)")
except smtplib.SMTPSenderRefused as e:
    assert e.smtp_code == 553, e
try:
    s.sendmail("alice@example.org", [to], b"From: bob@example.net\r\nSubject: spoof\r\n\r\nx\r\n")
    raise SystemExit("sent as bob (From)")
except smtplib.SMTPDataError as e:
    assert e.smtp_code in (550, 553), e
s.quit()
print("submitted")
"#;

const READ: &str = r#"
import imaplib, poplib, ssl, sys
imap_port, pop_port, subject = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
M = imaplib.IMAP4("127.0.0.1", imap_port)
M.starttls(ssl_context=ssl._create_unverified_context())
M.login("bob@example.net", "bob-password-1")
M.select("INBOX")
typ, data = M.search(None, "SUBJECT", '"%s"' % subject)
uids = data[0].split()
assert len(uids) == 1, data
typ, data = M.fetch(uids[0], "(BODY.PEEK[])")
message = data[0][1].decode()
M.logout()
P = poplib.POP3("127.0.0.1", pop_port)
P.stls(context=ssl._create_unverified_context())
P.user("bob@example.net"); P.pass_("bob-password-1")
count, _ = P.stat()
popped = b"\r\n".join(P.retr(count)[1]).decode()
P.quit()
assert "Hello from A to B." in popped, popped
header = message.split("\r\n\r\n")[0]
print(header)
"#;

const RELAY_AND_DMARC: &str = r#"
import smtplib, sys
port = int(sys.argv[1])
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("mail.evil.example")
try:
    s.sendmail("someone@evil.example", ["victim@example.com"], b"Subject: relay\r\n\r\nx\r\n")
    raise SystemExit("open relay")
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients["victim@example.com"]
    assert code == 554 and b"5.7.1" in text, e
try:
    s.sendmail("ceo@evil.example", ["bob@example.net"], b"From: ceo@evil.example\r\nTo: bob@example.net\r\nSubject: wire money\r\n\r\nnow\r\n")
    raise SystemExit("DMARC-failing message accepted")
except smtplib.SMTPDataError as e:
    assert e.smtp_code == 550 and b"5.7.1" in e.smtp_error and b"DMARC" in e.smtp_error, e
s.quit()
print("refused")
"#;

const DSN: &str = r#"
import imaplib, sys, time
port = int(sys.argv[1])
deadline = time.time() + 60
while True:
    M = imaplib.IMAP4("127.0.0.1", port)
    M.login("alice@example.org", "alice-password-1")
    M.select("INBOX")
    typ, data = M.search(None, "FROM", "MAILER-DAEMON")
    if data[0]:
        typ, body = M.fetch(data[0].split()[0], "(BODY.PEEK[])")
        text = body[0][1].decode(errors="replace")
        assert "multipart/report" in text and "nobody@example.net" in text and "5.1.1" in text, text
        print("dsn ok")
        break
    M.logout()
    assert time.time() < deadline, "no DSN in alice's INBOX"
    time.sleep(0.5)
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_between_two_servers() {
    let (dns, udp, tcp) = common::dns_sockets().await;
    let (ports_a, ports_b) = (Ports::new(), Ports::new());
    // A delivers to MX hosts on B's SMTP port, B on A's.
    // A routes down.example to a port where nobody listens: its mail waits in the queue.
    let route = "[[queue.route]]\ndomain = \"down.example\"\nrelay = \"127.0.0.1:1\"\n";
    let mut a = Instance::prepare_with_ports("a", "example.org", ports_a, dns, ports_b.smtp, route);
    let mut b = Instance::prepare_with_ports("b", "example.net", ports_b, dns, ports_a.smtp, "");
    let mut zone = domain_zone("example.org");
    zone.extend(domain_zone("example.net"));
    zone.extend(
        a.domain_records()
            .into_iter()
            .filter(|(n, _, _)| n.contains("._domainkey.")),
    );
    zone.extend(
        b.domain_records()
            .into_iter()
            .filter(|(n, _, _)| n.contains("._domainkey.")),
    );
    zone.push(line("evil.example.", "TXT", "\"v=spf1 -all\""));
    zone.push(line(
        "_dmarc.evil.example.",
        "TXT",
        "\"v=DMARC1; p=reject\"",
    ));
    let _dns_server = common::dns_server_on(
        udp,
        tcp,
        &["example.org", "example.net", "evil.example"],
        &zone,
    );
    a.add_user("alice@example.org", "alice-password-1");
    b.add_user("bob@example.net", "bob-password-1");
    a.start();
    b.start();

    // alice -> bob, through A's queue to B by MX.
    let out = python(
        SUBMIT,
        &[
            &ports_a.submission.to_string(),
            "alice-password-1",
            "bob@example.net",
            "across",
        ],
    );
    assert!(out.contains("submitted"), "{out}");
    let arrived = common::wait_until(60, || {
        let (_, body) = b.admin(
            "GET",
            "/api/users/bob@example.net/messages?subject=across",
            None,
        );
        body.contains("\"uid\"")
    });
    assert!(
        arrived,
        "not delivered to B\nA:\n{}\nB:\n{}",
        a.log(),
        b.log()
    );
    let header = python(
        READ,
        &[
            &ports_b.imap.to_string(),
            &ports_b.pop3.to_string(),
            "across",
        ],
    );
    let results = header
        .split("Authentication-Results:")
        .nth(1)
        .unwrap_or_default();
    for needle in [
        "spf=pass",
        "dkim=pass",
        "dmarc=pass",
        "header.d=example.org",
    ] {
        assert!(results.contains(needle), "{needle} missing:\n{header}");
    }
    assert!(header.contains("by mx.example.net"), "{header}");
    assert!(a.log().contains("delivered"), "{}", a.log());

    // An unknown recipient at B: A's queue gets 550 5.1.1 and bounces to alice.
    let out = python(
        SUBMIT,
        &[
            &ports_a.submission.to_string(),
            "alice-password-1",
            "nobody@example.net",
            "lost",
        ],
    );
    assert!(out.contains("submitted"));
    let out = python(DSN, &[&ports_a.imap.to_string()]);
    assert!(out.contains("dsn ok"), "{out}");

    // B refuses relaying and the DMARC-failing message.
    let out = python(RELAY_AND_DMARC, &[&ports_b.smtp.to_string()]);
    assert!(out.contains("refused"), "{out}");

    // The queue is empty again and the metrics say what happened.
    assert!(
        common::wait_until(30, || a.admin("GET", "/api/queue", None).1 == "[]"),
        "{}",
        a.admin("GET", "/api/queue", None).1
    );
    let (_, metrics) = a.admin("GET", "/metrics", None);
    assert!(
        metrics.contains("mailserver_messages_delivered_total{destination=\"remote\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("mailserver_messages_bounced_total 1"),
        "{metrics}"
    );
    let (_, metrics) = b.admin("GET", "/metrics", None);
    assert!(
        metrics.contains("mailserver_messages_rejected_total{reason=\"relay\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("mailserver_messages_rejected_total{reason=\"dmarc\"} 1"),
        "{metrics}"
    );
    assert!(a.stop() && b.stop());
}
