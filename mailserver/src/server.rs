//! Start-up, the listeners, and graceful shutdown.

use std::sync::{Arc, OnceLock};

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::cli::QueueCommand;
use crate::config::Config;
use crate::data::{DataDir, write_private};
use crate::dkim_keys::KeyRing;
use crate::mail_auth::{self, Checks};
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::state::App;
use crate::users::Directory;
use crate::{admin, imap, listener, pop3, provision, queue, smtp, tls};

/// Runs the server until SIGINT or SIGTERM.
///
/// # Errors
/// A message naming what could not be set up.
pub fn run(config: Config) -> Result<(), String> {
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(config))
}

fn init_logging(config: &Config) {
    let configured = std::env::var("RUST_LOG").unwrap_or_else(|_| config.log.filter.clone());
    let filter = tracing_subscriber::EnvFilter::try_new(log_filter(&configured))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.log.filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The filter for `configured` (the config's `log.level` or `RUST_LOG`): rustls is
/// held to errors unless the filter names it. Its warnings are about peers, not about
/// this server: every OpenSSL-based client (mbsync, offlineimap, Python's ssl) sends
/// an IP address as SNI when it connects by address, and rustls warns "Illegal SNI
/// extension: ignoring IP address presented as hostname" for each connection.
fn log_filter(configured: &str) -> String {
    if configured.contains("rustls") {
        configured.to_owned()
    } else if configured.trim().is_empty() {
        "rustls=error".to_owned()
    } else {
        format!("{configured},rustls=error")
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let data = DataDir::open(&config.data_dir)
        .map_err(|e| format!("data folder {}: {e}", config.data_dir.display()))?;
    let directory = Directory::open(&data.users_db()).map_err(|e| e.to_string())?;
    let store = provision::store(&config, &data);
    let first =
        provision::on_start(&config, &data, &directory, &store).map_err(|e| e.to_string())?;
    if let Some((user, password)) = &first.demo_user {
        println!(
            "demo user {user} password {password} (printed once; change it with `mailserver user passwd {user}`)"
        );
    }
    let (files, made) = tls::ensure_certificate(&config, &data).map_err(|e| e.to_string())?;
    if made {
        println!("made a self-signed certificate: {}", files.cert.display());
    }
    let tls = tls::server_config(&files).map_err(|e| e.to_string())?;
    let admin_token = admin_token(&config, &data)?;
    let dns = mail_auth::resolver(&config.dns)
        .map_err(|e| format!("dns: cannot read /etc/resolv.conf: {e}"))?;
    let app = Arc::new(App {
        checks: Checks::new(Arc::clone(&dns), &config.hostname),
        keys: KeyRing::new(&data.dkim(), &config.dkim.algorithms),
        rate_limiter: RateLimiter::default(),
        queue: OnceLock::new(),
        admin_token,
        config,
        data,
        directory,
        store,
        metrics: Metrics::default(),
    });
    let outbound = queue::start(
        &app,
        Arc::clone(&dns),
        mailwright_queue::transport::smtp::SmtpTransport::new(),
    )
    .await?;
    let _ = app.queue.set(Arc::new(outbound));
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    imap::start(&app, &tls, &stopped, &mut tasks).await?;
    pop3::start(&app, &tls, &stopped, &mut tasks).await?;
    smtp::start(&app, &tls, &stopped, &mut tasks).await?;
    for &addr in &app.config.listen.admin {
        let socket = listener::bind("admin", addr).await?;
        println!("listening on {addr} (admin)");
        let admin_tls = app.config.admin.tls.then(|| Arc::clone(&tls));
        tasks.spawn(admin::serve(
            Arc::clone(&app),
            socket,
            admin_tls,
            stopped.clone(),
        ));
    }
    tracing::info!(hostname = %app.config.hostname, data = %app.data.root().display(), "mailserver started");
    wait_for_signal().await;
    tracing::info!("shutting down");
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    if let Some(queue) = app.queue.get() {
        queue.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The admin token: configured, or kept in the data folder (made and printed once).
fn admin_token(config: &Config, data: &DataDir) -> Result<String, String> {
    if let Some(token) = &config.admin.token {
        return Ok(token.clone());
    }
    let path = data.admin_token();
    if let Ok(token) = std::fs::read_to_string(&path)
        && token.trim().len() >= 16
    {
        return Ok(token.trim().to_owned());
    }
    let token = crate::users::password::generate() + &crate::users::password::generate();
    write_private(&path, token.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("admin API token {token} (kept in {})", path.display());
    Ok(token)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs a queue command against the running server's admin API.
///
/// # Errors
/// A message for standard error.
pub fn queue_command(config: &Config, command: QueueCommand) -> Result<(), String> {
    let addr = *config
        .listen
        .admin
        .first()
        .ok_or("no admin listener configured (listen.admin)")?;
    let token = match &config.admin.token {
        Some(token) => token.clone(),
        None => {
            let path = config.data_dir.join("admin-token");
            std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: {e} (start the server once)", path.display()))?
                .trim()
                .to_owned()
        }
    };
    let call = |method: &str, path: &str| -> Result<String, String> {
        let (status, body) = admin::client::request(addr, &token, method, path)?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or(body);
            Err(format!("{status}: {message}"))
        }
    };
    match command {
        QueueCommand::List => {
            let body = call("GET", "/api/queue")?;
            let entries: Vec<serde_json::Value> =
                serde_json::from_str(&body).map_err(|e| format!("admin API: {e}"))?;
            for entry in &entries {
                let recipients = entry["recipients"].as_array().cloned().unwrap_or_default();
                let line: Vec<String> = recipients
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}",
                            r["address"].as_str().unwrap_or(""),
                            r["status"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                println!(
                    "{} <{}> {} bytes{} {}",
                    entry["id"].as_str().unwrap_or(""),
                    entry["sender"].as_str().unwrap_or(""),
                    entry["size"],
                    if entry["held"].as_bool() == Some(true) {
                        " held"
                    } else {
                        ""
                    },
                    line.join(", ")
                );
            }
            Ok(())
        }
        QueueCommand::Retry { id: Some(id), .. } => {
            call("POST", &format!("/api/queue/{id}/retry")).map(drop)
        }
        QueueCommand::Retry {
            id: None,
            all: true,
        } => call("POST", "/api/queue/retry").map(drop),
        QueueCommand::Retry {
            id: None,
            all: false,
        } => Err("give a queue id or --all".into()),
        QueueCommand::Delete { id } => call("DELETE", &format!("/api/queue/{id}")).map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::log_filter;

    #[test]
    fn rustls_warnings_are_held_back_unless_asked_for() {
        assert_eq!(log_filter("info"), "info,rustls=error");
        assert_eq!(
            log_filter("mailserver=debug,info"),
            "mailserver=debug,info,rustls=error"
        );
        assert_eq!(log_filter(""), "rustls=error");
        assert_eq!(log_filter("info,rustls=debug"), "info,rustls=debug");
        for filter in ["info", "debug", "warn"] {
            assert!(tracing_subscriber::EnvFilter::try_new(log_filter(filter)).is_ok());
        }
    }
}
