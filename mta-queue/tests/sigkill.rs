//! Crash safety: a child process enqueues and delivers under load and is killed with
//! SIGKILL at random moments, round after round; at the end every message whose
//! enqueue was acknowledged has reached the sink (duplicates allowed, losses not).
//!
//! The child is this same test binary running the ignored `crash_child` test with
//! `MTA_QUEUE_CRASH_DIR` set. It enqueues numbered messages into a file spool and
//! prints `ack N` once `enqueue` returned; its local-delivery handler appends `N` to
//! `sink.txt` and fsyncs before reporting success.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the test times its kill points and bounds its run with the real clock"
)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailwright_auth::dns::Zone;
use mailwright_queue::route::{RouteAction, Router, Rule};
use mailwright_queue::scheduler::RcptOutcome;
use mailwright_queue::transport::{
    ConnectError, ConnectRequest, Connection, LocalMessage, OutgoingMessage, SessionError,
    Transport,
};
use mailwright_queue::{Diagnostic, Envelope, FileSpool, QueueBuilder, Recipient, Spool};
use mailwright_smtp::{EnhancedStatusCode, Mailbox};

/// A mailbox from text known to be one.
fn mailbox(text: &str) -> Mailbox<'static> {
    Mailbox::try_from(text.to_owned()).unwrap()
}

const ROUNDS: usize = 25;

/// A transport that is never used (everything is routed locally).
struct NoNetwork;

struct NoConnection;

impl Transport for NoNetwork {
    type Connection = NoConnection;

    async fn connect(&self, _: &ConnectRequest) -> Result<NoConnection, ConnectError> {
        Err(ConnectError::new(Diagnostic::local(
            EnhancedStatusCode::new(4, 4, 1).unwrap(),
            "no network",
        )))
    }
}

impl Connection for NoConnection {
    async fn send(&mut self, _: OutgoingMessage<'_>) -> Result<Vec<RcptOutcome>, SessionError> {
        Ok(Vec::new())
    }
    async fn reset(&mut self) -> Result<(), SessionError> {
        Ok(())
    }
    async fn quit(self) {}
    fn supports_dsn(&self) -> bool {
        true
    }
}

fn run_child(dir: &Path, start: u64, count: u64, drain: bool) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MTA_QUEUE_CRASH_DIR", dir)
        .env("MTA_QUEUE_CRASH_START", start.to_string())
        .env("MTA_QUEUE_CRASH_COUNT", count.to_string())
        .env("MTA_QUEUE_CRASH_DRAIN", if drain { "1" } else { "0" })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn sigkill_at_random_points_loses_no_acknowledged_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked = BTreeSet::new();
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut next = 0u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    for _round in 0..ROUNDS {
        assert!(Instant::now() < deadline, "bounded in time");
        let mut child = run_child(dir.path(), next, 1_000_000, false);
        let stdout = child.stdout.take().unwrap();
        let kill_after = Duration::from_millis(rng.u64(30..400));
        let started = Instant::now();
        let reader = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("ack ") {
                    seen.push(n.trim().parse::<u64>().unwrap());
                }
            }
            seen
        });
        while started.elapsed() < kill_after {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let seen = reader.join().unwrap();
        next = seen.iter().max().map_or(next, |m| m + 1) + 1000;
        acked.extend(seen);
    }
    // A last run enqueues nothing and delivers what is left.
    let mut child = run_child(dir.path(), 0, 0, true);
    let status = child.wait().unwrap();
    assert!(status.success());
    let sink = std::fs::read_to_string(dir.path().join("sink.txt")).unwrap_or_default();
    let delivered: BTreeSet<u64> = sink.lines().filter_map(|l| l.trim().parse().ok()).collect();
    let lost: Vec<&u64> = acked.difference(&delivered).collect();
    assert!(
        acked.len() > 100,
        "the child acknowledged {} messages",
        acked.len()
    );
    let corrupt: Vec<String> = std::fs::read_dir(dir.path().join("spool/corrupt"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        corrupt.is_empty(),
        "entries set aside as corrupt: {corrupt:?}"
    );
    assert!(
        lost.is_empty(),
        "{} acknowledged messages lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(20)]
    );
    eprintln!(
        "sigkill: {ROUNDS} rounds, {} acknowledged, {} distinct delivered, {} sink lines",
        acked.len(),
        delivered.len(),
        sink.lines().count()
    );
}

/// The child (see the file docs); does nothing unless started by the test above.
#[test]
#[ignore = "run by sigkill_at_random_points_loses_no_acknowledged_message"]
fn crash_child() {
    let Ok(dir) = std::env::var("MTA_QUEUE_CRASH_DIR") else {
        return;
    };
    let start: u64 = std::env::var("MTA_QUEUE_CRASH_START")
        .unwrap()
        .parse()
        .unwrap();
    let count: u64 = std::env::var("MTA_QUEUE_CRASH_COUNT")
        .unwrap()
        .parse()
        .unwrap();
    let drain = std::env::var("MTA_QUEUE_CRASH_DRAIN").unwrap() == "1";
    let dir = std::path::PathBuf::from(dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let spool: Arc<dyn Spool> = Arc::new(FileSpool::open(dir.join("spool")).unwrap());
        let sink_path = dir.join("sink.txt");
        let sink = Arc::new(std::sync::Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&sink_path)
                .unwrap(),
        ));
        let mut router = Router::new();
        router.push(Rule::new("sink").action(RouteAction::Local {
            handler: "sink".into(),
        }));
        let queue = QueueBuilder::new(spool, Zone::parse("").unwrap(), NoNetwork)
            .router(router)
            .local_handler(
                "sink",
                Arc::new(move |message: LocalMessage| {
                    let sink = Arc::clone(&sink);
                    async move {
                        let text = String::from_utf8_lossy(&message.body).into_owned();
                        let n = text
                            .lines()
                            .find_map(|l| l.strip_prefix("X-Seq: "))
                            .unwrap_or("?")
                            .to_owned();
                        let sink = Arc::clone(&sink);
                        let ok = tokio::task::spawn_blocking(move || {
                            let mut file = sink.lock().unwrap();
                            // One write call per line: a kill cannot leave half a line
                            // for the next run to append to (`writeln!` may write twice).
                            let line = format!("{n}\n");
                            file.write_all(line.as_bytes())
                                .and_then(|()| file.sync_data())
                                .is_ok()
                        })
                        .await
                        .unwrap_or(false);
                        let diagnostic = if ok {
                            Diagnostic::local(EnhancedStatusCode::OK, "stored")
                        } else {
                            Diagnostic::local(
                                EnhancedStatusCode::MAIL_SYSTEM_OTHER,
                                "sink write failed",
                            )
                        };
                        message
                            .recipients
                            .iter()
                            .map(|_| RcptOutcome::from_diagnostic(diagnostic.clone()))
                            .collect::<Vec<_>>()
                    }
                }),
            )
            .start()
            .await
            .unwrap();
        // Several enqueuers at once, as an SMTP server's sessions would be.
        let mut tasks = Vec::new();
        let stdout = Arc::new(std::sync::Mutex::new(std::io::stdout()));
        for lane in 0..4u64 {
            let queue = queue.clone();
            let stdout = Arc::clone(&stdout);
            tasks.push(tokio::spawn(async move {
                let mut n = start + lane;
                while n < start + count {
                    let envelope = Envelope::new(mailbox("crash@test.example"))
                        .with_recipient(Recipient::new(mailbox("sink@test.example")));
                    let body = format!(
                        "X-Seq: {n}\r\nSubject: crash test\r\n\r\n{}\r\n",
                        "x".repeat(2000)
                    );
                    if queue.enqueue(envelope, body.into_bytes()).await.is_ok() {
                        let mut out = stdout.lock().unwrap();
                        writeln!(out, "ack {n}").unwrap();
                        out.flush().unwrap();
                    }
                    n += 4;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        if drain {
            for _ in 0..3000 {
                if queue.is_empty() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            assert!(queue.is_empty(), "{} entries left", queue.len());
            queue.shutdown().await;
        }
    });
}
