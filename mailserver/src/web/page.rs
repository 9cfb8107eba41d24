//! What every page shares: the frame around it ([`Chrome`]: who is signed in, the
//! CSRF token for its forms, the message left by the last action), rendering a
//! template into a response with the security headers, the error page, and form
//! and query extractors that answer bad input with that page (400) instead of a bare
//! text.

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::Web;
use super::session::SignedIn;
use crate::admin::error::ApiError;

/// The frame of a page: navigation, who is signed in, the sign-out form.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Who is signed in.
    pub who: String,
    /// The session's CSRF token, put in every form.
    pub csrf: String,
    /// The message left by the last action, shown once.
    pub flash: Option<String>,
    /// The navigation entry of this page (`dashboard`, `queue`, `domains`, `users`,
    /// `aliases`, `search`).
    pub section: &'static str,
}

impl Chrome {
    /// The frame for a page of `section`, taking the session's message.
    pub fn new(web: &Web, signed_in: &SignedIn, section: &'static str) -> Self {
        Self {
            who: signed_in.who.clone(),
            csrf: signed_in.csrf.clone(),
            flash: web.sessions.take_flash(&signed_in.id),
            section,
        }
    }
}

/// The error page.
#[derive(Debug, Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
}

/// An error answered with the error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the operator.
    pub message: String,
}

impl PageError {
    /// 400: the form or query was wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 403: the CSRF token was missing or wrong.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            message: message.into(),
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self {
            status: error.status,
            message: error.message,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            status: self.status.as_u16(),
            reason: self.status.canonical_reason().unwrap_or("Error"),
            message: &self.message,
        };
        let mut response = render(&page);
        *response.status_mut() = self.status;
        response
    }
}

/// What a page handler returns.
pub type PageResult = Result<Response, PageError>;

/// Renders `template` as an HTML answer with the security headers: no framing, no
/// caching, scripts and styles from this server only.
pub fn render(template: &impl Template) -> Response {
    let mut response = match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "web admin: template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "template failed (see the server log)",
            )
                .into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// After an action: leave `message` for the next page and go to `to` (303; to the
/// dashboard if `to` cannot be a header value).
pub fn done(web: &Web, signed_in: &SignedIn, message: impl Into<String>, to: &str) -> Response {
    web.sessions.set_flash(&signed_in.id, message);
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// A form body (`application/x-www-form-urlencoded`); a body that does not fit `T`
/// is answered with the error page (400).
#[derive(Debug)]
pub struct Input<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Input<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(request, state)
            .await
            .map(|form| Self(form.0))
            .map_err(|rejection| {
                PageError::bad_request(format!("bad form: {}", rejection.body_text()))
            })
    }
}

/// Query parameters; a query that does not fit `T` is answered with the error page
/// (400).
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|query| Self(query.0))
            .map_err(|rejection| {
                PageError::bad_request(format!("bad query: {}", rejection.body_text()))
            })
    }
}

/// An optional form or query field: `None` when absent or blank, else trimmed.
pub fn field(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}
