//! Message search in a user's mailboxes: `/api/users/{address}/messages`.

use std::io::Read;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use mailwright_store::store::{MailboxStore, MessageReader, SearchStore};
use mailwright_store::{Date, FetchOptions, MailboxName, SearchKey, Section, Uid, UidSet};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, blocking};
use crate::provision;
use crate::state::App;

/// Search criteria; all given ones must match.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// One mailbox (all when absent).
    pub mailbox: Option<String>,
    /// `From` contains.
    pub from: Option<String>,
    /// `To` contains.
    pub to: Option<String>,
    /// `Subject` contains.
    pub subject: Option<String>,
    /// Full text (header and body).
    pub text: Option<String>,
    /// Arrived on or after this day, `YYYY-MM-DD`.
    pub since: Option<String>,
    /// Arrived before this day, `YYYY-MM-DD`.
    pub before: Option<String>,
    /// Most results (default 100), newest first.
    pub limit: Option<usize>,
}

/// One message found.
#[derive(Debug, Serialize)]
pub struct MessageSummary {
    /// The mailbox.
    pub mailbox: String,
    /// The UID in it.
    pub uid: u32,
    /// The `From` field.
    pub from: String,
    /// The `To` field.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The `Date` field.
    pub date: String,
    /// Arrival (seconds since the epoch).
    pub received: i64,
    /// Size in bytes.
    pub size: u64,
    /// Flags.
    pub flags: Vec<String>,
}

/// A message stored without its index entry (its analysis failed): served as plain
/// text and found by no search until a later version analyses it again.
#[derive(Debug, Serialize)]
pub struct UnindexedMessage {
    /// The mailbox.
    pub mailbox: String,
    /// The UID in it.
    pub uid: u32,
    /// The file, relative to the mailbox folder.
    pub file: String,
    /// Why it could not be analysed.
    pub reason: String,
}

/// One message's header and text.
#[derive(Debug, Serialize)]
pub struct MessageView {
    /// The summary.
    #[serde(flatten)]
    pub summary: MessageSummary,
    /// The header block as stored (with `Received` and `Authentication-Results`).
    pub headers: String,
    /// The body as stored, at most 1 MiB.
    pub body: String,
}

fn day(text: &str) -> ApiResult<Date> {
    let parts: Vec<&str> = text.split('-').collect();
    let bad = || ApiError::bad_request(format!("not a date (YYYY-MM-DD): {text}"));
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    Date::new(
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    )
    .map_err(|_| bad())
}

fn key(query: &SearchQuery) -> ApiResult<SearchKey> {
    let mut keys = Vec::new();
    let mut text = |value: &Option<String>, make: fn(String) -> SearchKey| {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            keys.push(make(v.clone()));
        }
    };
    text(&query.from, SearchKey::From);
    text(&query.to, SearchKey::To);
    text(&query.subject, SearchKey::Subject);
    text(&query.text, SearchKey::Text);
    if let Some(since) = &query.since {
        keys.push(SearchKey::Since(day(since)?));
    }
    if let Some(before) = &query.before {
        keys.push(SearchKey::Before(day(before)?));
    }
    Ok(if keys.is_empty() {
        SearchKey::All
    } else {
        SearchKey::And(keys)
    })
}

fn text(bytes: Option<&[u8]>) -> String {
    bytes
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

fn addresses(list: &[mailwright_store::mime::Address]) -> String {
    list.iter()
        .map(|a| format!("{}@{}", text(a.mailbox.as_deref()), text(a.host.as_deref())))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summarize(
    account: &mailwright_store::AnyAccount,
    mailbox: &MailboxName,
    uids: &[Uid],
) -> ApiResult<Vec<MessageSummary>> {
    let info = account.mailbox(mailbox)?;
    let set: UidSet = uids.iter().copied().collect();
    let metas = account.fetch(info.id, &set, FetchOptions::meta().with_envelope())?;
    Ok(metas
        .into_iter()
        .map(|m| {
            let envelope = m.envelope.unwrap_or_default();
            MessageSummary {
                mailbox: mailbox.as_str().to_owned(),
                uid: m.uid.get(),
                from: addresses(&envelope.from),
                to: addresses(&envelope.to),
                subject: text(envelope.subject.as_deref()),
                date: text(envelope.date.as_deref()),
                received: m.internal_date.timestamp(),
                size: m.size,
                flags: m.flags.iter().map(|f| f.to_string()).collect(),
            }
        })
        .collect())
}

/// Searches a user's mailboxes; newest first.
///
/// # Errors
/// 404 for an unknown user or mailbox, 400 for a bad date.
pub async fn search(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<Vec<MessageSummary>>> {
    blocking(move || {
        let user = app
            .directory
            .user(&address)?
            .ok_or_else(|| ApiError::not_found(format!("no such user {address}")))?;
        let account = provision::account(&app.store, &user.address)?;
        let key = key(&query)?;
        let mailboxes = match &query.mailbox {
            Some(name) => vec![
                MailboxName::try_from(name.as_str())
                    .map_err(|e| ApiError::bad_request(e.to_string()))?,
            ],
            None => account
                .list_mailboxes()?
                .into_iter()
                .map(|m| m.name)
                .collect(),
        };
        let mut found = Vec::new();
        for mailbox in &mailboxes {
            let info = account.mailbox(mailbox)?;
            let uids = account.search(info.id, &key)?;
            found.extend(summarize(&account, mailbox, &uids)?);
        }
        found.sort_by_key(|m| std::cmp::Reverse(m.received));
        found.truncate(query.limit.unwrap_or(100));
        Ok(Json(found))
    })
    .await
}

/// One message: its header and body.
///
/// # Errors
/// 404 for an unknown user, mailbox or message.
pub async fn get(
    State(app): State<Arc<App>>,
    Path((address, mailbox, uid)): Path<(String, String, u32)>,
) -> ApiResult<Json<MessageView>> {
    blocking(move || {
        let user = app
            .directory
            .user(&address)?
            .ok_or_else(|| ApiError::not_found(format!("no such user {address}")))?;
        let account = provision::account(&app.store, &user.address)?;
        let name = MailboxName::try_from(mailbox.as_str())
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let uid = Uid::new(uid).ok_or_else(|| ApiError::bad_request("UID 0"))?;
        let summary = summarize(&account, &name, &[uid])?
            .pop()
            .ok_or_else(|| ApiError::not_found(format!("no message {uid} in {mailbox}")))?;
        let info = account.mailbox(&name)?;
        let read = |section: &str, limit: Option<(u64, u64)>| -> ApiResult<String> {
            let section: Section = section.parse().map_err(ApiError::internal)?;
            let mut bytes = Vec::new();
            account
                .read(info.id, uid, &section, limit)?
                .read_to_end(&mut bytes)
                .map_err(ApiError::internal)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        };
        Ok(Json(MessageView {
            summary,
            headers: read("HEADER", None)?,
            body: read("TEXT", Some((0, 1 << 20)))?,
        }))
    })
    .await
}

/// The messages of a user that are stored without their index entry.
///
/// # Errors
/// 404 for an unknown user.
pub async fn unindexed(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
) -> ApiResult<Json<Vec<UnindexedMessage>>> {
    blocking(move || {
        let user = app
            .directory
            .user(&address)?
            .ok_or_else(|| ApiError::not_found(format!("no such user {address}")))?;
        let account = provision::account(&app.store, &user.address)?;
        Ok(Json(
            account
                .unindexed()?
                .into_iter()
                .map(|u| UnindexedMessage {
                    mailbox: u.mailbox.as_str().to_owned(),
                    uid: u.uid.get(),
                    file: u.location,
                    reason: u.reason,
                })
                .collect(),
        ))
    })
    .await
}
