//! What the session does with the application's answers: the responses each
//! decision leads to.

use std::num::NonZeroU32;

use crate::command::StatusItem;
use crate::response::{
    Code, Data, FetchData, ListExtendedItem, ListItem, StatusResponse, StatusValue,
};
use crate::server::list::select as list_select;
use crate::server::pending::{
    AppendPending, CopyPending, ExpungePending, FetchPending, ListPending, LoginPending, Pending,
    SearchPending, SelectPending, StatusPending, StorePending,
};
use crate::server::search::search_response;
use crate::server::view::{View, uid, write_flags};
use crate::server::{
    AppendUid, CopyResult, Extension, LoginRejection, MailboxInfo, Rejection, SelectedMailbox,
    ServerSession, State, StatusInfo, StoreResult,
};
use crate::types::{Mailbox, SequenceSet, Text, Uid, Vec1};

impl ServerSession {
    pub(crate) fn login_accepted(&mut self, p: LoginPending) {
        self.state = State::Authenticated;
        self.user = Some(p.credentials.username);
        let caps = self
            .config
            .capabilities(State::Authenticated, self.tls_active);
        self.write_status(StatusResponse::ok(
            Some(p.tag),
            Some(Code::Capability(caps)),
            Text::unvalidated("Logged in"),
        ));
        self.advance();
    }

    pub(crate) fn login_rejected(&mut self, p: LoginPending, rejection: LoginRejection) {
        let (code, text) = match rejection {
            LoginRejection::BadCredentials => (Code::AuthenticationFailed, "Authentication failed"),
            LoginRejection::NotAuthorized => (Code::AuthorizationFailed, "Not authorized"),
            LoginRejection::Expired => (Code::Expired, "Password expired"),
            _ => (Code::Unavailable, "Temporary failure, try again later"),
        };
        let response = StatusResponse::no(Some(p.tag), Some(code), Text::unvalidated(text));
        if rejection != LoginRejection::BadCredentials {
            self.write_status(response);
            self.advance();
            return;
        }
        self.failed_logins += 1;
        let mut held = Vec::new();
        crate::codec::encode::response(&crate::response::Response::Status(response), &mut held);
        let limits = &self.config.limits;
        let close = self.failed_logins >= limits.max_failed_logins;
        if close {
            let bye = crate::server::SessionError::TooManyFailedLogins.response(None);
            crate::codec::encode::response(&crate::response::Response::Status(bye), &mut held);
        }
        let delay = limits.failed_login_delay * self.failed_logins;
        self.hold(held, delay, close);
    }

    pub(crate) fn select_accepted(&mut self, p: SelectPending, snapshot: SelectedMailbox) {
        let read_only = p.read_only || snapshot.read_only;
        let view = View::new(p.name, read_only, &snapshot);
        let rev1 = !self.enabled.rev2;
        self.write_data(Data::Flags(snapshot.flags.clone()));
        self.write_data(Data::Exists(view.exists()));
        if rev1 {
            self.write_data(Data::Recent(0));
            if let Some(seq) = snapshot.first_unseen.and_then(|u| view.seq_of(u.get())) {
                self.write_untagged(Code::Unseen(seq), "First unseen");
            }
        }
        let permanent = if read_only {
            Vec::new()
        } else {
            snapshot.permanent_flags.clone()
        };
        self.write_untagged(Code::PermanentFlags(permanent), "Flags permitted");
        self.write_untagged(Code::UidValidity(snapshot.uid_validity), "UIDs valid");
        self.write_untagged(Code::UidNext(snapshot.uid_next), "Predicted next UID");
        if self.enabled.condstore {
            match snapshot.highest_modseq {
                Some(m) => self.write_untagged(Code::HighestModSeq(m), "Highest"),
                None => self.write_untagged(Code::NoModSeq, "No mod-sequences here"),
            }
        }
        if let Some(q) = &p.qresync
            && q.uid_validity == snapshot.uid_validity
        {
            let vanished = match &snapshot.vanished {
                Some(list) => SequenceSet::from_numbers(list.iter().map(|u| u.get())),
                None => {
                    vanished_from_known(q.known_uids.as_ref(), snapshot.uid_next.get(), view.uids())
                }
            };
            if let Some(uids) = vanished {
                self.write_data(Data::Vanished {
                    earlier: true,
                    uids,
                });
            }
            let style = self.update_style();
            for changed in &snapshot.changed {
                if let Some(seq) = view.seq_of(changed.uid.get()) {
                    write_flags(&mut self.output, seq, changed, style);
                }
            }
        }
        let (code, text) = if read_only {
            (
                Code::ReadOnly,
                if p.read_only {
                    "EXAMINE completed"
                } else {
                    "SELECT completed, read-only"
                },
            )
        } else {
            (Code::ReadWrite, "SELECT completed")
        };
        self.view = Some(view);
        self.state = State::Selected;
        self.write_status(StatusResponse::ok(
            Some(p.tag),
            Some(code),
            Text::unvalidated(text),
        ));
        self.advance();
    }

    fn write_untagged(&mut self, code: Code<'_>, text: &'static str) {
        self.write_status(StatusResponse::ok(
            None,
            Some(code),
            Text::unvalidated(text),
        ));
    }

    pub(crate) fn list_answered(&mut self, p: ListPending, mailboxes: &[MailboxInfo]) {
        let utf8 = self.utf8_names();
        let delimiter = self.config.delimiter;
        let listed = list_select(&p.query, mailboxes, delimiter);
        for entry in listed {
            let Ok(mailbox) = Mailbox::from_name(&entry.mailbox.name, utf8) else {
                continue;
            };
            let mut extended = Vec::new();
            if entry.child_subscribed {
                extended.push(ListExtendedItem::ChildInfoSubscribed);
            }
            let item = ListItem {
                attributes: entry.attributes,
                delimiter: Some(delimiter),
                mailbox: mailbox.clone(),
                extended,
            };
            self.write_data(if p.query.lsub {
                Data::Lsub(item)
            } else {
                Data::List(item)
            });
            if let (Some(items), Some(status)) = (&p.status, &entry.mailbox.status)
                && entry.mailbox.is_selectable()
            {
                let values = status_values(items, status);
                self.write_data(Data::Status {
                    mailbox,
                    items: values,
                });
            }
        }
        let text = if p.query.lsub {
            "LSUB completed"
        } else {
            "LIST completed"
        };
        self.complete_ok(p.tag, None, text, true);
        self.advance();
    }

    pub(crate) fn status_answered(&mut self, p: StatusPending, status: StatusInfo) {
        if let Ok(mailbox) = Mailbox::from_name(&p.name, self.utf8_names()) {
            let items = status_values(&p.items, &status);
            self.write_data(Data::Status { mailbox, items });
        }
        self.complete_ok(p.tag, None, "STATUS completed", true);
        self.advance();
    }

    pub(crate) fn append_accepted(&mut self, p: Box<AppendPending>) {
        self.framer.accept_literal_streaming();
        if p.sync {
            self.write_continue("Ready for literal data");
        }
        self.pending = if p.length == 0 {
            Pending::AppendTail(p)
        } else {
            Pending::AppendStream(p)
        };
        self.advance();
    }

    pub(crate) fn append_refused(&mut self, p: AppendPending, rejection: Rejection) {
        self.framer.reject_literal();
        self.reject_command(p.tag, rejection);
    }

    pub(crate) fn append_stored(&mut self, p: AppendPending, uid: Option<AppendUid>) {
        if let Some(appended) = uid {
            self.note_own_additions(&p.name, [appended.uid]);
        }
        let code = uid
            .filter(|_| self.config.is_enabled(Extension::UidPlus))
            .map(|a| Code::AppendUid {
                uid_validity: a.uid_validity,
                uids: SequenceSet::single(a.uid),
            });
        self.complete_ok(p.tag, code, "APPEND completed", true);
        self.advance();
    }

    pub(crate) fn fetch_vanished(&mut self, uids: &[Uid]) {
        if let Pending::Fetch(p) = &mut self.pending {
            // Reported once; a driver that comes back for the next batch sees none.
            p.vanished = None;
        }
        if let Some(set) = SequenceSet::from_numbers(uids.iter().map(|u| u.get())) {
            self.write_data(Data::Vanished {
                earlier: true,
                uids: set,
            });
        }
    }

    fn take_fetch_message(&mut self, uid: Uid) -> Option<(u32, bool)> {
        let Pending::Fetch(p) = &mut self.pending else {
            return None;
        };
        let at = p.messages.iter().position(|&(_, u)| u == uid.get())?;
        let (seq, _) = p.messages.remove(at)?;
        Some((seq, p.uid))
    }

    pub(crate) fn fetch_respond(&mut self, uid: Uid, items: Vec<FetchData<'static>>) {
        let Some((seq, by_uid)) = self.take_fetch_message(uid) else {
            return;
        };
        let mut all = Vec::with_capacity(items.len() + 1);
        if by_uid && !items.iter().any(|i| matches!(i, FetchData::Uid(_))) {
            all.push(FetchData::Uid(uid));
        }
        all.extend(items);
        let (Some(seq), Ok(items)) = (NonZeroU32::new(seq), Vec1::try_from(all)) else {
            return;
        };
        self.write_data(Data::Fetch { seq, items });
    }

    pub(crate) fn fetch_skip(&mut self, uid: Uid) {
        let _ = self.take_fetch_message(uid);
    }

    pub(crate) fn fetch_finished(&mut self, p: FetchPending) {
        self.complete_ok(p.tag, None, "FETCH completed", p.uid);
        self.advance();
    }

    pub(crate) fn store_answered(&mut self, p: StorePending, result: StoreResult) {
        let style = self.update_style();
        if !p.silent {
            for update in &result.updated {
                let Some(seq) = self.view.as_ref().and_then(|v| v.seq_of(update.uid.get())) else {
                    continue;
                };
                if p.uid || style.condstore {
                    write_flags(&mut self.output, seq, update, style);
                } else {
                    let items = Vec1::one(FetchData::Flags(update.flags.clone()));
                    self.write_data(Data::Fetch { seq, items });
                }
            }
        }
        let modified: Vec<u32> = result
            .modified
            .iter()
            .filter_map(|u| match p.uid {
                true => Some(u.get()),
                false => self
                    .view
                    .as_ref()
                    .and_then(|v| v.seq_of(u.get()))
                    .map(NonZeroU32::get),
            })
            .collect();
        let code = SequenceSet::from_numbers(modified).map(Code::Modified);
        let text = if code.is_some() {
            "Conditional STORE failed"
        } else {
            "STORE completed"
        };
        self.complete_ok(p.tag, code, text, p.uid);
        self.advance();
    }

    pub(crate) fn search_answered(
        &mut self,
        p: SearchPending,
        matches: Vec<Uid>,
        modseq: Option<u64>,
    ) {
        let Some(view) = &self.view else {
            return;
        };
        let mut numbers: Vec<NonZeroU32> = Vec::with_capacity(matches.len());
        for u in matches {
            if let Some(seq) = view.seq_of(u.get()) {
                numbers.push(if p.uid { u } else { seq });
            }
        }
        let modseq = modseq.filter(|_| p.modseq);
        let data = if p.sort.is_some() {
            let mut seen = std::collections::HashSet::new();
            numbers.retain(|n| seen.insert(*n));
            Data::Sort(numbers)
        } else {
            numbers.sort_unstable();
            numbers.dedup();
            let esearch = self.enabled.rev2;
            search_response(
                &p.tag,
                numbers,
                p.uid,
                p.return_options.as_deref(),
                esearch,
                modseq,
            )
        };
        self.write_data(data);
        let text = if p.sort.is_some() {
            "SORT completed"
        } else {
            "SEARCH completed"
        };
        self.complete_ok(p.tag, None, text, p.uid);
        self.advance();
    }

    pub(crate) fn copy_answered(&mut self, p: CopyPending, result: CopyResult) {
        let code = if self.config.is_enabled(Extension::UidPlus) {
            let source = SequenceSet::from_numbers(result.pairs.iter().map(|(s, _)| s.get()));
            let dest = copy_destination(&result);
            match (source, dest) {
                (Some(source), Some(destination)) => Some(Code::CopyUid {
                    uid_validity: result.uid_validity,
                    source,
                    destination,
                }),
                _ => None,
            }
        } else {
            None
        };
        self.note_own_additions(&p.destination, result.pairs.iter().map(|(_, d)| *d));
        if !p.is_move {
            self.complete_ok(p.tag, code, "COPY completed", true);
            self.advance();
            return;
        }
        if let Some(code) = code {
            self.write_status(StatusResponse::ok(
                None,
                Some(code),
                Text::unvalidated("Moved"),
            ));
        }
        let moved: Vec<u32> = result.pairs.iter().map(|(s, _)| s.get()).collect();
        let style = self.update_style();
        if let Some(view) = &mut self.view {
            view.expunge(&moved, &mut self.output, style);
        }
        self.complete_ok(p.tag, None, "MOVE completed", true);
        self.advance();
    }

    /// Messages this session added to the selected mailbox (APPEND, COPY to it)
    /// are announced with EXISTS before the command completes.
    fn note_own_additions(&mut self, mailbox: &str, uids: impl IntoIterator<Item = Uid>) {
        if let Some(view) = &mut self.view
            && view.name == mailbox
        {
            view.note_changes(crate::server::MailboxChanges::new().added(uids));
        }
    }

    pub(crate) fn expunge_answered(&mut self, p: ExpungePending, expunged: &[Uid]) {
        if p.close {
            self.deselect();
            self.write_status(StatusResponse::ok(
                Some(p.tag),
                None,
                Text::unvalidated("CLOSE completed"),
            ));
            self.advance();
            return;
        }
        let gone: Vec<u32> = expunged.iter().map(|u| u.get()).collect();
        let style = self.update_style();
        if let Some(view) = &mut self.view {
            view.expunge(&gone, &mut self.output, style);
        }
        self.complete_ok(p.tag, None, "EXPUNGE completed", true);
        self.advance();
    }
}

/// The destination UIDs of a copy, in the order of the source UIDs as the
/// COPYUID code lists them (both sets sorted by source UID).
fn copy_destination(result: &CopyResult) -> Option<SequenceSet> {
    let mut pairs = result.pairs.clone();
    pairs.sort_by_key(|(s, _)| *s);
    // A sequence set of destinations in source order: compress runs only when the
    // destinations ascend with the sources, as they do for any sane store.
    let ascending = pairs.windows(2).all(|w| w[0].1 < w[1].1);
    if ascending {
        SequenceSet::from_numbers(pairs.iter().map(|(_, d)| d.get()))
    } else {
        let parts: Vec<crate::types::Sequence> = pairs
            .iter()
            .map(|(_, d)| crate::types::Sequence::Single(crate::types::SeqOrUid::Value(*d)))
            .collect();
        Vec1::try_from(parts).ok().map(SequenceSet::new)
    }
}

/// The VANISHED (EARLIER) set of QRESYNC: UIDs the client knows (all below UIDNEXT
/// when it did not say) that are no longer in the mailbox.
fn vanished_from_known(
    known: Option<&SequenceSet>,
    uid_next: u32,
    present: &[u32],
) -> Option<SequenceSet> {
    let top = uid_next.saturating_sub(1);
    let ranges = match known {
        Some(set) => set.ranges(top),
        None if top > 0 => vec![(1, top)],
        None => Vec::new(),
    };
    let mut gone = Vec::new();
    for (low, high) in ranges {
        let high = high.min(top);
        let mut next = low;
        let start = present.partition_point(|&u| u < low);
        for &u in &present[start..] {
            if u > high {
                break;
            }
            if u > next {
                gone.push((next, u - 1));
            }
            next = u + 1;
        }
        if next <= high {
            gone.push((next, high));
        }
    }
    let parts: Vec<crate::types::Sequence> = gone
        .into_iter()
        .filter(|(a, b)| *a > 0 && a <= b)
        .map(|(a, b)| {
            if a == b {
                crate::types::Sequence::Single(crate::types::SeqOrUid::Value(uid(a)))
            } else {
                crate::types::Sequence::Range(
                    crate::types::SeqOrUid::Value(uid(a)),
                    crate::types::SeqOrUid::Value(uid(b)),
                )
            }
        })
        .collect();
    Vec1::try_from(parts).ok().map(SequenceSet::new)
}

/// The STATUS values asked for, from what the application knows.
fn status_values(items: &[StatusItem], status: &StatusInfo) -> Vec<StatusValue> {
    items
        .iter()
        .filter_map(|item| {
            Some(match item {
                StatusItem::Messages => StatusValue::Messages(status.messages),
                StatusItem::UidNext => StatusValue::UidNext(status.uid_next?),
                StatusItem::UidValidity => StatusValue::UidValidity(status.uid_validity?),
                StatusItem::Unseen => StatusValue::Unseen(status.unseen),
                StatusItem::Deleted => StatusValue::Deleted(status.deleted),
                StatusItem::Size => StatusValue::Size(status.size),
                StatusItem::Recent => StatusValue::Recent(0),
                StatusItem::HighestModSeq => {
                    StatusValue::HighestModSeq(status.highest_modseq.unwrap_or(0))
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vanished_is_the_complement() {
        let set = vanished_from_known(None, 11, &[2, 3, 7]).unwrap();
        assert_eq!(set.to_string(), "1,4:6,8:10");
        let known: SequenceSet = "1:3,8".parse().unwrap();
        assert_eq!(
            vanished_from_known(Some(&known), 11, &[2, 3, 7])
                .unwrap()
                .to_string(),
            "1,8"
        );
        assert!(vanished_from_known(None, 1, &[]).is_none());
        assert!(vanished_from_known(None, 4, &[1, 2, 3]).is_none());
    }
}
