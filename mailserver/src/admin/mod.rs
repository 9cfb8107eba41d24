//! The admin HTTP API: JSON over HTTP with a bearer token, on its own listener.
//!
//! | method and path | what |
//! | --- | --- |
//! | `GET /api/status` | version, counters, queue size |
//! | `GET /metrics` | Prometheus text format |
//! | `GET, POST /api/domains`; `GET, DELETE /api/domains/{name}` | domains with their MX/SPF/DKIM/DMARC records (POST makes the DKIM keys) |
//! | `GET, POST /api/users`; `GET, PATCH, DELETE /api/users/{address}` | users, passwords, quotas, hourly limits, usage |
//! | `GET, POST, DELETE /api/aliases` | aliases and catch-alls (`@domain`) |
//! | `GET /api/users/{address}/messages?from=&to=&subject=&text=&since=&before=&mailbox=` | message search |
//! | `GET /api/users/{address}/messages/{mailbox}/{uid}` | one message's header and body |
//! | `GET /api/users/{address}/unindexed` | messages stored without their index entry (analysis failed): mailbox, UID, file, reason |
//! | `GET /api/queue?domain=&status=`; `GET, DELETE /api/queue/{id}` | the outbound queue |
//! | `POST /api/queue/{id}/retry\|hold\|release\|bounce`; `POST /api/queue/retry` | queue operations |
//!
//! Every route needs `Authorization: Bearer <token>`. The handlers are public
//! functions over `State<Arc<App>>`, so another front end (the web UI) can mount them
//! or call them directly.

pub mod client;
pub mod domains;
pub mod error;
pub mod messages;
pub mod peer_addr;
pub mod queue;
pub mod status;
pub mod tls_listener;
pub mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::watch;

use crate::state::App;
use peer_addr::PeerAddr;

/// The API's routes, with the bearer-token check, and the web admin pages (with
/// their own sign-in) beside them; `tls` when the listener speaks HTTPS (the
/// session cookie gets `Secure`).
pub fn router(app: Arc<App>, tls: bool) -> Router {
    let web = crate::web::router(Arc::clone(&app), tls);
    api_routes()
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            require_token,
        ))
        .with_state(app)
        .merge(web)
}

/// The routes without authentication, for a front end that checks access its own way
/// (a session cookie) and mounts them under its own router.
pub fn api_routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/status", get(status::status))
        .route("/metrics", get(status::metrics))
        .route("/api/domains", get(domains::list).post(domains::create))
        .route(
            "/api/domains/{name}",
            get(domains::get).delete(domains::delete),
        )
        .route("/api/users", get(users::list).post(users::create))
        .route(
            "/api/users/{address}",
            get(users::get).patch(users::change).delete(users::delete),
        )
        .route("/api/users/{address}/messages", get(messages::search))
        .route("/api/users/{address}/unindexed", get(messages::unindexed))
        .route(
            "/api/users/{address}/messages/{mailbox}/{uid}",
            get(messages::get),
        )
        .route(
            "/api/aliases",
            get(users::aliases)
                .post(users::add_alias)
                .delete(users::remove_alias),
        )
        .route("/api/queue", get(queue::list))
        .route("/api/queue/retry", post(queue::retry_all))
        .route("/api/queue/{id}", get(queue::inspect).delete(queue::delete))
        .route("/api/queue/{id}/{action}", post(queue::act))
}

/// Whether two byte strings are equal, in time that does not depend on where they
/// differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn require_token(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), app.admin_token.as_bytes()) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            axum::Json(serde_json::json!({ "error": "missing or wrong bearer token" })),
        )
            .into_response()
    }
}

/// Serves the API and the web admin on `listener` until `shutdown` turns `true`,
/// over TLS with `tls` (`admin.tls`), else plain HTTP.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: watch::Receiver<bool>,
) {
    let router = router(app, tls.is_some());
    let stopped = crate::listener::stopped(shutdown);
    let result = match tls {
        Some(config) => match tls_listener::TlsListener::new(listener, config) {
            Ok(listener) => {
                axum::serve(
                    listener,
                    router.into_make_service_with_connect_info::<PeerAddr>(),
                )
                .with_graceful_shutdown(stopped)
                .await
            }
            Err(error) => Err(error),
        },
        None => {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<PeerAddr>(),
            )
            .with_graceful_shutdown(stopped)
            .await
        }
    };
    if let Err(error) = result {
        tracing::error!(%error, "admin API stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokeN"));
        assert!(!constant_time_eq(b"secret", b"secret-token"));
    }
}
