//! Writes a Maildir with mailstore, or dumps what mailstore sees in one: the helper of
//! the Dovecot interop script (`scripts/interop/30-mailstore.sh`).
//!
//! ```text
//! maildir_tool fill <maildir> <outdir>   append test messages; write <outdir>/<n>.eml + <n>.meta
//! maildir_tool dump <maildir>            print "<mailbox>\t<subject>\t<flags>" per message
//! ```

use std::error::Error;
use std::fs;
use std::path::Path;

use mailwright_store::store::{MailboxStore, MessageReader, MessageStore};
use mailwright_store::{
    Account, AppendOptions, FetchOptions, Flags, InternalDate, Keyword, MailboxName, Options,
};
use mailwright_store::{SpecialUse, SpecialUses, SystemFlag, UidSet};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("fill") if args.len() == 4 => fill(Path::new(&args[2]), Path::new(&args[3])),
        Some("dump") if args.len() == 3 => dump(Path::new(&args[2])),
        _ => Err("usage: maildir_tool fill <maildir> <outdir> | dump <maildir>".into()),
    }
}

/// One test message: subject, mailbox, flags, the rest of the header and the body.
type TestMessage = (String, &'static str, Flags, Vec<u8>);

/// The test messages.
fn messages() -> Result<Vec<TestMessage>, Box<dyn Error>> {
    let seen = Flags::new().with(SystemFlag::Seen);
    let all = Flags::new()
        .with(SystemFlag::Seen)
        .with(SystemFlag::Answered)
        .with(SystemFlag::Flagged)
        .with(SystemFlag::Draft);
    let deleted = Flags::new().with(SystemFlag::Deleted);
    let forwarded = Flags::new()
        .with(SystemFlag::Seen)
        .with(Keyword::try_from("$Forwarded")?);
    let multipart = b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\npreamble\r\n--zz\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n--zz\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgc=\r\n--zz--\r\n".to_vec();
    let plain = |text: &str| format!("Content-Type: text/plain\r\n\r\n{text}\r\n").into_bytes();
    Ok(vec![
        (
            "plain unseen".into(),
            "INBOX",
            Flags::new(),
            plain("hello from mailstore"),
        ),
        ("seen".into(), "INBOX", seen.clone(), plain("already read")),
        (
            "all flags".into(),
            "INBOX",
            all,
            plain("answered flagged draft"),
        ),
        (
            "deleted".into(),
            "INBOX",
            deleted,
            plain("marked for deletion"),
        ),
        ("multipart 8bit".into(), "INBOX", seen.clone(), multipart),
        ("forwarded".into(), "INBOX", forwarded, plain("passed on")),
        (
            "archived".into(),
            "Archive.2024",
            seen,
            plain("in a sub-folder"),
        ),
        (
            "umlaut folder".into(),
            "Entwürfe",
            Flags::new().with(SystemFlag::Draft),
            plain("draft"),
        ),
    ])
}

fn fill(maildir: &Path, out: &Path) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let account = Account::open(maildir, &Options::new())?;
    account.create_mailbox(
        &MailboxName::try_from("Archive.2024")?,
        SpecialUses::from(SpecialUse::Archive),
    )?;
    account.create_mailbox(
        &MailboxName::try_from("Entwürfe")?,
        SpecialUses::from(SpecialUse::Drafts),
    )?;
    for (n, (subject, mailbox, flags, rest)) in messages()?.into_iter().enumerate() {
        let mut raw = format!(
            "From: Mail Store <store@example.org>\r\nTo: user@example.org\r\nSubject: {subject}\r\nMessage-ID: <interop-{n}@example.org>\r\nDate: Mon, 1 Jan 2024 10:0{n}:00 +0000\r\n"
        )
        .into_bytes();
        raw.extend_from_slice(&rest);
        let mailbox = account.mailbox(&MailboxName::try_from(mailbox)?)?;
        let date = InternalDate::new(1_704_103_200 + n as i64 * 60, 0);
        account.append(
            mailbox.id,
            &mut raw.as_slice(),
            &AppendOptions::new(flags.clone(), Some(date)),
        )?;
        fs::write(out.join(format!("{n}.eml")), &raw)?;
        let system: Vec<&str> = flags.system().map(SystemFlag::as_str).collect();
        fs::write(
            out.join(format!("{n}.meta")),
            format!("{}\n{subject}\n{}\n", mailbox.name, system.join(" ")),
        )?;
    }
    println!("filled {}", maildir.display());
    Ok(())
}

fn dump(maildir: &Path) -> Result<(), Box<dyn Error>> {
    let account = Account::open(maildir, &Options::new())?;
    for mailbox in account.list_mailboxes()? {
        for meta in account.fetch(
            mailbox.id,
            &UidSet::all(),
            FetchOptions::meta().with_envelope(),
        )? {
            let subject = meta
                .envelope
                .as_ref()
                .and_then(|e| e.subject.clone())
                .map(|s| String::from_utf8_lossy(&s).into_owned())
                .unwrap_or_default();
            let system: Vec<&str> = meta.flags.system().map(SystemFlag::as_str).collect();
            println!("{}\t{subject}\t{}", mailbox.name, system.join(" "));
        }
    }
    Ok(())
}
