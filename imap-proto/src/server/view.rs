//! The selected mailbox as the client knows it: the message sequence number map
//! and the updates waiting for a moment when the RFC allows sending them.

use std::num::NonZeroU32;

use crate::codec::encode;
use crate::response::{Data, FetchData, Response};
use crate::server::{MailboxChanges, MessageFlags, SelectedMailbox};
use crate::types::{SequenceSet, Uid, Vec1};

/// The selected mailbox: `uids[n - 1]` is the UID of message number n, exactly as
/// the client was told (RFC 9051 section 2.3.1.2).
#[derive(Debug)]
pub(crate) struct View {
    pub(crate) name: String,
    pub(crate) read_only: bool,
    uids: Vec<u32>,
    highest_modseq: Option<u64>,
    pending_added: Vec<u32>,
    pending_expunged: Vec<u32>,
    pending_flags: Vec<MessageFlags>,
    pending_modseq: Option<u64>,
}

/// How untagged updates are written, from what the client enabled.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct UpdateStyle {
    /// CONDSTORE enabled: FETCH updates carry MODSEQ.
    pub(crate) condstore: bool,
    /// QRESYNC enabled: VANISHED instead of EXPUNGE.
    pub(crate) qresync: bool,
}

impl View {
    pub(crate) fn new(name: String, read_only: bool, snapshot: &SelectedMailbox) -> Self {
        let mut uids: Vec<u32> = snapshot.uids.iter().map(|u| u.get()).collect();
        uids.sort_unstable();
        uids.dedup();
        Self {
            name,
            read_only,
            uids,
            highest_modseq: snapshot.highest_modseq,
            pending_added: Vec::new(),
            pending_expunged: Vec::new(),
            pending_flags: Vec::new(),
            pending_modseq: None,
        }
    }

    /// Number of messages the client knows of.
    pub(crate) fn exists(&self) -> u32 {
        self.uids.len() as u32
    }

    /// The UIDs, by sequence number.
    pub(crate) fn uids(&self) -> &[u32] {
        &self.uids
    }

    /// The sequence number of `uid`, if the client knows the message.
    pub(crate) fn seq_of(&self, uid: u32) -> Option<NonZeroU32> {
        self.uids
            .binary_search(&uid)
            .ok()
            .and_then(|i| NonZeroU32::new(i as u32 + 1))
    }

    /// The highest UID the client knows of (0 when empty).
    pub(crate) fn max_uid(&self) -> u32 {
        self.uids.last().copied().unwrap_or(0)
    }

    /// The messages a set names, as (sequence number, UID), ascending.
    ///
    /// With `uid` the set holds UIDs and unknown ones are skipped; otherwise it
    /// holds sequence numbers and `None` means one does not exist (a `BAD`).
    pub(crate) fn resolve(&self, set: &SequenceSet, uid: bool) -> Option<Vec<(u32, u32)>> {
        let mut out = Vec::new();
        if uid {
            for (low, high) in set.ranges(self.max_uid()) {
                let start = self.uids.partition_point(|&u| u < low);
                for (i, &u) in self.uids[start..].iter().enumerate() {
                    if u > high {
                        break;
                    }
                    out.push(((start + i) as u32 + 1, u));
                }
            }
        } else {
            let exists = self.exists();
            for (low, high) in set.ranges(exists) {
                if low == 0 || high > exists {
                    return None;
                }
                for seq in low..=high {
                    out.push((seq, self.uids[seq as usize - 1]));
                }
            }
        }
        Some(out)
    }

    /// Converts a sequence-number range to the UID range with the same messages.
    pub(crate) fn seq_range_to_uids(&self, low: u32, high: u32) -> Option<(u32, u32)> {
        let exists = self.exists();
        if low == 0 || high > exists || low > high {
            return None;
        }
        Some((self.uids[low as usize - 1], self.uids[high as usize - 1]))
    }

    /// Queues changes reported by the application.
    pub(crate) fn note_changes(&mut self, changes: MailboxChanges) {
        let mut newest = self
            .max_uid()
            .max(self.pending_added.last().copied().unwrap_or(0));
        let mut added: Vec<u32> = changes.added.iter().map(|u| u.get()).collect();
        added.sort_unstable();
        for uid in added {
            if uid > newest {
                self.pending_added.push(uid);
                newest = uid;
            }
        }
        for uid in changes.expunged {
            let uid = uid.get();
            if let Ok(i) = self.pending_added.binary_search(&uid) {
                // Never announced: it simply never appears.
                self.pending_added.remove(i);
            } else if self.uids.binary_search(&uid).is_ok()
                && let Err(i) = self.pending_expunged.binary_search(&uid)
            {
                self.pending_expunged.insert(i, uid);
            }
        }
        for update in changes.flags {
            match self.pending_flags.iter_mut().find(|f| f.uid == update.uid) {
                Some(old) => *old = update,
                None => self.pending_flags.push(update),
            }
        }
        if let Some(m) = changes.highest_modseq {
            self.pending_modseq = Some(self.pending_modseq.map_or(m, |p| p.max(m)));
        }
    }

    /// Whether updates wait to be sent.
    #[cfg(test)]
    pub(crate) fn has_pending(&self, allow_expunge: bool) -> bool {
        !self.pending_added.is_empty()
            || !self.pending_flags.is_empty()
            || (allow_expunge && !self.pending_expunged.is_empty())
    }

    /// Writes the queued updates the current moment allows: expunges only when
    /// `allow_expunge` (never during FETCH, STORE, SEARCH by sequence number, nor
    /// outside a command; RFC 9051 section 7.5.1).
    pub(crate) fn flush(&mut self, out: &mut Vec<u8>, allow_expunge: bool, style: UpdateStyle) {
        if allow_expunge && !self.pending_expunged.is_empty() {
            let gone = std::mem::take(&mut self.pending_expunged);
            self.pending_flags
                .retain(|f| gone.binary_search(&f.uid.get()).is_err());
            self.expunge(&gone, out, style);
        }
        if !self.pending_added.is_empty() {
            self.uids.append(&mut self.pending_added);
            write(out, Data::Exists(self.exists()));
        }
        for update in std::mem::take(&mut self.pending_flags) {
            if let Some(seq) = self.seq_of(update.uid.get()) {
                write_flags(out, seq, &update, style);
            }
        }
        if let Some(m) = self.pending_modseq.take() {
            self.highest_modseq = Some(self.highest_modseq.map_or(m, |h| h.max(m)));
        }
    }

    /// Removes messages this session expunged (EXPUNGE, MOVE) and tells the client
    /// at once: EXPUNGE responses from the highest number down, or one VANISHED.
    pub(crate) fn expunge(&mut self, uids: &[u32], out: &mut Vec<u8>, style: UpdateStyle) {
        let mut positions: Vec<usize> = uids
            .iter()
            .filter_map(|u| self.uids.binary_search(u).ok())
            .collect();
        if positions.is_empty() {
            return;
        }
        positions.sort_unstable();
        positions.dedup();
        let removed: Vec<u32> = positions.iter().map(|&p| self.uids[p]).collect();
        if style.qresync {
            if let Some(set) = SequenceSet::from_numbers(removed.iter().copied()) {
                write(
                    out,
                    Data::Vanished {
                        earlier: false,
                        uids: set,
                    },
                );
            }
        } else {
            for &p in positions.iter().rev() {
                if let Some(seq) = NonZeroU32::new(p as u32 + 1) {
                    write(out, Data::Expunge(seq));
                }
            }
        }
        let mut next = 0;
        let mut index = 0;
        self.uids.retain(|_| {
            let keep = positions.get(next) != Some(&index);
            if !keep {
                next += 1;
            }
            index += 1;
            keep
        });
        self.pending_expunged
            .retain(|u| removed.binary_search(u).is_err());
    }
}

fn write(out: &mut Vec<u8>, data: Data<'_>) {
    encode::response(&Response::Data(data), out);
}

/// `* n FETCH (UID u FLAGS (...) [MODSEQ (m)])`.
pub(crate) fn write_flags(
    out: &mut Vec<u8>,
    seq: NonZeroU32,
    update: &MessageFlags,
    style: UpdateStyle,
) {
    let mut items = Vec1::one(FetchData::Uid(update.uid));
    items.push(FetchData::Flags(update.flags.clone()));
    if let (true, Some(m)) = (style.condstore, update.modseq) {
        items.push(FetchData::ModSeq(m));
    }
    write(out, Data::Fetch { seq, items });
}

/// A UID from a number known to be non-zero (UIDs in a view are never zero).
pub(crate) fn uid(n: u32) -> Uid {
    Uid::new(n).unwrap_or(Uid::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(uids: &[u32]) -> View {
        let snapshot = SelectedMailbox::new(
            NonZeroU32::MIN,
            uid(100),
            uids.iter().map(|&u| uid(u)).collect(),
        );
        View::new("INBOX".into(), false, &snapshot)
    }

    fn text(out: &[u8]) -> String {
        String::from_utf8_lossy(out).into_owned()
    }

    #[test]
    fn resolves_sets() {
        let v = view(&[3, 5, 9, 10]);
        let set: SequenceSet = "2:*".parse().unwrap();
        assert_eq!(v.resolve(&set, false), Some(vec![(2, 5), (3, 9), (4, 10)]));
        let set: SequenceSet = "5".parse().unwrap();
        assert_eq!(v.resolve(&set, false), None, "no message 5");
        let set: SequenceSet = "4:9,20:*".parse().unwrap();
        assert_eq!(v.resolve(&set, true), Some(vec![(2, 5), (3, 9), (4, 10)]));
        assert_eq!(v.seq_range_to_uids(2, 3), Some((5, 9)));
        let empty = view(&[]);
        assert_eq!(empty.resolve(&"1:*".parse().unwrap(), true), Some(vec![]));
        assert_eq!(empty.resolve(&"1:*".parse().unwrap(), false), None);
    }

    #[test]
    fn expunges_wait_for_an_allowed_moment() {
        let mut v = view(&[1, 2, 3]);
        v.note_changes(
            MailboxChanges::new()
                .expunged([uid(2)])
                .added([uid(7), uid(4)]),
        );
        let mut out = Vec::new();
        v.flush(&mut out, false, UpdateStyle::default());
        assert_eq!(
            text(&out),
            "* 5 EXISTS\r\n",
            "no EXPUNGE during FETCH/STORE/SEARCH"
        );
        assert_eq!(v.uids(), &[1, 2, 3, 4, 7]);
        out.clear();
        v.flush(&mut out, true, UpdateStyle::default());
        assert_eq!(text(&out), "* 2 EXPUNGE\r\n");
        assert_eq!(v.uids(), &[1, 3, 4, 7]);
        assert!(!v.has_pending(true));
    }

    #[test]
    fn changes_are_idempotent() {
        let mut v = view(&[1, 2]);
        v.note_changes(
            MailboxChanges::new()
                .added([uid(2), uid(3)])
                .expunged([uid(9)]),
        );
        v.note_changes(MailboxChanges::new().added([uid(3)]));
        let mut out = Vec::new();
        v.flush(&mut out, true, UpdateStyle::default());
        assert_eq!(text(&out), "* 3 EXISTS\r\n");
        v.note_changes(MailboxChanges::new().added([uid(5)]).expunged([uid(5)]));
        out.clear();
        v.flush(&mut out, true, UpdateStyle::default());
        assert!(out.is_empty(), "added then expunged before anyone saw it");
    }

    #[test]
    fn own_expunge_and_vanished() {
        let mut v = view(&[1, 2, 3, 4]);
        let mut out = Vec::new();
        v.expunge(&[2, 4, 9], &mut out, UpdateStyle::default());
        assert_eq!(text(&out), "* 4 EXPUNGE\r\n* 2 EXPUNGE\r\n");
        let mut out = Vec::new();
        v.expunge(
            &[1, 3],
            &mut out,
            UpdateStyle {
                condstore: true,
                qresync: true,
            },
        );
        assert_eq!(text(&out), "* VANISHED 1,3\r\n");
        assert_eq!(v.exists(), 0);
    }

    #[test]
    fn flag_updates_carry_uid_and_modseq() {
        let mut v = view(&[10, 20]);
        v.note_changes(MailboxChanges::new().flags_changed(MessageFlags {
            uid: uid(20),
            flags: vec![crate::types::Flag::SEEN],
            modseq: Some(7),
        }));
        let mut out = Vec::new();
        v.flush(
            &mut out,
            false,
            UpdateStyle {
                condstore: true,
                qresync: false,
            },
        );
        assert_eq!(
            text(&out),
            "* 2 FETCH (UID 20 FLAGS (\\Seen) MODSEQ (7))\r\n"
        );
    }
}
