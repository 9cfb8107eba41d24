//! Running the store's blocking calls from async code.
//!
//! Long or unbounded work (argon2, large reads, appends with fsync) goes to the
//! blocking pool with `spawn_blocking`. Short reads that sit on a connection's critical
//! path (a POP3 RETR of a message up to 1 MiB) run with `block_in_place` instead: the calling
//! worker thread does the work itself and hands its other tasks to the remaining
//! workers, which saves two thread hand-offs per call. Smaller reads still run inline
//! on the worker (RETR of a message up to 128 KiB: see `pop3/maildrop.rs`).

/// Runs `f` on this worker thread in a multi-threaded runtime, else on the blocking
/// pool.
///
/// # Errors
/// `None` when `f` panicked, either way: the caller answers with an error (IMAP `NO
/// [SERVERBUG]`) and the connection goes on, instead of the panic ending the
/// connection's task without a reply. The shared state `f` touches (the store's
/// connections and caches) takes poisoned locks over and rolls its transactions back.
pub async fn short<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
        }),
        _ => tokio::task::spawn_blocking(f).await.ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panic_is_an_error_and_the_task_goes_on() {
        assert_eq!(short(|| -> u32 { panic!("store bug") }).await, None);
        assert_eq!(short(|| 7).await, Some(7));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn on_one_thread_too() {
        assert_eq!(short(|| -> u32 { panic!("store bug") }).await, None);
        assert_eq!(short(|| 7).await, Some(7));
    }
}
