//! Users, quotas and aliases: `/api/users`, `/api/aliases`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mailwright_store::store::QuotaStore;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, blocking};
use crate::provision;
use crate::state::App;
use crate::users::{Alias, User, password};

/// A user with the mailbox's usage.
#[derive(Debug, Serialize)]
pub struct UserInfo {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// Bytes stored.
    pub used_bytes: u64,
    /// Messages stored.
    pub messages: u64,
}

/// `POST /api/users`.
#[derive(Debug, Deserialize)]
pub struct NewUser {
    /// The address.
    pub address: String,
    /// The password; generated (and returned once) when absent.
    pub password: Option<String>,
    /// Storage quota in bytes.
    pub quota_bytes: Option<u64>,
}

/// The answer to `POST /api/users`.
#[derive(Debug, Serialize)]
pub struct CreatedUser {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// The generated password, when none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /api/users/{address}`: the fields to change.
#[derive(Debug, Deserialize)]
pub struct UserChange {
    /// A new password.
    pub password: Option<String>,
    /// A new quota in bytes (`null` removes it).
    #[serde(default, with = "double_option")]
    pub quota_bytes: Option<Option<u64>>,
    /// A new hourly submission limit (`null` for the default).
    #[serde(default, with = "double_option")]
    pub messages_per_hour: Option<Option<u32>>,
}

/// Distinguishes a missing field (`None`) from `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// `?domain=` filter.
#[derive(Debug, Deserialize)]
pub struct DomainFilter {
    /// Only this domain.
    pub domain: Option<String>,
}

fn usage(app: &App, user: User) -> UserInfo {
    let quota = provision::account(&app.store, &user.address)
        .and_then(|a| a.quota())
        .ok();
    UserInfo {
        used_bytes: quota.as_ref().map_or(0, |q| q.bytes),
        messages: quota.as_ref().map_or(0, |q| q.messages),
        user,
    }
}

/// Lists users with their usage.
///
/// # Errors
/// Database failures.
pub async fn list(
    State(app): State<Arc<App>>,
    Query(filter): Query<DomainFilter>,
) -> ApiResult<Json<Vec<UserInfo>>> {
    blocking(move || {
        let users = app.directory.users(filter.domain.as_deref())?;
        Ok(Json(users.into_iter().map(|u| usage(&app, u)).collect()))
    })
    .await
}

/// One user.
///
/// # Errors
/// 404 for an unknown user.
pub async fn get(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
) -> ApiResult<Json<UserInfo>> {
    blocking(move || {
        let user = app
            .directory
            .user(&address)?
            .ok_or_else(|| ApiError::not_found(format!("no such user {address}")))?;
        Ok(Json(usage(&app, user)))
    })
    .await
}

/// Creates a user and their mailbox.
///
/// # Errors
/// 400 for a bad address or unknown domain, 409 when it exists.
pub async fn create(
    State(app): State<Arc<App>>,
    Json(new): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    blocking(move || {
        let generated = new.password.is_none().then(password::generate);
        let secret = new
            .password
            .clone()
            .or_else(|| generated.clone())
            .unwrap_or_default();
        let user = provision::add_user(
            &app.directory,
            &app.store,
            &new.address,
            &secret,
            new.quota_bytes,
        )?;
        Ok((
            StatusCode::CREATED,
            Json(CreatedUser {
                user,
                password: generated,
            }),
        ))
    })
    .await
}

/// Changes a user's password, quota or limit.
///
/// # Errors
/// 404 for an unknown user, 400 for an empty password.
pub async fn change(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
    Json(change): Json<UserChange>,
) -> ApiResult<Json<UserInfo>> {
    blocking(move || {
        let user = app
            .directory
            .user(&address)?
            .ok_or_else(|| ApiError::not_found(format!("no such user {address}")))?;
        if let Some(password) = &change.password {
            app.directory.set_password(&user.address, password)?;
        }
        if change.quota_bytes.is_some() || change.messages_per_hour.is_some() {
            let quota = change.quota_bytes.unwrap_or(user.quota_bytes);
            let limit = change.messages_per_hour.unwrap_or(user.messages_per_hour);
            provision::set_quota(&app.directory, &app.store, &user.address, quota, limit)?;
        }
        let user = app
            .directory
            .user(&user.address)?
            .ok_or_else(|| ApiError::not_found("user vanished"))?;
        Ok(Json(usage(&app, user)))
    })
    .await
}

/// Deletes a user (the mailbox stays on disk).
///
/// # Errors
/// 404 for an unknown user.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        app.directory.remove_user(&address)?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Lists aliases.
///
/// # Errors
/// Database failures.
pub async fn aliases(State(app): State<Arc<App>>) -> ApiResult<Json<Vec<Alias>>> {
    blocking(move || Ok(Json(app.directory.aliases()?))).await
}

/// `POST /api/aliases` body and `DELETE` query.
#[derive(Debug, Deserialize)]
pub struct AliasBody {
    /// `name@domain` or `@domain` (catch-all).
    pub source: String,
    /// The user (required to create; optional to delete).
    pub target: Option<String>,
}

/// Adds an alias.
///
/// # Errors
/// 400 for bad input, 404 for an unknown target, 409 when it exists.
pub async fn add_alias(
    State(app): State<Arc<App>>,
    Json(body): Json<AliasBody>,
) -> ApiResult<(StatusCode, Json<Alias>)> {
    let target = body
        .target
        .ok_or_else(|| ApiError::bad_request("`target` is required"))?;
    blocking(move || {
        Ok((
            StatusCode::CREATED,
            Json(app.directory.add_alias(&body.source, &target)?),
        ))
    })
    .await
}

/// Removes an alias (`?source=..&target=..`).
///
/// # Errors
/// 404 when there is no such alias.
pub async fn remove_alias(
    State(app): State<Arc<App>>,
    Query(body): Query<AliasBody>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        app.directory
            .remove_alias(&body.source, body.target.as_deref())?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
