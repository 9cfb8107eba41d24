//! The on-disk format of a queue file (`<id>.msg`): the envelope as checksummed line
//! records, then the message itself, then state changes appended as more records, so
//! that one file (one fsync) holds an entry and a torn append is told apart from
//! corruption.
//!
//! ```text
//! file    = envelope body *change
//! envelope = magic entry sender 1*rcpt commit
//! body    = <size octets, the size of the entry record>
//! line    = crc SP record LF            ; crc: 8 lower-case hex digits, CRC-32 of record
//! magic   = "MTAQ" SP "1"
//! entry   = "E" SP id SP created SP size SP body-crc SP queue
//! sender  = "F" SP (address / "-") SP ("FULL" / "HDRS" / "-") SP (envid / "-")
//!           [SP ("7BIT" / "8BITMIME" / "BINARYMIME" / "-") SP ("-" / 1*("u" / "t"))]
//!                                       ; BODY=, then SMTPUTF8 (u) and REQUIRETLS (t);
//!                                       ; written only when one of them is set
//! rcpt    = "R" SP address SP (notify / "-") SP (orcpt-type / "-") SP (orcpt / "-")
//! commit  = "C" SP count                ; number of rcpt records; ends the envelope
//! change  = state / hold
//! state   = "S" SP index SP ("P" / "T" / "D" / "F") SP attempts SP next SP updated
//!           SP flags SP diag
//! flags   = "-" / 1*("d" / "f")        ; delay notice sent, final outcome dealt with
//! diag    = "-" / status SP (code / "-") SP (enhanced / "-") SP (text / "-")
//!           SP (remote / "-") SP (text / "-")
//! hold    = "H" SP ("0" / "1")
//! ```
//!
//! Fields are percent-encoded: bytes outside `!`..`~`, and `%` itself, become `%XX`;
//! an empty field is `-` and a field that is exactly `-` is `%2D`. Times are
//! milliseconds since the epoch in decimal. Addresses are smtp-proto `Mailbox`es as
//! written in SMTP; `envid` and `orcpt` are the xtext-*decoded* values (read back into
//! canonical xtext); `notify`, `status`, `code` and `enhanced` are as SMTP writes them.
//!
//! The format is the one of the first release: a file written before the queue used
//! smtp-proto's types reads the same (tested with `tests/data/spool-v1*.msg`), and an
//! envelope without `BODY=`, `SMTPUTF8` or `REQUIRETLS` is written byte for byte as
//! then.
//!
//! The envelope and the body are written whole and fsynced before the file gets its
//! final name, so a bad line there, or a file shorter than envelope plus body, is
//! corruption. Changes are appended later; a crash during an append can leave the
//! *last* line torn (no LF, or a CRC mismatch), which [`parse`] reports as a
//! [`Parsed::torn_tail`] to cut off rather than as corruption. A bad line followed by
//! good ones is corruption.

use std::fmt::Write as _;

use mailwright_smtp::{
    BodyType, EnhancedStatusCode, EnvId, Mailbox, Notify, Orcpt, ReplyCode, Ret, ReversePath,
};

use crate::entry::{QueueEntry, Update};
use crate::envelope::{Envelope, Recipient};
use crate::id::QueueId;
use crate::status::{
    DeliveryStatus, Diagnostic, MAX_REMOTE, RecipientState, clean_reply, clean_text,
};
use crate::time::Timestamp;

/// The first line's record.
const MAGIC: &str = "MTAQ 1";
/// The most recipients one queue file may declare.
pub const MAX_RECIPIENTS: usize = 100_000;
/// The longest line accepted.
const MAX_LINE: usize = 8192;

/// The result of parsing a queue file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The entry with every change applied.
    pub entry: QueueEntry,
    /// Where the message starts in the file (its length is `entry.size`).
    pub body_offset: usize,
    /// The length of the valid prefix of the file: everything up to the last good line.
    pub valid_len: usize,
    /// The file ends with a torn (partial or damaged) last line, which was ignored;
    /// the file should be cut to `valid_len` before more is appended.
    pub torn_tail: bool,
}

/// Why a queue file could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct FormatError {
    /// The 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub reason: &'static str,
}

/// Encodes the envelope part of `entry` (magic to commit). The recipient states are
/// not written (see [`encode_state`]): a new entry's recipients are pending, due at
/// `created`.
pub fn encode_envelope(entry: &QueueEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + 64 * entry.envelope.recipients.len());
    line(&mut out, MAGIC);
    let env = &entry.envelope;
    let mut rec = String::with_capacity(128);
    let _ = write!(
        rec,
        "E {} {} {} {:08x} ",
        entry.id,
        entry.created.as_millis(),
        entry.size,
        entry.body_crc
    );
    field(&mut rec, &env.queue);
    line(&mut out, &rec);

    rec.clear();
    rec.push_str("F ");
    match env.sender.mailbox() {
        Some(mailbox) => field(&mut rec, &mailbox.to_string()),
        None => rec.push('-'),
    }
    rec.push(' ');
    rec.push_str(env.ret.map_or("-", Ret::as_str));
    rec.push(' ');
    match &env.envid {
        Some(envid) => field(&mut rec, &envid.decode()),
        None => rec.push('-'),
    }
    if env.body.is_some() || env.smtputf8 || env.requiretls {
        rec.push(' ');
        rec.push_str(env.body.map_or("-", BodyType::as_str));
        rec.push(' ');
        match (env.smtputf8, env.requiretls) {
            (false, false) => rec.push('-'),
            (utf8, tls) => {
                if utf8 {
                    rec.push('u');
                }
                if tls {
                    rec.push('t');
                }
            }
        }
    }
    line(&mut out, &rec);

    for rcpt in &env.recipients {
        rec.clear();
        rec.push_str("R ");
        field(&mut rec, &rcpt.address.to_string());
        rec.push(' ');
        match rcpt.notify {
            Some(notify) => {
                let _ = write!(rec, "{notify}");
            }
            None => rec.push('-'),
        }
        rec.push(' ');
        match &rcpt.orcpt {
            Some(orcpt) => {
                field(&mut rec, orcpt.addr_type());
                rec.push(' ');
                field(&mut rec, &orcpt.address().decode());
            }
            None => rec.push_str("- -"),
        }
        line(&mut out, &rec);
    }
    line(&mut out, &format!("C {}", env.recipients.len()));
    out
}

/// Encodes a whole queue file: envelope, `body` (whose size and CRC the entry must
/// record), and the entry's state as change records (hold flag, recipients that are
/// not pending any more).
pub fn encode_file(entry: &QueueEntry, body: &[u8]) -> Vec<u8> {
    let mut out = encode_envelope(entry);
    out.reserve(body.len() + 64);
    out.extend_from_slice(body);
    out.extend(encode_state(entry));
    out
}

/// The change records that bring a new entry to `entry`'s state.
pub fn encode_state(entry: &QueueEntry) -> Vec<u8> {
    let mut out = Vec::new();
    for (index, state) in entry.recipients.iter().enumerate() {
        if *state != RecipientState::pending(entry.created) {
            out.extend(encode_update(&Update::Recipient {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                state: state.clone(),
            }));
        }
    }
    if entry.held {
        out.extend(encode_update(&Update::Held(true)));
    }
    out
}

/// Encodes one change as a line to append.
pub fn encode_update(update: &Update) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut rec = String::with_capacity(128);
    match update {
        Update::Held(held) => rec.push_str(if *held { "H 1" } else { "H 0" }),
        Update::Recipient { index, state } => {
            let status = match state.status {
                DeliveryStatus::Pending => 'P',
                DeliveryStatus::Deferred => 'T',
                DeliveryStatus::Delivered => 'D',
                DeliveryStatus::Failed => 'F',
            };
            let _ = write!(
                rec,
                "S {index} {status} {} {} {} ",
                state.attempts,
                state.next_attempt.as_millis(),
                state.updated.as_millis()
            );
            match (state.delay_notified, state.final_notified) {
                (false, false) => rec.push('-'),
                (delay, done) => {
                    if delay {
                        rec.push('d');
                    }
                    if done {
                        rec.push('f');
                    }
                }
            }
            rec.push(' ');
            match &state.diagnostic {
                None => rec.push('-'),
                Some(diag) => {
                    let _ = write!(rec, "{} ", diag.status);
                    match &diag.reply {
                        Some(reply) => {
                            let _ = write!(rec, "{} ", reply.code());
                            match reply.enhanced() {
                                Some(enhanced) => {
                                    let _ = write!(rec, "{enhanced} ");
                                }
                                None => rec.push_str("- "),
                            }
                            // One line (a diagnostic's reply has one; joined anyway).
                            field(&mut rec, &reply.lines().collect::<Vec<_>>().join(" "));
                        }
                        None => rec.push_str("- - -"),
                    }
                    rec.push(' ');
                    field(&mut rec, diag.remote_mta.as_deref().unwrap_or(""));
                    rec.push(' ');
                    field(&mut rec, &diag.text);
                }
            }
        }
    }
    line(&mut out, &rec);
    out
}

/// Parses a whole queue file (envelope, body, changes).
///
/// # Errors
///
/// [`FormatError`] when the file is not a valid queue file: it is then corrupt and
/// belongs aside. A torn last line after the body is not an error (see
/// [`Parsed::torn_tail`]).
pub fn parse(bytes: &[u8]) -> Result<Parsed, FormatError> {
    let Some((entry, body_offset)) = parse_envelope(bytes)? else {
        return Err(FormatError {
            line: 0,
            reason: "file ends before the commit record",
        });
    };
    let size = usize::try_from(entry.size).unwrap_or(usize::MAX);
    let Some(changes_at) = body_offset
        .checked_add(size)
        .filter(|end| *end <= bytes.len())
    else {
        return Err(FormatError {
            line: 0,
            reason: "file ends inside the message",
        });
    };
    let mut entry = entry;
    let (valid, torn_tail) = parse_changes(&mut entry, &bytes[changes_at..])?;
    Ok(Parsed {
        entry,
        body_offset,
        valid_len: changes_at + valid,
        torn_tail,
    })
}

/// Parses the envelope at the start of `bytes`: the entry (every recipient pending)
/// and the offset of the body, or `None` when `bytes` ends before the commit record
/// without an error so far (read more of the file).
///
/// # Errors
///
/// [`FormatError`] for a bad line or record.
pub fn parse_envelope(bytes: &[u8]) -> Result<Option<(QueueEntry, usize)>, FormatError> {
    let mut lines = Lines {
        bytes,
        pos: 0,
        number: 0,
    };
    let mut reader = EnvelopeReader::default();
    // Every line must be whole and valid.
    loop {
        let record = match lines.next_line() {
            LineResult::Ok(record, _) => record,
            LineResult::End => return Ok(None),
            LineResult::Bad("last line has no line feed") => return Ok(None),
            LineResult::Bad(reason) => return Err(lines.error(reason)),
        };
        if reader.feed(record).map_err(|reason| lines.error(reason))? {
            break;
        }
    }
    let entry = reader.finish().map_err(|reason| lines.error(reason))?;
    Ok(Some((entry, lines.pos)))
}

/// Applies the change records of `bytes` (what follows the body) to `entry`; returns
/// the length of the valid prefix and whether a torn last line was ignored.
///
/// # Errors
///
/// [`FormatError`] for a bad line that is not the last, or a bad record.
pub fn parse_changes(entry: &mut QueueEntry, bytes: &[u8]) -> Result<(usize, bool), FormatError> {
    let mut lines = Lines {
        bytes,
        pos: 0,
        number: 0,
    };
    let mut valid_len = 0;
    loop {
        match lines.next_line() {
            LineResult::End => return Ok((valid_len, false)),
            LineResult::Ok(record, end) => {
                let update = parse_update(record).map_err(|reason| lines.error(reason))?;
                if !entry.apply(&update) {
                    return Err(lines.error("recipient index out of range"));
                }
                valid_len = end;
            }
            LineResult::Bad(reason) => {
                if lines.at_end() {
                    return Ok((valid_len, true));
                }
                return Err(lines.error(reason));
            }
        }
    }
}

/// What the sender record holds.
struct SenderRecord {
    sender: ReversePath<'static>,
    ret: Option<Ret>,
    envid: Option<EnvId<'static>>,
    body: Option<BodyType>,
    smtputf8: bool,
    requiretls: bool,
}

/// The line records up to and including the commit, collected into an entry.
#[derive(Default)]
struct EnvelopeReader {
    seen_magic: bool,
    head: Option<(QueueId, Timestamp, u64, u32, String)>,
    sender: Option<SenderRecord>,
    recipients: Vec<Recipient>,
    committed: bool,
}

impl EnvelopeReader {
    /// Takes one record; true once the commit record was read.
    fn feed(&mut self, record: &str) -> Result<bool, &'static str> {
        if !self.seen_magic {
            if record != MAGIC {
                return Err("not an mta-queue queue file (bad magic)");
            }
            self.seen_magic = true;
            return Ok(false);
        }
        let mut fields = record.split(' ');
        let kind = fields.next().unwrap_or("");
        match (kind, &self.head, &self.sender) {
            ("E", None, _) => {
                let id = fields
                    .next()
                    .and_then(|f| f.parse::<QueueId>().ok())
                    .ok_or("bad queue id")?;
                let created = number(fields.next())?;
                let size = number(fields.next())?;
                let crc = fields
                    .next()
                    .filter(|f| f.len() == 8)
                    .and_then(|f| u32::from_str_radix(f, 16).ok())
                    .ok_or("bad body crc")?;
                let queue = unfield(fields.next())?;
                if queue.is_empty() {
                    return Err("empty queue name");
                }
                end(fields)?;
                self.head = Some((id, Timestamp::from_millis(created), size, crc, queue));
            }
            ("F", Some(_), None) => {
                let sender = unfield(fields.next())?;
                let sender = match sender.is_empty() {
                    true => ReversePath::Null,
                    false => ReversePath::Mailbox(mailbox(sender).ok_or("bad sender address")?),
                };
                let ret = match fields.next().ok_or("missing ret")? {
                    "-" => None,
                    word => Some(Ret::from_value(word).ok_or("bad ret")?),
                };
                let envid = unfield(fields.next())?;
                let envid = match envid.is_empty() {
                    true => None,
                    false => Some(EnvId::encode(&envid).map_err(|_| "bad envid")?),
                };
                // BODY= and the flags, absent in a file of the first release.
                let (body, smtputf8, requiretls) = match fields.next() {
                    None => (None, false, false),
                    Some(body) => {
                        let body = match body {
                            "-" => None,
                            word => Some(BodyType::from_value(word).ok_or("bad body type")?),
                        };
                        let (smtputf8, requiretls) = match fields.next() {
                            Some("-") => (false, false),
                            Some("u") => (true, false),
                            Some("t") => (false, true),
                            Some("ut") => (true, true),
                            _ => return Err("bad envelope flags"),
                        };
                        (body, smtputf8, requiretls)
                    }
                };
                end(fields)?;
                self.sender = Some(SenderRecord {
                    sender,
                    ret,
                    envid,
                    body,
                    smtputf8,
                    requiretls,
                });
            }
            ("R", Some(_), Some(_)) => {
                if self.recipients.len() >= MAX_RECIPIENTS {
                    return Err("too many recipients");
                }
                let address = mailbox(unfield(fields.next())?).ok_or("bad recipient address")?;
                let notify = match fields.next().ok_or("missing notify")? {
                    "-" => None,
                    word => Some(word.parse::<Notify>().map_err(|_| "bad notify")?),
                };
                let orcpt_type = unfield(fields.next())?;
                let orcpt_addr = unfield(fields.next())?;
                let orcpt = match (orcpt_type.is_empty(), orcpt_addr.is_empty()) {
                    (true, true) => None,
                    _ => Some(Orcpt::encode(&orcpt_type, &orcpt_addr).map_err(|_| "bad orcpt")?),
                };
                end(fields)?;
                self.recipients.push(Recipient {
                    address,
                    notify,
                    orcpt,
                });
            }
            ("C", Some(_), Some(_)) => {
                let count: u64 = number(fields.next())?;
                end(fields)?;
                if count != self.recipients.len() as u64 || count == 0 {
                    return Err("recipient count does not match the commit record");
                }
                self.committed = true;
                return Ok(true);
            }
            _ => return Err("unexpected record in the envelope"),
        }
        Ok(false)
    }

    fn finish(self) -> Result<QueueEntry, &'static str> {
        let (id, created, size, crc, queue) = self.head.ok_or("no entry record")?;
        let sender = self.sender.ok_or("no sender record")?;
        if !self.committed {
            return Err("no commit record");
        }
        let envelope = Envelope {
            sender: sender.sender,
            recipients: self.recipients,
            ret: sender.ret,
            envid: sender.envid,
            body: sender.body,
            smtputf8: sender.smtputf8,
            requiretls: sender.requiretls,
            queue,
        };
        Ok(QueueEntry::new(id, envelope, created, size, crc))
    }
}

/// Parses one change record.
fn parse_update(record: &str) -> Result<Update, &'static str> {
    let mut fields = record.split(' ');
    match fields.next().unwrap_or("") {
        "H" => {
            let held = match fields.next() {
                Some("1") => true,
                Some("0") => false,
                _ => return Err("bad hold flag"),
            };
            end(fields)?;
            Ok(Update::Held(held))
        }
        "S" => {
            let index = number(fields.next())?;
            let index = u32::try_from(index).map_err(|_| "bad recipient index")?;
            let status = match fields.next() {
                Some("P") => DeliveryStatus::Pending,
                Some("T") => DeliveryStatus::Deferred,
                Some("D") => DeliveryStatus::Delivered,
                Some("F") => DeliveryStatus::Failed,
                _ => return Err("bad recipient status"),
            };
            let attempts = u32::try_from(number(fields.next())?).map_err(|_| "bad attempts")?;
            let next_attempt = Timestamp::from_millis(number(fields.next())?);
            let updated = Timestamp::from_millis(number(fields.next())?);
            let (delay_notified, final_notified) = match fields.next() {
                Some("-") => (false, false),
                Some("d") => (true, false),
                Some("f") => (false, true),
                Some("df") => (true, true),
                _ => return Err("bad flags"),
            };
            let diagnostic = match fields.next() {
                Some("-") => None,
                Some(status) => Some(parse_diagnostic(status, &mut fields)?),
                None => return Err("missing diagnostic"),
            };
            end(fields)?;
            Ok(Update::Recipient {
                index,
                state: RecipientState {
                    status,
                    attempts,
                    next_attempt,
                    updated,
                    diagnostic,
                    delay_notified,
                    final_notified,
                },
            })
        }
        _ => Err("unknown change record"),
    }
}

fn parse_diagnostic<'a>(
    status: &str,
    fields: &mut impl Iterator<Item = &'a str>,
) -> Result<Diagnostic, &'static str> {
    let status = EnhancedStatusCode::try_from(status).map_err(|_| "bad status code")?;
    let code = fields.next().ok_or("missing reply code")?;
    let enhanced = fields.next().ok_or("missing enhanced code")?;
    let reply_text = unfield(fields.next())?;
    let reply = match code {
        "-" => {
            if enhanced != "-" || !reply_text.is_empty() {
                return Err("reply fields without a reply code");
            }
            None
        }
        code => {
            let code = number(Some(code))
                .ok()
                .and_then(|code| u16::try_from(code).ok())
                .and_then(|code| ReplyCode::try_from(code).ok())
                .ok_or("bad reply code")?;
            let enhanced = match enhanced {
                "-" => None,
                text => Some(EnhancedStatusCode::try_from(text).map_err(|_| "bad enhanced code")?),
            };
            // Cleaned and cut as when it came off the wire (a damaged or forged file
            // may hold a CR LF, which would end a DSN field early).
            Some(clean_reply(code, enhanced, &reply_text))
        }
    };
    let remote = unfield(fields.next())?;
    let text = unfield(fields.next())?;
    Ok(Diagnostic {
        status,
        reply,
        remote_mta: (!remote.is_empty()).then(|| clean_text(&remote, MAX_REMOTE)),
        // Not cut: a diagnostic's text may be longer than a reply's (it holds one).
        text: clean_text(&text, MAX_LINE),
    })
}

/// A mailbox as SMTP writes it.
fn mailbox(text: String) -> Option<Mailbox<'static>> {
    Mailbox::try_from(text).ok()
}

fn number(field: Option<&str>) -> Result<u64, &'static str> {
    let field = field.ok_or("missing number")?;
    if field.is_empty() || field.len() > 20 || !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err("bad number");
    }
    field.parse().map_err(|_| "bad number")
}

fn end<'a>(mut fields: impl Iterator<Item = &'a str>) -> Result<(), &'static str> {
    match fields.next() {
        None => Ok(()),
        Some(_) => Err("extra fields"),
    }
}

/// Appends `text` percent-encoded as one field.
fn field(out: &mut String, text: &str) {
    if text.is_empty() {
        out.push('-');
        return;
    }
    if text == "-" {
        out.push_str("%2D");
        return;
    }
    for &b in text.as_bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Decodes one field.
fn unfield(field: Option<&str>) -> Result<String, &'static str> {
    let field = field.ok_or("missing field")?;
    if field == "-" {
        return Ok(String::new());
    }
    if field.is_empty() {
        return Err("empty field");
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or("bad percent escape")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "bad percent escape")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| "bad percent escape")?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "field is not utf-8")
}

/// Writes `record` as one checksummed line.
fn line(out: &mut Vec<u8>, record: &str) {
    let crc = crc32fast::hash(record.as_bytes());
    let _ = writeln!(VecWriter(out), "{crc:08x} {record}");
}

/// `fmt::Write` into a byte vector.
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A line splitter that checks each line's CRC.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    number: usize,
}

enum LineResult<'a> {
    /// A good record and the offset just past its LF.
    Ok(&'a str, usize),
    /// A damaged line (skipped to its end).
    Bad(&'static str),
    /// No more input.
    End,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> LineResult<'a> {
        if self.pos >= self.bytes.len() {
            return LineResult::End;
        }
        self.number += 1;
        let rest = &self.bytes[self.pos..];
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            self.pos = self.bytes.len();
            return LineResult::Bad("last line has no line feed");
        };
        self.pos += len + 1;
        let raw = &rest[..len];
        if raw.len() > MAX_LINE {
            return LineResult::Bad("line too long");
        }
        let Ok(text) = std::str::from_utf8(raw) else {
            return LineResult::Bad("line is not utf-8");
        };
        let Some((crc, record)) = text.split_once(' ') else {
            return LineResult::Bad("line has no checksum");
        };
        let ok = crc.len() == 8
            && u32::from_str_radix(crc, 16).ok() == Some(crc32fast::hash(record.as_bytes()))
            && crc.bytes().all(|b| !b.is_ascii_uppercase());
        if !ok {
            return LineResult::Bad("checksum mismatch");
        }
        LineResult::Ok(record, self.pos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn error(&self, reason: &'static str) -> FormatError {
        FormatError {
            line: self.number,
            reason,
        }
    }
}

#[cfg(test)]
mod tests;
