//! The two backends side by side on random operation sequences: the same appends,
//! flag changes (with UNCHANGEDSINCE), copies, moves, expunges, mailbox changes,
//! searches and sorts on a Maildir [`Account`] and a [`MemoryAccount`] give the same
//! UIDs, flags, MODSEQs, COPYUID and VANISHED data, counters, sections, search and sort
//! results, and the same errors. What may differ by design is left out of the
//! comparison: UIDVALIDITY (the clock's second when a mailbox was made) and the stable
//! id's spelling.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use proptest::prelude::*;

use mailwright_store::memory::MemoryAccount;
use mailwright_store::store::MailStore;
use mailwright_store::{
    Account, AppendOptions, Date, FetchOptions, FlagOp, Flags, InternalDate, Keyword, MailboxName,
    ModSeq, Options, Result, SearchKey, Section, SortCriterion, SortKey, SpecialUse, SpecialUses,
    SystemFlag, Uid, UidSet,
};

/// Mailbox names the operations pick from (INBOX always exists).
const MAILBOXES: [&str; 4] = ["INBOX", "Work", "Work.Old", "Archive"];
const WORDS: [&str; 8] = [
    "budget", "Budget", "meeting", "Köln", "koln", "lunch", "grüße", "noon",
];
const KEYWORDS: [&str; 3] = ["$Forwarded", "Work", "$Junk"];
const FROMS: [&str; 4] = [
    "Alice <alice@example.org>",
    "bob@example.net",
    "=?utf-8?q?J=C3=B6rg?= <j@example.de>",
    "\"Zed, Z.\" <zed@example.org>",
];
const DATES: [&str; 3] = [
    "Mon, 1 Jan 2024 10:00:00 +0000",
    "Tue, 2 Jan 2024 23:30:00 -0500",
    "Sun, 31 Dec 2023 01:00:00 +0200",
];
/// Internal dates: few, so that sorts have ties (broken by UID).
const ARRIVALS: [i64; 3] = [1_704_067_200, 1_704_153_600, 1_704_200_000];

/// A generated message: header fields and body from the pools above.
#[derive(Debug, Clone)]
struct Mail {
    from: usize,
    subject: (bool, usize, usize),
    date: Option<usize>,
    body: Vec<usize>,
    multipart: bool,
}

impl Mail {
    fn bytes(&self) -> Vec<u8> {
        let (reply, a, b) = self.subject;
        let mut out = format!(
            "From: {}\r\nTo: team@example.org\r\nSubject: {}{} {}\r\n",
            FROMS[self.from],
            if reply { "Re: " } else { "" },
            WORDS[a],
            WORDS[b]
        );
        if let Some(date) = self.date {
            out.push_str(&format!("Date: {}\r\n", DATES[date]));
        }
        let body: Vec<&str> = self.body.iter().map(|&w| WORDS[w]).collect();
        let body = body.join(" ");
        if self.multipart {
            out.push_str(&format!(
                "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--XX\r\n\
                 Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                 AAECAwQ=\r\n--XX--\r\n"
            ));
        } else {
            out.push_str(&format!("\r\n{body}\r\n"));
        }
        out.into_bytes()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Append(usize, Mail, Flags, usize),
    Store(usize, UidSet, FlagOp, Flags, Option<u64>),
    Copy(usize, UidSet, usize),
    Move(usize, UidSet, usize),
    Expunge(usize, Option<UidSet>),
    Remove(usize, UidSet),
    Search(usize, SearchKey),
    Sort(usize, Vec<SortCriterion>, SearchKey),
    Changes(usize, u64),
    ClaimRecent(usize),
    Create(usize),
    Delete(usize),
    Rename(usize, usize),
    Subscribe(usize, bool),
    Quota(Option<u64>),
}

fn mail() -> impl Strategy<Value = Mail> {
    (
        0..FROMS.len(),
        (any::<bool>(), 0..WORDS.len(), 0..WORDS.len()),
        proptest::option::of(0..DATES.len()),
        proptest::collection::vec(0..WORDS.len(), 0..6),
        any::<bool>(),
    )
        .prop_map(|(from, subject, date, body, multipart)| Mail {
            from,
            subject,
            date,
            body,
            multipart,
        })
}

fn flags() -> impl Strategy<Value = Flags> {
    (0u8..32, proptest::collection::vec(0..KEYWORDS.len(), 0..3)).prop_map(|(bits, keywords)| {
        let mut flags = Flags::new();
        for (i, flag) in SystemFlag::ALL.into_iter().enumerate() {
            if bits & (1 << i) != 0 {
                flags.insert(flag.into());
            }
        }
        for k in keywords {
            flags.insert(Keyword::try_from(KEYWORDS[k]).unwrap().into());
        }
        flags
    })
}

fn uids() -> impl Strategy<Value = UidSet> {
    prop_oneof![
        1 => Just(UidSet::all()),
        4 => proptest::collection::vec((1u32..14, 0u32..3), 1..4).prop_map(|ranges| {
            let mut set = UidSet::new();
            for (lo, len) in ranges {
                set.insert_range(Uid::new(lo).unwrap(), Uid::new(lo + len).unwrap());
            }
            set
        }),
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (0u8..4).prop_map(|d| match d {
        0 => Date::new(2023, 12, 31).unwrap(),
        n => Date::new(2024, 1, n).unwrap(),
    })
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0..WORDS.len()).prop_map(|w| WORDS[w].to_owned()),
        1 => (0..WORDS.len()).prop_map(|w| WORDS[w].chars().take(3).collect()),
        1 => (0..WORDS.len(), 0..WORDS.len()).prop_map(|(a, b)| format!("{} {}", WORDS[a], WORDS[b])),
        1 => proptest::sample::select(vec!["", "Re:", "example", "ALICE", "zed, z", "@", "--"]).prop_map(str::to_owned),
    ]
}

fn search_key() -> impl Strategy<Value = SearchKey> {
    let leaf = prop_oneof![
        Just(SearchKey::All),
        proptest::sample::select(SystemFlag::ALL.to_vec()).prop_map(SearchKey::Flag),
        (0..KEYWORDS.len())
            .prop_map(|k| SearchKey::Keyword(Keyword::try_from(KEYWORDS[k]).unwrap())),
        uids().prop_map(SearchKey::Uid),
        date().prop_map(SearchKey::Before),
        date().prop_map(SearchKey::On),
        date().prop_map(SearchKey::Since),
        date().prop_map(SearchKey::SentBefore),
        date().prop_map(SearchKey::SentOn),
        date().prop_map(SearchKey::SentSince),
        (0..ARRIVALS.len()).prop_map(|a| SearchKey::ArrivedBefore(ARRIVALS[a])),
        (0..ARRIVALS.len()).prop_map(|a| SearchKey::ArrivedSince(ARRIVALS[a])),
        (100u64..400).prop_map(SearchKey::Larger),
        (100u64..400).prop_map(SearchKey::Smaller),
        (
            proptest::sample::select(vec!["subject", "FROM", "x-none", "date"]),
            word()
        )
            .prop_map(|(n, v)| SearchKey::Header(n.to_owned(), v)),
        word().prop_map(SearchKey::From),
        word().prop_map(SearchKey::To),
        word().prop_map(SearchKey::Cc),
        word().prop_map(SearchKey::Subject),
        word().prop_map(SearchKey::Body),
        word().prop_map(SearchKey::Text),
        (0u64..30).prop_map(|m| SearchKey::ModSeq(ModSeq::new(m))),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(SearchKey::And),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.prop_map(|k| !k),
        ]
    })
}

fn sort_criteria() -> impl Strategy<Value = Vec<SortCriterion>> {
    let keys = vec![
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
    ];
    proptest::collection::vec(
        (proptest::sample::select(keys), any::<bool>()).prop_map(|(key, reverse)| {
            if reverse {
                SortCriterion::reverse(key)
            } else {
                SortCriterion::new(key)
            }
        }),
        0..3,
    )
}

fn op() -> impl Strategy<Value = Op> {
    let mailbox = || 0..MAILBOXES.len();
    let flag_op = proptest::sample::select(vec![FlagOp::Add, FlagOp::Remove, FlagOp::Replace]);
    prop_oneof![
        8 => (mailbox(), mail(), flags(), 0..ARRIVALS.len()).prop_map(|(m, mail, f, d)| Op::Append(m, mail, f, d)),
        4 => (mailbox(), uids(), flag_op, flags(), proptest::option::of(0u64..20))
            .prop_map(|(m, u, o, f, s)| Op::Store(m, u, o, f, s)),
        2 => (mailbox(), uids(), mailbox()).prop_map(|(a, u, b)| Op::Copy(a, u, b)),
        2 => (mailbox(), uids(), mailbox()).prop_map(|(a, u, b)| Op::Move(a, u, b)),
        2 => (mailbox(), proptest::option::of(uids())).prop_map(|(m, u)| Op::Expunge(m, u)),
        1 => (mailbox(), uids()).prop_map(|(m, u)| Op::Remove(m, u)),
        4 => (mailbox(), search_key()).prop_map(|(m, k)| Op::Search(m, k)),
        3 => (mailbox(), sort_criteria(), search_key()).prop_map(|(m, s, k)| Op::Sort(m, s, k)),
        2 => (mailbox(), 0u64..25).prop_map(|(m, s)| Op::Changes(m, s)),
        1 => mailbox().prop_map(Op::ClaimRecent),
        1 => mailbox().prop_map(Op::Create),
        1 => mailbox().prop_map(Op::Delete),
        1 => (mailbox(), mailbox()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => (mailbox(), any::<bool>()).prop_map(|(m, s)| Op::Subscribe(m, s)),
        1 => proptest::option::of(1u64..12).prop_map(Op::Quota),
    ]
}

fn name(i: usize) -> MailboxName {
    MailboxName::try_from(MAILBOXES[i]).unwrap()
}

/// What a result looks like once what may differ is left out, as text to compare.
fn shown<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Ok(value) => format!("{value:?}"),
        Err(err) => format!("error: {err}"),
    }
}

/// Metadata without the stable id, with the envelope and structure.
fn metas(account: &impl MailStore, mailbox: mailwright_store::MailboxId) -> Result<String> {
    let options = FetchOptions::meta().with_envelope().with_body_structure();
    Ok(account
        .fetch(mailbox, &UidSet::all(), options)?
        .into_iter()
        .map(|m| {
            format!(
                "{} [{}] {} {} {} {:?} {:?}",
                m.uid, m.flags, m.internal_date, m.size, m.modseq, m.envelope, m.body_structure
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Every section worth reading of every message of a mailbox.
fn sections(
    account: &impl MailStore,
    mailbox: mailwright_store::MailboxId,
) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for section in [
        "",
        "TEXT",
        "HEADER",
        "HEADER.FIELDS (Subject Date)",
        "1",
        "2",
        "2.MIME",
    ] {
        let section: Section = section.parse().unwrap();
        account.read_each(
            mailbox,
            &UidSet::all(),
            &section,
            Some((3, 40)),
            &mut |_, d| {
                out.push(d.into_vec().unwrap());
                Ok(())
            },
        )?;
    }
    for uid in account.uids(mailbox)? {
        let two = [std::num::NonZeroU32::new(2).unwrap()];
        let binary = account.read_binary(mailbox, uid, &two, None)?;
        out.push(binary.map(|d| d.into_vec().unwrap()).unwrap_or_default());
    }
    Ok(out)
}

/// Applies one operation; returns what it gave, as comparable text.
fn apply(account: &impl MailStore, op: &Op) -> String {
    let id = |i: usize| account.mailbox(&name(i)).map(|m| m.id);
    let result = (|| -> Result<String> {
        Ok(match op {
            Op::Append(m, mail, flags, arrival) => {
                let date = InternalDate::new(ARRIVALS[*arrival], 60);
                let options = AppendOptions::new(flags.clone(), Some(date));
                let a = account.append(id(*m)?, &mut mail.bytes().as_slice(), &options)?;
                format!("{} {} {}", a.uid, a.modseq, a.size)
            }
            Op::Store(m, uids, op, flags, since) => {
                let since = since.map(ModSeq::new);
                format!(
                    "{:?}",
                    account.store_flags(id(*m)?, uids, *op, flags, since)?
                )
            }
            Op::Copy(a, uids, b) => {
                let c = account.copy(id(*a)?, uids, id(*b)?)?;
                format!("{:?} {:?}", c.uids, c.expunged)
            }
            Op::Move(a, uids, b) => {
                let c = account.move_messages(id(*a)?, uids, id(*b)?)?;
                format!("{:?} {:?}", c.uids, c.expunged)
            }
            Op::Expunge(m, uids) => format!("{:?}", account.expunge(id(*m)?, uids.as_ref())?),
            Op::Remove(m, uids) => format!("{:?}", account.remove(id(*m)?, uids)?),
            Op::Search(m, key) => format!("{:?}", account.search(id(*m)?, key)?),
            Op::Sort(m, sort, key) => format!("{:?}", account.sort(id(*m)?, sort, key)?),
            Op::Changes(m, since) => {
                let c = account.changes_since(id(*m)?, ModSeq::new(*since))?;
                let changed: Vec<_> = c
                    .changed
                    .iter()
                    .map(|m| (m.uid, m.flags.to_string(), m.modseq))
                    .collect();
                format!(
                    "{} {} {changed:?} {}",
                    c.highest_modseq, c.uid_next, c.vanished
                )
            }
            Op::ClaimRecent(m) => account.claim_recent(id(*m)?)?.to_string(),
            Op::Create(m) => {
                let info =
                    account.create_mailbox(&name(*m), SpecialUses::from(SpecialUse::Archive))?;
                format!("{} {} {}", info.id, info.name, info.has_children)
            }
            Op::Delete(m) => shown(account.delete_mailbox(&name(*m))),
            Op::Rename(a, b) => shown(account.rename_mailbox(&name(*a), &name(*b))),
            Op::Subscribe(m, s) => shown(account.set_subscribed(&name(*m), *s)),
            Op::Quota(limit) => {
                let quota = match limit {
                    Some(n) => mailwright_store::Quota::unlimited().with_max_messages(*n),
                    None => mailwright_store::Quota::unlimited(),
                };
                shown(account.set_quota(quota))
            }
        })
    })();
    shown(result)
}

/// The whole visible state: mailboxes, counters, messages, sections, quota.
fn state(account: &impl MailStore) -> String {
    let mut out = Vec::new();
    let list = account.list_mailboxes().unwrap();
    for info in &list {
        out.push(format!(
            "{} {} {} {:?} {}",
            info.id, info.name, info.subscribed, info.special_use, info.has_children
        ));
        let s = account.status(info.id).unwrap();
        out.push(format!(
            "{} {} {} {} {} {} {} {:?}",
            s.messages,
            s.recent,
            s.unseen,
            s.deleted,
            s.uid_next,
            s.highest_modseq,
            s.size,
            s.first_unseen
        ));
        out.push(metas(account, info.id).unwrap());
        out.push(format!("{:?}", sections(account, info.id).unwrap()));
    }
    let quota = account.quota().unwrap();
    out.push(format!(
        "{} {} {:?}",
        quota.bytes, quota.messages, quota.quota
    ));
    out.push(format!("{:?}", account.unindexed().unwrap()));
    out.join("\n")
}

/// 48 cases unless `PROPTEST_CASES` says otherwise (each opens a Maildir account).
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 48;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn backends_agree(
        first in proptest::collection::vec(
            (proptest::sample::select(vec![0, 1, 3]), mail(), flags(), 0..ARRIVALS.len()),
            2..10,
        ),
        ops in proptest::collection::vec(op(), 1..50),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut options = Options::new();
        options.dangerous_set_durable(false);
        let maildir = Account::open(dir.path(), &options).unwrap();
        let memory = MemoryAccount::new();
        // Most operations name Work or Archive: they exist from the start (Work.Old
        // and deletions come and go with the operations).
        for setup in [Op::Create(1), Op::Create(3)] {
            prop_assert_eq!(apply(&maildir, &setup), apply(&memory, &setup));
        }
        let first = first.into_iter().map(|(m, mail, f, d)| Op::Append(m, mail, f, d));
        let ops: Vec<Op> = first.chain(ops).collect();
        for (step, op) in ops.iter().enumerate() {
            let (a, b) = (apply(&maildir, op), apply(&memory, op));
            if std::env::var_os("EQUIVALENCE_TRACE").is_some() {
                eprintln!("{op:?} => {a}");
            }
            prop_assert_eq!(&a, &b, "step {} {:?}", step, op);
        }
        prop_assert_eq!(state(&maildir), state(&memory));
    }
}
