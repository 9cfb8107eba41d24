//! Per-account quota.

/// Limits of one account. `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Quota {
    /// Sum of message sizes, in bytes.
    pub max_bytes: Option<u64>,
    /// Number of messages.
    pub max_messages: Option<u64>,
}

impl Quota {
    /// No limit.
    pub const fn unlimited() -> Self {
        Self {
            max_bytes: None,
            max_messages: None,
        }
    }

    /// Builder: a storage limit in bytes.
    #[must_use]
    pub const fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = Some(bytes);
        self
    }

    /// Builder: a message count limit.
    #[must_use]
    pub const fn with_max_messages(mut self, messages: u64) -> Self {
        self.max_messages = Some(messages);
        self
    }
}

/// Usage and limits of an account (`GETQUOTAROOT`, RFC 9208).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuotaUsage {
    /// Sum of message sizes, in bytes.
    pub bytes: u64,
    /// Number of messages.
    pub messages: u64,
    /// The limits.
    pub quota: Quota,
}
