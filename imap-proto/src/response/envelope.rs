//! The ENVELOPE structure.

use crate::types::NString;

/// The envelope of a message: parsed header fields (RFC 9051 section 7.5.2).
///
/// ```text
/// envelope = "(" env-date SP env-subject SP env-from SP
///            env-sender SP env-reply-to SP env-to SP env-cc SP
///            env-bcc SP env-in-reply-to SP env-message-id ")"
/// env-from = "(" 1*address ")" / nil
/// ```
///
/// An empty address list stands for `NIL`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Envelope<'a> {
    /// Date:.
    pub date: NString<'a>,
    /// Subject:.
    pub subject: NString<'a>,
    /// From:.
    pub from: Vec<Address<'a>>,
    /// Sender: (servers fill it from From: when absent).
    pub sender: Vec<Address<'a>>,
    /// Reply-To: (servers fill it from From: when absent).
    pub reply_to: Vec<Address<'a>>,
    /// To:.
    pub to: Vec<Address<'a>>,
    /// Cc:.
    pub cc: Vec<Address<'a>>,
    /// Bcc:.
    pub bcc: Vec<Address<'a>>,
    /// In-Reply-To:.
    pub in_reply_to: NString<'a>,
    /// Message-ID:.
    pub message_id: NString<'a>,
}

/// One address of an envelope, or a group marker.
///
/// ```text
/// address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
/// ```
///
/// A group starts with `host` NIL and `mailbox` the group name, and ends with
/// `mailbox` and `host` both NIL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Address<'a> {
    /// The display name.
    pub name: NString<'a>,
    /// The source route (obsolete).
    pub adl: NString<'a>,
    /// The local part, or the group name.
    pub mailbox: NString<'a>,
    /// The domain.
    pub host: NString<'a>,
}

impl Address<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Address<'static> {
        Address {
            name: self.name.into_owned(),
            adl: self.adl.into_owned(),
            mailbox: self.mailbox.into_owned(),
            host: self.host.into_owned(),
        }
    }
}

impl Envelope<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Envelope<'static> {
        let list = |l: Vec<Address<'_>>| l.into_iter().map(Address::into_owned).collect();
        Envelope {
            date: self.date.into_owned(),
            subject: self.subject.into_owned(),
            from: list(self.from),
            sender: list(self.sender),
            reply_to: list(self.reply_to),
            to: list(self.to),
            cc: list(self.cc),
            bcc: list(self.bcc),
            in_reply_to: self.in_reply_to.into_owned(),
            message_id: self.message_id.into_owned(),
        }
    }
}
