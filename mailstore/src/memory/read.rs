//! Reading: UIDs, metadata, sections, decoded parts, changes since a MODSEQ.

use std::num::NonZeroU32;
use std::sync::Arc;

use super::MemoryAccount;
use super::state::{Content, Mailbox, Message};
use crate::data::MessageData;
use crate::error::{Result, StoreError};
use crate::message::{Changes, FetchOptions, MessageMeta};
use crate::mime::locate::{Slice, clip, locate, locate_binary};
use crate::mime::{Section, decode, header};
use crate::store::MessageReader;
use crate::types::{MailboxId, ModSeq, Uid, UidSet};

impl MemoryAccount {
    /// The content of a message: `MailboxNotFound` or `MessageNotFound` when there is
    /// none. The lock is released when this returns; the bytes are shared.
    fn content(&self, mailbox: MailboxId, uid: Uid) -> Result<Arc<Content>> {
        self.read(|state| {
            let found = state.mailbox(mailbox)?.messages.get(&uid);
            Ok(found.ok_or(StoreError::MessageNotFound)?.content.clone())
        })
    }
}

/// Metadata of one message, with the envelope and structure when asked.
fn meta(uid: Uid, message: &Message, options: FetchOptions) -> MessageMeta {
    let content = &message.content;
    MessageMeta {
        uid,
        flags: message.flags.clone(),
        internal_date: message.internal_date,
        size: content.size(),
        modseq: message.modseq,
        stable_id: message.stable_id_text(),
        envelope: options
            .envelope
            .then(|| content.indexed.summary.envelope.clone()),
        body_structure: options.body_structure.then(|| content.structure.clone()),
    }
}

/// The bytes of `section` of a stored message, `partial` applied, as the Maildir backend
/// serves them from the file (the whole message for the empty section).
fn section_data(content: &Content, section: &Section, partial: Option<(u64, u64)>) -> MessageData {
    let data = &content.bytes[..];
    let whole = section.part().is_empty() && section.text().is_none();
    let slice = if whole {
        Slice::Range(0, content.size())
    } else {
        locate(&content.structure, section)
    };
    match slice {
        Slice::Range(start, end) => {
            let (start, end) = clip(start, end, partial);
            MessageData::from_vec(bytes_between(data, start, end).to_vec())
        }
        Slice::Fields {
            start,
            end,
            names,
            not,
        } => {
            let block = bytes_between(data, start, end);
            MessageData::slice(header::select(block, &names, not), partial)
        }
        Slice::Empty => MessageData::from_vec(Vec::new()),
    }
}

/// `data[start..end]`, empty where the range does not fit (it always does: the
/// offsets come from the scan of these bytes).
fn bytes_between(data: &[u8], start: u64, end: u64) -> &[u8] {
    let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
        return &[];
    };
    data.get(start..end).unwrap_or_default()
}

/// The changes of a mailbox after `since` (the index compares MODSEQs as SQLite
/// integers, which stop at `i64::MAX`).
fn changes(mailbox: &Mailbox, since: ModSeq) -> Changes {
    let since = since.get().min(i64::MAX as u64);
    Changes {
        highest_modseq: ModSeq::new(mailbox.highest_modseq),
        uid_next: mailbox.uid_next(),
        changed: mailbox
            .messages
            .iter()
            .filter(|(_, m)| m.modseq.get() > since)
            .map(|(uid, m)| meta(*uid, m, FetchOptions::meta()))
            .collect(),
        vanished: mailbox.vanished.since(since, &mailbox.messages),
    }
}

impl MessageReader for MemoryAccount {
    fn uids(&self, mailbox: MailboxId) -> Result<Vec<Uid>> {
        self.read(|state| Ok(state.mailbox(mailbox)?.messages.keys().copied().collect()))
    }

    fn fetch(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        options: FetchOptions,
    ) -> Result<Vec<MessageMeta>> {
        self.read(|state| {
            Ok(state
                .mailbox(mailbox)?
                .messages_in(uids)
                .map(|(uid, m)| meta(uid, m, options))
                .collect())
        })
    }

    fn read(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<(u64, u64)>,
    ) -> Result<MessageData> {
        let content = self.content(mailbox, uid)?;
        Ok(section_data(&content, section, partial))
    }

    fn read_each(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        section: &Section,
        partial: Option<(u64, u64)>,
        each: &mut dyn FnMut(Uid, MessageData) -> Result<()>,
    ) -> Result<()> {
        // The contents first, then the callback without the lock (it may call back).
        let found: Vec<(Uid, Arc<Content>)> = self.read(|state| {
            Ok(state
                .mailbox(mailbox)?
                .messages_in(uids)
                .map(|(uid, m)| (uid, m.content.clone()))
                .collect())
        })?;
        for (uid, content) in found {
            each(uid, section_data(&content, section, partial))?;
        }
        Ok(())
    }

    /// Always answers for a message that exists, unless a writer holds the account
    /// at this moment (then `None`, never a wait): the bytes are in memory.
    fn read_listed(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        partial: Option<(u64, u64)>,
    ) -> Option<Result<MessageData>> {
        let content = {
            let state = self.inner.state.try_read().ok()?;
            state
                .mailbox(mailbox)
                .ok()?
                .messages
                .get(&uid)?
                .content
                .clone()
        };
        Some(Ok(section_data(&content, &Section::full(), partial)))
    }

    fn read_binary(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        part: &[NonZeroU32],
        partial: Option<(u64, u64)>,
    ) -> Result<Option<MessageData>> {
        let content = self.content(mailbox, uid)?;
        let Some((start, end, encoding)) = locate_binary(&content.structure, part) else {
            return Ok(Some(MessageData::from_vec(Vec::new())));
        };
        let raw = bytes_between(&content.bytes, start, end);
        Ok(decode::transfer_decode(encoding, raw).map(|bytes| MessageData::slice(bytes, partial)))
    }

    fn changes_since(&self, mailbox: MailboxId, since: ModSeq) -> Result<Changes> {
        self.read(|state| Ok(changes(state.mailbox(mailbox)?, since)))
    }
}
