//! The outbound queue: `/api/queue` (list, inspect, retry, hold, release, bounce,
//! delete).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mailwright_queue::{OperationError, QueueEntry, QueueId};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use crate::queue::Outbound;
use crate::state::App;

/// One recipient of a queued message.
#[derive(Debug, Serialize)]
pub struct RecipientView {
    /// The address.
    pub address: String,
    /// `pending`, `deferred`, `delivered` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The next attempt (seconds since the epoch).
    pub next_attempt: u64,
    /// The last reply or error.
    pub last_error: Option<String>,
}

/// A queued message.
#[derive(Debug, Serialize)]
pub struct EntryView {
    /// The queue id.
    pub id: String,
    /// The reverse-path (empty for `<>`).
    pub sender: String,
    /// When it was queued (seconds since the epoch).
    pub created: u64,
    /// Size in bytes.
    pub size: u64,
    /// Held by an operator.
    pub held: bool,
    /// The recipients.
    pub recipients: Vec<RecipientView>,
}

impl From<&QueueEntry> for EntryView {
    fn from(entry: &QueueEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            sender: entry
                .envelope
                .sender
                .mailbox()
                .map(ToString::to_string)
                .unwrap_or_default(),
            created: entry.created.as_secs(),
            size: entry.size,
            held: entry.held,
            recipients: entry
                .envelope
                .recipients
                .iter()
                .zip(&entry.recipients)
                .map(|(rcpt, state)| RecipientView {
                    address: rcpt.address.to_string(),
                    status: state.status.as_str().to_owned(),
                    attempts: state.attempts,
                    next_attempt: state.next_attempt.as_secs(),
                    last_error: state.diagnostic.as_ref().map(|d| d.text.clone()),
                })
                .collect(),
        }
    }
}

/// A message with its header, for inspection.
#[derive(Debug, Serialize)]
pub struct EntryDetail {
    /// The entry.
    #[serde(flatten)]
    pub entry: EntryView,
    /// The message's header block.
    pub headers: String,
}

/// List filters.
#[derive(Debug, Deserialize)]
pub struct QueueFilter {
    /// Only entries with a recipient at this domain.
    pub domain: Option<String>,
    /// Only entries with a recipient in this status.
    pub status: Option<String>,
}

fn queue(app: &App) -> ApiResult<&Arc<dyn Outbound>> {
    app.queue
        .get()
        .ok_or_else(|| ApiError::unavailable("the queue is not running"))
}

fn parse_id(id: &str) -> ApiResult<QueueId> {
    id.parse()
        .map_err(|_| ApiError::bad_request(format!("not a queue id: {id}")))
}

fn operation(result: Result<(), OperationError>) -> ApiResult<StatusCode> {
    match result {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(OperationError::NotFound(id)) => {
            Err(ApiError::not_found(format!("no queue entry {id}")))
        }
        Err(OperationError::ShuttingDown) => {
            Err(ApiError::unavailable("the queue is shutting down"))
        }
        Err(other) => Err(ApiError::internal(other)),
    }
}

/// Lists the queue, oldest first.
///
/// # Errors
/// 503 when the queue is not running.
pub async fn list(
    State(app): State<Arc<App>>,
    Query(filter): Query<QueueFilter>,
) -> ApiResult<Json<Vec<EntryView>>> {
    let entries = queue(&app)?.list();
    let domain = filter.domain.map(|d| d.to_ascii_lowercase());
    Ok(Json(
        entries
            .iter()
            .map(EntryView::from)
            .filter(|e| {
                domain.as_ref().is_none_or(|d| {
                    e.recipients
                        .iter()
                        .any(|r| r.address.to_ascii_lowercase().ends_with(&format!("@{d}")))
                }) && filter
                    .status
                    .as_ref()
                    .is_none_or(|s| e.recipients.iter().any(|r| r.status == *s))
            })
            .collect(),
    ))
}

/// One entry with its header.
///
/// # Errors
/// 400 for a bad id, 404 for an unknown one.
pub async fn inspect(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult<Json<EntryDetail>> {
    let queue = queue(&app)?;
    let id = parse_id(&id)?;
    let entry = queue
        .inspect(id)
        .ok_or_else(|| ApiError::not_found(format!("no queue entry {id}")))?;
    let body = queue.message(id).await.map_err(|e| match e {
        OperationError::NotFound(_) => ApiError::not_found(format!("no queue entry {id}")),
        other => ApiError::internal(other),
    })?;
    let end = body
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(body.len(), |at| at + 2);
    Ok(Json(EntryDetail {
        entry: EntryView::from(&entry),
        headers: String::from_utf8_lossy(&body[..end]).into_owned(),
    }))
}

/// `POST /api/queue/{id}/{action}` with action `retry`, `hold`, `release` or `bounce`.
///
/// # Errors
/// 400 for a bad id or action, 404 for an unknown entry.
pub async fn act(
    State(app): State<Arc<App>>,
    Path((id, action)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let queue = queue(&app)?;
    let id = parse_id(&id)?;
    tracing::info!(queue_id = %id, %action, "admin queue operation");
    operation(match action.as_str() {
        "retry" => queue.retry(id),
        "hold" => queue.hold(id),
        "release" => queue.release(id),
        "bounce" => queue.bounce(id),
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown action {other} (retry, hold, release, bounce)"
            )));
        }
    })
}

/// Retries every entry now.
///
/// # Errors
/// 503 when the queue is not running.
pub async fn retry_all(State(app): State<Arc<App>>) -> ApiResult<StatusCode> {
    queue(&app)?.retry_all();
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an entry without a bounce.
///
/// # Errors
/// 404 for an unknown entry.
pub async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let queue = queue(&app)?;
    let id = parse_id(&id)?;
    tracing::info!(queue_id = %id, "admin queue delete");
    operation(queue.delete(id))
}
