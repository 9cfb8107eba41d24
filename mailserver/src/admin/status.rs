//! Server status (`/api/status`) and Prometheus metrics (`/metrics`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::state::App;

/// Version, host name, counters and queue size.
pub async fn status(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    let queue = app.queue.get().map(|q| q.list().len());
    if let Some(n) = queue {
        app.metrics.set_queue_size(n);
    }
    Json(serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "hostname": app.config.hostname,
        "queue_running": queue.is_some(),
        "metrics": app.metrics.snapshot(),
    }))
}

/// The Prometheus text exposition.
pub async fn metrics(State(app): State<Arc<App>>) -> impl IntoResponse {
    if let Some(queue) = app.queue.get() {
        app.metrics.set_queue_size(queue.list().len());
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
}
