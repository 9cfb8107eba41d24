//! The dashboard (`GET /`): the mail flow over the last hour and day, the queue,
//! open connections, the last delivery errors and a chart of the rate.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::Web;
use super::chart::{self, Chart};
use super::format;
use super::page::{Chrome, render};
use super::session::SignedIn;
use crate::metrics::history::FlowCounts;

/// Minutes per point of the chart (48 points over 24 hours).
const CHART_GROUP_MINUTES: u64 = 30;

/// One recent error as shown.
#[derive(Debug)]
struct ErrorRow {
    at: String,
    kind: &'static str,
    text: String,
}

#[derive(Debug, Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    hostname: String,
    version: &'static str,
    hour: FlowCounts,
    day: FlowCounts,
    queue_running: bool,
    queue_size: usize,
    deferred_now: usize,
    held_now: usize,
    connections: Vec<(&'static str, i64)>,
    connections_total: i64,
    errors: Vec<ErrorRow>,
    chart: Chart,
    chart_width: u64,
    chart_height: u64,
}

/// `GET /`.
pub async fn show(
    State(web): State<Arc<Web>>,
    Extension(signed_in): Extension<SignedIn>,
) -> Response {
    let app = &web.app;
    let entries = app.queue.get().map(|q| q.list());
    if let Some(entries) = &entries {
        app.metrics.set_queue_size(entries.len());
    }
    let (deferred_now, held_now) = entries.as_ref().map_or((0, 0), |entries| {
        (
            entries
                .iter()
                .filter(|e| {
                    e.recipients
                        .iter()
                        .any(|r| r.status == mailwright_queue::DeliveryStatus::Deferred)
                })
                .count(),
            entries.iter().filter(|e| e.held).count(),
        )
    });
    let connections = app.metrics.active_connections();
    let (groups, _) = app.metrics.flow_series(24 * 60, CHART_GROUP_MINUTES);
    let page = DashboardPage {
        chrome: Chrome::new(&web, &signed_in, "dashboard"),
        hostname: app.config.hostname.clone(),
        version: env!("CARGO_PKG_VERSION"),
        hour: app.metrics.flow_totals(60),
        day: app.metrics.flow_totals(24 * 60),
        queue_running: entries.is_some(),
        queue_size: entries.as_ref().map_or(0, Vec::len),
        deferred_now,
        held_now,
        connections_total: connections.iter().map(|(_, n)| n).sum(),
        connections,
        errors: app
            .metrics
            .recent_errors()
            .into_iter()
            .map(|e| ErrorRow {
                at: format::utc(e.at),
                kind: e.kind,
                text: e.text,
            })
            .collect(),
        chart: chart::draw(&groups, CHART_GROUP_MINUTES),
        chart_width: chart::WIDTH,
        chart_height: chart::HEIGHT,
    };
    render(&page)
}
