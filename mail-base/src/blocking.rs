//! Running a short blocking call (a mailbox store's read, a small append) from async
//! code on a connection's critical path, as the IMAP and POP3 adapters do for every
//! command.
//!
//! In a multi-threaded runtime the call runs with `block_in_place`: the calling worker
//! does the work itself and hands its other tasks to the remaining workers, which
//! saves two thread hand-offs per call over `spawn_blocking`. Elsewhere (a
//! current-thread runtime) it goes to the blocking pool. Long or unbounded work
//! (password hashing, large writes) belongs in `spawn_blocking`.

/// Runs `f` on this worker thread in a multi-threaded runtime, else on the blocking
/// pool; `None` when `f` panicked, either way, so that the caller answers with an
/// error (IMAP `NO [SERVERBUG]`) and the connection goes on. The shared state `f`
/// touches (the store's connections and caches) takes poisoned locks over and rolls
/// its transactions back.
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
