//! Signing in and out: `GET /login` (the form), `POST /login` (the admin token, or an
//! admin user's address and password), `POST /logout`.
//!
//! The sign-in form is protected from cross-site posting by a token that is both in
//! a `SameSite=Strict` cookie and in the form (there is no session yet to hold it).

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Web;
use super::page::{Input, PageError, render};
use super::session::{
    LOGIN_COOKIE, MAX_AGE, SESSION_COOKIE, SignedIn, cookie, now, random_token, same_token,
    set_cookie,
};
use crate::admin::peer_addr::PeerAddr;

/// How long a failed sign-in waits before answering (slows guessing down).
pub const FAILURE_DELAY: Duration = Duration::from_millis(500);

/// The sign-in page.
#[derive(Debug, Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    user: &'a str,
    error: Option<&'a str>,
}

/// `POST /login`.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// The token from the `ms_login` cookie.
    #[serde(default)]
    pub csrf: String,
    /// An admin user's address; empty to sign in with the admin token.
    #[serde(default)]
    pub user: String,
    /// The admin token or the user's password.
    #[serde(default)]
    pub secret: String,
}

/// `GET /login`: the form, with its token in a cookie (the one the browser has, so
/// that two open sign-in pages both work, or a fresh one), or the front page when
/// signed in already.
pub async fn form(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    if cookie(&headers, SESSION_COOKIE).is_some_and(|id| web.sessions.touch(id, now()).is_some()) {
        return Redirect::to("/").into_response();
    }
    let token = cookie(&headers, LOGIN_COOKIE)
        .filter(|t| {
            t.len() == 43
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(random_token, str::to_owned);
    let mut response = render(&LoginPage {
        csrf: &token,
        user: "",
        error: None,
    });
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LOGIN_COOKIE,
            &token,
            Some(Duration::from_secs(3600)),
            web.secure_cookies,
        ),
    );
    response
}

/// `POST /login`: checks the form token and the credentials; on success starts a
/// session and goes to the dashboard.
///
/// # Errors
/// 403 without the form token, 401 (the form again, with a message) for wrong
/// credentials, 429 after too many failures from the client's address.
pub async fn submit(
    State(web): State<Arc<Web>>,
    peer: Option<Extension<ConnectInfo<PeerAddr>>>,
    headers: HeaderMap,
    Input(form): Input<LoginForm>,
) -> Result<Response, PageError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_token(expected, &form.csrf) {
        return Err(PageError::forbidden(
            "the sign-in form's security token is missing or out of date: reload the sign-in page",
        ));
    }
    let ip = peer.map(|Extension(ConnectInfo(PeerAddr(addr)))| addr.ip());
    if let Some(ip) = ip
        && !web.throttle.allows(ip, now())
    {
        tracing::warn!(%ip, "web admin: sign-in refused, too many failures");
        let mut response = render(&LoginPage {
            csrf: &form.csrf,
            user: &form.user,
            error: Some("Too many failed sign-ins from your address: try again later."),
        });
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(response);
    }
    let user = form.user.trim().to_ascii_lowercase();
    let who = if user.is_empty() {
        same_token(&form.secret, &web.app.admin_token).then(|| "admin token".to_owned())
    } else if web.app.config.admin.users.contains(&user) {
        let app = Arc::clone(&web.app);
        let secret = form.secret.clone();
        tokio::task::spawn_blocking(move || app.authenticate(&user, secret.as_bytes()))
            .await
            .ok()
            .flatten()
    } else {
        None
    };
    let Some(who) = who else {
        tracing::warn!(user = %form.user, "web admin: sign-in refused");
        if let Some(ip) = ip {
            web.throttle.failed(ip, now());
        }
        tokio::time::sleep(FAILURE_DELAY).await;
        let mut response = render(&LoginPage {
            csrf: &form.csrf,
            user: &form.user,
            error: Some("Wrong token, address or password."),
        });
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(response);
    };
    tracing::info!(%who, "web admin: signed in");
    if let Some(ip) = ip {
        web.throttle.succeeded(ip);
    }
    let id = web.sessions.create(&who, now());
    let mut response = Redirect::to("/").into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, Some(MAX_AGE), web.secure_cookies),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(LOGIN_COOKIE, "", None, web.secure_cookies),
    );
    Ok(response)
}

/// `POST /logout`: ends the session.
pub async fn logout(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
) -> Response {
    web.sessions.remove(&signed_in.id);
    tracing::info!(who = %signed_in.who, "web admin: signed out");
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", None, web.secure_cookies),
    );
    response
}
