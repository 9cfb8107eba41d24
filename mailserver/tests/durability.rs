//! No acknowledged message is lost: 20 concurrent SMTP senders (Python smtplib) while
//! the server is stopped gracefully (SIGTERM) or killed (SIGKILL); after a restart the
//! recipient's mailbox holds at least every message that got a 250.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::Instance;

/// Sends from 20 threads until the server goes away (at most 400 messages each);
/// prints how many got a 250.
const LOAD: &str = r#"
import smtplib, sys, threading
port = int(sys.argv[1])
acked = 0
lock = threading.Lock()
def sender(n):
    global acked
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=20)
        for i in range(400):
            msg = ("From: load%d@example.net\r\nTo: bob@example.org\r\nSubject: load %d %d\r\n\r\n" % (n, n, i)) + ("x" * 200 + "\r\n") * 5
            s.sendmail("load%d@example.net" % n, ["bob@example.org"], msg.encode())
            with lock:
                acked += 1
    except Exception:
        pass
threads = [threading.Thread(target=sender, args=(n,)) for n in range(20)]
for t in threads: t.start()
for t in threads: t.join()
print(acked)
"#;

fn messages(server: &Instance) -> u64 {
    let (code, body) = server.admin("GET", "/api/users/bob@example.org", None);
    assert_eq!(code, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    value["messages"].as_u64().unwrap()
}

async fn under_load(kill: bool) {
    let (dns, _dns_server) = common::dns_server(&["example.org"], &[]).await;
    let mut server = Instance::prepare(
        if kill { "kill9" } else { "term" },
        "example.org",
        dns,
        25,
        "",
    );
    server.add_user("bob@example.org", "bob-password-1");
    server.start();
    let load = Command::new("python3")
        .arg("-c")
        .arg(LOAD)
        .arg(server.ports.smtp.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let the senders get going, then stop the server in the middle of the load.
    assert!(
        common::wait_until(30, || server.log().matches("smtp transaction").count()
            >= 100),
        "{}",
        server.log()
    );
    if kill {
        server.kill9();
    } else {
        assert!(server.stop(), "graceful stop failed:\n{}", server.log());
        assert!(server.log().contains("stopped"), "{}", server.log());
    }
    let out = tokio::task::spawn_blocking(move || load.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let acked: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(acked >= 100, "{acked}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.start();
    let stored = messages(&server);
    assert!(stored >= acked, "{stored} stored < {acked} acknowledged");
    // At most the transactions in flight at the kill (one per sender) may be stored
    // without their 250 having reached the client.
    assert!(
        stored <= acked + 20,
        "{stored} stored, {acked} acknowledged"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_acknowledged_message() {
    under_load(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_under_load_loses_nothing() {
    under_load(false).await;
}
