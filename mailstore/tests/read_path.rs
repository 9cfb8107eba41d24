//! The read path: `MessageReader::read_each` (one index query for many messages)
//! against `MessageReader::read` one message at a time and against the trait's default
//! implementation, on a mailbox where another program renamed a file and a message
//! was expunged; `read` right after a listing (which remembers the files) when files
//! were renamed, expunged or moved since, by us or by another program, and
//! `Account::read_listed`, which answers only while the listed file is there; and the
//! message's own `HEADER` / `HEADER.FIELDS` served from the header block the index
//! keeps, without the file.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use std::num::NonZeroU32;

use mailstore::store::{MailboxStore, MessageReader, MessageStore};
use mailstore::{
    Account, AppendOptions, Changes, FetchOptions, FlagOp, Flags, MailboxId, MailboxName,
    MessageData, MessageMeta, ModSeq, Options, Result, Section, SpecialUses, StoreError,
    SystemFlag, Uid, UidSet,
};

/// A multipart message with a distinct subject.
fn message(n: usize) -> Vec<u8> {
    format!(
        "From: a@example.org\r\nSubject: message {n}\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
         text of {n}\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond {n}\r\n--b--\r\n"
    )
    .into_bytes()
}

/// A "Work" mailbox with 6 messages (UIDs 1-6): 3 expunged, the file of 4 renamed by
/// another program (mutt setting \Flagged), the others new or seen.
fn mailbox() -> (tempfile::TempDir, Account, MailboxId) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("acct");
    let account = Account::open(&root, &Options::new()).unwrap();
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
    let cur = root.join(".Work/cur");
    let four = std::fs::read_dir(&cur)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| std::fs::read(p).unwrap() == message(4))
        .unwrap();
    let renamed = four.to_str().unwrap().replace(":2,S", ":2,FS");
    assert_ne!(four.to_str().unwrap(), renamed);
    std::fs::rename(&four, renamed).unwrap();
    (dir, account, work)
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

#[test]
fn read_each_gives_what_read_gives() {
    let (_dir, account, work) = mailbox();
    // First, while the index still names the old file of message 4.
    let all = collect(&account, work, &UidSet::all(), &Section::full(), None).unwrap();
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
            let got = collect(&account, work, &uids, &section, partial).unwrap();
            assert_eq!(got, expected, "{uids:?} {section:?} {partial:?}");
            let default = collect(&OneByOne(&account), work, &uids, &section, partial).unwrap();
            assert_eq!(default, expected, "default impl, {uids:?} {section:?}");
        }
    }
}

#[test]
fn read_each_errors() {
    let (_dir, account, work) = mailbox();
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
    let (dir, account, work) = mailbox();
    let root = dir.path().join("acct");
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

/// A reader that keeps the trait's default `read_each` (one `read` per message).
struct OneByOne<'a>(&'a Account);

impl MessageReader for OneByOne<'_> {
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

/// `HEADER` and `HEADER.FIELDS[.NOT]` of the message itself come from the header block
/// kept in the index (no file opened: they are still served after the file is removed
/// behind the store's back), byte for byte as in the file, through `read` and
/// `read_each`, with partials; a header longer than the kept block is read from the file.
#[test]
fn root_header_sections_come_from_the_kept_header() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("acct");
    let account = Account::open(&root, &Options::new()).unwrap();
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
            let got = collect(&account, inbox, &UidSet::all(), &parsed, partial).unwrap();
            let expected: Vec<(u32, Vec<u8>)> = (1..=3)
                .map(|uid| (uid, read(uid, section, partial).unwrap()))
                .collect();
            assert_eq!(got, expected, "{section} {partial:?}");
        }
    }

    // Remove the files behind the store's back: the kept headers are still served,
    // the long one (cut in the index) needed its file.
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
        &account,
        inbox,
        &"1:2".parse().unwrap(),
        &fields.parse().unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(only_kept.len(), 2);
    assert!(read(3, "HEADER", None).unwrap_err().is_not_found());
}
