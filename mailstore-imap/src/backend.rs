//! imap-proto's [`Backend`] and [`ImapAccount`] over the store traits: logins through
//! an [`Authenticator`], one store account per logged-in connection, IDLE fed by the
//! store's change notifications.
//!
//! Every store call blocks, so each runs off the event loop (see [`mailwright_base::blocking`])
//! with a shared handle on the account.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use bytes::Bytes;
use mailwright_imap::command::{SearchKey, SortCriterion, StatusItem, StoreKind};
use mailwright_imap::response::FetchData;
use mailwright_imap::server::{
    AppendUid, CopyResult, LoginRejection, MailboxChanges, MailboxInfo, MessageFlags, Rejection,
    SelectedMailbox, ServerConfig, StatusInfo, StoreResult,
};
use mailwright_imap::tokio::{Account, Backend, FetchRequest, Peer, SelectRequest};
use mailwright_imap::types::{DateTime, Flag, SequenceSet, Uid};
use mailwright_store::notify::Subscription;
use mailwright_store::store::{AccountProvider, MailStore};
use mailwright_store::{
    AppendOptions, FlagOp, MailboxId, MailboxName, MailboxStatus, ModSeq, StoreError,
};

use crate::convert::{self, to_imap_flags, to_imap_uid, to_store_flags, uid_set};
use crate::fetch;
use crate::options::{Authenticator, Delimiter, Options};

/// imap-proto's tokio [`Backend`] over a mailstore [`AccountProvider`]: logs users in
/// with an [`Authenticator`] and opens their accounts.
///
/// Give it to [`mailwright_imap::tokio::Server::new`]. Every connection that logs in gets
/// an [`ImapAccount`] on the account the authenticator names; the provider hands all
/// sessions of one user the same account state, so their changes reach each other's
/// IDLE. SORT is offered.
pub struct ImapBackend<P, A> {
    provider: Arc<P>,
    authenticator: A,
    options: Options,
}

impl<P, A: fmt::Debug> fmt::Debug for ImapBackend<P, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapBackend")
            .field("authenticator", &self.authenticator)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<P: AccountProvider + 'static, A: Authenticator> ImapBackend<P, A> {
    /// A backend over the accounts of `provider`, with default [`Options`].
    pub fn new(provider: P, authenticator: A) -> Self {
        Self::shared(Arc::new(provider), authenticator)
    }

    /// A backend over a provider the application keeps using too (delivery, admin).
    pub fn shared(provider: Arc<P>, authenticator: A) -> Self {
        Self {
            provider,
            authenticator,
            options: Options::default(),
        }
    }

    /// Replaces the options.
    pub fn options(&mut self, options: Options) -> &mut Self {
        self.options = options;
        self
    }

    /// The options in force.
    pub fn current_options(&self) -> &Options {
        &self.options
    }

    /// The provider.
    pub fn provider(&self) -> &Arc<P> {
        &self.provider
    }

    /// Sets what the session must agree on with this backend in `config`: the
    /// hierarchy delimiter ([`Options::delimiter`]).
    pub fn configure<'c>(&self, config: &'c mut ServerConfig) -> &'c mut ServerConfig {
        config.delimiter(self.options.delimiter.as_char())
    }
}

/// One connection's view of a user's mailboxes: the [`Account`] of an
/// [`ImapBackend`], over the store account `S`.
pub struct ImapAccount<S> {
    account: Arc<S>,
    max_message_size: u64,
    delimiter: Delimiter,
    selected: Option<Selected>,
}

impl<S> fmt::Debug for ImapAccount<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapAccount")
            .field("max_message_size", &self.max_message_size)
            .field("delimiter", &self.delimiter)
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Selected {
    id: MailboxId,
    subscription: Subscription,
    /// The HIGHESTMODSEQ up to which changes were reported.
    modseq: u64,
    /// UIDs at or above this are new to the session.
    uid_next: u32,
    /// A wake-up arrived whose changes are not reported yet (survives cancellation).
    dirty: bool,
    /// Flag changes this connection made itself, `uid -> modseq`, not to echo back.
    own: HashMap<u32, u64>,
}

/// Maps a store error onto the NO the client gets.
fn rejection(error: &StoreError) -> Rejection {
    match error {
        StoreError::MailboxNotFound | StoreError::MessageNotFound => Rejection::nonexistent(),
        StoreError::MailboxExists => Rejection::already_exists(),
        StoreError::QuotaExceeded { .. } => Rejection::over_quota(),
        StoreError::MessageTooLarge { .. } => Rejection::too_big(),
        e if e.is_temporary() => {
            tracing::warn!(error = %e, "imap: store failed");
            Rejection::unavailable()
        }
        e => Rejection::cannot(&e.to_string()),
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn status_info(s: &MailboxStatus) -> StatusInfo {
    StatusInfo::new(
        s.messages,
        s.unseen,
        nz(s.uid_next.get()),
        nz(s.uid_validity.get()),
    )
    .with_details(s.deleted, s.size, Some(s.highest_modseq.get()))
}

/// Runs `f` with the account off the event loop (see [`mailwright_base::blocking::short`]): IMAP
/// commands are short store calls on the connection's critical path.
async fn blocking<S: MailStore + 'static, T: Send + 'static>(
    account: &Arc<S>,
    f: impl FnOnce(&S) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Rejection> {
    let account = Arc::clone(account);
    match mailwright_base::blocking::short(move || f(&account)).await {
        Some(result) => result.map_err(|e| rejection(&e)),
        None => Err(Rejection::server_bug()),
    }
}

impl<P, A> Backend for ImapBackend<P, A>
where
    P: AccountProvider + 'static,
    P::Account: 'static,
    A: Authenticator,
{
    type Account = ImapAccount<P::Account>;

    async fn login(
        &self,
        username: &str,
        password: &[u8],
        authzid: Option<&str>,
        peer: Peer,
    ) -> Result<Self::Account, LoginRejection> {
        if authzid.is_some_and(|a| !a.eq_ignore_ascii_case(username)) {
            return Err(LoginRejection::NotAuthorized);
        }
        let name = self
            .authenticator
            .authenticate(username, password, peer)
            .await?;
        let provider = Arc::clone(&self.provider);
        let opened = tokio::task::spawn_blocking(move || {
            let account = provider.account(&name);
            (name, account)
        })
        .await;
        match opened {
            Ok((_, Ok(account))) => Ok(ImapAccount {
                account: Arc::new(account),
                max_message_size: self.options.max_message_size,
                delimiter: self.options.delimiter,
                selected: None,
            }),
            Ok((name, Err(error))) => {
                tracing::warn!(account = %name, %error, "imap: cannot open the account");
                Err(LoginRejection::Unavailable)
            }
            Err(_) => Err(LoginRejection::Unavailable),
        }
    }

    fn supports_sort(&self) -> bool {
        true
    }
}

impl<S> ImapAccount<S> {
    fn selected(&self) -> Result<MailboxId, Rejection> {
        self.selected
            .as_ref()
            .map(|s| s.id)
            .ok_or_else(Rejection::server_bug)
    }

    fn note_own(&mut self, updates: impl IntoIterator<Item = (u32, u64)>) {
        if let Some(selected) = &mut self.selected {
            selected.own.extend(updates);
        }
    }

    /// The store's name of an IMAP mailbox name.
    fn name(&self, mailbox: &str) -> Result<MailboxName, Rejection> {
        convert::to_store_name(mailbox, self.delimiter)
            .ok_or_else(|| Rejection::cannot("invalid mailbox name"))
    }
}

/// NO [TRYCREATE] for a destination that does not exist (APPEND, COPY, MOVE).
fn try_create<T>(result: Result<T, Rejection>) -> Result<T, Rejection> {
    match result {
        Err(e) if e.code() == Rejection::nonexistent().code() => Err(Rejection::try_create()),
        other => other,
    }
}

impl<S: MailStore + 'static> Account for ImapAccount<S> {
    async fn list(&mut self, status: Option<&[StatusItem]>) -> Result<Vec<MailboxInfo>, Rejection> {
        let with_status = status.is_some();
        let delimiter = self.delimiter;
        blocking(&self.account, move |account| {
            let mut out = Vec::new();
            for mailbox in account.list_mailboxes()? {
                let name = convert::to_imap_name(&mailbox.name, delimiter);
                let mut info = MailboxInfo::new(name).subscribed(mailbox.subscribed);
                for attribute in convert::special_use_attributes(mailbox.special_use) {
                    info = info.with_attribute(attribute);
                }
                if with_status {
                    info = info.with_status(status_info(&account.status(mailbox.id)?));
                }
                out.push(info);
            }
            Ok(out)
        })
        .await
    }

    async fn status(
        &mut self,
        mailbox: &str,
        _items: &[StatusItem],
    ) -> Result<StatusInfo, Rejection> {
        let name = self.name(mailbox)?;
        blocking(&self.account, move |account| {
            let info = account.mailbox(&name)?;
            Ok(status_info(&account.status(info.id)?))
        })
        .await
    }

    async fn create(&mut self, mailbox: &str) -> Result<(), Rejection> {
        let name = self.name(mailbox)?;
        let leaf = name.levels().last().unwrap_or(name.as_str());
        let special_use = convert::special_use_for(leaf);
        blocking(&self.account, move |account| {
            account.create_mailbox(&name, special_use).map(|_| ())
        })
        .await
    }

    async fn delete(&mut self, mailbox: &str) -> Result<(), Rejection> {
        let name = self.name(mailbox)?;
        blocking(&self.account, move |account| account.delete_mailbox(&name)).await
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<(), Rejection> {
        let (from, to) = (self.name(from)?, self.name(to)?);
        blocking(&self.account, move |account| {
            account.rename_mailbox(&from, &to)
        })
        .await
    }

    async fn subscribe(&mut self, mailbox: &str, subscribed: bool) -> Result<(), Rejection> {
        let name = self.name(mailbox)?;
        blocking(&self.account, move |account| {
            match account.set_subscribed(&name, subscribed) {
                Err(e) if e.is_not_found() && !subscribed => Ok(()),
                other => other,
            }
        })
        .await
    }

    async fn select(
        &mut self,
        mailbox: &str,
        request: &SelectRequest,
    ) -> Result<SelectedMailbox, Rejection> {
        self.selected = None;
        let name = self.name(mailbox)?;
        let qresync = request
            .qresync
            .as_ref()
            .map(|q| (q.uid_validity.get(), q.modseq));
        let (snapshot, id, status, subscription) = blocking(&self.account, move |account| {
            let info = account.mailbox(&name)?;
            let subscription = account.subscribe(info.id)?;
            let status = account.status(info.id)?;
            let uids: Vec<Uid> = account
                .uids(info.id)?
                .into_iter()
                .map(to_imap_uid)
                .collect();
            let mut snapshot = SelectedMailbox::new(
                nz(status.uid_validity.get()),
                nz(status.uid_next.get()),
                uids,
            )
            .with_highest_modseq(status.highest_modseq.get())
            .with_first_unseen(status.first_unseen.map(to_imap_uid));
            if let Some((validity, since)) = qresync
                && validity == status.uid_validity.get()
            {
                let changes = account.changes_since(info.id, ModSeq::new(since))?;
                let changed = changes
                    .changed
                    .iter()
                    .map(|m| MessageFlags {
                        uid: to_imap_uid(m.uid),
                        flags: to_imap_flags(&m.flags),
                        modseq: Some(m.modseq.get()),
                    })
                    .collect();
                let vanished = changes.vanished.iter().map(to_imap_uid).collect();
                snapshot = snapshot.with_changes(changed, Some(vanished));
            }
            Ok((snapshot, info.id, status, subscription))
        })
        .await?;
        self.selected = Some(Selected {
            id,
            subscription,
            modseq: status.highest_modseq.get(),
            uid_next: status.uid_next.get(),
            dirty: false,
            own: HashMap::new(),
        });
        Ok(if request.read_only {
            snapshot.read_only()
        } else {
            snapshot
        })
    }

    fn deselect(&mut self) {
        self.selected = None;
    }

    async fn check_append(&mut self, mailbox: &str, size: u64) -> Result<(), Rejection> {
        if size > self.max_message_size {
            return Err(Rejection::too_big());
        }
        let name = self.name(mailbox)?;
        let over = try_create(
            blocking(&self.account, move |account| {
                account.mailbox(&name)?;
                let usage = account.quota()?;
                Ok(usage
                    .quota
                    .max_bytes
                    .is_some_and(|max| usage.bytes.saturating_add(size) > max))
            })
            .await,
        )?;
        if over {
            Err(Rejection::over_quota())
        } else {
            Ok(())
        }
    }

    async fn append(
        &mut self,
        mailbox: &str,
        flags: &[Flag<'static>],
        date: Option<DateTime>,
        message: Bytes,
    ) -> Result<AppendUid, Rejection> {
        let name = self.name(mailbox)?;
        let options = AppendOptions::new(to_store_flags(flags), date.map(convert::to_store_date));
        let appended = try_create(
            blocking(&self.account, move |account| {
                let info = account.mailbox(&name)?;
                account.append_bytes(info.id, &message, &options)
            })
            .await,
        )?;
        Ok(AppendUid {
            uid_validity: nz(appended.uid_validity.get()),
            uid: to_imap_uid(appended.uid),
        })
    }

    async fn fetch(
        &mut self,
        uids: &[Uid],
        request: &FetchRequest,
    ) -> Result<Vec<(Uid, Vec<FetchData<'static>>)>, Rejection> {
        let id = self.selected()?;
        let (set, request) = (uid_set(uids), request.clone());
        let (items, own) = blocking(&self.account, move |account| {
            fetch::fetch(account, id, &set, &request)
        })
        .await?;
        self.note_own(own);
        Ok(items)
    }

    async fn vanished(&mut self, since: u64, range: &SequenceSet) -> Result<Vec<Uid>, Rejection> {
        let id = self.selected()?;
        let range = range.clone();
        blocking(&self.account, move |account| {
            let changes = account.changes_since(id, ModSeq::new(since))?;
            Ok(changes
                .vanished
                .iter()
                .filter(|u| range.contains(u.get(), u32::MAX))
                .map(to_imap_uid)
                .collect())
        })
        .await
    }

    async fn store(
        &mut self,
        uids: &[Uid],
        kind: StoreKind,
        flags: &[Flag<'static>],
        unchanged_since: Option<u64>,
    ) -> Result<StoreResult, Rejection> {
        let id = self.selected()?;
        let set = uid_set(uids);
        let op = match kind {
            StoreKind::Replace => FlagOp::Replace,
            StoreKind::Add => FlagOp::Add,
            StoreKind::Remove => FlagOp::Remove,
        };
        let flags = to_store_flags(flags);
        let stored = blocking(&self.account, move |account| {
            account.store_flags(id, &set, op, &flags, unchanged_since.map(ModSeq::new))
        })
        .await?;
        self.note_own(stored.updates.iter().map(|u| (u.uid.get(), u.modseq.get())));
        let updated = stored
            .updates
            .iter()
            .map(|u| MessageFlags {
                uid: to_imap_uid(u.uid),
                flags: to_imap_flags(&u.flags),
                modseq: Some(u.modseq.get()),
            })
            .collect();
        Ok(StoreResult {
            updated,
            modified: stored.modified.iter().map(to_imap_uid).collect(),
        })
    }

    async fn search(
        &mut self,
        criteria: &[SearchKey<'static>],
        candidates: &[Uid],
        sort: Option<&[SortCriterion]>,
    ) -> Result<(Vec<Uid>, Option<u64>), Rejection> {
        let id = self.selected()?;
        // OLDER/YOUNGER compare with the real time.
        #[allow(
            clippy::disallowed_methods,
            reason = "OLDER and YOUNGER are relative to the real time"
        )]
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let key = mailwright_store::SearchKey::And(
            criteria
                .iter()
                .map(|k| convert::search_key(k, now))
                .collect(),
        );
        let want_modseq = criteria.iter().any(convert::uses_modseq);
        let sort = sort.map(<[_]>::to_vec);
        let candidates = uid_set(candidates);
        blocking(&self.account, move |account| {
            let found = match &sort {
                Some(keys) => account.sort(id, keys, &key)?,
                None => account.search(id, &key)?,
            };
            let found: Vec<mailwright_store::Uid> = found
                .into_iter()
                .filter(|u| candidates.contains(*u))
                .collect();
            let modseq = if want_modseq && !found.is_empty() {
                let set = found.iter().copied().collect();
                account
                    .fetch(id, &set, mailwright_store::FetchOptions::meta())?
                    .iter()
                    .map(|m| m.modseq.get())
                    .max()
            } else {
                None
            };
            Ok((found.into_iter().map(to_imap_uid).collect(), modseq))
        })
        .await
    }

    async fn copy(
        &mut self,
        uids: &[Uid],
        destination: &str,
        is_move: bool,
    ) -> Result<CopyResult, Rejection> {
        let id = self.selected()?;
        let set = uid_set(uids);
        let destination = self.name(destination)?;
        let copied = try_create(
            blocking(&self.account, move |account| {
                let target = account.mailbox(&destination)?;
                if is_move {
                    account.move_messages(id, &set, target.id)
                } else {
                    account.copy(id, &set, target.id)
                }
            })
            .await,
        )?;
        Ok(CopyResult {
            uid_validity: nz(copied.uid_validity.get()),
            pairs: copied
                .uids
                .iter()
                .map(|(a, b)| (to_imap_uid(*a), to_imap_uid(*b)))
                .collect(),
        })
    }

    async fn expunge(&mut self, uids: Option<&[Uid]>) -> Result<Vec<Uid>, Rejection> {
        let id = self.selected()?;
        let set = uids.map(uid_set);
        let expunged = blocking(&self.account, move |account| {
            account.expunge(id, set.as_ref())
        })
        .await?;
        Ok(expunged.uids.into_iter().map(to_imap_uid).collect())
    }

    async fn changes(&mut self) -> MailboxChanges {
        let Some(selected) = &mut self.selected else {
            return std::future::pending().await;
        };
        loop {
            if !selected.dirty {
                if selected.subscription.changed().await.is_err() {
                    return std::future::pending().await;
                }
                selected.dirty = true;
            }
            let (id, since) = (selected.id, selected.modseq);
            let Ok(changes) = blocking(&self.account, move |account| {
                account.changes_since(id, ModSeq::new(since))
            })
            .await
            else {
                return std::future::pending().await;
            };
            selected.dirty = false;
            selected.modseq = changes.highest_modseq.get();
            let mut report =
                MailboxChanges::new().with_highest_modseq(changes.highest_modseq.get());
            for meta in &changes.changed {
                let uid = meta.uid.get();
                if uid >= selected.uid_next {
                    report.added.push(to_imap_uid(meta.uid));
                } else if selected.own.get(&uid) != Some(&meta.modseq.get()) {
                    report.flags.push(MessageFlags {
                        uid: to_imap_uid(meta.uid),
                        flags: to_imap_flags(&meta.flags),
                        modseq: Some(meta.modseq.get()),
                    });
                }
            }
            report.expunged = changes.vanished.iter().map(to_imap_uid).collect();
            selected.uid_next = selected.uid_next.max(changes.uid_next.get());
            selected.own.clear();
            if !report.is_empty() {
                return report;
            }
        }
    }
}
