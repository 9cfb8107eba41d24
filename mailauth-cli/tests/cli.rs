//! The `mailauth` binary: flags, JSON fields, exit status.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const ZONE: &str = r#"
example.com. TXT "v=spf1 ip4:192.0.2.0/24 -all exp=exp.example.com"
exp.example.com. TXT "%{i} is not allowed to send for %{d}"
plain.example. TXT "v=spf1 -all"
soft.example. TXT "v=spf1 ~all"
neutral.example. TXT "v=spf1 ?all"
broken.example. TXT "v=spf1 bogus"
slow.example. TIMEOUT
helo.example. TXT "v=spf1 ip4:192.0.2.9 -all"
_dmarc.example.com. TXT "v=DMARC1; p=quarantine"
"#;

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailauth-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailauth"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn spf_results_and_explanations() {
    let zone = temp_file("spf.zone", ZONE.as_bytes());
    let zone = zone.to_str().unwrap();
    let spf = |ip: &str, helo: &str, sender: &str, extra: &[&str]| {
        let mut args = vec![
            "spf", "--zone", zone, "--ip", ip, "--helo", helo, "--sender", sender, "--json",
        ];
        args.extend_from_slice(extra);
        json(&run(&args, b""))
    };
    let cases = [
        ("192.0.2.1", "x.example", "a@example.com", "pass"),
        ("198.51.100.1", "x.example", "a@example.com", "fail"),
        ("198.51.100.1", "x.example", "a@soft.example", "softfail"),
        ("198.51.100.1", "x.example", "a@neutral.example", "neutral"),
        ("198.51.100.1", "x.example", "a@nowhere.example", "none"),
        ("198.51.100.1", "x.example", "a@slow.example", "temperror"),
        ("198.51.100.1", "x.example", "a@broken.example", "permerror"),
        ("192.0.2.9", "helo.example", "", "pass"),
    ];
    for (ip, helo, sender, result) in cases {
        assert_eq!(spf(ip, helo, sender, &[])["result"], result, "{sender}");
    }
    let fail = spf("198.51.100.1", "x.example", "a@example.com", &[]);
    assert_eq!(
        fail["explanation"],
        "198.51.100.1 is not allowed to send for example.com"
    );
    let plain = spf(
        "198.51.100.1",
        "x.example",
        "a@plain.example",
        &["--default-explanation", "no %{i}"],
    );
    assert_eq!(plain["explanation"], "no 198.51.100.1");

    let line = run(
        &[
            "spf",
            "--zone",
            zone,
            "--ip",
            "192.0.2.1",
            "--helo",
            "x",
            "--sender",
            "a@example.com",
            "--receiver",
            "mx.test",
        ],
        b"",
    );
    assert_eq!(
        String::from_utf8(line.stdout).unwrap(),
        "Authentication-Results: mx.test; spf=pass smtp.mailfrom=a@example.com\n"
    );
}

#[test]
fn dkim_sign_then_verify_and_dmarc() {
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../mailauth/tests/keys/ed25519.pem"
    );
    let record = run(
        &[
            "dkim-record",
            "--key",
            key,
            "--domain",
            "example.com",
            "--selector",
            "s1",
        ],
        b"",
    );
    let mut zone = ZONE.as_bytes().to_vec();
    zone.extend_from_slice(&record.stdout);
    let zone = temp_file("dkim.zone", &zone);
    let zone = zone.to_str().unwrap();

    let message = b"From: Alice <a@example.com>\nTo: b@example.org\nSubject: hi\n\nHello\n";
    let signed = run(
        &[
            "dkim-sign",
            "--key",
            key,
            "--domain",
            "example.com",
            "--selector",
            "s1",
            "--now",
            "1700000000",
        ],
        message,
    );
    assert_eq!(signed.status.code(), Some(0));
    assert!(
        signed
            .stdout
            .starts_with(b"DKIM-Signature: v=1; a=ed25519-sha256;")
    );

    let verified = json(&run(
        &[
            "dkim-verify",
            "--zone",
            zone,
            "--now",
            "1700000001",
            "--json",
        ],
        &signed.stdout,
    ));
    let sig = &verified["signatures"][0];
    assert_eq!(
        (&sig["result"], &sig["domain"], &sig["selector"]),
        (&"pass".into(), &"example.com".into(), &"s1".into())
    );

    let tampered = String::from_utf8(signed.stdout.clone())
        .unwrap()
        .replace("Hello", "Hullo");
    let verified = json(&run(
        &["dkim-verify", "--zone", zone, "--json"],
        tampered.as_bytes(),
    ));
    assert_eq!(verified["signatures"][0]["result"], "fail");
    let unsigned = json(&run(&["dkim-verify", "--zone", zone, "--json"], message));
    assert_eq!(unsigned["signatures"], serde_json::json!([]));

    // DMARC: SPF fails, the aligned DKIM signature passes.
    let dmarc = |input: &[u8]| {
        json(&run(
            &[
                "dmarc",
                "--zone",
                zone,
                "--ip",
                "198.51.100.1",
                "--helo",
                "x.example",
                "--sender",
                "a@example.com",
                "--now",
                "1700000001",
                "--json",
            ],
            input,
        ))
    };
    let out = dmarc(&signed.stdout);
    assert_eq!(
        (&out["result"], &out["policy"], &out["disposition"]),
        (&"pass".into(), &"quarantine".into(), &"none".into())
    );
    let out = dmarc(message);
    assert_eq!(
        (&out["result"], &out["policy"], &out["disposition"]),
        (&"fail".into(), &"quarantine".into(), &"quarantine".into())
    );
}

#[test]
fn usage_and_file_errors_exit_2() {
    assert_eq!(
        run(
            &["spf", "--ip", "not-an-ip", "--helo", "x", "--sender", "y"],
            b""
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&["dkim-verify", "--zone", "/nonexistent/zone"], b"")
            .status
            .code(),
        Some(2)
    );
    let bad_zone = temp_file("bad.zone", b"example.com. BOGUS x\n");
    let out = run(&["dkim-verify", "--zone", bad_zone.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    let bad_key = temp_file("bad.pem", b"not a key");
    assert_eq!(
        run(&["dkim-record", "--key", bad_key.to_str().unwrap()], b"")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn utf8_messages_senders_and_names() {
    // SMTPUTF8 senders, a Unicode HELO and receiver, and a message whose From, Subject
    // and body are UTF-8: verdicts, not crashes, and one Authentication-Results line.
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../mailauth/tests/keys/ed25519.pem"
    );
    let record = run(
        &[
            "dkim-record",
            "--key",
            key,
            "--domain",
            "example.com",
            "--selector",
            "s1",
        ],
        b"",
    );
    let mut zone = ZONE.as_bytes().to_vec();
    zone.extend_from_slice(&record.stdout);
    let zone = temp_file("utf8.zone", &zone);
    let zone = zone.to_str().unwrap();

    let message = "From: \"Jöhn Dœ\" <jöhn@example.com>, =?UTF-8?Q?J=C3=B6rg?= <j@bücher.test>\n\
                   Subject: 日本語の件名テスト #2\n\
                   To: Привет <p@example.org>\n\
                   \n\
                   Привет, 日本語\n";
    let signed = run(
        &[
            "dkim-sign",
            "--key",
            key,
            "--domain",
            "example.com",
            "--selector",
            "s1",
            "--headers",
            "from:subject:to",
            "--now",
            "1700000000",
        ],
        message.as_bytes(),
    );
    assert_eq!(signed.status.code(), Some(0));
    let args = |helo: &'static str, sender: &'static str, json: bool| {
        let mut args = vec![
            "dmarc",
            "--zone",
            zone,
            "--ip",
            "198.51.100.1",
            "--helo",
            helo,
            "--sender",
            sender,
            "--receiver",
            "mx.例え",
            "--now",
            "1700000001",
        ];
        if json {
            args.push("--json");
        }
        args
    };
    let out = json(&run(
        &args("bücher.test", "jöhn@example.com", true),
        &signed.stdout,
    ));
    assert_eq!(out["result"], "pass");
    assert_eq!(out["spf"]["result"], "fail");
    assert_eq!(out["dkim"]["signatures"][0]["result"], "pass");
    assert!(
        out["spf"]["explanation"]
            .as_str()
            .unwrap()
            .contains("198.51.100.1")
    );
    let line = run(
        &args("日本語の件名テスト #2", "Привет@bücher.test", false),
        message.as_bytes(),
    );
    assert_eq!(line.status.code(), Some(0));
    let line = String::from_utf8(line.stdout).unwrap();
    assert!(
        line.starts_with("Authentication-Results: \"mx.例え\"; spf=none"),
        "{line}"
    );
    assert!(
        line.contains("smtp.mailfrom=\"Привет@bücher.test\""),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");
}
