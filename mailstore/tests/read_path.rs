//! The read path: `MessageReader::read_each` (one index query for many messages)
//! against `MessageReader::read` one message at a time and against the trait's default
//! implementation, on a mailbox where a message was expunged (and, in the Maildir,
//! another program renamed a file); reads after our own changes; and the message's
//! own `HEADER` / `HEADER.FIELDS`, byte for byte, with partials. On both backends
//! (see `common/mod.rs`). Maildir only: `read` right after a listing (which remembers
//! the files) when files were renamed, expunged or moved since, by us or by another
//! program, `Account::read_listed`, which answers only while the listed file is
//! there, and header sections served from the header block the index keeps, without
//! the file.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

#[macro_use]
mod common;

use std::num::NonZeroU32;

use mailwright_store::store::{MailboxStore, MessageReader, MessageStore};
use mailwright_store::{
    AppendOptions, Changes, FetchOptions, FlagOp, Flags, MailboxId, MailboxName, MessageData,
    MessageMeta, ModSeq, Result, Section, SpecialUses, StoreError, SystemFlag, Uid, UidSet,
};

use common::{Backend, Maildir};

backend_tests!(
    read_each_gives_what_read_gives,
    read_each_errors,
    reads_follow_our_changes,
    root_header_sections,
);

/// A multipart message with a distinct subject.
fn message(n: usize) -> Vec<u8> {
    format!(
        "From: a@example.org\r\nSubject: message {n}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         text of {n}\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond {n}\r\n--b--\r\n"
    )
    .into_bytes()
}

/// A "Work" mailbox with 6 messages (UIDs 1-6): 3 expunged, the others new or seen;
/// in the Maildir, the file of 4 renamed by another program (mutt setting \Flagged).
fn mailbox<B: Backend>() -> (B, MailboxId) {
    let backend = B::open();
    let account = backend.account();
    let work = account
        .create_mailbox(&MailboxName::try_from("Work").unwrap(), SpecialUses::new())
        .unwrap()
        .id;
    let seen = Flags::new().with(SystemFlag::Seen);
    for n in 1..=6 {
        let flags = if n % 2 == 0 {
            seen.clone()
        } else {
            Flags::new()
        };
        account
            .append_bytes(work, &message(n), &AppendOptions::new(flags, None))
            .unwrap();
    }
    let three: UidSet = "3".parse().unwrap();
    account.remove(work, &three).unwrap();
    let Some(root) = backend.root() else {
        return (backend, work);
    };
    let cur = root.join(".Work/cur");
    let four = std::fs::read_dir(&cur)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap() == message(4))
        .unwrap();
    let renamed = four.to_str().unwrap().replace(":2,S", ":2,FS");
    assert_ne!(four.to_str().unwrap(), renamed);
    std::fs::rename(&four, renamed).unwrap();
    (backend, work)
}

fn sections() -> Vec<(Section, Option<(u64, u64)>)> {
    let one = NonZeroU32::MIN;
    let two = NonZeroU32::new(2).unwrap();
    vec![
        (Section::full(), None),
        (Section::full(), Some((10, 20))),
        ("TEXT".parse().unwrap(), None),
        ("HEADER.FIELDS (Subject)".parse().unwrap(), None),
        (Section::new(vec![two], None).unwrap(), Some((0, 6))),
        (Section::new(vec![one], None).unwrap(), None),
        ("5".parse().unwrap(), None),
    ]
}

fn collect(
    reader: &dyn MessageReader,
    mailbox: MailboxId,
    uids: &UidSet,
    section: &Section,
    partial: Option<(u64, u64)>,
) -> Result<Vec<(u32, Vec<u8>)>> {
    let mut out = Vec::new();
    reader.read_each(mailbox, uids, section, partial, &mut |uid, data| {
        let len = data.len();
        let bytes = data.into_vec().unwrap();
        assert_eq!(bytes.len() as u64, len);
        out.push((uid.get(), bytes));
        Ok(())
    })?;
    Ok(out)
}

fn read_each_gives_what_read_gives<B: Backend>() {
    let (backend, work) = mailbox::<B>();
    let account = backend.account();
    // First, while the index still names the old file of message 4.
    let all = collect(account, work, &UidSet::all(), &Section::full(), None).unwrap();
    let uids: Vec<u32> = all.iter().map(|(uid, _)| *uid).collect();
    assert_eq!(uids, [1, 2, 4, 5, 6], "3 is expunged");
    assert_eq!(all[2].1, message(4), "the renamed file is found");
    assert_eq!(all[4].1, message(6));

    for uids in ["1:*", "2,4:5", "3", "5:4000"] {
        let uids: UidSet = uids.parse().unwrap();
        for (section, partial) in sections() {
            let expected: Vec<(u32, Vec<u8>)> = account
                .uids(work)
                .unwrap()
                .into_iter()
                .filter(|uid| uids.contains(*uid))
                .map(|uid| {
                    let data = account.read(work, uid, &section, partial).unwrap();
                    (uid.get(), data.into_vec().unwrap())
                })
                .collect();
            let got = collect(account, work, &uids, &section, partial).unwrap();
            assert_eq!(got, expected, "{uids:?} {section:?} {partial:?}");
            let default = collect(&OneByOne(account), work, &uids, &section, partial).unwrap();
            assert_eq!(default, expected, "default impl, {uids:?} {section:?}");
        }
    }
}

fn read_each_errors<B: Backend>() {
    let (backend, work) = mailbox::<B>();
    let account = backend.account();
    // The callback's error stops the walk.
    let mut calls = 0;
    let err = account
        .read_each(work, &UidSet::all(), &Section::full(), None, &mut |_, _| {
            calls += 1;
            Err(StoreError::MessageNotFound)
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::MessageNotFound));
    assert_eq!(calls, 1);
    // A mailbox that is gone.
    let name = MailboxName::try_from("Gone").unwrap();
    let gone = account
        .create_mailbox(&name, SpecialUses::new())
        .unwrap()
        .id;
    account.delete_mailbox(&name).unwrap();
    let err = account
        .read_each(gone, &UidSet::all(), &Section::full(), None, &mut |_, _| {
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::MailboxNotFound));
    assert!(matches!(
        account.read(gone, Uid::MIN, &Section::full(), None),
        Err(StoreError::MailboxNotFound)
    ));
    assert!(matches!(
        account.read(work, Uid::new(3).unwrap(), &Section::full(), None),
        Err(StoreError::MessageNotFound)
    ));
}

#[test]
fn reads_after_a_listing_follow_changes() {
    let (backend, work) = mailbox::<Maildir>();
    let account = backend.account();
    let root = backend.root().unwrap();
    let full = Section::full();
    let read = |uid: u32| {
        account
            .read(work, Uid::new(uid).unwrap(), &full, None)
            .map(|d| d.into_vec().unwrap())
    };
    let list = || {
        account
            .fetch(work, &UidSet::all(), FetchOptions::meta())
            .unwrap()
            .len()
    };
    let listed = |uid: u32, partial: Option<(u64, u64)>| {
        account
            .read_listed(work, Uid::new(uid).unwrap(), partial)
            .map(|d| d.unwrap().into_vec().unwrap())
    };
    assert_eq!(listed(1, None), None, "nothing listed yet");
    assert_eq!(list(), 5);
    assert_eq!(listed(1, None), Some(message(1)));
    assert_eq!(listed(5, Some((6, 7))), Some(message(5)[6..13].to_vec()));
    // The file of 4 was renamed by another program before the listing; the index
    // still names the old file, so this read finds it through the folder scan.
    assert_eq!(read(4).unwrap(), message(4));
    assert_eq!(list(), 5);
    for n in [1, 2, 4, 5, 6] {
        assert_eq!(read(n).unwrap(), message(n as usize));
    }
    assert_eq!(read(4).unwrap(), message(4), "read twice");
    // After the listing: flags renamed by us, one removed by us.
    let seen = Flags::new().with(SystemFlag::Seen);
    account
        .store_flags(work, &"1".parse().unwrap(), FlagOp::Add, &seen, None)
        .unwrap();
    account.remove(work, &"2".parse().unwrap()).unwrap();
    assert_eq!(read(1).unwrap(), message(1));
    assert!(matches!(read(2), Err(StoreError::MessageNotFound)));
    // After another listing: renamed and deleted by another program.
    assert_eq!(list(), 4);
    let folder = root.join(".Work");
    let file_of = |n: usize| {
        ["cur", "new"]
            .iter()
            .flat_map(|sub| std::fs::read_dir(folder.join(sub)).unwrap())
            .map(|e| e.unwrap().path())
            .find(|p| std::fs::read(p).unwrap() == message(n))
            .unwrap()
    };
    let five = file_of(5);
    let moved = folder.join("cur").join(format!(
        "{}:2,T",
        five.file_name().unwrap().to_str().unwrap()
    ));
    std::fs::rename(&five, &moved).unwrap();
    std::fs::remove_file(file_of(6)).unwrap();
    assert_eq!(listed(5, None), None, "renamed since the listing");
    assert_eq!(listed(6, None), None, "removed since the listing");
    assert_eq!(read(5).unwrap(), message(5));
    assert!(matches!(read(6), Err(StoreError::MessageNotFound)));
    // After a listing, the mailbox is renamed and a new one takes its name.
    assert_eq!(list(), 3);
    let (old, new) = (
        MailboxName::try_from("Work").unwrap(),
        MailboxName::try_from("Done").unwrap(),
    );
    account.rename_mailbox(&old, &new).unwrap();
    let other = account.create_mailbox(&old, SpecialUses::new()).unwrap().id;
    account
        .append_bytes(other, &message(100), &AppendOptions::default())
        .unwrap();
    assert_eq!(read(1).unwrap(), message(1));
    assert_eq!(read(4).unwrap(), message(4));
    // Moved to another mailbox after the listing.
    assert_eq!(list(), 3);
    account
        .move_messages(work, &"5".parse().unwrap(), other)
        .unwrap();
    assert!(matches!(read(5), Err(StoreError::MessageNotFound)));
    assert_eq!(
        account
            .read(other, Uid::new(2).unwrap(), &full, None)
            .unwrap()
            .into_vec()
            .unwrap(),
        message(5)
    );
}

/// Reads after our own changes: flags changed, a message removed, the mailbox
/// renamed and another one created under its old name, a message moved away.
fn reads_follow_our_changes<B: Backend>() {
    let (backend, work) = mailbox::<B>();
    let account = backend.account();
    let full = Section::full();
    let read = |mailbox: MailboxId, uid: u32| {
        account
            .read(mailbox, Uid::new(uid).unwrap(), &full, None)
            .map(|d| d.into_vec().unwrap())
    };
    account
        .fetch(work, &UidSet::all(), FetchOptions::meta())
        .unwrap();
    // After a listing, the whole message is there at once (the trait's fast path).
    let listed = |uid: u32, partial| {
        account
            .read_listed(work, Uid::new(uid).unwrap(), partial)
            .map(|d| d.unwrap().into_vec().unwrap())
    };
    assert_eq!(listed(1, None), Some(message(1)));
    assert_eq!(listed(2, Some((6, 7))), Some(message(2)[6..13].to_vec()));
    assert_eq!(listed(3, None), None, "expunged");
    let seen = Flags::new().with(SystemFlag::Seen);
    account
        .store_flags(work, &"1".parse().unwrap(), FlagOp::Add, &seen, None)
        .unwrap();
    account.remove(work, &"2".parse().unwrap()).unwrap();
    assert_eq!(listed(2, None), None, "removed since the listing");
    assert_eq!(read(work, 1).unwrap(), message(1));
    assert!(matches!(read(work, 2), Err(StoreError::MessageNotFound)));
    assert_eq!(read(work, 4).unwrap(), message(4));
    let (old, new) = (
        MailboxName::try_from("Work").unwrap(),
        MailboxName::try_from("Done").unwrap(),
    );
    account.rename_mailbox(&old, &new).unwrap();
    let other = account.create_mailbox(&old, SpecialUses::new()).unwrap().id;
    account
        .append_bytes(other, &message(100), &AppendOptions::default())
        .unwrap();
    assert_eq!(read(work, 1).unwrap(), message(1));
    assert_eq!(read(other, 1).unwrap(), message(100));
    account
        .move_messages(work, &"5".parse().unwrap(), other)
        .unwrap();
    assert!(matches!(read(work, 5), Err(StoreError::MessageNotFound)));
    assert_eq!(read(other, 2).unwrap(), message(5));
    let text = "TEXT".parse().unwrap();
    let mut seen_uids = Vec::new();
    account
        .read_each(
            other,
            &UidSet::all(),
            &text,
            Some((2, 4)),
            &mut |uid, data| {
                seen_uids.push((uid.get(), data.into_vec().unwrap()));
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(
        seen_uids,
        [(1, b"b\r\nC".to_vec()), (2, b"b\r\nC".to_vec())]
    );
}

/// A reader that keeps the trait's default `read_each` (one `read` per message).
struct OneByOne<'a, R>(&'a R);

impl<R: MessageReader> MessageReader for OneByOne<'_, R> {
    fn uids(&self, mailbox: MailboxId) -> Result<Vec<Uid>> {
        self.0.uids(mailbox)
    }

    fn fetch(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        options: FetchOptions,
    ) -> Result<Vec<MessageMeta>> {
        self.0.fetch(mailbox, uids, options)
    }

    fn read(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<(u64, u64)>,
    ) -> Result<MessageData> {
        self.0.read(mailbox, uid, section, partial)
    }

    fn read_binary(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        part: &[NonZeroU32],
        partial: Option<(u64, u64)>,
    ) -> Result<Option<MessageData>> {
        self.0.read_binary(mailbox, uid, part, partial)
    }

    fn changes_since(&self, mailbox: MailboxId, since: ModSeq) -> Result<Changes> {
        self.0.changes_since(mailbox, since)
    }
}

/// `HEADER` and `HEADER.FIELDS[.NOT]` of the message itself, byte for byte as stored,
/// through `read` and `read_each`, with partials, a header over 64 KiB too. In the
/// Maildir they come from the header block kept in the index (no file opened: they are
/// still served after the file is removed behind the store's back); a header longer
/// than the kept block is read from the file.
fn root_header_sections<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap().id;
    let folded = b"Received: from a\r\n\tby b\r\nsubject: Folded\r\n two lines\r\n\
        From: a@example.org\r\nX-Other: 1\r\n\r\nbody\r\n"
        .to_vec();
    let headless_body = b"Subject: no body\r\nFrom: b@example.org\r\n".to_vec();
    let mut long = b"Subject: long header\r\n".to_vec();
    for n in 0..80 {
        long.extend_from_slice(format!("X-Filler-{n}: {}\r\n", "x".repeat(1000)).as_bytes());
    }
    long.extend_from_slice(b"From: c@example.org\r\n\r\nbody\r\n");
    for message in [&folded, &headless_body, &long] {
        account
            .append_bytes(inbox, message, &AppendOptions::default())
            .unwrap();
    }
    let read = |uid: u32, section: &str, partial: Option<(u64, u64)>| {
        let section: Section = section.parse().unwrap();
        let uid = Uid::new(uid).unwrap();
        account.read(inbox, uid, &section, partial).and_then(|d| {
            d.into_vec().map_err(|e| StoreError::Io {
                op: "test",
                source: e,
            })
        })
    };
    let fields = "HEADER.FIELDS (Subject FROM)";
    let not = "HEADER.FIELDS.NOT (Received X-Other)";
    assert_eq!(
        read(1, "HEADER", None).unwrap(),
        &folded[..folded.len() - 6]
    );
    assert_eq!(
        read(1, fields, None).unwrap(),
        b"subject: Folded\r\n two lines\r\nFrom: a@example.org\r\n\r\n"
    );
    assert_eq!(
        read(1, not, None).unwrap(),
        b"subject: Folded\r\n two lines\r\nFrom: a@example.org\r\n\r\n"
    );
    assert_eq!(read(1, fields, Some((9, 6))).unwrap(), b"Folded");
    assert_eq!(read(1, "HEADER", Some((0, 8))).unwrap(), b"Received");
    assert_eq!(read(2, "HEADER", None).unwrap(), headless_body);
    assert_eq!(
        read(2, fields, None).unwrap(),
        b"Subject: no body\r\nFrom: b@example.org\r\n\r\n"
    );
    let long_header = &long[..long.len() - 6];
    assert!(long_header.len() > 64 * 1024);
    assert_eq!(read(3, "HEADER", None).unwrap(), long_header);
    assert_eq!(
        read(3, fields, None).unwrap(),
        b"Subject: long header\r\nFrom: c@example.org\r\n\r\n"
    );

    // read_each gives what read gives, for every header section and partial.
    for section in ["HEADER", fields, not] {
        for partial in [None, Some((3, 10)), Some((100_000, 5))] {
            let parsed: Section = section.parse().unwrap();
            let got = collect(account, inbox, &UidSet::all(), &parsed, partial).unwrap();
            let expected: Vec<(u32, Vec<u8>)> = (1..=3)
                .map(|uid| (uid, read(uid, section, partial).unwrap()))
                .collect();
            assert_eq!(got, expected, "{section} {partial:?}");
        }
    }

    // Remove the files behind the store's back: the kept headers are still served,
    // the long one (cut in the index) needed its file.
    let Some(root) = backend.root() else {
        return;
    };
    for folder in ["new", "cur"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
    }
    assert_eq!(
        read(1, fields, None).unwrap(),
        b"subject: Folded\r\n two lines\r\nFrom: a@example.org\r\n\r\n"
    );
    let only_kept = collect(
        account,
        inbox,
        &"1:2".parse().unwrap(),
        &fields.parse().unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(only_kept.len(), 2);
    assert!(read(3, "HEADER", None).unwrap_err().is_not_found());
}
