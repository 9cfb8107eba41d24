//! The store API end to end, on both backends (see `common/mod.rs`): a real Maildir +
//! index in a temporary directory, and the in-memory store.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

#[macro_use]
mod common;

use mailwright_store::store::{
    AccountProvider, ChangeNotifier, MailboxStore, MessageReader, MessageStore, QuotaStore,
    SearchStore,
};
use mailwright_store::{
    Account, AppendOptions, Date, FetchOptions, FlagOp, Flags, InternalDate, Keyword, MailboxName,
    ModSeq, Options, Quota, SearchKey, Section, SortCriterion, SortKey, SpecialUse, SpecialUses,
    StoreError, SystemFlag, Uid, UidSet,
};

use common::{Backend, Setup, name, read_all};

backend_tests!(
    append_fetch_and_read_byte_exact,
    flags_modseq_and_unchangedsince,
    copy_move_expunge_and_vanished,
    mailbox_hierarchy,
    search_and_sort,
    sections_of_a_multipart_and_binary,
    quota_is_enforced_with_typed_errors,
    notifications_in_process,
);

fn msg(subject: &str, body: &str) -> Vec<u8> {
    format!("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: {subject}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n{body}\r\n").into_bytes()
}

fn append_fetch_and_read_byte_exact<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let raw = msg("hello", "first body");
    let date = InternalDate::new(1_700_000_000, 60);
    let a = account
        .append(
            inbox.id,
            &mut raw.as_slice(),
            &AppendOptions::new(Flags::new().with(SystemFlag::Seen), Some(date)),
        )
        .unwrap();
    let b = account
        .append_bytes(inbox.id, &msg("second", "x"), &AppendOptions::default())
        .unwrap();
    assert_eq!(a.uid.get(), 1);
    assert_eq!(b.uid.get(), 2);
    assert!(b.modseq > a.modseq);
    assert_eq!(a.uid_validity, inbox.uid_validity);

    let metas = account
        .fetch(
            inbox.id,
            &UidSet::all(),
            FetchOptions::meta().with_envelope().with_body_structure(),
        )
        .unwrap();
    assert_eq!(metas.len(), 2);
    assert_eq!(metas[0].internal_date, date);
    assert_eq!(metas[0].size, raw.len() as u64);
    assert!(metas[0].flags.has(SystemFlag::Seen));
    assert_eq!(
        metas[0].envelope.as_ref().unwrap().subject.as_deref(),
        Some(&b"hello"[..])
    );
    assert_eq!(metas[0].body_structure.as_ref().unwrap().media_type, "text");
    assert_ne!(metas[0].stable_id, metas[1].stable_id);

    assert_eq!(read_all(account, inbox.id, a.uid, ""), raw);
    assert_eq!(
        read_all(account, inbox.id, a.uid, "TEXT"),
        b"first body\r\n"
    );
    assert_eq!(
        read_all(account, inbox.id, a.uid, "HEADER.FIELDS (subject)"),
        b"Subject: hello\r\n\r\n"
    );
    let partial = account
        .read(inbox.id, a.uid, &Section::full(), Some((6, 5)))
        .unwrap()
        .into_vec()
        .unwrap();
    assert_eq!(partial, &raw[6..11]);
    assert!(matches!(
        account.read(inbox.id, Uid::new(99).unwrap(), &Section::full(), None),
        Err(StoreError::MessageNotFound)
    ));

    let status = account.status(inbox.id).unwrap();
    assert_eq!(
        (status.messages, status.unseen, status.uid_next.get()),
        (2, 1, 3)
    );
    assert_eq!(status.first_unseen, Some(b.uid));
    assert_eq!(account.claim_recent(inbox.id).unwrap().len(), 2);
    assert_eq!(account.claim_recent(inbox.id).unwrap().len(), 0);
    assert_eq!(account.uids(inbox.id).unwrap(), vec![a.uid, b.uid]);
}

fn flags_modseq_and_unchangedsince<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let uids: Vec<Uid> = (0..3)
        .map(|i| {
            account
                .append_bytes(
                    inbox.id,
                    &msg(&format!("m{i}"), "b"),
                    &AppendOptions::default(),
                )
                .unwrap()
                .uid
        })
        .collect();
    let before = account
        .fetch(inbox.id, &UidSet::all(), FetchOptions::meta())
        .unwrap();
    let work = Flags::new()
        .with(Keyword::try_from("Work").unwrap())
        .with(SystemFlag::Flagged);
    let stored = account
        .store_flags(inbox.id, &UidSet::all(), FlagOp::Add, &work, None)
        .unwrap();
    assert_eq!(stored.updates.len(), 3);
    assert!(
        stored
            .updates
            .iter()
            .all(|u| u.changed && u.flags.has_keyword("work"))
    );
    let modseq = stored.updates[0].modseq;
    assert!(modseq > before[2].modseq);

    // Setting what is set changes nothing and keeps the MODSEQ.
    let again = account
        .store_flags(inbox.id, &uids[0].into(), FlagOp::Add, &work, None)
        .unwrap();
    assert!(!again.updates[0].changed);
    assert_eq!(again.updates[0].modseq, modseq);

    // UNCHANGEDSINCE: message 1 changes, then a store conditional on the old MODSEQ
    // leaves it alone and reports it as MODIFIED.
    account
        .store_flags(
            inbox.id,
            &uids[0].into(),
            FlagOp::Add,
            &Flags::new().with(SystemFlag::Seen),
            None,
        )
        .unwrap();
    let cond = account
        .store_flags(
            inbox.id,
            &UidSet::all(),
            FlagOp::Remove,
            &work,
            Some(modseq),
        )
        .unwrap();
    assert_eq!(cond.modified, UidSet::from(uids[0]));
    assert_eq!(cond.updates.len(), 2);

    let changes = account.changes_since(inbox.id, modseq).unwrap();
    assert_eq!(
        changes.changed.iter().map(|m| m.uid).collect::<Vec<_>>(),
        uids
    );
    assert!(changes.vanished.is_empty());

    let now = account
        .fetch(inbox.id, &uids[0].into(), FetchOptions::meta())
        .unwrap();
    assert_eq!(now[0].flags.to_string(), "\\Seen \\Flagged Work");
    // The Maildir file name carries the system flags.
    if let Some(root) = backend.root() {
        let cur: Vec<String> = std::fs::read_dir(root.join("cur"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(cur.iter().any(|n| n.ends_with(":2,FS")), "{cur:?}");
    }
}

fn copy_move_expunge_and_vanished<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let archive = account
        .create_mailbox(&name("Archive"), SpecialUses::from(SpecialUse::Archive))
        .unwrap();
    let uids: Vec<Uid> = (0..4)
        .map(|i| {
            account
                .append_bytes(
                    inbox.id,
                    &msg(&format!("m{i}"), "b"),
                    &AppendOptions::default(),
                )
                .unwrap()
                .uid
        })
        .collect();
    let copied = account
        .copy(inbox.id, &"1:2".parse().unwrap(), archive.id)
        .unwrap();
    assert_eq!(
        copied.uids,
        vec![
            (uids[0], Uid::new(1).unwrap()),
            (uids[1], Uid::new(2).unwrap())
        ]
    );
    assert_eq!(copied.uid_validity, archive.uid_validity);
    assert!(copied.expunged.is_none());
    assert_eq!(
        read_all(account, archive.id, Uid::new(2).unwrap(), ""),
        msg("m1", "b")
    );

    let before = account.status(inbox.id).unwrap().highest_modseq;
    let moved = account
        .move_messages(inbox.id, &uids[3].into(), archive.id)
        .unwrap();
    assert_eq!(moved.uids, vec![(uids[3], Uid::new(3).unwrap())]);
    let expunged = moved.expunged.unwrap();
    assert_eq!(expunged.uids, vec![uids[3]]);
    assert_eq!(
        read_all(account, archive.id, Uid::new(3).unwrap(), "TEXT"),
        b"b\r\n"
    );

    account
        .store_flags(
            inbox.id,
            &uids[1].into(),
            FlagOp::Add,
            &Flags::new().with(SystemFlag::Deleted),
            None,
        )
        .unwrap();
    // UID EXPUNGE outside the set does nothing; EXPUNGE removes only \Deleted.
    assert!(
        account
            .expunge(inbox.id, Some(&uids[0].into()))
            .unwrap()
            .uids
            .is_empty()
    );
    let gone = account.expunge(inbox.id, None).unwrap();
    assert_eq!(gone.uids, vec![uids[1]]);
    let removed = account.remove(inbox.id, &uids[0].into()).unwrap();
    assert_eq!(removed.uids, vec![uids[0]]);

    let changes = account.changes_since(inbox.id, before).unwrap();
    assert_eq!(
        changes.vanished,
        [uids[0], uids[1], uids[3]].into_iter().collect()
    );
    assert_eq!(account.uids(inbox.id).unwrap(), vec![uids[2]]);
    // The copy's content survives the original's expunge.
    assert_eq!(
        read_all(
            account,
            archive.id,
            Uid::new(1).unwrap(),
            "HEADER.FIELDS (SUBJECT)"
        ),
        b"Subject: m0\r\n\r\n"
    );
    assert_eq!(account.quota().unwrap().messages, 4);
}

fn mailbox_hierarchy<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let deep = account
        .create_mailbox(&name("Work.Projects.2024"), SpecialUses::new())
        .unwrap();
    let names: Vec<String> = account
        .list_mailboxes()
        .unwrap()
        .iter()
        .map(|m| m.name.to_string())
        .collect();
    assert_eq!(
        names,
        ["INBOX", "Work", "Work.Projects", "Work.Projects.2024"]
    );
    assert!(matches!(
        account.create_mailbox(&name("Work"), SpecialUses::new()),
        Err(StoreError::MailboxExists)
    ));
    assert!(matches!(
        account.delete_mailbox(&name("Work")),
        Err(StoreError::MailboxHasChildren)
    ));
    assert!(matches!(
        account.delete_mailbox(&MailboxName::inbox()),
        Err(StoreError::InboxNotAllowed)
    ));
    account
        .append_bytes(deep.id, &msg("deep", "d"), &AppendOptions::default())
        .unwrap();

    account
        .rename_mailbox(&name("Work"), &name("Old.Work"))
        .unwrap();
    let names: Vec<String> = account
        .list_mailboxes()
        .unwrap()
        .iter()
        .map(|m| m.name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "INBOX",
            "Old",
            "Old.Work",
            "Old.Work.Projects",
            "Old.Work.Projects.2024"
        ]
    );
    let renamed = account.mailbox(&name("Old.Work.Projects.2024")).unwrap();
    assert_eq!(renamed.id, deep.id);
    assert_eq!(renamed.uid_validity, deep.uid_validity);
    if let Some(root) = backend.root() {
        assert!(root.join(".Old.Work.Projects.2024/cur").is_dir());
    }
    assert_eq!(read_all(account, deep.id, Uid::MIN, "TEXT"), b"d\r\n");
    assert!(matches!(
        account.rename_mailbox(&name("Old"), &name("Old.X")),
        Err(StoreError::RenameIntoSelf)
    ));

    account.set_subscribed(&name("Old"), true).unwrap();
    account
        .set_special_use(&name("Old"), SpecialUses::from(SpecialUse::Archive))
        .unwrap();
    let old = account.mailbox(&name("Old")).unwrap();
    assert!(old.subscribed && old.has_children && old.special_use.contains(SpecialUse::Archive));

    account
        .delete_mailbox(&name("Old.Work.Projects.2024"))
        .unwrap();
    if let Some(root) = backend.root() {
        assert!(!root.join(".Old.Work.Projects.2024").exists());
    }
    let recreated = account
        .create_mailbox(&name("Old.Work.Projects.2024"), SpecialUses::new())
        .unwrap();
    assert!(recreated.uid_validity > deep.uid_validity);
    assert_eq!(account.quota().unwrap().messages, 0);

    // Renaming INBOX moves its messages and keeps INBOX.
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    account
        .append_bytes(inbox.id, &msg("i", "i"), &AppendOptions::default())
        .unwrap();
    account
        .rename_mailbox(&MailboxName::inbox(), &name("Saved"))
        .unwrap();
    assert_eq!(account.status(inbox.id).unwrap().messages, 0);
    assert_eq!(
        account
            .status(account.mailbox(&name("Saved")).unwrap().id)
            .unwrap()
            .messages,
        1
    );

    let unicode = account
        .create_mailbox(&name("Entwürfe"), SpecialUses::new())
        .unwrap();
    if let Some(root) = backend.root() {
        assert!(root.join(".Entw&APw-rfe/cur").is_dir());
    }
    assert_eq!(unicode.name.as_str(), "Entwürfe");
}

fn search_and_sort<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let mails = [
        (
            "From: Zed <zed@example.org>\r\nSubject: Re: Budget\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\nX-Tag: urgent\r\n\r\nThe budget meeting is moved.\r\n",
            1_704_200_000,
        ),
        (
            "From: amy@example.org\r\nCc: boss@example.org\r\nSubject: agenda\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nLunch at noon, then planning.\r\n",
            1_704_100_000,
        ),
        (
            "From: =?utf-8?q?J=C3=B6rg?= <j@example.de>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nViele Gr=C3=BC=C3=9Fe aus K=C3=B6ln\r\n",
            1_704_300_000,
        ),
    ];
    let uids: Vec<Uid> = mails
        .iter()
        .map(|(m, t)| {
            account
                .append_bytes(
                    inbox.id,
                    m.as_bytes(),
                    &AppendOptions::new(Flags::new(), Some(InternalDate::new(*t, 0))),
                )
                .unwrap()
                .uid
        })
        .collect();
    account
        .store_flags(
            inbox.id,
            &uids[1].into(),
            FlagOp::Add,
            &Flags::new().with(SystemFlag::Seen),
            None,
        )
        .unwrap();
    let search = |key: SearchKey| account.search(inbox.id, &key).unwrap();
    assert_eq!(search(SearchKey::All), uids);
    assert_eq!(
        search(SearchKey::Text("budget meeting".into())),
        vec![uids[0]]
    );
    assert_eq!(search(SearchKey::Body("plan".into())), vec![uids[1]]);
    assert_eq!(
        search(SearchKey::Text("koln".into())),
        vec![uids[2]],
        "diacritics folded"
    );
    assert_eq!(search(SearchKey::Subject("grüße".into())), vec![uids[2]]);
    assert_eq!(search(SearchKey::From("JÖRG".into())), vec![uids[2]]);
    assert_eq!(search(SearchKey::Cc("boss".into())), vec![uids[1]]);
    assert_eq!(
        search(SearchKey::Header("x-tag".into(), "URG".into())),
        vec![uids[0]]
    );
    assert_eq!(
        search(SearchKey::Header("x-tag".into(), String::new())),
        vec![uids[0]]
    );
    assert_eq!(
        search(!SearchKey::Flag(SystemFlag::Seen)),
        vec![uids[0], uids[2]]
    );
    assert_eq!(
        search(SearchKey::SentOn(Date::new(2024, 1, 1).unwrap())),
        vec![uids[1]]
    );
    assert_eq!(
        search(SearchKey::Since(Date::new(2024, 1, 2).unwrap())),
        vec![uids[0], uids[2]]
    );
    assert_eq!(
        search(SearchKey::Before(Date::new(2024, 1, 2).unwrap())),
        vec![uids[1]]
    );
    assert_eq!(
        search(SearchKey::Larger(170).or(SearchKey::Uid(uids[0].into()))),
        vec![uids[0], uids[2]]
    );
    let modseq = account
        .fetch(inbox.id, &uids[1].into(), FetchOptions::meta())
        .unwrap()[0]
        .modseq;
    assert_eq!(search(SearchKey::ModSeq(modseq)), vec![uids[1]]);
    assert_eq!(search(SearchKey::ModSeq(ModSeq::new(u64::MAX))), vec![]);

    let sort = |keys: &[SortCriterion]| account.sort(inbox.id, keys, &SearchKey::All).unwrap();
    assert_eq!(
        sort(&[SortCriterion::new(SortKey::Subject)]),
        vec![uids[1], uids[0], uids[2]]
    );
    assert_eq!(
        sort(&[SortCriterion::new(SortKey::Date)]),
        vec![uids[1], uids[0], uids[2]]
    );
    assert_eq!(
        sort(&[SortCriterion::reverse(SortKey::Arrival)]),
        vec![uids[2], uids[0], uids[1]]
    );
    assert_eq!(
        sort(&[SortCriterion::new(SortKey::From)]),
        vec![uids[1], uids[2], uids[0]]
    );
}

fn sections_of_a_multipart_and_binary<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let raw = b"Subject: parts\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--XX--\r\n";
    let uid = account
        .append_bytes(inbox.id, raw, &AppendOptions::default())
        .unwrap()
        .uid;
    assert_eq!(read_all(account, inbox.id, uid, "1"), b"hello");
    assert_eq!(read_all(account, inbox.id, uid, "2"), b"AAECAwQ=");
    assert_eq!(
        read_all(account, inbox.id, uid, "2.MIME"),
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    );
    let part = [std::num::NonZeroU32::new(2).unwrap()];
    let binary = account
        .read_binary(inbox.id, uid, &part, None)
        .unwrap()
        .unwrap()
        .into_vec()
        .unwrap();
    assert_eq!(binary, [0, 1, 2, 3, 4]);
    let partial = account
        .read_binary(inbox.id, uid, &part, Some((1, 2)))
        .unwrap()
        .unwrap()
        .into_vec()
        .unwrap();
    assert_eq!(partial, [1, 2]);
}

fn quota_is_enforced_with_typed_errors<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    account
        .set_quota(
            Quota::unlimited()
                .with_max_messages(2)
                .with_max_bytes(10_000),
        )
        .unwrap();
    account
        .append_bytes(inbox.id, &msg("a", "a"), &AppendOptions::default())
        .unwrap();
    account
        .append_bytes(inbox.id, &msg("b", "b"), &AppendOptions::default())
        .unwrap();
    let err = account
        .append_bytes(inbox.id, &msg("c", "c"), &AppendOptions::default())
        .unwrap_err();
    assert!(err.is_quota() && !err.is_temporary());
    assert_eq!(err.imap_code(), "OVERQUOTA");
    let other = account
        .create_mailbox(&name("Other"), SpecialUses::new())
        .unwrap();
    assert!(
        account
            .copy(inbox.id, &UidSet::all(), other.id)
            .unwrap_err()
            .is_quota()
    );
    account
        .set_quota(Quota::unlimited().with_max_bytes(10))
        .unwrap();
    assert!(matches!(
        account.append_bytes(inbox.id, &msg("d", "d"), &AppendOptions::default()),
        Err(StoreError::QuotaExceeded {
            resource: mailwright_store::QuotaResource::Storage,
            ..
        })
    ));
    let usage = account.quota().unwrap();
    assert_eq!(usage.messages, 2);
    // Nothing of the refused messages stays on disk.
    if let Some(root) = backend.root() {
        assert_eq!(std::fs::read_dir(root.join("new")).unwrap().count(), 2);
        assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    }
    // A lower quota than the usage refuses even an empty copy, and no delivery
    // happens; raising it again lets mail in.
    account
        .set_quota(Quota::unlimited().with_max_messages(1))
        .unwrap();
    assert!(
        account
            .copy(inbox.id, &UidSet::new(), other.id)
            .unwrap_err()
            .is_quota()
    );
    assert!(
        account
            .move_messages(inbox.id, &UidSet::all(), other.id)
            .is_ok(),
        "a move adds nothing"
    );
    account
        .set_quota(Quota::unlimited().with_max_bytes(u64::MAX))
        .unwrap();
    assert_eq!(
        account.quota().unwrap().quota.max_bytes,
        Some(i64::MAX as u64)
    );
    account
        .append_bytes(inbox.id, &msg("e", "e"), &AppendOptions::default())
        .unwrap();
    assert_eq!(account.quota().unwrap().messages, 3);

    let limited = B::open_with(Setup {
        max_message_size: Some(100),
        ..Setup::default()
    });
    let account = limited.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let big = vec![b'x'; 101];
    assert!(matches!(
        account.append(inbox.id, &mut big.as_slice(), &AppendOptions::default()),
        Err(StoreError::MessageTooLarge { limit: 100 })
    ));
    assert!(matches!(
        account.append_bytes(inbox.id, &big, &AppendOptions::default()),
        Err(StoreError::MessageTooLarge { limit: 100 })
    ));
    let fits = &big[..100];
    assert_eq!(
        account
            .append(inbox.id, &mut &fits[..], &AppendOptions::default())
            .unwrap()
            .size,
        100
    );
    if let Some(root) = limited.root() {
        assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    }
}

fn notifications_in_process<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let mut sub = account.subscribe(inbox.id).unwrap();
    let start = sub.current();
    assert_eq!(start, account.status(inbox.id).unwrap().highest_modseq);
    let appended = account
        .append_bytes(inbox.id, &msg("n", "n"), &AppendOptions::default())
        .unwrap();
    assert!(sub.has_changed());
    assert_eq!(
        sub.wait_timeout(std::time::Duration::from_secs(1)),
        Some(appended.modseq)
    );
    assert!(appended.modseq > start);

    // Writes that change nothing wake nobody.
    account
        .store_flags(
            inbox.id,
            &appended.uid.into(),
            FlagOp::Remove,
            &Flags::new().with(SystemFlag::Seen),
            None,
        )
        .unwrap();
    account.expunge(inbox.id, None).unwrap();
    account.claim_recent(inbox.id).unwrap();
    assert!(!sub.has_changed());

    // Another session's handle on the account wakes this one (flags, then a copy in
    // and a move out, coalesced or not).
    let other = backend.provider().account(&B::name()).unwrap();
    let stored = other
        .store_flags(
            inbox.id,
            &appended.uid.into(),
            FlagOp::Add,
            &Flags::new().with(SystemFlag::Flagged),
            None,
        )
        .unwrap();
    let woke = sub.wait_timeout(std::time::Duration::from_secs(5));
    assert_eq!(woke, Some(stored.updates[0].modseq));
    let archive = other
        .create_mailbox(&name("Archive"), SpecialUses::new())
        .unwrap();
    let moved = other
        .move_messages(inbox.id, &UidSet::all(), archive.id)
        .unwrap();
    let woke = sub.wait_timeout(std::time::Duration::from_secs(5));
    assert_eq!(woke, Some(moved.expunged.unwrap().modseq));

    // Async: awaiting the next change made on another thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let writer = other;
    let next = rt.block_on(async move {
        let task = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            writer
                .append_bytes(inbox.id, &msg("a", "a"), &AppendOptions::default())
                .unwrap()
        });
        let modseq = tokio::time::timeout(std::time::Duration::from_secs(5), sub.changed())
            .await
            .unwrap()
            .unwrap();
        (modseq, task.join().unwrap())
    });
    assert_eq!(next.0, next.1.modseq);

    // A rename changes the mailbox's HIGHESTMODSEQ and wakes it; a deleted mailbox
    // wakes its subscribers for good.
    let mut archived = account.subscribe(archive.id).unwrap();
    let before = archived.current();
    account
        .rename_mailbox(&name("Archive"), &name("Old"))
        .unwrap();
    let renamed = archived
        .wait_timeout(std::time::Duration::from_secs(1))
        .unwrap();
    assert!(renamed > before);
    assert_eq!(renamed, account.status(archive.id).unwrap().highest_modseq);
    account.delete_mailbox(&name("Old")).unwrap();
    assert_eq!(
        archived.wait_timeout(std::time::Duration::from_secs(1)),
        Some(ModSeq::new(i64::MAX as u64))
    );
    assert!(matches!(
        account.subscribe(archive.id),
        Err(StoreError::MailboxNotFound)
    ));
}

/// The watcher notices writes by another process (a second `Account` on the files).
#[test]
fn notifications_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let account = Account::open(dir.path().join("acct"), &Options::new()).unwrap();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let appended = account
        .append_bytes(inbox.id, &msg("n", "n"), &AppendOptions::default())
        .unwrap();
    let mut sub = account.subscribe(inbox.id).unwrap();
    let mut options = Options::new();
    options.set_watch_interval(std::time::Duration::from_millis(20));
    let other = Account::open(dir.path().join("acct"), &options).unwrap();
    let other_inbox = other.mailbox(&MailboxName::inbox()).unwrap();
    assert_eq!(other_inbox.id, inbox.id);
    let stored = other
        .store_flags(
            inbox.id,
            &appended.uid.into(),
            FlagOp::Add,
            &Flags::new().with(SystemFlag::Flagged),
            None,
        )
        .unwrap();
    let woke = sub.wait_timeout(std::time::Duration::from_secs(5));
    assert_eq!(woke, Some(stored.updates[0].modseq));

    // Async: awaiting the next change.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let writer = other;
    let next = rt.block_on(async move {
        let task = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            writer.remove(inbox.id, &UidSet::all()).unwrap()
        });
        let modseq = tokio::time::timeout(std::time::Duration::from_secs(5), sub.changed())
            .await
            .unwrap()
            .unwrap();
        (modseq, task.join().unwrap())
    });
    assert_eq!(next.0, next.1.modseq);
}
