//! `mailload`: the load generator of `scripts/load/mailserver-*.sh`, the same for our
//! server and for Dovecot. Plain IMAP and POP3 on loopback (both servers allow
//! plaintext logins from loopback), bounded in time and count.
//!
//! ```sh
//! mailload imap-sessions ADDR USER PASS CLIENTS SECONDS   # CONNECT LOGIN SELECT LOGOUT loops
//! mailload imap-fetch    ADDR USER PASS CLIENTS SECONDS   # FETCH 1:* (BODY.PEEK[]) loops
//! mailload imap-list     ADDR USER PASS CLIENTS SECONDS   # a mail client's message list:
//!                        # FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (..)]) loops
//! mailload pop3-retr     ADDR USER PASS CLIENTS SECONDS   # RETR every message, QUIT (USER0.. for several)
//! mailload imap-idle     ADDR USER PASS CLIENTS SECONDS   # CLIENTS sessions in IDLE, held
//! ```
//! Prints one line: `operations=N bytes=N seconds=S`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    missing_docs,
    reason = "a load tool: it reads the clock and fails loudly"
)]

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

struct Line {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    buf: Vec<u8>,
}

impl Line {
    async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(Self {
            reader: BufReader::with_capacity(256 * 1024, r),
            writer: w,
            buf: Vec::new(),
        })
    }

    async fn send(&mut self, text: &str) -> io::Result<()> {
        self.writer.write_all(text.as_bytes()).await
    }

    /// One line (with CRLF) into `self.buf`; counts bytes.
    async fn line(&mut self) -> io::Result<usize> {
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(n)
    }

    /// Reads IMAP responses up to the tagged one; follows literals. Returns the bytes
    /// read and whether the tagged status was OK.
    async fn imap_until(&mut self, tag: &str) -> io::Result<(u64, bool)> {
        let mut total = 0u64;
        loop {
            total += self.line().await? as u64;
            let literal = literal_len(&self.buf);
            if let Some(n) = literal {
                let mut rest = n;
                let mut chunk = vec![0u8; 64 * 1024];
                while rest > 0 {
                    let take = rest.min(chunk.len());
                    self.reader.read_exact(&mut chunk[..take]).await?;
                    rest -= take;
                }
                total += n as u64;
                continue;
            }
            if self.buf.starts_with(tag.as_bytes()) && self.buf.get(tag.len()) == Some(&b' ') {
                let ok = self.buf[tag.len() + 1..].starts_with(b"OK");
                return Ok((total, ok));
            }
        }
    }

    /// A POP3 status line: whether it is `+OK`.
    async fn pop3_status(&mut self) -> io::Result<bool> {
        self.line().await?;
        Ok(self.buf.starts_with(b"+OK"))
    }

    /// A POP3 multi-line body up to `.`; returns its bytes.
    async fn pop3_body(&mut self) -> io::Result<u64> {
        let mut total = 0u64;
        loop {
            total += self.line().await? as u64;
            if self.buf == b".\r\n" {
                return Ok(total);
            }
        }
    }
}

/// `{123}\r\n` at the end of a line.
fn literal_len(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r\n")?;
    let line = line.strip_suffix(b"}")?;
    let open = line.iter().rposition(|&b| b == b'{')?;
    std::str::from_utf8(&line[open + 1..])
        .ok()?
        .trim_end_matches('+')
        .parse()
        .ok()
}

fn check(ok: bool, what: &str) -> io::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(io::Error::other(format!("{what} failed")))
    }
}

async fn imap_login(addr: SocketAddr, user: &str, pass: &str) -> io::Result<Line> {
    let mut c = Line::connect(addr).await?;
    c.line().await?; // greeting
    c.send(&format!("a LOGIN \"{user}\" \"{pass}\"\r\n"))
        .await?;
    check(c.imap_until("a").await?.1, "LOGIN")?;
    c.send("b SELECT INBOX\r\n").await?;
    check(c.imap_until("b").await?.1, "SELECT")?;
    Ok(c)
}

async fn imap_session(addr: SocketAddr, user: &str, pass: &str) -> io::Result<u64> {
    let mut c = imap_login(addr, user, pass).await?;
    c.send("c LOGOUT\r\n").await?;
    c.imap_until("c").await?;
    Ok(0)
}

async fn pop3_session(addr: SocketAddr, user: &str, pass: &str) -> io::Result<(u64, u64)> {
    let mut c = Line::connect(addr).await?;
    check(c.pop3_status().await?, "greeting")?;
    c.send(&format!("USER {user}\r\n")).await?;
    check(c.pop3_status().await?, "USER")?;
    c.send(&format!("PASS {pass}\r\n")).await?;
    check(c.pop3_status().await?, "PASS")?;
    c.send("STAT\r\n").await?;
    check(c.pop3_status().await?, "STAT")?;
    let count: u64 = String::from_utf8_lossy(&c.buf)
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut bytes = 0;
    for n in 1..=count {
        c.send(&format!("RETR {n}\r\n")).await?;
        check(c.pop3_status().await?, "RETR")?;
        bytes += c.pop3_body().await?;
    }
    c.send("QUIT\r\n").await?;
    c.pop3_status().await?;
    Ok((count, bytes))
}

#[tokio::main]
async fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, addr, user, pass, clients, seconds] = args.as_slice() else {
        eprintln!("usage: mailload MODE ADDR USER PASS CLIENTS SECONDS");
        std::process::exit(2);
    };
    let addr: SocketAddr = addr.parse().expect("ADDR is IP:port");
    let clients: usize = clients.parse().expect("CLIENTS");
    let duration = Duration::from_secs(seconds.parse().expect("SECONDS"));
    let ops = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    if mode == "imap-idle" {
        let mut sessions = Vec::new();
        for _ in 0..clients {
            let mut c = imap_login(addr, user, pass).await?;
            c.send("i IDLE\r\n").await?;
            c.line().await?; // "+ idling"
            sessions.push(c);
        }
        println!("idle={}", sessions.len());
        tokio::time::sleep_until(deadline.into()).await;
        println!(
            "operations={} bytes=0 seconds={:.3}",
            sessions.len(),
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    for i in 0..clients {
        let (ops, bytes, errors) = (Arc::clone(&ops), Arc::clone(&bytes), Arc::clone(&errors));
        let (mode, user, pass) = (mode.clone(), user.clone(), pass.clone());
        tasks.push(tokio::spawn(async move {
            match mode.as_str() {
                "imap-sessions" => {
                    while Instant::now() < deadline {
                        match imap_session(addr, &user, &pass).await {
                            Ok(_) => ops.fetch_add(1, Ordering::Relaxed),
                            Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                }
                "imap-fetch" | "imap-list" => {
                    let Ok(mut c) = imap_login(addr, &user, &pass).await else {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    };
                    let command = if mode == "imap-fetch" {
                        "f FETCH 1:* (BODY.PEEK[])\r\n"
                    } else {
                        "f FETCH 1:* (UID FLAGS RFC822.SIZE \
                         BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])\r\n"
                    };
                    while Instant::now() < deadline {
                        if c.send(command).await.is_err() {
                            break;
                        }
                        match c.imap_until("f").await {
                            Ok((n, true)) => {
                                bytes.fetch_add(n, Ordering::Relaxed);
                                ops.fetch_add(1, Ordering::Relaxed);
                            }
                            _ => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                    }
                }
                "pop3-retr" => {
                    // POP3 locks a maildrop per session: several clients need several users.
                    let user = if clients == 1 {
                        user
                    } else {
                        format!("{user}{i}")
                    };
                    while Instant::now() < deadline {
                        match pop3_session(addr, &user, &pass).await {
                            Ok((n, b)) => {
                                ops.fetch_add(n, Ordering::Relaxed);
                                bytes.fetch_add(b, Ordering::Relaxed);
                            }
                            Err(_) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                    }
                }
                other => panic!("unknown mode {other}"),
            }
        }));
    }
    for task in tasks {
        task.await.expect("client task");
    }
    println!(
        "operations={} bytes={} errors={} seconds={:.3}",
        ops.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
