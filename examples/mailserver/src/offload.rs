//! Running the store's blocking calls from async code.
//!
//! Long or unbounded work (argon2, large reads, appends with fsync) goes to the
//! blocking pool with `spawn_blocking`. Short reads that sit on a connection's critical
//! path (a POP3 RETR of a message up to 1 MiB) run with `block_in_place` instead: the calling
//! worker thread does the work itself and hands its other tasks to the remaining
//! workers, which saves two thread hand-offs per call. Smaller reads still run inline
//! on the worker (RETR of a message up to 128 KiB: see `pop3_maildrop.rs`).

/// Runs `f` on this worker thread in a multi-threaded runtime, else on the blocking
/// pool.
///
/// # Errors
/// `None` when the blocking task panicked.
pub async fn short<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => Some(tokio::task::block_in_place(f)),
        _ => tokio::task::spawn_blocking(f).await.ok(),
    }
}
