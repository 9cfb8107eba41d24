//! The aliases page: the list, the add form and removal (`GET, POST /aliases`,
//! `POST /aliases/delete`). A source `@domain` is the domain's catch-all.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Json, Query, State};
use serde::Deserialize;

use super::Web;
use super::page::{Chrome, Input, PageError, PageResult, done, field, render};
use super::session::SignedIn;
use crate::admin;
use crate::admin::users::{AliasBody, DomainFilter};
use crate::users::Alias;

/// `POST /aliases` and `POST /aliases/delete`.
#[derive(Debug, Deserialize)]
pub struct AliasForm {
    /// `name@domain`, or `@domain` for the catch-all.
    #[serde(default)]
    pub source: Option<String>,
    /// The user it goes to.
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Template)]
#[template(path = "aliases.html")]
struct AliasesPage {
    chrome: Chrome,
    aliases: Vec<Alias>,
    users: Vec<String>,
}

fn fields(form: &AliasForm) -> Result<(String, String), PageError> {
    let source = field(form.source.as_deref())
        .ok_or_else(|| PageError::bad_request("the alias (source) is missing"))?;
    let target = field(form.target.as_deref())
        .ok_or_else(|| PageError::bad_request("the user (target) is missing"))?;
    Ok((source.to_owned(), target.to_owned()))
}

/// `GET /aliases`.
///
/// # Errors
/// Database failures.
pub async fn list(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
) -> PageResult {
    let aliases = admin::users::aliases(State(Arc::clone(&web.app))).await?.0;
    let users = admin::users::list(
        State(Arc::clone(&web.app)),
        Query(DomainFilter { domain: None }),
    )
    .await?
    .0;
    Ok(render(&AliasesPage {
        chrome: Chrome::new(&web, &signed_in, "aliases"),
        aliases,
        users: users.into_iter().map(|u| u.user.address).collect(),
    }))
}

/// `POST /aliases`.
///
/// # Errors
/// 400 for bad input, 404 for an unknown user, 409 when it exists.
pub async fn create(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Input(form): Input<AliasForm>,
) -> PageResult {
    let (source, target) = fields(&form)?;
    let body = AliasBody {
        source,
        target: Some(target),
    };
    let alias = admin::users::add_alias(State(Arc::clone(&web.app)), Json(body))
        .await?
        .1
        .0;
    Ok(done(
        &web,
        &signed_in,
        format!("Mail to {} now goes to {}.", alias.source, alias.target),
        "/aliases",
    ))
}

/// `POST /aliases/delete`.
///
/// # Errors
/// 400 for bad input, 404 when there is no such alias.
pub async fn delete(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
    Input(form): Input<AliasForm>,
) -> PageResult {
    let (source, target) = fields(&form)?;
    let body = AliasBody {
        source: source.clone(),
        target: Some(target.clone()),
    };
    admin::users::remove_alias(State(Arc::clone(&web.app)), Query(body)).await?;
    Ok(done(
        &web,
        &signed_in,
        format!("Removed {source} -> {target}."),
        "/aliases",
    ))
}
