//! Sign-in sessions of the web admin: a random id in a cookie (`HttpOnly`,
//! `SameSite=Strict`, `Secure` on TLS), kept in memory with an idle and an absolute
//! expiry, each with its own CSRF token; and the middleware that lets nothing through
//! without one and checks the CSRF token of every POST.
//!
//! Sessions live in this process only: a restart signs everyone out. The store is
//! bounded ([`MAX_SESSIONS`]); beyond it the oldest session is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Web;
use super::page::PageError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ms_session";
/// The cookie that carries the sign-in form's CSRF token (before any session).
pub const LOGIN_COOKIE: &str = "ms_login";
/// The name of the CSRF field in every form.
pub const CSRF_FIELD: &str = "csrf";
/// Most sessions kept at once.
pub const MAX_SESSIONS: usize = 1000;
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after sign-in, whatever happens.
pub const MAX_AGE: Duration = Duration::from_secs(8 * 3600);
/// The largest form body read (the CSRF check reads POST bodies).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The clock of the web layer (the async edge reads it; sessions take it as input).
pub fn now() -> Instant {
    #[allow(clippy::disallowed_methods)]
    let now = Instant::now();
    now
}

/// 32 random bytes, URL-safe base64: session ids and CSRF tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Who is signed in, handed to every page by the middleware (a request extension).
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session id (the cookie's value).
    pub id: String,
    /// `admin token` or the admin user's address.
    pub who: String,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
}

#[derive(Debug)]
struct Session {
    who: String,
    csrf: String,
    created: Instant,
    last_seen: Instant,
    flash: Option<String>,
}

/// The sessions of this process.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session for `who` at `now`; returns its id.
    pub fn create(&self, who: &str, now: Instant) -> String {
        let id = random_token();
        let mut map = self.map();
        map.retain(|_, s| alive(s, now));
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(id, _)| id.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            id.clone(),
            Session {
                who: who.to_owned(),
                csrf: random_token(),
                created: now,
                last_seen: now,
                flash: None,
            },
        );
        id
    }

    /// The live session `id` at `now` (and marks it seen); `None` when unknown or
    /// expired (an expired one is removed).
    pub fn touch(&self, id: &str, now: Instant) -> Option<SignedIn> {
        let mut map = self.map();
        let session = map.get_mut(id)?;
        if !alive(session, now) {
            map.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(SignedIn {
            id: id.to_owned(),
            who: session.who.clone(),
            csrf: session.csrf.clone(),
        })
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.map().remove(id);
    }

    /// Leaves a message for the next page the session sees.
    pub fn set_flash(&self, id: &str, message: impl Into<String>) {
        if let Some(session) = self.map().get_mut(id) {
            session.flash = Some(message.into());
        }
    }

    /// Takes the message left for this page.
    pub fn take_flash(&self, id: &str) -> Option<String> {
        self.map().get_mut(id).and_then(|s| s.flash.take())
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // Each change is one insert or remove: nothing is left half done by a panic.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn alive(session: &Session, now: Instant) -> bool {
    now.saturating_duration_since(session.last_seen) < IDLE_TIMEOUT
        && now.saturating_duration_since(session.created) < MAX_AGE
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` when the
/// admin listener speaks TLS; `max_age` `None` deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age: Option<Duration>, secure: bool) -> HeaderValue {
    let age = max_age.map_or(0, |d| d.as_secs());
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{secure}");
    // Names are constants and values URL-safe base64: always a valid header value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The CSRF field of a form body, if any.
pub fn csrf_field(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == CSRF_FIELD)
        .map(|(_, value)| value)
}

/// The middleware in front of every page: redirects to `/login` without a live
/// session, answers 403 to a POST whose CSRF field is missing or wrong, and hands
/// the page a [`SignedIn`].
pub async fn require_sign_in(
    State(web): State<Arc<Web>>,
    request: Request,
    next: Next,
) -> Response {
    let now = now();
    let Some(signed_in) =
        cookie(request.headers(), SESSION_COOKIE).and_then(|id| web.sessions.touch(id, now))
    else {
        return Redirect::to("/login").into_response();
    };
    let (mut parts, body) = request.into_parts();
    let body = if parts.method == Method::POST {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
            return PageError::bad_request("the form is too large").into_response();
        };
        let given = csrf_field(&bytes).unwrap_or_default();
        if !same_token(&given, &signed_in.csrf) {
            tracing::warn!(who = %signed_in.who, path = %parts.uri.path(), "web admin: CSRF token missing or wrong");
            return PageError::forbidden(
                "the form's security token is missing or out of date: reload the page and try again",
            )
            .into_response();
        }
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(signed_in);
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_at_max_age() {
        let sessions = Sessions::default();
        let start = now();
        let id = sessions.create("admin token", start);
        let seen = sessions
            .touch(&id, start + Duration::from_secs(60))
            .unwrap();
        assert_eq!(seen.who, "admin token");
        assert!(sessions.touch("other", start).is_none());
        assert!(
            sessions
                .touch(&id, start + Duration::from_secs(60) + IDLE_TIMEOUT)
                .is_none(),
            "idle too long"
        );
        let id = sessions.create("boss@example.org", start);
        let mut t = start;
        while t < start + MAX_AGE - IDLE_TIMEOUT {
            t += IDLE_TIMEOUT / 2;
            assert!(sessions.touch(&id, t).is_some());
        }
        assert!(sessions.touch(&id, start + MAX_AGE).is_none(), "too old");
    }

    #[test]
    fn store_is_bounded_and_flash_is_taken_once() {
        let sessions = Sessions::default();
        let start = now();
        let first = sessions.create("a", start);
        for i in 1..=MAX_SESSIONS {
            sessions.create("b", start + Duration::from_millis(i as u64));
        }
        assert!(sessions.touch(&first, start).is_none(), "oldest dropped");
        let id = sessions.create("c", start);
        sessions.set_flash(&id, "done");
        assert_eq!(sessions.take_flash(&id).as_deref(), Some("done"));
        assert_eq!(sessions.take_flash(&id), None);
    }

    #[test]
    fn cookies_and_csrf_fields() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ms_session=xyz"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "b"), None);
        let set = set_cookie(SESSION_COOKIE, "v", Some(MAX_AGE), true);
        let set = set.to_str().unwrap();
        assert!(
            set.contains("HttpOnly")
                && set.contains("SameSite=Strict")
                && set.ends_with("; Secure")
        );
        assert_eq!(
            csrf_field(b"a=1&csrf=tok%2Fen&b=2").as_deref(),
            Some("tok/en")
        );
        assert_eq!(csrf_field(b"a=1"), None);
        assert_eq!(csrf_field(&[0xff, b'=', 0x80]), None);
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("ab", "abc"));
        assert_eq!(random_token().len(), 43);
    }
}
