//! Writes with a time limit, and timers with an optional deadline.

use std::time::{Duration, Instant};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::listener::Error;

/// Writes all of `bytes` and flushes, within `timeout`: a client that does not read
/// cannot hold a session (and its resources) forever.
///
/// # Errors
///
/// [`Error::WriteTimeout`] when the time is up, [`Error::Io`] when writing fails.
pub async fn write_all_within<S>(
    stream: &mut S,
    bytes: &[u8],
    timeout: Duration,
) -> Result<(), Error>
where
    S: AsyncWrite + Unpin + ?Sized,
{
    let write = async {
        stream.write_all(bytes).await?;
        stream.flush().await
    };
    tokio::time::timeout(timeout, write)
        .await
        .map_err(|_| Error::WriteTimeout)?
        .map_err(Error::Io)
}

/// Sleeps until `deadline`, or forever when there is none (a session's
/// `poll_timeout`, in a `tokio::select!` arm).
pub async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}
