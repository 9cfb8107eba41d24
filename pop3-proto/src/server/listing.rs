//! The session's fixed message list with deletion marks, and the lazy writer of
//! multi-line `LIST`/`UIDL` responses.

use bytes::BytesMut;

use crate::codec::encode;
use crate::maildrop::MessageInfo;
use crate::response::{ScanListing, Stat, UniqueIdListing};
use crate::server::SessionError;
use crate::types::MessageNumber;

/// The messages as listed when the session entered TRANSACTION; numbers never change,
/// deletion only marks (RFC 1939 section 5).
#[derive(Debug, Default)]
pub(crate) struct Listing {
    messages: Vec<MessageInfo>,
    deleted: Vec<bool>,
    deleted_count: usize,
    deleted_octets: u64,
    total_octets: u64,
}

impl Listing {
    pub(crate) fn new(messages: Vec<MessageInfo>) -> Self {
        let total_octets = messages.iter().map(|message| message.size).sum();
        Self {
            deleted: vec![false; messages.len()],
            messages,
            deleted_count: 0,
            deleted_octets: 0,
            total_octets,
        }
    }

    /// The message `number`, unless it does not exist or is marked as deleted.
    pub(crate) fn get(&self, number: MessageNumber) -> Result<&MessageInfo, SessionError> {
        let index = number.index();
        match (self.messages.get(index), self.deleted.get(index)) {
            (Some(_), Some(true)) => Err(SessionError::MessageDeleted(number)),
            (Some(message), _) => Ok(message),
            (None, _) => Err(SessionError::NoSuchMessage {
                count: self.messages.len(),
            }),
        }
    }

    pub(crate) fn delete(&mut self, number: MessageNumber) -> Result<(), SessionError> {
        let size = self.get(number)?.size;
        self.deleted[number.index()] = true;
        self.deleted_count += 1;
        self.deleted_octets += size;
        Ok(())
    }

    pub(crate) fn reset(&mut self) {
        self.deleted.iter_mut().for_each(|deleted| *deleted = false);
        self.deleted_count = 0;
        self.deleted_octets = 0;
    }

    /// Messages and octets, not counting those marked as deleted.
    pub(crate) fn stat(&self) -> Stat {
        Stat {
            count: u32::try_from(self.messages.len() - self.deleted_count).unwrap_or(u32::MAX),
            octets: self.total_octets - self.deleted_octets,
        }
    }

    pub(crate) fn deleted_indices(&self) -> Vec<usize> {
        self.deleted
            .iter()
            .enumerate()
            .filter_map(|(index, &deleted)| deleted.then_some(index))
            .collect()
    }

    pub(crate) fn info(&self, index: usize) -> Option<&MessageInfo> {
        self.messages.get(index)
    }
}

/// Which listing a [`ListingWriter`] writes.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) enum ListingKind {
    Scan,
    UniqueId,
}

/// Writes the data lines and the final `.` of a multi-line `LIST`/`UIDL` in pieces, so
/// a huge maildrop never becomes one huge buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListingWriter {
    kind: ListingKind,
    next: usize,
}

impl ListingWriter {
    pub(crate) fn new(kind: ListingKind) -> Self {
        Self { kind, next: 0 }
    }

    /// Appends lines until about `budget` octets were written; `true` once the final `.`
    /// is out.
    pub(crate) fn write(&mut self, listing: &Listing, out: &mut BytesMut, budget: usize) -> bool {
        let start = out.len();
        while self.next < listing.messages.len() {
            if out.len() - start >= budget {
                return false;
            }
            let index = self.next;
            self.next += 1;
            if listing.deleted[index] {
                continue;
            }
            let (Some(message), Some(number)) = (
                listing.messages.get(index),
                MessageNumber::from_index(index),
            ) else {
                continue;
            };
            match self.kind {
                ListingKind::Scan => encode::scan_listing(
                    &ScanListing {
                        message: number,
                        octets: message.size,
                    },
                    out,
                ),
                ListingKind::UniqueId => encode::unique_id_listing(
                    &UniqueIdListing {
                        message: number,
                        unique_id: message.unique_id.clone(),
                    },
                    out,
                ),
            }
        }
        encode::multiline_end(out);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UniqueId;

    fn listing(sizes: &[u64]) -> Listing {
        Listing::new(
            sizes
                .iter()
                .enumerate()
                .map(|(at, &size)| {
                    MessageInfo::new(size, UniqueId::try_from(format!("u{at}")).unwrap())
                })
                .collect(),
        )
    }

    #[test]
    fn marks_and_reset() {
        let mut drop = listing(&[120, 200]);
        let one = MessageNumber::new(1).unwrap();
        let three = MessageNumber::new(3).unwrap();
        assert_eq!(
            drop.stat(),
            Stat {
                count: 2,
                octets: 320
            }
        );
        drop.delete(one).unwrap();
        assert_eq!(drop.delete(one), Err(SessionError::MessageDeleted(one)));
        assert_eq!(
            drop.get(three).unwrap_err(),
            SessionError::NoSuchMessage { count: 2 }
        );
        assert_eq!(
            drop.stat(),
            Stat {
                count: 1,
                octets: 200
            }
        );
        assert_eq!(drop.deleted_indices(), [0]);
        drop.reset();
        assert_eq!(
            drop.stat(),
            Stat {
                count: 2,
                octets: 320
            }
        );
        assert!(drop.deleted_indices().is_empty());
    }

    #[test]
    fn writer_skips_deleted_and_splits() {
        let mut drop = listing(&[1, 2, 3, 4]);
        drop.delete(MessageNumber::new(2).unwrap()).unwrap();
        let mut out = BytesMut::new();
        let mut writer = ListingWriter::new(ListingKind::Scan);
        let mut calls = 0;
        while !writer.write(&drop, &mut out, 4) {
            calls += 1;
        }
        assert!(calls >= 2, "written in pieces");
        assert_eq!(&out[..], b"1 1\r\n3 3\r\n4 4\r\n.\r\n");
        let mut out = BytesMut::new();
        assert!(ListingWriter::new(ListingKind::UniqueId).write(&drop, &mut out, 1 << 20));
        assert_eq!(&out[..], b"1 u0\r\n3 u2\r\n4 u3\r\n.\r\n");
    }
}
