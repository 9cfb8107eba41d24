//! The queue pages: the list with filters (`GET /queue?domain=&state=&age=`), one
//! entry with its envelope, recipients and header (`GET /queue/{id}`), and the
//! operations (`POST /queue/{id}/{action}`, `POST /queue/retry`).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use super::Web;
use super::format;
use super::page::{Chrome, PageError, PageResult, Params, done, field, render};
use super::session::SignedIn;
use crate::admin;
use crate::admin::queue::{EntryView, QueueFilter, RecipientView};

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// Entries with a recipient at this domain.
    pub domain: Option<String>,
    /// `pending`, `deferred`, `delivered`, `failed` (a recipient in that state) or
    /// `held`.
    pub state: Option<String>,
    /// `new` (queued in the last hour), `1h` or `1d` (queued longer ago than that).
    pub age: Option<String>,
}

/// The states the filter offers.
const STATES: [&str; 5] = ["pending", "deferred", "delivered", "failed", "held"];
/// The ages the filter offers: (value, label).
const AGES: [(&str, &str); 3] = [
    ("new", "queued in the last hour"),
    ("1h", "older than an hour"),
    ("1d", "older than a day"),
];

/// One row of the list.
#[derive(Debug)]
struct Row {
    entry: EntryView,
    age: String,
    size: String,
    states: String,
    last_error: String,
}

#[derive(Debug, Template)]
#[template(path = "queue.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<Row>,
    domain: String,
    state: String,
    age: String,
    states: [&'static str; 5],
    ages: [(&'static str, &'static str); 3],
}

#[derive(Debug, Template)]
#[template(path = "queue_entry.html")]
struct EntryPage {
    chrome: Chrome,
    entry: EntryView,
    created: String,
    size: String,
    recipients: Vec<(RecipientView, String)>,
    headers: String,
}

fn row(entry: EntryView, now: u64) -> Row {
    let mut states: Vec<&str> = entry.recipients.iter().map(|r| r.status.as_str()).collect();
    states.sort_unstable();
    states.dedup();
    Row {
        age: format::age(now.saturating_sub(entry.created)),
        size: format::size(entry.size),
        states: states.join(", "),
        last_error: entry
            .recipients
            .iter()
            .find_map(|r| r.last_error.clone())
            .unwrap_or_default(),
        entry,
    }
}

fn now() -> u64 {
    u64::try_from(crate::headers::unix_now()).unwrap_or(0)
}

/// `GET /queue`.
///
/// # Errors
/// 400 for an unknown state or age, 503 when the queue is not running.
pub async fn list(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Params(query): Params<QueueQuery>,
) -> PageResult {
    let domain = field(query.domain.as_deref()).map(str::to_ascii_lowercase);
    let state = field(query.state.as_deref());
    if let Some(state) = state
        && !STATES.contains(&state)
    {
        return Err(PageError::bad_request(format!("unknown state {state:?}")));
    }
    let age = field(query.age.as_deref());
    let now = now();
    let age_test: Box<dyn Fn(u64) -> bool + Send> = match age {
        None => Box::new(|_| true),
        Some("new") => Box::new(move |created| now.saturating_sub(created) < 3600),
        Some("1h") => Box::new(move |created| now.saturating_sub(created) >= 3600),
        Some("1d") => Box::new(move |created| now.saturating_sub(created) >= 86_400),
        Some(other) => return Err(PageError::bad_request(format!("unknown age {other:?}"))),
    };
    let filter = QueueFilter {
        domain: domain.clone(),
        status: state.filter(|s| *s != "held").map(str::to_owned),
    };
    let entries = admin::queue::list(State(Arc::clone(&web.app)), Query(filter))
        .await?
        .0;
    let rows = entries
        .into_iter()
        .filter(|e| state != Some("held") || e.held)
        .filter(|e| age_test(e.created))
        .map(|e| row(e, now))
        .collect();
    Ok(render(&QueuePage {
        chrome: Chrome::new(&web, &signed_in, "queue"),
        rows,
        domain: domain.unwrap_or_default(),
        state: state.unwrap_or_default().to_owned(),
        age: age.unwrap_or_default().to_owned(),
        states: STATES,
        ages: AGES,
    }))
}

/// `GET /queue/{id}`.
///
/// # Errors
/// 400 for a malformed id, 404 for an unknown one.
pub async fn entry(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(id): Path<String>,
) -> PageResult {
    let mut detail = admin::queue::inspect(State(Arc::clone(&web.app)), Path(id))
        .await?
        .0;
    let now = now();
    Ok(render(&EntryPage {
        chrome: Chrome::new(&web, &signed_in, "queue"),
        created: format!(
            "{} ({} ago)",
            format::utc(detail.entry.created),
            format::age(now.saturating_sub(detail.entry.created))
        ),
        size: format::size(detail.entry.size),
        recipients: std::mem::take(&mut detail.entry.recipients)
            .into_iter()
            .map(|r| {
                let next = match r.status.as_str() {
                    "pending" | "deferred" => format::utc(r.next_attempt),
                    _ => "-".to_owned(),
                };
                (r, next)
            })
            .collect(),
        headers: detail.headers,
        entry: detail.entry,
    }))
}

/// `POST /queue/{id}/{action}`: `retry`, `hold`, `release`, `bounce` or `delete`.
///
/// # Errors
/// 400 for a bad id or action, 404 for an unknown entry.
pub async fn act(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path((id, action)): Path<(String, String)>,
) -> PageResult {
    let app = State(Arc::clone(&web.app));
    let (message, to) = match action.as_str() {
        "delete" => {
            admin::queue::delete(app, Path(id.clone())).await?;
            (format!("Deleted {id}."), "/queue".to_owned())
        }
        "retry" | "hold" | "release" | "bounce" => {
            admin::queue::act(app, Path((id.clone(), action.clone()))).await?;
            let to = if action == "bounce" {
                "/queue".to_owned()
            } else {
                format!("/queue/{id}")
            };
            (format!("{id}: {action} done."), to)
        }
        other => {
            return Err(PageError::bad_request(format!(
                "unknown action {other:?} (retry, hold, release, bounce, delete)"
            )));
        }
    };
    Ok(done(&web, &signed_in, message, &to))
}

/// `POST /queue/retry`: every entry now.
///
/// # Errors
/// 503 when the queue is not running.
pub async fn retry_all(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
) -> PageResult {
    admin::queue::retry_all(State(Arc::clone(&web.app))).await?;
    Ok(done(
        &web,
        &signed_in,
        "Every entry is tried again now.",
        "/queue",
    ))
}
