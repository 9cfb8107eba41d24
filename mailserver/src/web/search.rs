//! Message search in a user's mailboxes (`GET /search?user=&...`) and one message
//! (`GET /message?user=&mailbox=&uid=`): its header fields, Authentication-Results
//! marked, and its text. Everything is printed escaped by the templates.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use mail_parser::MessageParser;
use serde::Deserialize;

use super::Web;
use super::format;
use super::page::{Chrome, PageError, PageResult, Params, field, render};
use super::session::SignedIn;
use crate::admin;
use crate::admin::messages::{MessageSummary, SearchQuery};
use crate::admin::users::DomainFilter;

/// Most results shown.
const MAX_RESULTS: usize = 200;

/// `GET /search`: the user and the criteria of the admin API's search (all
/// optional but the user; blank fields count as absent).
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    /// Whose mailboxes.
    pub user: Option<String>,
    /// The criteria.
    #[serde(flatten)]
    pub query: SearchQuery,
}

/// `GET /message`.
#[derive(Debug, Default, Deserialize)]
pub struct MessageQuery {
    /// Whose mailbox.
    pub user: Option<String>,
    /// The mailbox.
    pub mailbox: Option<String>,
    /// The UID in it.
    pub uid: Option<String>,
}

/// One result row.
#[derive(Debug)]
struct Hit {
    summary: MessageSummary,
    received: String,
    size: String,
}

#[derive(Debug, Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    users: Vec<String>,
    form: SearchForm,
    searched: bool,
    hits: Vec<Hit>,
}

/// One header field as shown.
#[derive(Debug)]
struct Field {
    name: String,
    value: String,
    auth_results: bool,
}

#[derive(Debug, Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    user: String,
    summary: MessageSummary,
    received: String,
    fields: Vec<Field>,
    text: String,
    text_is_raw: bool,
}

/// `GET /search`.
///
/// # Errors
/// 400 for a bad date or mailbox name, 404 for an unknown user or mailbox.
pub async fn search(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Params(form): Params<SearchForm>,
) -> PageResult {
    let users = admin::users::list(
        State(Arc::clone(&web.app)),
        Query(DomainFilter { domain: None }),
    )
    .await?
    .0
    .into_iter()
    .map(|u| u.user.address)
    .collect();
    let owned = |v: &Option<String>| field(v.as_deref()).map(str::to_owned);
    let mut hits = Vec::new();
    let searched = if let Some(user) = owned(&form.user) {
        let given = &form.query;
        let query = SearchQuery {
            mailbox: owned(&given.mailbox),
            from: owned(&given.from),
            to: owned(&given.to),
            subject: owned(&given.subject),
            text: owned(&given.text),
            since: owned(&given.since),
            before: owned(&given.before),
            limit: Some(MAX_RESULTS),
        };
        let found = admin::messages::search(State(Arc::clone(&web.app)), Path(user), Query(query))
            .await?
            .0;
        hits = found
            .into_iter()
            .map(|summary| Hit {
                received: format::utc(u64::try_from(summary.received).unwrap_or(0)),
                size: format::size(summary.size),
                summary,
            })
            .collect();
        true
    } else {
        false
    };
    Ok(render(&SearchPage {
        chrome: Chrome::new(&web, &signed_in, "search"),
        users,
        form,
        searched,
        hits,
    }))
}

/// `GET /message`.
///
/// # Errors
/// 400 for a missing or bad parameter, 404 for an unknown user, mailbox or message.
pub async fn message(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Params(query): Params<MessageQuery>,
) -> PageResult {
    let user = field(query.user.as_deref())
        .ok_or_else(|| PageError::bad_request("the user is missing"))?
        .to_owned();
    let mailbox = field(query.mailbox.as_deref())
        .ok_or_else(|| PageError::bad_request("the mailbox is missing"))?
        .to_owned();
    let uid: u32 = field(query.uid.as_deref())
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| PageError::bad_request("the UID is missing or not a number"))?;
    let view = admin::messages::get(
        State(Arc::clone(&web.app)),
        Path((user.clone(), mailbox, uid)),
    )
    .await?
    .0;
    let whole = format!("{}{}", view.headers, view.body);
    let decoded = MessageParser::default()
        .parse(whole.as_bytes())
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()));
    let (text, text_is_raw) = match decoded {
        Some(text) => (text, false),
        None => (view.body, true),
    };
    Ok(render(&MessagePage {
        chrome: Chrome::new(&web, &signed_in, "search"),
        user,
        received: format::utc(u64::try_from(view.summary.received).unwrap_or(0)),
        summary: view.summary,
        fields: fields(&view.headers),
        text,
        text_is_raw,
    }))
}

/// The header block's fields, unfolded, in order.
fn fields(header: &str) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for line in header.split("\r\n").flat_map(|l| l.split('\n')) {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.value.push(' ');
                last.value.push_str(line.trim());
            }
            continue;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        out.push(Field {
            auth_results: name.trim().eq_ignore_ascii_case("authentication-results"),
            name: name.trim().to_owned(),
            value: value.trim().to_owned(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fields;

    #[test]
    fn header_fields_are_unfolded() {
        let list =
            fields("Authentication-Results: mx.example.org;\r\n\tspf=pass\r\nSubject: hi\r\n\r\n");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].value, "mx.example.org; spf=pass");
        assert!(list[0].auth_results && !list[1].auth_results);
        assert_eq!(list[1].name, "Subject");
    }
}
