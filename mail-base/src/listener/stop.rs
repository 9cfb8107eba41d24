//! The signal that asks running sessions to close.

use tokio::sync::watch;

/// Asks a session to close gracefully: the accept loop sets it when its shutdown
/// future completes, and each protocol answers in its own way (SMTP `421 4.3.2` once
/// no transaction is open, IMAP `* BYE`, POP3 `-ERR [SYS/TEMP]` without UPDATE).
///
/// A dropped sender counts as a stop.
#[derive(Clone, Debug)]
pub struct Stop {
    receiver: Option<watch::Receiver<bool>>,
    /// [`Stop::once`] has completed.
    heard: bool,
}

impl Stop {
    /// A signal that never fires.
    pub fn never() -> Self {
        Self {
            receiver: None,
            heard: false,
        }
    }

    /// A sender and the signal it sets (with `send(true)`, or by being dropped).
    pub fn channel() -> (watch::Sender<bool>, Self) {
        let (sender, receiver) = watch::channel(false);
        (sender, Self::from(receiver))
    }

    /// Whether a stop was asked.
    pub fn is_stopping(&self) -> bool {
        self.receiver
            .as_ref()
            .is_some_and(|receiver| *receiver.borrow() || receiver.has_changed().is_err())
    }

    /// Completes when a stop is asked (at once if it was already); never for
    /// [`Stop::never`]. Cancel safe, for use in `tokio::select!`.
    pub async fn stopped(&mut self) {
        match &mut self.receiver {
            Some(receiver) => {
                let _ = receiver.wait_for(|stop| *stop).await;
            }
            None => std::future::pending().await,
        }
    }

    /// Completes the first time a stop is asked (as [`stopped`](Self::stopped)), and
    /// never again: for a `tokio::select!` arm in a session's loop that must close
    /// the session once. Cancel safe.
    pub async fn once(&mut self) {
        if self.heard {
            return std::future::pending().await;
        }
        self.stopped().await;
        self.heard = true;
    }
}

impl From<watch::Receiver<bool>> for Stop {
    fn from(receiver: watch::Receiver<bool>) -> Self {
        Self {
            receiver: Some(receiver),
            heard: false,
        }
    }
}
