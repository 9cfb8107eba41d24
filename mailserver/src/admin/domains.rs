//! Domains, their DKIM keys and the DNS records to publish: `/api/domains`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, blocking};
use crate::dkim_keys::{self, DnsRecord};
use crate::provision;
use crate::state::App;

/// A domain and its records.
#[derive(Debug, Serialize)]
pub struct DomainInfo {
    /// The name.
    pub name: String,
    /// When it was added (seconds since the epoch).
    pub created: i64,
    /// The records to publish: MX, SPF, DKIM (one per key), DMARC.
    pub records: Vec<DnsRecord>,
}

/// `POST /api/domains`.
#[derive(Debug, Deserialize)]
pub struct NewDomain {
    /// The name.
    pub name: String,
}

fn info(app: &App, name: &str, created: i64) -> ApiResult<DomainInfo> {
    let keys = dkim_keys::load(&app.data.dkim(), name, &app.config.dkim.algorithms)
        .map_err(ApiError::internal)?;
    Ok(DomainInfo {
        name: name.to_owned(),
        created,
        records: dkim_keys::dns_records(&app.config.hostname, name, &keys),
    })
}

/// Lists domains with their records.
///
/// # Errors
/// Database failures.
pub async fn list(State(app): State<Arc<App>>) -> ApiResult<Json<Vec<DomainInfo>>> {
    blocking(move || {
        let domains = app.directory.domains()?;
        Ok(Json(
            domains
                .iter()
                .map(|d| info(&app, &d.name, d.created))
                .collect::<ApiResult<_>>()?,
        ))
    })
    .await
}

/// One domain.
///
/// # Errors
/// 404 for an unknown domain.
pub async fn get(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
) -> ApiResult<Json<DomainInfo>> {
    blocking(move || {
        let name = name.to_ascii_lowercase();
        let domain = app
            .directory
            .domains()?
            .into_iter()
            .find(|d| d.name == name)
            .ok_or_else(|| ApiError::not_found(format!("no such domain {name}")))?;
        Ok(Json(info(&app, &domain.name, domain.created)?))
    })
    .await
}

/// Adds a domain, makes its DKIM keys, returns the records to publish.
///
/// # Errors
/// 400 for an invalid name.
pub async fn create(
    State(app): State<Arc<App>>,
    Json(new): Json<NewDomain>,
) -> ApiResult<(StatusCode, Json<DomainInfo>)> {
    blocking(move || {
        let records = provision::add_domain(&app.config, &app.data, &app.directory, &new.name)?;
        let name = new.name.trim().to_ascii_lowercase();
        let created = app
            .directory
            .domains()?
            .into_iter()
            .find(|d| d.name == name)
            .map_or(0, |d| d.created);
        Ok((
            StatusCode::CREATED,
            Json(DomainInfo {
                name,
                created,
                records,
            }),
        ))
    })
    .await
}

/// Removes a domain with its users and aliases (mailboxes and keys stay on disk).
///
/// # Errors
/// 404 for an unknown domain.
pub async fn delete(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    blocking(move || {
        app.directory.remove_domain(&name)?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
