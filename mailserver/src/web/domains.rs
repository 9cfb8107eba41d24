//! The domains pages: the list and the add form (`GET, POST /domains`), one domain
//! with the DNS records to publish (`GET /domains/{name}`), the check of what is
//! published now (`POST /domains/{name}/check`) and removal
//! (`POST /domains/{name}/delete`).

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Json, Path, State};
use serde::Deserialize;

use super::Web;
use super::dns_check::{self, RecordCheck, Verdict};
use super::format;
use super::page::{Chrome, Input, PageError, PageResult, done, field, render};
use super::session::SignedIn;
use crate::admin;
use crate::admin::domains::{DomainInfo, NewDomain};
use crate::mail_auth;

/// `POST /domains`.
#[derive(Debug, Deserialize)]
pub struct DomainForm {
    /// The new domain's name.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "domains.html")]
struct DomainsPage {
    chrome: Chrome,
    domains: Vec<(DomainInfo, String)>,
}

#[derive(Debug, Template)]
#[template(path = "domain.html")]
struct DomainPage {
    chrome: Chrome,
    name: String,
    created: String,
    checks: Vec<RecordCheck>,
    checked: bool,
    nameservers: String,
}

/// `GET /domains`.
///
/// # Errors
/// Database failures.
pub async fn list(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
) -> PageResult {
    let domains = admin::domains::list(State(Arc::clone(&web.app))).await?.0;
    Ok(render(&DomainsPage {
        chrome: Chrome::new(&web, &signed_in, "domains"),
        domains: domains
            .into_iter()
            .map(|d| {
                let created = format::utc(u64::try_from(d.created).unwrap_or(0));
                (d, created)
            })
            .collect(),
    }))
}

/// `POST /domains`: adds the domain and makes its DKIM keys.
///
/// # Errors
/// 400 for a missing or invalid name.
pub async fn create(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Input(form): Input<DomainForm>,
) -> PageResult {
    let name = field(form.name.as_deref())
        .ok_or_else(|| PageError::bad_request("the domain name is missing"))?
        .to_owned();
    let created = admin::domains::create(State(Arc::clone(&web.app)), Json(NewDomain { name }))
        .await?
        .1
        .0;
    let to = format!("/domains/{}", created.name);
    Ok(done(
        &web,
        &signed_in,
        format!(
            "Added {}: publish the records below, then check them.",
            created.name
        ),
        &to,
    ))
}

async fn page(web: &Arc<Web>, signed_in: &SignedIn, name: String, check: bool) -> PageResult {
    let info = admin::domains::get(State(Arc::clone(&web.app)), Path(name))
        .await?
        .0;
    let settings = &web.app.config.dns;
    let checks = if check {
        let resolver = mail_auth::uncached_resolver(settings).map_err(|e| {
            PageError::bad_request(format!("no name server to ask (/etc/resolv.conf: {e})"))
        })?;
        dns_check::check(&resolver, &info.records).await
    } else {
        info.records
            .iter()
            .map(|record| RecordCheck {
                record: record.clone(),
                verdict: Verdict::LookupFailed,
                found: Vec::new(),
            })
            .collect()
    };
    let nameservers = if settings.servers.is_empty() {
        "the system's resolvers (/etc/resolv.conf)".to_owned()
    } else {
        settings
            .servers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(render(&DomainPage {
        chrome: Chrome::new(web, signed_in, "domains"),
        created: format::utc(u64::try_from(info.created).unwrap_or(0)),
        name: info.name,
        checks,
        checked: check,
        nameservers,
    }))
}

/// `GET /domains/{name}`: the records to publish.
///
/// # Errors
/// 404 for an unknown domain.
pub async fn show(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(name): Path<String>,
) -> PageResult {
    page(&web, &signed_in, name, false).await
}

/// `POST /domains/{name}/check`: the records with what is published now.
///
/// # Errors
/// 404 for an unknown domain.
pub async fn check(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(name): Path<String>,
) -> PageResult {
    page(&web, &signed_in, name, true).await
}

/// `POST /domains/{name}/delete`: removes the domain with its users and aliases.
///
/// # Errors
/// 404 for an unknown domain.
pub async fn delete(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Path(name): Path<String>,
) -> PageResult {
    admin::domains::delete(State(Arc::clone(&web.app)), Path(name.clone())).await?;
    Ok(done(
        &web,
        &signed_in,
        format!("Removed {name} with its users and aliases (mailboxes and keys stay on disk)."),
        "/domains",
    ))
}
