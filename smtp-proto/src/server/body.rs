//! Message bodies: DATA and BDAT, streamed to the application, and the answer after
//! the end.

use bytes::Bytes;

use crate::codec::frame::{ChunkDecoder, DataDecoder, DataEvent};
use crate::error::{LimitExceeded, Sequence, SessionError, Unsupported};
use crate::reply::Reply;
use crate::server::event::{MessageAnswer, local_error};
use crate::server::session::{Mode, Pending};
use crate::server::{AbortReason, ServerSession};
use crate::types::{BodyType, EnhancedStatusCode, ReplyCode};

impl ServerSession {
    /// `DATA` (RFC 5321 section 4.1.1.4): `354`, then the body.
    pub(super) fn data_command(&mut self) -> Result<(), SessionError> {
        let transaction = self.ready_for_body()?;
        if transaction.bdat {
            return Err(SessionError::OutOfSequence(Sequence::DataAfterBdat));
        }
        if transaction.envelope.mail_params.body == Some(BodyType::BinaryMime) {
            return Err(SessionError::Unsupported(Unsupported::BinaryBodyWithData));
        }
        transaction.body_started = true;
        self.reply(
            ReplyCode::START_MAIL_INPUT,
            None,
            "end data with <CR><LF>.<CR><LF>",
        );
        self.mode = Mode::Data(DataDecoder::new(self.config.bare_line_endings));
        Ok(())
    }

    /// `BDAT n [LAST]` (RFC 3030 section 2). The `n` octets are read in every case;
    /// when the command is refused they are dropped and the error is answered after
    /// them.
    pub(super) fn bdat_command(&mut self, size: u64, last: bool) {
        let refused = self.check_bdat(size).err();
        if let Some(error) = refused {
            // A failed BDAT ends the transaction (RFC 3030 section 2); the chunks
            // still in the pipeline are refused in turn.
            if matches!(error, SessionError::Limit(LimitExceeded::MessageSize)) {
                self.end_transaction(AbortReason::TooLarge);
            }
        }
        self.mode = Mode::Bdat {
            chunk: ChunkDecoder::new(size),
            last,
            size,
            refused,
        };
    }

    fn check_bdat(&mut self, size: u64) -> Result<(), SessionError> {
        if !self.config.chunking {
            return Err(SessionError::Unsupported(Unsupported::Command("BDAT")));
        }
        let max = self.config.limits.max_message_size;
        let transaction = self.ready_for_body()?;
        transaction.size = transaction.size.saturating_add(size);
        transaction.bdat = true;
        transaction.body_started = true;
        if transaction.size > max {
            return Err(SessionError::Limit(LimitExceeded::MessageSize));
        }
        Ok(())
    }

    /// The transaction, if it may take a body now.
    fn ready_for_body(&mut self) -> Result<&mut super::session::Transaction, SessionError> {
        let transaction = self
            .transaction
            .as_mut()
            .ok_or(SessionError::OutOfSequence(Sequence::MailFirst))?;
        if transaction.envelope.recipients.is_empty() {
            return Err(if transaction.rcpt_refused {
                SessionError::NoValidRecipients
            } else {
                SessionError::OutOfSequence(Sequence::RcptFirst)
            });
        }
        Ok(transaction)
    }

    /// Decodes the next piece of a DATA body; false when more input is needed.
    pub(super) fn next_data(&mut self) -> bool {
        let Mode::Data(decoder) = &mut self.mode else {
            return false;
        };
        match decoder.decode(&mut self.input) {
            None => false,
            Some(DataEvent::Chunk(chunk)) => {
                self.body_chunk(chunk, true);
                true
            }
            Some(DataEvent::BareLineEnding) => {
                self.void_body(AbortReason::BareLineEnding);
                true
            }
            Some(DataEvent::End) => {
                self.mode = Mode::Command;
                self.end_of_body();
                true
            }
        }
    }

    /// Reads the next piece of a BDAT chunk; false when more input is needed.
    pub(super) fn next_bdat(&mut self) -> bool {
        let Mode::Bdat {
            chunk,
            last,
            size,
            refused,
        } = &mut self.mode
        else {
            return false;
        };
        if let Some(piece) = chunk.decode(&mut self.input) {
            if refused.is_none() {
                self.body_chunk(piece, false);
            }
            return true;
        }
        if !chunk.is_done() {
            return false;
        }
        let (last, size, refused) = (*last, *size, refused.take());
        self.mode = Mode::Command;
        match refused {
            Some(error) => self.error(error),
            None if last => self.end_of_body(),
            None => {
                let mut digits = [0; 20];
                let size = crate::codec::encode::decimal(size, &mut digits);
                self.reply_parts(
                    ReplyCode::OK,
                    Some(EnhancedStatusCode::OK),
                    &[size, " octets received"],
                );
            }
        }
        true
    }

    /// Hands a body piece to the application, unless the body is already void; a
    /// DATA body is counted here against the size limit (BDAT counts at the command).
    fn body_chunk(&mut self, chunk: Bytes, count: bool) {
        let max = self.config.limits.max_message_size;
        let Some(transaction) = &mut self.transaction else {
            return;
        };
        if transaction.failed.is_some() {
            return;
        }
        if count {
            transaction.size = transaction.size.saturating_add(chunk.len() as u64);
            if transaction.size > max {
                self.void_body(AbortReason::TooLarge);
                return;
            }
        }
        self.pending = Pending::Chunk(chunk);
    }

    /// Marks the body void: the application hears `MessageAborted` now, the client
    /// gets the refusal after the end of data.
    fn void_body(&mut self, reason: AbortReason) {
        if let Some(transaction) = &mut self.transaction
            && transaction.failed.is_none()
        {
            transaction.failed = Some(reason);
            self.aborted = Some(reason);
        }
    }

    /// The body is complete: ask the application, or refuse a void body.
    fn end_of_body(&mut self) {
        let failed = self.transaction.as_ref().and_then(|t| t.failed);
        match failed {
            None if self.transaction.is_some() => self.pending = Pending::Message,
            None => {}
            Some(reason) => {
                let count = self
                    .transaction
                    .take()
                    .map_or(1, |t| t.envelope.recipients.len().max(1));
                let reply = match reason {
                    AbortReason::TooLarge => {
                        Reply::from(&SessionError::Limit(LimitExceeded::MessageSize))
                    }
                    _ => Reply::new(
                        ReplyCode::TRANSACTION_FAILED,
                        "message refused: bare CR or LF in the body",
                    )
                    .with_enhanced(EnhancedStatusCode::MEDIA_OTHER),
                };
                self.answer_each_recipient(&reply, count);
            }
        }
    }

    pub(super) fn answer_message(&mut self, answer: MessageAnswer<'_>) {
        if !matches!(self.pending, Pending::Message) {
            return;
        }
        self.pending = Pending::None;
        self.activity = true;
        let Some(transaction) = self.transaction.take() else {
            return;
        };
        let recipients = &transaction.envelope.recipients;
        let count = recipients.len().max(1);
        match answer {
            MessageAnswer::Accepted(queue_id) => {
                let queue_id = crate::types::Text::lossy(queue_id);
                if self.is_lmtp() {
                    for recipient in recipients {
                        let path = recipient.path.to_string();
                        self.reply_parts(
                            ReplyCode::OK,
                            Some(EnhancedStatusCode::OK),
                            &[&path, " OK queued as ", queue_id.as_str()],
                        );
                    }
                } else {
                    self.reply_parts(
                        ReplyCode::OK,
                        Some(EnhancedStatusCode::OK),
                        &["OK queued as ", queue_id.as_str()],
                    );
                }
            }
            MessageAnswer::Rejected(reply) => self.answer_each_recipient(&reply, count),
            MessageAnswer::PerRecipient(replies) => {
                let wanted = if self.is_lmtp() { count } else { 1 };
                let mut replies = replies.into_iter();
                for _ in 0..wanted {
                    let reply = replies.next().unwrap_or_else(local_error);
                    self.send(&reply);
                }
            }
        }
        self.advance();
    }

    /// Sends `reply` once in SMTP, `count` times in LMTP.
    fn answer_each_recipient(&mut self, reply: &Reply<'_>, count: usize) {
        let times = if self.is_lmtp() { count } else { 1 };
        for _ in 0..times {
            self.send(reply);
        }
    }
}
