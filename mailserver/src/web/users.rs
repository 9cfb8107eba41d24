//! The users pages: the list with usage and the create form (`GET, POST /users`),
//! one user (`GET /users/{address}`) and the changes
//! (`POST /users/{address}/password|quota|delete`).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Json, Path, Query, State};
use serde::Deserialize;

use super::Web;
use super::format;
use super::page::{Chrome, Input, PageError, PageResult, done, field, render};
use super::session::SignedIn;
use crate::admin;
use crate::admin::users::{DomainFilter, NewUser, UserChange, UserInfo};
use crate::users::Alias;

/// `POST /users`.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    /// The address.
    #[serde(default)]
    pub address: Option<String>,
    /// The password; blank makes one (shown once).
    #[serde(default)]
    pub password: Option<String>,
    /// The quota (`500M`, `2G`); blank for none.
    #[serde(default)]
    pub quota: Option<String>,
}

/// `POST /users/{address}/password`.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    /// The new password.
    #[serde(default)]
    pub password: Option<String>,
}

/// `POST /users/{address}/quota`.
#[derive(Debug, Deserialize)]
pub struct QuotaForm {
    /// The quota (`500M`, `2G`); blank removes it.
    #[serde(default)]
    pub quota: Option<String>,
}

/// A user as listed.
#[derive(Debug)]
struct UserRow {
    info: UserInfo,
    used: String,
    quota: String,
    percent: Option<u64>,
}

impl From<UserInfo> for UserRow {
    fn from(info: UserInfo) -> Self {
        let quota = info.user.quota_bytes;
        Self {
            used: format::size(info.used_bytes),
            quota: quota.map_or_else(|| "none".to_owned(), format::size),
            percent: quota
                .filter(|q| *q > 0)
                .map(|q| info.used_bytes.saturating_mul(100) / q),
            info,
        }
    }
}

#[derive(Debug, Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    domains: Vec<String>,
}

#[derive(Debug, Template)]
#[template(path = "user.html")]
struct UserPage {
    chrome: Chrome,
    user: UserRow,
    created: String,
    aliases: Vec<Alias>,
}

/// Reads a quota field: `None` for blank.
fn quota(text: Option<&str>) -> Result<Option<u64>, PageError> {
    field(text)
        .map(|t| {
            crate::config::parse_size(t).map_err(|e| PageError::bad_request(format!("quota: {e}")))
        })
        .transpose()
}

/// `GET /users`.
///
/// # Errors
/// Database failures.
pub async fn list(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
) -> PageResult {
    let app = State(Arc::clone(&web.app));
    let users = admin::users::list(app, Query(DomainFilter { domain: None }))
        .await?
        .0;
    let domains = admin::domains::list(State(Arc::clone(&web.app))).await?.0;
    Ok(render(&UsersPage {
        chrome: Chrome::new(&web, &signed_in, "users"),
        users: users.into_iter().map(UserRow::from).collect(),
        domains: domains.into_iter().map(|d| d.name).collect(),
    }))
}

/// `POST /users`: creates the user and the mailbox.
///
/// # Errors
/// 400 for a missing or bad address, an unknown domain or a bad quota; 409 when the
/// user exists.
pub async fn create(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Input(form): Input<NewUserForm>,
) -> PageResult {
    let address = field(form.address.as_deref())
        .ok_or_else(|| PageError::bad_request("the address is missing"))?
        .to_owned();
    let new = NewUser {
        address,
        password: field(form.password.as_deref()).map(str::to_owned),
        quota_bytes: quota(form.quota.as_deref())?,
    };
    let created = admin::users::create(State(Arc::clone(&web.app)), Json(new))
        .await?
        .1
        .0;
    let address = created.user.address;
    let message = match created.password {
        Some(password) => format!("Created {address}. Its password (shown once): {password}"),
        None => format!("Created {address}."),
    };
    Ok(done(
        &web,
        &signed_in,
        message,
        &format!("/users/{address}"),
    ))
}

/// `GET /users/{address}`.
///
/// # Errors
/// 404 for an unknown user.
pub async fn show(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(address): Path<String>,
) -> PageResult {
    let info = admin::users::get(State(Arc::clone(&web.app)), Path(address))
        .await?
        .0;
    let aliases = admin::users::aliases(State(Arc::clone(&web.app)))
        .await?
        .0
        .into_iter()
        .filter(|a| a.target == info.user.address)
        .collect();
    Ok(render(&UserPage {
        chrome: Chrome::new(&web, &signed_in, "users"),
        created: format::utc(u64::try_from(info.user.created).unwrap_or(0)),
        user: UserRow::from(info),
        aliases,
    }))
}

async fn change(web: &Arc<Web>, address: String, change: UserChange) -> Result<String, PageError> {
    let info = admin::users::change(State(Arc::clone(&web.app)), Path(address), Json(change))
        .await?
        .0;
    Ok(info.user.address)
}

/// `POST /users/{address}/password`.
///
/// # Errors
/// 400 for a blank password, 404 for an unknown user.
pub async fn password(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(address): Path<String>,
    Input(form): Input<PasswordForm>,
) -> PageResult {
    let Some(password) = form.password.filter(|p| !p.is_empty()) else {
        return Err(PageError::bad_request("the new password is missing"));
    };
    let address = change(
        &web,
        address,
        UserChange {
            password: Some(password),
            quota_bytes: None,
            messages_per_hour: None,
        },
    )
    .await?;
    Ok(done(
        &web,
        &signed_in,
        format!("Changed the password of {address}."),
        &format!("/users/{address}"),
    ))
}

/// `POST /users/{address}/quota`.
///
/// # Errors
/// 400 for a bad size, 404 for an unknown user.
pub async fn set_quota(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(address): Path<String>,
    Input(form): Input<QuotaForm>,
) -> PageResult {
    let bytes = quota(form.quota.as_deref())?;
    let address = change(
        &web,
        address,
        UserChange {
            password: None,
            quota_bytes: Some(bytes),
            messages_per_hour: None,
        },
    )
    .await?;
    let what = bytes.map_or_else(|| "no quota".to_owned(), format::size);
    Ok(done(
        &web,
        &signed_in,
        format!("{address} now has {what}."),
        &format!("/users/{address}"),
    ))
}

/// `POST /users/{address}/delete` (the mailbox stays on disk).
///
/// # Errors
/// 404 for an unknown user.
pub async fn delete(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(address): Path<String>,
) -> PageResult {
    admin::users::delete(State(Arc::clone(&web.app)), Path(address.clone())).await?;
    Ok(done(
        &web,
        &signed_in,
        format!("Deleted {address} (the mailbox stays on disk)."),
        "/users",
    ))
}
