//! SEARCH and SORT over the messages in memory, with the index's semantics (see
//! [`crate::search::eval`]).

use super::MemoryAccount;
use crate::error::{Result, StoreError};
use crate::search::eval::{Candidate, Matcher};
use crate::search::{SearchKey, SortCriterion, sort};
use crate::store::SearchStore;
use crate::types::{MailboxId, Uid, ValidationError};

impl MemoryAccount {
    /// The messages of a mailbox that match `key`, ascending by UID, sorted by `sort`
    /// when given.
    fn matching(
        &self,
        mailbox: MailboxId,
        key: &SearchKey,
        order: &[SortCriterion],
    ) -> Result<Vec<Uid>> {
        let matcher = Matcher::new(key).ok_or(StoreError::InvalidName(ValidationError::new(
            "search criteria",
            None,
        )))?;
        self.read(|state| {
            let mut found: Vec<Candidate<'_>> = state
                .mailbox(mailbox)?
                .messages
                .iter()
                .map(|(uid, m)| m.candidate(*uid))
                .filter(|c| matcher.matches(c))
                .collect();
            if !order.is_empty() {
                found.sort_by(|a, b| sort::compare(order, a, b));
            }
            Ok(found.into_iter().map(|c| c.uid).collect())
        })
    }
}

impl SearchStore for MemoryAccount {
    fn search(&self, mailbox: MailboxId, key: &SearchKey) -> Result<Vec<Uid>> {
        self.matching(mailbox, key, &[])
    }

    fn sort(
        &self,
        mailbox: MailboxId,
        sort: &[SortCriterion],
        key: &SearchKey,
    ) -> Result<Vec<Uid>> {
        self.matching(mailbox, key, sort)
    }
}
