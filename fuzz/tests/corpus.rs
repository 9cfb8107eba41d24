//! Replays every committed corpus file through its target's function on stable Rust.
//!
//! `cargo test --manifest-path fuzz/Cargo.toml` runs this in CI, so the seed corpora
//! and every minimized crash that was added as a regression file keep passing.

use std::fs;
use std::path::{Path, PathBuf};

/// A fuzz target: its name and its body.
type Target = (&'static str, fn(&[u8]));

/// Every fuzz target: its name (the `fuzz_targets/<name>.rs` file and the
/// `corpus/<name>/` folder) and its body.
const TARGETS: &[Target] = &[
    ("imap_encode", mail_fuzz::imap::imap_encode),
    ("imap_session", mail_fuzz::imap::imap_session),
    ("imap_fragmentizer", mail_fuzz::imap::imap_fragmentizer),
    ("imap_response", mail_fuzz::imap::imap_response),
    ("imap_command", mail_fuzz::imap::imap_command),
    ("spf_record", mail_fuzz::mailauth::spf_record),
    ("dkim_signature", mail_fuzz::mailauth::dkim_signature),
    ("dmarc_record", mail_fuzz::mailauth::dmarc_record),
    ("zone_file", mail_fuzz::mailauth::zone_file),
    ("auth_results", mail_fuzz::mailauth::auth_results),
    ("smtp_command", mail_fuzz::smtp::smtp_command),
    ("smtp_reply", mail_fuzz::smtp::smtp_reply),
    ("smtp_data", mail_fuzz::smtp::smtp_data),
    ("smtp_session", mail_fuzz::smtp::smtp_session),
    ("pop3_command", mail_fuzz::pop3::pop3_command),
    ("pop3_session", mail_fuzz::pop3::pop3_session),
    ("mailstore_message", mail_fuzz::mailstore::mailstore_message),
    ("mailstore_section", mail_fuzz::mailstore::mailstore_section),
    (
        "mailstore_maildir_name",
        mail_fuzz::mailstore::mailstore_maildir_name,
    ),
    ("mta_spool", mail_fuzz::mta_queue::mta_spool),
];

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn names_in(dir: &Path, strip_rs: bool) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter_map(|name| match strip_rs {
            true => name.strip_suffix(".rs").map(str::to_owned),
            false => Some(name),
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_target_is_listed_and_has_a_corpus() {
    let mut listed: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(
        names_in(&fuzz_dir().join("fuzz_targets"), true),
        listed,
        "fuzz_targets/ and TARGETS disagree"
    );
    for name in &listed {
        let files = names_in(&fuzz_dir().join("corpus").join(name), false);
        assert!(!files.is_empty(), "corpus/{name}/ has no seed files");
    }
}

#[test]
fn corpora_replay_without_panic() {
    for (name, target) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        for file in names_in(&dir, false) {
            let path = dir.join(&file);
            let data = fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(
                outcome.is_ok(),
                "target {name} panicked on {}",
                path.display()
            );
        }
    }
}
