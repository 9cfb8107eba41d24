//! Entry points for the fuzz crate (private feature `__fuzz`; not part of the API).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use mailwright_smtp::Mailbox;

use crate::entry::QueueEntry;
use crate::envelope::{Envelope, Recipient};
use crate::id::QueueId;
use crate::spool::{FileSpool, Spool, format};
use crate::time::Timestamp;

/// `mta_spool`: a queue file of arbitrary bytes.
///
/// * parsing never panics; a file that parses re-encodes to one that parses to the
///   same entry, and its valid prefix is within the file;
/// * recovering a spool holding it between two good entries never panics, returns both
///   neighbours unchanged, and either loads the fuzzed entry or sets it aside.
pub fn spool_file(data: &[u8]) {
    if let Ok(parsed) = format::parse(data) {
        assert!(parsed.valid_len <= data.len());
        let size = usize::try_from(parsed.entry.size).unwrap_or(usize::MAX);
        let body = &data[parsed.body_offset..parsed.body_offset + size];
        let again = format::parse(&format::encode_file(&parsed.entry, body));
        assert_eq!(again.map(|p| p.entry).as_ref(), Ok(&parsed.entry));
    }
    recover_with_neighbours(data);
}

fn recover_with_neighbours(data: &[u8]) {
    static RUN: AtomicU64 = AtomicU64::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "mta-spool-fuzz-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(spool) = FileSpool::open(&dir) else {
        return;
    };
    let (Ok(sender), Ok(rcpt)) = (
        Mailbox::try_from("a@example.org"),
        Mailbox::try_from("b@example.net"),
    ) else {
        return;
    };
    let now = Timestamp::from_secs(1_700_000_000);
    let mut neighbours: Vec<QueueEntry> = Vec::new();
    for body in [&b"first"[..], &b"second"[..]] {
        let envelope = Envelope::new(sender.clone().into_owned())
            .with_recipient(Recipient::new(rcpt.clone().into_owned()));
        match spool.create(envelope, body, now) {
            Ok(entry) => neighbours.push(entry),
            Err(_) => {
                let _ = std::fs::remove_dir_all(&dir);
                return;
            }
        }
    }
    let victim = QueueId::from_u64(0x0123_4567_89ab_cdef);
    let queue = spool.queue_dir().to_owned();
    let written = std::fs::write(queue.join(format!("{victim}.msg")), data).is_ok();
    if written {
        drop(spool);
        let reopened = FileSpool::open(&dir);
        let recovery = reopened.and_then(|s| s.recover().map_err(std::io::Error::other));
        if let Ok(recovery) = recovery {
            for neighbour in &neighbours {
                assert!(
                    recovery.entries.contains(neighbour),
                    "a neighbour of a damaged entry was lost"
                );
            }
            let loaded = recovery.entries.iter().any(|e| e.id == victim);
            let aside = recovery.corrupt.iter().any(|c| c.id == Some(victim));
            assert!(
                loaded != aside,
                "the fuzzed entry is either loaded or set aside"
            );
            assert_eq!(recovery.entries.len() + recovery.corrupt.len(), 3);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Update;
    use crate::status::{DeliveryStatus, Diagnostic, RecipientState};
    use crate::testing::{mailbox, reply};
    use mailwright_smtp::{BodyType, EnhancedStatusCode, EnvId, Notify, Orcpt, Ret};

    fn seeds() -> Vec<Vec<u8>> {
        let now = Timestamp::from_secs(1_700_000_000);
        let envelope = Envelope::new(mailbox("alice@example.org"))
            .with_recipient(Recipient::new(mailbox("bob@example.net")))
            .with_recipient(Recipient::new(mailbox("carol@example.com")));
        let entry = QueueEntry::new(
            QueueId::from_u64(0x0123_4567_89ab_cdef),
            envelope,
            now,
            4,
            crc32fast::hash(b"body"),
        );
        let plain = format::encode_file(&entry, b"body");
        let mut with_updates = plain.clone();
        with_updates.extend(format::encode_update(&Update::Recipient {
            index: 0,
            state: RecipientState {
                status: DeliveryStatus::Deferred,
                attempts: 1,
                next_attempt: now,
                updated: now,
                diagnostic: Some(Diagnostic::from_reply(
                    &reply(451, EnhancedStatusCode::new(4, 7, 1).ok(), "try later"),
                    Some("mx.example.net".into()),
                )),
                delay_notified: true,
                final_notified: false,
            },
        }));
        with_updates.extend(format::encode_update(&Update::Held(true)));
        let mut torn = with_updates.clone();
        torn.extend_from_slice(b"0badc0de S 1 D 1 0 0 f");
        let truncated = plain[..plain.len() / 2].to_vec();
        // Every envelope parameter: DSN, BODY=, SMTPUTF8, REQUIRETLS.
        let parameters = Envelope::new(mailbox("jörg@bücher.example"))
            .with_recipient(
                Recipient::new(mailbox("bob@example.net"))
                    .with_notify(Notify::on(true, true, false).unwrap())
                    .with_orcpt(Orcpt::rfc822("Bob <bob+tag@example.net>")),
            )
            .with_ret(Ret::Headers)
            .with_envid(EnvId::encode("QQ 314159").unwrap())
            .with_body(BodyType::EightBitMime)
            .with_smtputf8(true)
            .with_requiretls(true);
        let entry = QueueEntry::new(
            QueueId::from_u64(0x0123_4567_89ab_cdef),
            parameters,
            now,
            4,
            crc32fast::hash(b"body"),
        );
        let parameters = format::encode_file(&entry, b"body");
        vec![
            plain,
            with_updates,
            torn,
            truncated,
            b"MTAQ 1\n".to_vec(),
            Vec::new(),
            parameters,
        ]
    }

    #[test]
    fn seeds_behave() {
        for seed in seeds() {
            spool_file(&seed);
        }
    }

    /// Writes the seed corpus: `MTA_QUEUE_WRITE_SEEDS=fuzz/corpus/mta_spool cargo test
    /// -p mailwright-queue --features __fuzz write_seeds -- --ignored`.
    #[test]
    #[ignore = "writes files"]
    fn write_seeds() {
        let Ok(dir) = std::env::var("MTA_QUEUE_WRITE_SEEDS") else {
            return;
        };
        std::fs::create_dir_all(&dir).unwrap();
        for (i, seed) in seeds().into_iter().enumerate() {
            std::fs::write(format!("{dir}/seed-{i:02}"), seed).unwrap();
        }
    }
}
