//! Delivery status notifications (RFC 3464).

/// What a DSN reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DsnKind {
    /// Recipients failed (action `failed`).
    Failure,
    /// Recipients are delayed (action `delayed`).
    Delay,
    /// Recipients were delivered or relayed (action `delivered` / `relayed`).
    Success,
}
