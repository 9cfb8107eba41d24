//! The edges of the store API, on both backends (see `common/mod.rs`): accounts
//! shared by name, calls on mailboxes and messages that are gone, copies and moves
//! within one mailbox, search keys at their limits.
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
    AppendOptions, Date, FetchOptions, FlagOp, Flags, InternalDate, Keyword, MailboxName, ModSeq,
    SearchKey, Section, SortCriterion, SortKey, SpecialUses, StoreError, SystemFlag, Uid, UidSet,
};

use common::{Backend, name, read_all};

backend_tests!(
    accounts_are_shared_by_name,
    gone_mailboxes_and_messages,
    moves_and_copies_within_one_mailbox,
    search_edge_cases,
);

fn msg(subject: &str, body: &str) -> Vec<u8> {
    format!("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: {subject}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n{body}\r\n").into_bytes()
}

/// Two calls for one name give handles on one account; other names are other accounts.
fn accounts_are_shared_by_name<B: Backend>() {
    let backend = B::open();
    let provider = backend.provider();
    let one = provider.account(&B::name()).unwrap();
    let two = provider.account(&B::name()).unwrap();
    let inbox = one.mailbox(&MailboxName::inbox()).unwrap();
    let appended = one
        .append_bytes(inbox.id, &msg("shared", "x"), &AppendOptions::default())
        .unwrap();
    assert_eq!(two.uids(inbox.id).unwrap(), vec![appended.uid]);
    assert_eq!(backend.account().status(inbox.id).unwrap().messages, 1);
    let other = provider
        .account(&mailwright_store::AccountName::try_from("other").unwrap())
        .unwrap();
    let other_inbox = other.mailbox(&MailboxName::inbox()).unwrap();
    assert!(other.uids(other_inbox.id).unwrap().is_empty());
    assert_eq!(other.quota().unwrap().messages, 0);
    // A program started again finds the mail.
    assert_eq!(backend.reopen().uids(inbox.id).unwrap(), vec![appended.uid]);
}

/// Every call on a mailbox that is gone says so; a message that is gone is not found.
fn gone_mailboxes_and_messages<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let gone = account
        .create_mailbox(&name("Gone"), SpecialUses::new())
        .unwrap();
    account
        .append_bytes(gone.id, &msg("g", "g"), &AppendOptions::default())
        .unwrap();
    account.delete_mailbox(&name("Gone")).unwrap();
    let all = UidSet::all();
    let not_found = |result: Result<(), StoreError>| {
        assert!(
            matches!(result, Err(StoreError::MailboxNotFound)),
            "{result:?}"
        );
    };
    let g = gone.id;
    not_found(account.status(g).map(drop));
    not_found(account.claim_recent(g).map(drop));
    not_found(account.uids(g).map(drop));
    not_found(account.fetch(g, &all, FetchOptions::meta()).map(drop));
    not_found(account.read(g, Uid::MIN, &Section::full(), None).map(drop));
    not_found(account.read_binary(g, Uid::MIN, &[], None).map(drop));
    not_found(account.changes_since(g, ModSeq::new(0)).map(drop));
    not_found(account.search(g, &SearchKey::All).map(drop));
    not_found(account.sort(g, &[], &SearchKey::All).map(drop));
    not_found(account.subscribe(g).map(drop));
    not_found(
        account
            .append_bytes(g, b"x", &AppendOptions::default())
            .map(drop),
    );
    not_found(
        account
            .append(g, &mut &b"x"[..], &AppendOptions::default())
            .map(drop),
    );
    not_found(
        account
            .store_flags(g, &all, FlagOp::Add, &Flags::new(), None)
            .map(drop),
    );
    not_found(account.copy(g, &all, inbox.id).map(drop));
    not_found(account.copy(inbox.id, &all, g).map(drop));
    not_found(account.move_messages(inbox.id, &all, g).map(drop));
    not_found(account.expunge(g, None).map(drop));
    not_found(account.remove(g, &all).map(drop));
    not_found(account.mailbox(&name("Gone")).map(drop));
    not_found(account.delete_mailbox(&name("Gone")));
    not_found(account.rename_mailbox(&name("Gone"), &name("New")));
    not_found(account.set_subscribed(&name("Gone"), true));
    not_found(account.set_special_use(&name("Gone"), SpecialUses::new()));
    assert_eq!(account.quota().unwrap().messages, 0);
    // The error kinds a server maps to replies.
    let err = account.status(g).unwrap_err();
    assert!(err.is_not_found() && !err.is_temporary());
    assert_eq!(err.imap_code(), "NONEXISTENT");
    assert!(matches!(
        account.read(inbox.id, Uid::MIN, &Section::full(), None),
        Err(StoreError::MessageNotFound)
    ));
    assert!(matches!(
        account.read_binary(inbox.id, Uid::MIN, &[], None),
        Err(StoreError::MessageNotFound)
    ));
    // Missing UIDs are skipped, not errors.
    assert!(
        account
            .fetch(inbox.id, &all, FetchOptions::meta())
            .unwrap()
            .is_empty()
    );
    let stored = account
        .store_flags(
            inbox.id,
            &all,
            FlagOp::Add,
            &Flags::new().with(SystemFlag::Seen),
            None,
        )
        .unwrap();
    assert!(stored.updates.is_empty() && stored.modified.is_empty());
    let expunged = account.remove(inbox.id, &all).unwrap();
    assert!(expunged.uids.is_empty());
    assert_eq!(
        expunged.modseq,
        account.status(inbox.id).unwrap().highest_modseq
    );
    // A name that exists cannot be created again, INBOX in any case.
    assert!(matches!(
        account.create_mailbox(&name("inbox"), SpecialUses::new()),
        Err(StoreError::MailboxExists)
    ));
    assert!(matches!(
        account.rename_mailbox(&name("Sent"), &name("inbox")),
        Err(StoreError::InboxNotAllowed)
    ));
}

/// A COPY or MOVE into the mailbox the messages are in: new UIDs, and for a move, the
/// old ones expunged; a move keeps the stable id across mailboxes, a copy gets its own.
fn moves_and_copies_within_one_mailbox<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let other = account
        .create_mailbox(&name("Other"), SpecialUses::new())
        .unwrap();
    for n in 0..3 {
        account
            .append_bytes(
                inbox.id,
                &msg(&format!("m{n}"), "b"),
                &AppendOptions::default(),
            )
            .unwrap();
    }
    let copied = account
        .copy(inbox.id, &"1:2".parse().unwrap(), inbox.id)
        .unwrap();
    assert_eq!(
        copied
            .uids
            .iter()
            .map(|(a, b)| (a.get(), b.get()))
            .collect::<Vec<_>>(),
        [(1, 4), (2, 5)]
    );
    let before = account.status(inbox.id).unwrap().highest_modseq;
    let moved = account
        .move_messages(inbox.id, &"3:4".parse().unwrap(), inbox.id)
        .unwrap();
    assert_eq!(
        moved
            .uids
            .iter()
            .map(|(a, b)| (a.get(), b.get()))
            .collect::<Vec<_>>(),
        [(3, 6), (4, 7)]
    );
    let expunged = moved.expunged.unwrap();
    assert_eq!(
        expunged.uids.iter().map(|u| u.get()).collect::<Vec<_>>(),
        [3, 4]
    );
    assert_eq!(
        account
            .uids(inbox.id)
            .unwrap()
            .iter()
            .map(|u| u.get())
            .collect::<Vec<_>>(),
        [1, 2, 5, 6, 7]
    );
    let changes = account.changes_since(inbox.id, before).unwrap();
    assert_eq!(changes.vanished, "3:4".parse().unwrap());
    assert_eq!(
        changes
            .changed
            .iter()
            .map(|m| m.uid.get())
            .collect::<Vec<_>>(),
        [6, 7]
    );
    assert_eq!(
        changes.highest_modseq,
        account.status(inbox.id).unwrap().highest_modseq
    );
    // UID 7 is the move of 4, the copy of 1.
    assert_eq!(
        read_all(
            account,
            inbox.id,
            Uid::new(7).unwrap(),
            "HEADER.FIELDS (SUBJECT)"
        ),
        b"Subject: m0\r\n\r\n"
    );

    let stable = |mailbox, uid: u32| {
        account
            .fetch(
                mailbox,
                &Uid::new(uid).unwrap().into(),
                FetchOptions::meta(),
            )
            .unwrap()[0]
            .stable_id
            .clone()
    };
    let one = stable(inbox.id, 1);
    assert_ne!(one, stable(inbox.id, 2));
    let moved = account
        .move_messages(inbox.id, &"1".parse().unwrap(), other.id)
        .unwrap();
    assert_eq!(stable(other.id, moved.uids[0].1.get()), one);
    let copied = account.copy(other.id, &UidSet::all(), inbox.id).unwrap();
    assert_ne!(stable(inbox.id, copied.uids[0].1.get()), one);
    assert_eq!(account.quota().unwrap().messages, 6);
}

/// Search keys at their edges: empty sets and strings, dates without a `Date:`
/// header (unknown in SQL, so neither the key nor its NOT matches), sizes and MODSEQs
/// at their limits, deep trees refused.
fn search_edge_cases<B: Backend>() {
    let backend = B::open();
    let account = backend.account();
    let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
    let dated = account
        .append_bytes(
            inbox.id,
            &msg("dated", "hello world"),
            &AppendOptions::default(),
        )
        .unwrap()
        .uid;
    let undated = account
        .append_bytes(
            inbox.id,
            b"Subject: undated\r\nX-Empty:\r\n\r\nhello there\r\n",
            &AppendOptions::new(Flags::new(), Some(InternalDate::new(1_704_067_200, -120))),
        )
        .unwrap()
        .uid;
    let search = |key: SearchKey| account.search(inbox.id, &key).unwrap();
    let day = Date::new(2024, 1, 1).unwrap();
    assert_eq!(search(SearchKey::SentOn(day)), vec![dated]);
    assert_eq!(search(!SearchKey::SentOn(day)), vec![]);
    assert_eq!(search(!SearchKey::SentBefore(day)), vec![dated]);
    assert_eq!(
        search(SearchKey::SentBefore(day).or(SearchKey::Subject("undated".into()))),
        vec![undated]
    );
    assert_eq!(
        search(!SearchKey::And(vec![
            SearchKey::SentSince(day),
            SearchKey::All
        ])),
        vec![]
    );
    // The internal date's own zone decides the day: 2024-01-01 00:00 UTC at -02:00 is
    // 2023-12-31 there.
    assert_eq!(
        search(SearchKey::On(Date::new(2023, 12, 31).unwrap())),
        vec![undated]
    );
    assert_eq!(
        search(SearchKey::ArrivedBefore(1_704_067_201)),
        vec![undated]
    );
    assert_eq!(search(SearchKey::ArrivedSince(1_704_067_201)), vec![dated]);
    assert_eq!(search(SearchKey::Uid(UidSet::new())), vec![]);
    assert_eq!(search(SearchKey::And(Vec::new())), vec![dated, undated]);
    assert_eq!(
        search(SearchKey::Subject(String::new())),
        vec![dated, undated]
    );
    assert_eq!(
        search(SearchKey::Header("x-empty".into(), String::new())),
        vec![undated]
    );
    assert_eq!(
        search(SearchKey::Header("X-EMPTY".into(), "x".into())),
        vec![]
    );
    assert_eq!(
        search(SearchKey::Text("hello".into())),
        vec![dated, undated]
    );
    assert_eq!(search(SearchKey::Text("hello th".into())), vec![undated]);
    assert_eq!(search(SearchKey::Text("ello".into())), vec![]);
    assert_eq!(search(SearchKey::Body("dated".into())), vec![]);
    assert_eq!(search(SearchKey::Text("undated".into())), vec![undated]);
    assert_eq!(search(SearchKey::Text("--".into())), vec![dated, undated]);
    assert_eq!(search(SearchKey::Larger(u64::MAX)), vec![]);
    assert_eq!(search(SearchKey::Smaller(u64::MAX)), vec![dated, undated]);
    assert_eq!(
        search(SearchKey::ModSeq(ModSeq::new(0))),
        vec![dated, undated]
    );
    assert_eq!(
        search(SearchKey::Keyword(Keyword::try_from("$Junk").unwrap())),
        vec![]
    );
    let mut deep = SearchKey::All;
    for _ in 0..100 {
        deep = !deep;
    }
    let err = account.search(inbox.id, &deep).unwrap_err();
    assert!(matches!(err, StoreError::InvalidName(_)), "{err:?}");
    let sorted = account
        .sort(
            inbox.id,
            &[
                SortCriterion::new(SortKey::Date),
                SortCriterion::reverse(SortKey::Size),
            ],
            &SearchKey::All,
        )
        .unwrap();
    assert_eq!(sorted, vec![undated, dated], "no Date: sorts by arrival");
}
