//! Helpers of the end-to-end tests: server instances (the built binary, each with its
//! own config, data folder and loopback ports), a DNS server on loopback serving the
//! test zones (hickory-server), and real clients (Python's smtplib/imaplib/poplib,
//! curl) run as child processes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::disallowed_methods,
    dead_code,
    unreachable_pub,
    reason = "test helpers: a failed unwrap is a failed test; deadlines read the clock; not every test uses every helper"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::rr::rdata::{A, MX, SOA, TXT};
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordSet, RrKey};
use hickory_server::Server;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};

pub mod http;

/// The built `mailserver` binary.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_mailserver")
}

/// A TCP port that was free a moment ago on 127.0.0.1, never the same twice in this
/// process (the kernel may hand a just-released port out again).
pub fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut given = GIVEN.lock().unwrap();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// The loopback ports of one instance.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub smtp: u16,
    pub submission: u16,
    pub submissions: u16,
    pub imap: u16,
    pub imaps: u16,
    pub pop3: u16,
    pub pop3s: u16,
    pub admin: u16,
}

impl Ports {
    pub fn new() -> Self {
        Self {
            smtp: free_port(),
            submission: free_port(),
            submissions: free_port(),
            imap: free_port(),
            imaps: free_port(),
            pop3: free_port(),
            pop3s: free_port(),
            admin: free_port(),
        }
    }
}

/// One DNS record for the test zone: owner, type (`MX`, `A`, `TXT`), data.
pub type ZoneLine = (String, String, String);

/// A server instance: config, data folder, process.
pub struct Instance {
    pub name: String,
    pub hostname: String,
    pub domain: String,
    pub dir: tempfile::TempDir,
    pub ports: Ports,
    pub token: String,
    child: Option<Child>,
    pub stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Instance {
    /// Writes the config of an instance for `domain` (host `mx.<domain>`, web admin
    /// user `boss@<domain>`), using the
    /// DNS server `dns` and delivering to MX hosts on `mx_port`; `extra` is appended to
    /// the TOML (tables such as `[inbound]`).
    pub fn prepare(name: &str, domain: &str, dns: SocketAddr, mx_port: u16, extra: &str) -> Self {
        Self::prepare_with_ports(name, domain, Ports::new(), dns, mx_port, extra)
    }

    /// As [`Instance::prepare`], on ports chosen beforehand.
    pub fn prepare_with_ports(
        name: &str,
        domain: &str,
        ports: Ports,
        dns: SocketAddr,
        mx_port: u16,
        extra: &str,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let hostname = format!("mx.{domain}");
        let token = format!("test-token-{name}-0123456789");
        let l = |p: u16| format!("[\"127.0.0.1:{p}\"]");
        let config = format!(
            "hostname = \"{hostname}\"\ndata_dir = \"{data}\"\ndomains = [\"{domain}\"]\n\n\
             [listen]\nsmtp = {}\nsubmission = {}\nsubmissions = {}\nimap = {}\nimaps = {}\npop3 = {}\npop3s = {}\nadmin = {}\n\n\
             [dns]\nservers = [\"{dns}\"]\ntimeout = \"2s\"\n\n\
             [queue]\nmx_port = {mx_port}\nretry = [\"2s\", \"5s\"]\n\n\
             [admin]\ntoken = \"{token}\"\nusers = [\"boss@{domain}\"]\n\n[log]\nlevel = \"info\"\n{extra}",
            l(ports.smtp),
            l(ports.submission),
            l(ports.submissions),
            l(ports.imap),
            l(ports.imaps),
            l(ports.pop3),
            l(ports.pop3s),
            l(ports.admin),
            data = dir.path().join("data").display(),
        );
        // MAILSERVER_TEST_STORE=memory runs the instance over the in-memory store: the
        // same tests over a second implementation of the store traits.
        let config = match std::env::var("MAILSERVER_TEST_STORE") {
            Ok(backend) => format!("{config}\n[store]\nbackend = \"{backend}\"\n"),
            Err(_) => config,
        };
        std::fs::write(dir.path().join("mailserver.toml"), config).unwrap();
        Self {
            name: name.to_owned(),
            hostname,
            domain: domain.to_owned(),
            dir,
            ports,
            token,
            child: None,
            stdout: Arc::default(),
            stderr: Arc::default(),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("mailserver.toml")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs a command of the binary against this instance's config; `stdin` is fed.
    pub fn command(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(binary())
            .arg("--config")
            .arg(self.config_path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Adds the domain (making its DKIM keys) and returns the DNS records printed.
    pub fn domain_records(&self) -> Vec<ZoneLine> {
        let out = self.command(&["domain", "add", &self.domain], "");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with(';'))
            .filter_map(|line| {
                let (name, rest) = line.split_once(" IN ")?;
                let (kind, value) = rest.split_once(' ')?;
                Some((name.to_owned(), kind.to_owned(), value.to_owned()))
            })
            .collect()
    }

    /// Adds a user with a password.
    pub fn add_user(&self, address: &str, password: &str) {
        let out = self.command(
            &["user", "add", address, "--password-stdin"],
            &format!("{password}\n"),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server and waits until every listener is bound.
    pub fn start(&mut self) {
        let mut child = Command::new(binary())
            .arg("--config")
            .arg(self.config_path())
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        self.stdout.lock().unwrap().clear();
        collect(child.stdout.take().unwrap(), Arc::clone(&self.stdout));
        collect(child.stderr.take().unwrap(), Arc::clone(&self.stderr));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let listening = self
                .stdout
                .lock()
                .unwrap()
                .iter()
                .filter(|l| l.starts_with("listening on "))
                .count();
            if listening == 8 {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "{} exited with {status}: {}",
                    self.name,
                    self.stderr.lock().unwrap().join("\n")
                );
            }
            assert!(Instant::now() < deadline, "{} did not start", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM and wait (graceful shutdown); returns whether it exited successfully.
    pub fn stop(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL and wait.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// `curl` against the admin API: method, path, JSON body; returns (status, body).
    pub fn admin(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method])
            .arg("-H")
            .arg(format!("Authorization: Bearer {}", self.token))
            .arg(format!("http://127.0.0.1:{}{path}", self.ports.admin));
        if let Some(body) = body {
            cmd.args(["-H", "Content-Type: application/json", "--data", body]);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap();
        (code.trim().parse().unwrap(), body.to_owned())
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn collect(stream: impl std::io::Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            into.lock().unwrap().push(line);
        }
    });
}

/// Runs a Python script with arguments; panics with its output when it fails.
pub fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Waits until `check` is true, up to `secs` seconds.
pub fn wait_until(secs: u64, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

/// The quoted strings of a TXT value as a zone file writes it.
fn txt_strings(value: &str) -> Vec<String> {
    value
        .split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect()
}

/// A UDP+TCP port pair free on 127.0.0.1 for a DNS server started later.
pub async fn dns_sockets() -> (SocketAddr, tokio::net::UdpSocket, tokio::net::TcpListener) {
    for _ in 0..20 {
        let udp = tokio::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .unwrap();
        let addr = udp.local_addr().unwrap();
        if let Ok(tcp) = tokio::net::TcpListener::bind(addr).await {
            return (addr, udp, tcp);
        }
    }
    panic!("no free DNS port pair");
}

/// A DNS server on 127.0.0.1 (UDP and TCP, same port) for the zones `origins`, with
/// `records`. Keep the returned server alive.
pub async fn dns_server(origins: &[&str], records: &[ZoneLine]) -> (SocketAddr, Server<Catalog>) {
    let (addr, udp, tcp) = dns_sockets().await;
    (addr, dns_server_on(udp, tcp, origins, records))
}

/// The DNS server of [`dns_server`] on sockets bound beforehand.
pub fn dns_server_on(
    udp: tokio::net::UdpSocket,
    tcp: tokio::net::TcpListener,
    origins: &[&str],
    records: &[ZoneLine],
) -> Server<Catalog> {
    let mut catalog = Catalog::new();
    for origin in origins {
        let origin_name = name(&format!("{origin}."));
        let mut sets: BTreeMap<RrKey, RecordSet> = BTreeMap::new();
        let soa = SOA::new(
            name("ns.test."),
            name("hostmaster.test."),
            1,
            3600,
            600,
            86400,
            60,
        );
        let mut all: Vec<(Name, RData)> = vec![(origin_name.clone(), RData::SOA(soa))];
        for (owner, kind, value) in records {
            let owner_name = name(&format!("{}.", owner.trim_end_matches('.')));
            if !origin_name.zone_of(&owner_name) {
                continue;
            }
            let data = match kind.as_str() {
                "A" => RData::A(A(value.parse().unwrap())),
                "MX" => {
                    let (pref, host) = value.split_once(' ').unwrap();
                    RData::MX(MX::new(pref.parse().unwrap(), name(host)))
                }
                "TXT" => RData::TXT(TXT::new(txt_strings(value))),
                other => panic!("record type {other}"),
            };
            all.push((owner_name, data));
        }
        for (owner, data) in all {
            let record = Record::from_rdata(owner.clone(), 60, data);
            let key = RrKey::new(LowerName::new(&owner), record.record_type());
            sets.entry(key)
                .or_insert_with(|| RecordSet::new(owner, record.record_type(), 1))
                .insert(record, 1);
        }
        let handler: Arc<dyn ZoneHandler> = Arc::new(
            InMemoryZoneHandler::<hickory_server::net::runtime::TokioRuntimeProvider>::new(
                origin_name.clone(),
                sets,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .unwrap(),
        );
        catalog.upsert(LowerName::new(&origin_name), vec![handler]);
    }
    let mut server = Server::new(catalog);
    server.register_listener(tcp, Duration::from_secs(5), 65_535);
    server.register_socket(udp);
    server
}

/// Whether `path` exists (for messages in Maildir folders).
pub fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}
