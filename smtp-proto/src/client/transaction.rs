//! The client's mail transaction: the envelope (pipelined when offered), the body (DATA
//! with dot-stuffing or BDAT chunks), and the final replies.

use std::borrow::Cow;

use crate::client::session::{Expect, Op};
use crate::client::{ClientSession, EnvelopeResult, Event, MessageResult};
use crate::codec::frame::DotStuffer;
use crate::command::Command;
use crate::error::ClientError;
use crate::reply::Reply;
use crate::server::{Protocol, local_error};
use crate::types::{BodyType, Envelope, ReplyCode};

/// A transaction in progress.
#[derive(Debug)]
pub(crate) struct Transaction {
    mail: Option<Reply<'static>>,
    recipients: Vec<Option<Reply<'static>>>,
    data: Option<Reply<'static>>,
    bdat: bool,
    binary: bool,
    phase: Phase,
    stuffer: DotStuffer,
    /// BDAT: body octets not yet sent in a chunk.
    pending: Vec<u8>,
    accepted: Vec<usize>,
    finals: Vec<Reply<'static>>,
    /// A BDAT chunk was refused: the rest of the body is dropped.
    refused: Option<Reply<'static>>,
}

#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Phase {
    Envelope,
    Body,
    Final,
}

impl ClientSession {
    /// Starts a mail transaction: `MAIL FROM`, one `RCPT TO` per recipient, and `DATA`
    /// (unless the body goes with BDAT), pipelined in one write when the server offers
    /// `PIPELINING`. The answers come as [`Event::EnvelopeResult`].
    ///
    /// `SMTPUTF8` is added when an address needs it. A session can send any number of
    /// messages, one transaction at a time.
    ///
    /// # Errors
    ///
    /// [`ClientError::NotReady`] unless ready; [`ClientError::NoRecipients`];
    /// [`ClientError::NotOffered`] when the envelope needs an extension the server does
    /// not offer (SMTPUTF8, 8BITMIME, BINARYMIME, DSN, SIZE over the server's limit is
    /// left to the server).
    pub fn send_envelope(&mut self, envelope: &Envelope<'_>) -> Result<(), ClientError> {
        if !self.is_ready() {
            return Err(if self.is_closed() {
                ClientError::Closed
            } else {
                ClientError::NotReady
            });
        }
        if envelope.recipients.is_empty() {
            return Err(ClientError::NoRecipients);
        }
        let caps = self.capabilities();
        let mut params = envelope.mail_params.clone();
        if envelope.needs_smtputf8() {
            params.smtputf8 = true;
        }
        if params.smtputf8 && !caps.smtputf8() {
            return Err(ClientError::NotOffered("SMTPUTF8"));
        }
        let binary = params.body == Some(BodyType::BinaryMime);
        match params.body {
            Some(BodyType::EightBitMime) if !caps.eight_bit_mime() => {
                return Err(ClientError::NotOffered("8BITMIME"));
            }
            Some(BodyType::BinaryMime) if !(caps.binarymime() && caps.chunking()) => {
                return Err(ClientError::NotOffered("BINARYMIME"));
            }
            _ => {}
        }
        let dsn = params.ret.is_some()
            || params.envid.is_some()
            || envelope
                .recipients
                .iter()
                .any(|r| r.params.notify.is_some() || r.params.orcpt.is_some());
        if dsn && !caps.dsn() {
            return Err(ClientError::NotOffered("DSN"));
        }
        let bdat = binary || (self.config.bdat && caps.chunking());
        let count = envelope.recipients.len();
        self.op = Op::Transaction(Box::new(Transaction {
            mail: None,
            recipients: vec![None; count],
            data: None,
            bdat,
            binary,
            phase: Phase::Envelope,
            stuffer: if bdat {
                DotStuffer::for_bdat()
            } else {
                DotStuffer::for_data()
            },
            pending: Vec::new(),
            accepted: Vec::new(),
            finals: Vec::new(),
            refused: None,
        }));
        let mail = Command::Mail {
            from: envelope.from.clone(),
            params,
        };
        self.command(&mail, vec![Expect::Mail], false);
        for (index, recipient) in envelope.recipients.iter().enumerate() {
            let rcpt = Command::Rcpt {
                to: recipient.path.clone(),
                params: recipient.params.clone(),
            };
            // With BDAT the last RCPT ends the group: the body waits for the answers.
            self.command(&rcpt, vec![Expect::Rcpt(index)], bdat && index + 1 == count);
        }
        if !bdat {
            self.command(&Command::Data, vec![Expect::Data], true);
        }
        Ok(())
    }

    /// Sends the next piece of the body, after [`Event::EnvelopeResult`] said a body
    /// is expected. Bare CR and LF become CRLF (no receiver can read an early end of
    /// data into it: outbound SMTP smuggling), lines starting with `.` are doubled for
    /// DATA, and BDAT chunks are cut at the configured size. A `BINARYMIME` body goes
    /// as it is. Feed while [`wants_body`](Self::wants_body) is true.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoBodyExpected`] outside the body phase.
    pub fn send_body(&mut self, chunk: &[u8]) -> Result<(), ClientError> {
        let chunk_size = self.config.bdat_chunk;
        let Op::Transaction(txn) = &mut self.op else {
            return Err(ClientError::NoBodyExpected);
        };
        if txn.phase != Phase::Body {
            return Err(ClientError::NoBodyExpected);
        }
        if txn.refused.is_some() {
            return Ok(());
        }
        if !txn.bdat {
            txn.stuffer.encode(chunk, &mut self.output);
            return Ok(());
        }
        if txn.binary {
            txn.pending.extend_from_slice(chunk);
        } else {
            txn.stuffer.encode(chunk, &mut txn.pending);
        }
        let mut chunks = Vec::new();
        while txn.pending.len() >= chunk_size {
            let rest = txn.pending.split_off(chunk_size);
            chunks.push(std::mem::replace(&mut txn.pending, rest));
        }
        for data in chunks {
            self.bdat_chunk(data, false, Vec::new());
        }
        Ok(())
    }

    /// Ends the body: the final dot for DATA, `BDAT n LAST` for BDAT. The answer comes
    /// as [`Event::MessageResult`].
    ///
    /// # Errors
    ///
    /// [`ClientError::NoBodyExpected`] outside the body phase.
    pub fn finish_body(&mut self) -> Result<(), ClientError> {
        let lmtp = self.config.protocol == Protocol::Lmtp;
        let Op::Transaction(txn) = &mut self.op else {
            return Err(ClientError::NoBodyExpected);
        };
        if txn.phase != Phase::Body {
            return Err(ClientError::NoBodyExpected);
        }
        txn.phase = Phase::Final;
        let finals = if lmtp { txn.accepted.len() } else { 1 };
        let expects = vec![Expect::Final; finals];
        if let Some(refused) = txn.refused.clone() {
            // RFC 3030 section 2: no more BDAT after a refused chunk; end the
            // transaction with RSET.
            self.command(&Command::Rset, vec![Expect::Ignore], false);
            self.message_done(Some(refused));
            return Ok(());
        }
        if txn.bdat {
            if !txn.binary {
                txn.stuffer.finish(&mut txn.pending);
            }
            let data = std::mem::take(&mut txn.pending);
            self.bdat_chunk(data, true, expects);
        } else {
            txn.stuffer.finish(&mut self.output);
            self.awaiting.extend(expects);
        }
        Ok(())
    }

    /// Whether the session takes more body now: true in the body phase while the
    /// output not yet written is under
    /// [`ClientConfig::max_pending_output`](crate::client::ClientConfig::max_pending_output).
    pub fn wants_body(&self) -> bool {
        let queued: usize = self.queue.iter().map(|o| o.bytes.len()).sum();
        matches!(&self.op, Op::Transaction(txn) if txn.phase == Phase::Body)
            && self.output.len() + queued < self.config.max_pending_output
    }

    fn bdat_chunk(&mut self, data: Vec<u8>, last: bool, finals: Vec<Expect>) {
        let mut bytes = Vec::with_capacity(data.len() + 32);
        crate::codec::encode::command(
            &Command::Bdat {
                size: data.len() as u64,
                last,
            },
            &mut bytes,
        );
        bytes.extend_from_slice(&data);
        let expects = if last { finals } else { vec![Expect::Bdat] };
        self.raw(bytes, expects, last);
    }

    pub(super) fn on_transaction_reply(&mut self, expect: Expect, reply: Reply<'static>) {
        let lmtp = self.config.protocol == Protocol::Lmtp;
        let pipelined_rest = self.awaiting.iter().any(is_envelope);
        let data_queued = !self.queue.is_empty();
        let Op::Transaction(txn) = &mut self.op else {
            return;
        };
        match expect {
            Expect::Mail => {
                let failed = reply.is_negative();
                txn.mail = Some(reply);
                if failed && !pipelined_rest {
                    // Not pipelined: the RCPTs and DATA were not sent; drop them.
                    self.queue.clear();
                    self.envelope_done();
                }
            }
            Expect::Rcpt(index) => {
                if let Some(slot) = txn.recipients.get_mut(index) {
                    *slot = Some(reply);
                }
                let last = index + 1 == txn.recipients.len();
                let none_accepted = !txn.recipients.iter().flatten().any(Reply::is_positive);
                let bdat = txn.bdat;
                if last && (bdat || (none_accepted && data_queued)) {
                    // BDAT: the envelope is answered. DATA not sent yet and nobody
                    // to send to: drop it.
                    if none_accepted {
                        self.queue.clear();
                    }
                    self.envelope_done();
                }
            }
            Expect::Data => {
                txn.data = Some(reply);
                self.envelope_done();
            }
            Expect::Bdat if reply.is_negative() && txn.refused.is_none() => {
                txn.refused = Some(reply);
                // Chunks not written yet are never sent (RFC 3030 section 2).
                self.queue.retain(|o| !o.bytes.starts_with(b"BDAT "));
            }
            Expect::Final => {
                txn.finals.push(reply);
                let wanted = if lmtp { txn.accepted.len() } else { 1 };
                if txn.finals.len() >= wanted {
                    self.message_done(None);
                }
            }
            _ => {}
        }
    }

    /// Every envelope reply is in: report, and go on to the body or end the
    /// transaction.
    fn envelope_done(&mut self) {
        let Op::Transaction(txn) = &mut self.op else {
            return;
        };
        let mail = txn.mail.clone().unwrap_or_else(|| {
            Reply::new(ReplyCode::LOCAL_ERROR, Cow::Borrowed("no reply to MAIL"))
        });
        txn.accepted = txn
            .recipients
            .iter()
            .enumerate()
            .filter(|(_, reply)| reply.as_ref().is_some_and(Reply::is_positive))
            .map(|(index, _)| index)
            .collect();
        let go_ahead = txn.bdat
            || txn
                .data
                .as_ref()
                .is_some_and(|d| d.code() == ReplyCode::START_MAIL_INPUT);
        let body_expected = mail.is_positive() && !txn.accepted.is_empty() && go_ahead;
        let result = EnvelopeResult {
            mail: mail.clone(),
            recipients: txn.recipients.clone(),
            data: txn.data.clone(),
            body_expected,
        };
        if body_expected {
            txn.phase = Phase::Body;
        } else if !txn.bdat && go_ahead {
            // 354 although no recipient was accepted: end the empty body at once
            // (RFC 2920 section 3.1).
            self.output.extend_from_slice(b".\r\n");
            self.awaiting.push_back(Expect::Ignore);
            self.op = Op::Idle;
        } else {
            if mail.is_positive() {
                self.command(&Command::Rset, vec![Expect::Ignore], false);
            }
            self.op = Op::Idle;
        }
        self.events.push_back(Event::EnvelopeResult(result));
    }

    /// The final replies are in (or a BDAT chunk was refused): report and go idle.
    fn message_done(&mut self, refused: Option<Reply<'static>>) {
        let lmtp = self.config.protocol == Protocol::Lmtp;
        let Op::Transaction(txn) = std::mem::replace(&mut self.op, Op::Idle) else {
            return;
        };
        let replies = txn
            .accepted
            .iter()
            .enumerate()
            .map(|(n, &index)| {
                let reply = refused
                    .clone()
                    .or_else(|| {
                        if lmtp {
                            txn.finals.get(n).cloned()
                        } else {
                            txn.finals.first().cloned()
                        }
                    })
                    .unwrap_or_else(local_error);
                (index, reply)
            })
            .collect();
        // Replies still due for chunks of this message must not count for the next.
        for expect in self.awaiting.iter_mut() {
            if *expect == Expect::Bdat {
                *expect = Expect::Ignore;
            }
        }
        self.events
            .push_back(Event::MessageResult(MessageResult { replies }));
    }
}

fn is_envelope(expect: &Expect) -> bool {
    matches!(expect, Expect::Rcpt(_) | Expect::Data)
}
