//! Messages whose subjects are not ASCII, over SMTP and IMAP APPEND, from Python's
//! smtplib and imaplib: each is stored and indexed, SEARCH SUBJECT and SORT SUBJECT
//! find them, and the recipient keeps receiving mail and logging in (IMAP and POP3).
//! One such subject used to panic the index and take the mailbox down for good.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use common::{Instance, python};

const ZONE: &[(&str, &str, &str)] = &[
    ("example.org.", "MX", "10 mx.example.org."),
    ("mx.example.org.", "A", "127.0.0.1"),
    ("example.org.", "TXT", "\"v=spf1 ip4:127.0.0.1 -all\""),
];

/// Delivers each subject twice over SMTP (8-bit and RFC 2047), APPENDs it once over
/// IMAP (8-bit, as mbsync pushes a local message), then searches, sorts, and checks
/// that mail still flows. Prints one line per check.
const SCRIPT: &str = r#"
import imaplib, poplib, smtplib, sys
from email.header import Header

smtp_port, imap_port, pop3_port = (int(a) for a in sys.argv[1:4])
subjects = ["Привет", "Καλημέρα σας", "日本語の件名テスト #2", "Re: 日本語の件名テスト",
            "🎉 party", "Cafe\u0301 (fwd)", "(fwd)", "é"]

def message(subject, encoded):
    value = Header(subject, "utf-8").encode() if encoded else subject
    return ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: " + value +
            "\r\n\r\nbody\r\n").encode()

with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as s:
    for encoded in (False, True):
        for subject in subjects:
            s.sendmail("alice@example.org", ["bob@example.org"], message(subject, encoded))
print("smtp ok")

M = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
M.login("bob@example.org", "bob-password-1")
for subject in subjects:
    typ, data = M.append("INBOX", None, None, message(subject, False))
    assert typ == "OK", (subject, typ, data)
print("append ok")
typ, data = M.select("INBOX")
total = int(data[0])
assert total == 3 * len(subjects), total

def search(needle):
    M.literal = needle.encode()
    typ, data = M.uid("SEARCH", "CHARSET", "UTF-8", "SUBJECT")
    assert typ == "OK", (needle, typ, data)
    return [int(u) for u in data[0].split()]

for needle, index in [("テスト #2", 2), ("Привет", 0), ("Καλημέρα", 1), ("🎉", 4), ("party", 4)]:
    found = search(needle)
    n = len(subjects)
    expected = [index + 1, index + 1 + n, index + 1 + 2 * n]
    assert found == expected, (needle, found, expected)
print("search ok")

typ, data = M.uid("SORT", "(SUBJECT)", "UTF-8", "ALL")
assert typ == "OK", (typ, data)
order = [int(u) for u in data[0].split()]
assert len(order) == total, order
bases = {"Re: 日本語の件名テスト": "日本語の件名テスト", "Cafe\u0301 (fwd)": "cafe\u0301",
         "(fwd)": "", "🎉 party": "🎉 party"}
keyed = []
for uid in range(1, total + 1):
    subject = subjects[(uid - 1) % len(subjects)]
    base = bases.get(subject, subject)
    keyed.append((base.encode(), uid))
assert order == [uid for _, uid in sorted(keyed)], (order, sorted(keyed))
print("sort ok")
M.logout()

with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as s:
    s.sendmail("alice@example.org", ["bob@example.org"], message("after", False))
M = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
M.login("bob@example.org", "bob-password-1")
typ, data = M.select("INBOX")
assert int(data[0]) == total + 1, data
M.logout()
P = poplib.POP3("127.0.0.1", pop3_port, timeout=30)
P.user("bob@example.org")
P.pass_("bob-password-1")
count, _ = P.stat()
assert count == total + 1, count
P.quit()
print("still receiving ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_ascii_subjects_keep_the_mailbox_usable() {
    let zone: Vec<common::ZoneLine> = ZONE
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    let (dns, _dns_server) = common::dns_server(&["example.org"], &zone).await;
    let mut server = Instance::prepare("unicode", "example.org", dns, 25, "");
    server.add_user("bob@example.org", "bob-password-1");
    server.start();
    let p = server.ports;
    let out = python(
        SCRIPT,
        &[
            &p.smtp.to_string(),
            &p.imap.to_string(),
            &p.pop3.to_string(),
        ],
    );
    for check in [
        "smtp ok",
        "append ok",
        "search ok",
        "sort ok",
        "still receiving ok",
    ] {
        assert!(out.contains(check), "{check}: {out}");
    }
    let (code, unindexed) = server.admin("GET", "/api/users/bob@example.org/unindexed", None);
    assert_eq!((code, unindexed.as_str()), (200, "[]"));

    // An OpenSSL client connecting by address sends it as SNI; rustls's warning about
    // it is not logged at the default level.
    let openssl = std::process::Command::new("openssl")
        .args(["s_client", "-connect"])
        .arg(format!("127.0.0.1:{}", p.imaps))
        .args(["-servername", "127.0.0.1"])
        .stdin(std::process::Stdio::null())
        .output();
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    // Over the in-memory store (MAILSERVER_TEST_STORE=memory), nothing is written.
    let messages_on_disk = maildir_messages(&server.data_dir().join("mail"));
    if std::env::var("MAILSERVER_TEST_STORE").as_deref() == Ok("memory") {
        assert!(log.contains("mail is lost when the server stops"), "{log}");
        assert_eq!(messages_on_disk, 0);
    } else {
        assert!(messages_on_disk >= 24, "{messages_on_disk}");
    }
    if let Ok(out) = openssl {
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("BEGIN CERTIFICATE")
                || String::from_utf8_lossy(&out.stdout).contains("Server certificate"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        let log = server.log();
        assert!(!log.contains("Illegal SNI"), "{log}");
    }
}

/// Files in `new/` and `cur/` folders below `dir`: the messages of Maildirs.
fn maildir_messages(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            let in_maildir = path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == "new" || n == "cur");
            if path.is_dir() {
                maildir_messages(&path)
            } else {
                usize::from(in_maildir)
            }
        })
        .sum()
}
