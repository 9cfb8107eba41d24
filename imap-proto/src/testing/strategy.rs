//! proptest strategies: one per validated type, built from the ABNF character
//! classes, producing owned `'static` values that encode to canonical bytes.

use std::borrow::Cow;
use std::num::{NonZeroU32, NonZeroU64};

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use crate::command::*;
use crate::response::*;
use crate::types::*;

fn chars_from(class: fn(u8) -> bool) -> Vec<char> {
    (1u8..0x80).filter(|&b| class(b)).map(char::from).collect()
}

fn string_of(class: fn(u8) -> bool, min: usize, max: usize) -> impl Strategy<Value = String> {
    let chars = chars_from(class);
    vec(proptest::sample::select(chars), min..=max).prop_map(|c| c.into_iter().collect())
}

fn nz32() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![1u32..100, 1u32..=u32::MAX]
        .prop_map(|n| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

fn modseq() -> impl Strategy<Value = u64> {
    1u64..=MAX_MODSEQ
}

pub(crate) fn tag() -> impl Strategy<Value = Tag<'static>> {
    string_of(char_class::is_tag_char, 1, 8).prop_map(|s| Tag::try_from(s).unwrap())
}

pub(crate) fn atom() -> impl Strategy<Value = Atom<'static>> {
    string_of(char_class::is_atom_char, 1, 10).prop_map(|s| Atom::try_from(s).unwrap())
}

fn text_string(max: usize) -> impl Strategy<Value = String> {
    let ascii = string_of(char_class::is_text_char, 0, max);
    prop_oneof![
        4 => ascii,
        1 => "[a-z ]{0,5}[é日ß]{1,3}",
    ]
}

/// Pieces that break byte-index arithmetic and IMAP syntax: multi-byte UTF-8
/// (2, 3 and 4 bytes), modified UTF-7 shifts, wildcards, delimiters, quoting,
/// literal braces, line breaks and NUL.
const TRICKY: &[&str] = &[
    "日本語の件名テスト #2",
    "Привет",
    "é",
    "ß",
    "台北",
    "\u{1F600}",
    "\u{10FFFF}",
    "\u{FEFF}",
    "\u{301}",
    "&",
    "&-",
    "&AGE-",
    "&U,BTFw-",
    "&Jjo",
    "-",
    "%",
    "*",
    "/",
    ".",
    "\"",
    "\\",
    "INBOX",
    "inbox",
    " ",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "{3}\r\n",
    "~",
    "+",
    ",",
    ":",
    ";",
    "<",
    ">",
    "@",
    "=?UTF-8?B?",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\0",
];

/// Any Unicode text, biased toward [`TRICKY`] pieces and short ASCII runs; at
/// most `max` pieces.
pub(crate) fn unicode_text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        3 => proptest::sample::select(TRICKY).prop_map(String::from),
        2 => "[a-zA-Z0-9 ]{1,4}",
        1 => "\\PC{1,4}",
    ];
    vec(piece, 0..=max).prop_map(|pieces| pieces.concat())
}

/// [`unicode_text`] without what no mailbox name or quoted string may hold
/// (NUL, CR, LF).
pub(crate) fn unicode_line(max: usize) -> impl Strategy<Value = String> {
    unicode_text(max).prop_map(|s| s.replace(['\0', '\r', '\n'], ""))
}

pub(crate) fn quoted() -> impl Strategy<Value = Quoted<'static>> {
    text_string(16).prop_map(|s| Quoted::try_from(s).unwrap())
}

pub(crate) fn literal() -> impl Strategy<Value = Literal<'static>> {
    (vec(1u8..=255, 0..24), any::<bool>()).prop_map(|(data, nonsync)| {
        let mode = if nonsync {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        };
        Literal::try_from(data).unwrap().with_mode(mode)
    })
}

pub(crate) fn literal8() -> impl Strategy<Value = Literal8<'static>> {
    (vec(any::<u8>(), 0..24), any::<bool>()).prop_map(|(data, nonsync)| {
        let mode = if nonsync {
            LiteralMode::NonSync
        } else {
            LiteralMode::Sync
        };
        Literal8::new(data, mode)
    })
}

pub(crate) fn istring() -> impl Strategy<Value = IString<'static>> {
    prop_oneof![
        3 => quoted().prop_map(IString::Quoted),
        1 => literal().prop_map(IString::Literal),
    ]
}

pub(crate) fn astring() -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        2 => string_of(char_class::is_astring_char, 1, 10).prop_map(|s| AString::Atom(AtomExt::try_from(s).unwrap())),
        2 => istring().prop_map(AString::String),
    ]
}

pub(crate) fn nstring() -> impl Strategy<Value = NString<'static>> {
    option::weighted(0.8, istring()).prop_map(NString)
}

pub(crate) fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        1 => Just(Mailbox::Inbox),
        4 => astring()
            .prop_filter("INBOX is its own variant", |a| !a.as_bytes().eq_ignore_ascii_case(b"INBOX"))
            .prop_map(Mailbox::Other),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox<'static>> {
    prop_oneof![
        string_of(char_class::is_list_char, 1, 8)
            .prop_map(|s| ListMailbox::Token(ListChars::try_from(s).unwrap())),
        istring().prop_map(ListMailbox::String),
    ]
}

pub(crate) fn flag() -> impl Strategy<Value = Flag<'static>> {
    (any::<bool>(), atom()).prop_map(|(system, a)| {
        let s = if system {
            format!("\\{a}")
        } else {
            a.to_string()
        };
        Flag::try_from(s).unwrap()
    })
}

fn attribute() -> impl Strategy<Value = MailboxAttribute<'static>> {
    atom().prop_map(|a| MailboxAttribute::try_from(format!("\\{a}")).unwrap())
}

pub(crate) fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    let seq = prop_oneof![4 => nz32().prop_map(SeqOrUid::Value), 1 => Just(SeqOrUid::Asterisk)];
    let part = prop_oneof![
        seq.clone().prop_map(Sequence::Single),
        (seq.clone(), seq).prop_map(|(a, b)| Sequence::Range(a, b)),
    ];
    vec(part, 1..5).prop_map(|parts| SequenceSet::new(Vec1::try_from(parts).unwrap()))
}

pub(crate) fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

pub(crate) fn date_time() -> impl Strategy<Value = DateTime> {
    (
        date(),
        0u8..24,
        0u8..60,
        0u8..=60,
        -(99 * 60 + 59)..=(99i16 * 60 + 59),
    )
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, h, m, s, z).unwrap())
}

fn charset() -> impl Strategy<Value = Charset<'static>> {
    prop_oneof![
        atom().prop_map(|a| Charset::try_from(a.to_string()).unwrap()),
        text_string(8)
            .prop_filter("not empty", |s| !s.is_empty())
            .prop_map(|s| Charset::try_from(s).unwrap()),
    ]
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    atom().prop_map(|a| Capability::try_from(a.to_string()).unwrap())
}

fn text() -> impl Strategy<Value = Text<'static>> {
    text_string(20)
        .prop_filter("no leading [", |s| !s.starts_with('['))
        .prop_map(|s| Text::try_from(s).unwrap())
}

fn vec1<T: std::fmt::Debug>(
    s: impl Strategy<Value = T>,
    max: usize,
) -> impl Strategy<Value = Vec1<T>> {
    vec(s, 1..=max).prop_map(|v| Vec1::try_from(v).unwrap())
}

fn status_item() -> impl Strategy<Value = StatusItem> {
    prop_oneof![
        Just(StatusItem::Messages),
        Just(StatusItem::UidNext),
        Just(StatusItem::UidValidity),
        Just(StatusItem::Unseen),
        Just(StatusItem::Deleted),
        Just(StatusItem::Size),
        Just(StatusItem::Recent),
        Just(StatusItem::HighestModSeq),
    ]
}

pub(crate) fn search_key() -> impl Strategy<Value = SearchKey<'static>> {
    use SearchKey as K;
    let leaf = prop_oneof![
        Just(K::All),
        Just(K::Answered),
        Just(K::Deleted),
        Just(K::Draft),
        Just(K::Flagged),
        Just(K::New),
        Just(K::Old),
        Just(K::Recent),
        Just(K::Seen),
        Just(K::Unanswered),
        Just(K::Undeleted),
        Just(K::Undraft),
        Just(K::Unflagged),
        Just(K::Unseen),
        astring().prop_map(K::Bcc),
        astring().prop_map(K::Body),
        astring().prop_map(K::Cc),
        astring().prop_map(K::From),
        astring().prop_map(K::Subject),
        astring().prop_map(K::Text),
        astring().prop_map(K::To),
        (astring(), astring()).prop_map(|(a, b)| K::Header(a, b)),
        date().prop_map(K::Before),
        date().prop_map(K::On),
        date().prop_map(K::Since),
        date().prop_map(K::SentBefore),
        date().prop_map(K::SentOn),
        date().prop_map(K::SentSince),
        flag().prop_map(K::Keyword),
        flag().prop_map(K::Unkeyword),
        (0u64..=MAX_MODSEQ).prop_map(K::Larger),
        (0u64..=MAX_MODSEQ).prop_map(K::Smaller),
        nz32().prop_map(|n| K::Older(n.get())),
        nz32().prop_map(|n| K::Younger(n.get())),
        sequence_set().prop_map(K::Uid),
        sequence_set().prop_map(K::SequenceSet),
        (
            option::of((
                flag(),
                prop_oneof![
                    Just(EntryType::Private),
                    Just(EntryType::Shared),
                    Just(EntryType::All)
                ]
            )),
            0u64..=MAX_MODSEQ
        )
            .prop_map(|(entry, modseq)| K::ModSeq { entry, modseq }),
    ];
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| K::Not(Box::new(k))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| K::Or(Box::new(a), Box::new(b))),
            vec1(inner, 3).prop_map(K::And),
        ]
    })
}

fn part() -> impl Strategy<Value = Part> {
    vec1(nz32(), 3).prop_map(Part)
}

fn section() -> impl Strategy<Value = Section<'static>> {
    prop_oneof![
        part().prop_map(Section::Part),
        option::of(part()).prop_map(Section::Header),
        (option::of(part()), vec1(astring(), 3)).prop_map(|(p, n)| Section::HeaderFields(p, n)),
        (option::of(part()), vec1(astring(), 3)).prop_map(|(p, n)| Section::HeaderFieldsNot(p, n)),
        option::of(part()).prop_map(Section::Text),
        part().prop_map(Section::Mime),
    ]
}

fn partial() -> impl Strategy<Value = Partial> {
    (0u64..=MAX_MODSEQ, 1u64..=MAX_MODSEQ).prop_map(|(offset, length)| Partial {
        offset,
        length: NonZeroU64::new(length).unwrap_or(NonZeroU64::MIN),
    })
}

fn fetch_attribute() -> impl Strategy<Value = FetchAttribute<'static>> {
    use FetchAttribute as A;
    prop_oneof![
        Just(A::Envelope),
        Just(A::Flags),
        Just(A::InternalDate),
        Just(A::Rfc822Size),
        Just(A::Rfc822),
        Just(A::Rfc822Header),
        Just(A::Rfc822Text),
        Just(A::Body),
        Just(A::BodyStructure),
        Just(A::Uid),
        Just(A::ModSeq),
        (option::of(section()), option::of(partial()), any::<bool>()).prop_map(
            |(section, partial, peek)| A::BodySection {
                section,
                partial,
                peek
            }
        ),
        (vec(nz32(), 0..3), option::of(partial()), any::<bool>()).prop_map(
            |(section, partial, peek)| A::Binary {
                section,
                partial,
                peek
            }
        ),
        vec(nz32(), 0..3).prop_map(|section| A::BinarySize { section }),
    ]
}

fn fetch_items() -> impl Strategy<Value = FetchItems<'static>> {
    prop_oneof![
        Just(FetchItems::All),
        Just(FetchItems::Fast),
        Just(FetchItems::Full),
        vec1(fetch_attribute(), 4).prop_map(FetchItems::Attributes),
    ]
}

fn select_parameters() -> impl Strategy<Value = Vec<SelectParameter>> {
    let qresync = (
        nz32(),
        modseq(),
        option::of(sequence_set()),
        option::of((sequence_set(), sequence_set())),
    )
        .prop_map(|(uid_validity, modseq, known_uids, seq_match)| {
            SelectParameter::Qresync(QresyncParameters {
                uid_validity,
                modseq,
                known_uids,
                seq_match,
            })
        });
    vec(prop_oneof![Just(SelectParameter::CondStore), qresync], 0..3)
}

fn list_return_option() -> impl Strategy<Value = ListReturnOption> {
    prop_oneof![
        Just(ListReturnOption::Subscribed),
        Just(ListReturnOption::Children),
        Just(ListReturnOption::SpecialUse),
        vec1(status_item(), 3).prop_map(ListReturnOption::Status),
    ]
}

fn id_parameters() -> impl Strategy<Value = IdParameters<'static>> {
    option::of(vec((istring(), nstring()), 0..3))
}

pub(crate) fn command() -> impl Strategy<Value = Command<'static>> {
    use CommandBody as C;
    let simple = prop_oneof![
        Just(C::Capability),
        Just(C::Noop),
        Just(C::Logout),
        Just(C::StartTls),
        Just(C::Namespace),
        Just(C::Idle),
        Just(C::Check),
        Just(C::Close),
        Just(C::Unselect),
        Just(C::Expunge),
    ];
    let auth = prop_oneof![
        id_parameters().prop_map(|parameters| C::Id { parameters }),
        (atom(), option::of(vec(any::<u8>(), 0..12))).prop_map(|(m, ir)| C::Authenticate {
            mechanism: AuthMechanism::try_from(m.to_string()).unwrap(),
            initial_response: ir.map(|d| Secret::new(Cow::Owned(d))),
        }),
        (astring(), astring()).prop_map(|(username, p)| C::Login {
            username,
            password: Secret::new(p)
        }),
        vec1(capability(), 3).prop_map(|capabilities| C::Enable { capabilities }),
    ];
    let mailboxes = prop_oneof![
        (mailbox(), select_parameters()).prop_map(|(mailbox, parameters)| C::Select {
            mailbox,
            parameters
        }),
        (mailbox(), select_parameters()).prop_map(|(mailbox, parameters)| C::Examine {
            mailbox,
            parameters
        }),
        mailbox().prop_map(|mailbox| C::Create { mailbox }),
        mailbox().prop_map(|mailbox| C::Delete { mailbox }),
        (mailbox(), mailbox()).prop_map(|(from, to)| C::Rename { from, to }),
        mailbox().prop_map(|mailbox| C::Subscribe { mailbox }),
        mailbox().prop_map(|mailbox| C::Unsubscribe { mailbox }),
        (
            vec(
                prop_oneof![
                    Just(ListSelectOption::Subscribed),
                    Just(ListSelectOption::Remote),
                    Just(ListSelectOption::RecursiveMatch),
                    Just(ListSelectOption::SpecialUse)
                ],
                0..3
            ),
            mailbox(),
            vec1(list_mailbox(), 3),
            vec(list_return_option(), 0..3),
        )
            .prop_map(|(selection, reference, patterns, return_options)| C::List {
                selection,
                reference,
                patterns,
                return_options
            }),
        (mailbox(), list_mailbox()).prop_map(|(reference, pattern)| C::Lsub { reference, pattern }),
        (mailbox(), vec1(status_item(), 4))
            .prop_map(|(mailbox, items)| C::Status { mailbox, items }),
        (
            mailbox(),
            vec(flag(), 0..3),
            option::of(date_time()),
            prop_oneof![
                literal().prop_map(AppendData::Literal),
                literal8().prop_map(AppendData::Binary)
            ]
        )
            .prop_map(|(mailbox, flags, date, message)| C::Append {
                mailbox,
                flags,
                date,
                message
            }),
    ];
    let selected = prop_oneof![
        sequence_set().prop_map(|sequence_set| C::UidExpunge { sequence_set }),
        (
            option::of(vec(
                prop_oneof![
                    Just(SearchReturnOption::Min),
                    Just(SearchReturnOption::Max),
                    Just(SearchReturnOption::All),
                    Just(SearchReturnOption::Count),
                    Just(SearchReturnOption::Save)
                ],
                0..3
            )),
            option::of(charset()),
            vec1(search_key(), 3),
            any::<bool>()
        )
            .prop_map(|(return_options, charset, criteria, uid)| C::Search {
                return_options,
                charset,
                criteria,
                uid
            }),
        (
            vec1(
                (
                    any::<bool>(),
                    proptest::sample::select(SortKey::ALL.to_vec())
                )
                    .prop_map(|(reverse, key)| SortCriterion { reverse, key }),
                3
            ),
            charset(),
            vec1(search_key(), 2),
            any::<bool>()
        )
            .prop_map(|(criteria, charset, search, uid)| C::Sort {
                criteria,
                charset,
                search,
                uid
            }),
        (
            sequence_set(),
            fetch_items(),
            vec(
                prop_oneof![
                    modseq().prop_map(FetchModifier::ChangedSince),
                    Just(FetchModifier::Vanished)
                ],
                0..3
            ),
            any::<bool>()
        )
            .prop_map(|(sequence_set, items, modifiers, uid)| C::Fetch {
                sequence_set,
                items,
                modifiers,
                uid
            }),
        (
            sequence_set(),
            prop_oneof![
                Just(StoreKind::Replace),
                Just(StoreKind::Add),
                Just(StoreKind::Remove)
            ],
            any::<bool>(),
            vec(flag(), 0..3),
            vec(
                (0u64..=MAX_MODSEQ).prop_map(StoreModifier::UnchangedSince),
                0..2
            ),
            any::<bool>()
        )
            .prop_map(
                |(sequence_set, kind, silent, flags, modifiers, uid)| C::Store {
                    sequence_set,
                    kind,
                    silent,
                    flags,
                    modifiers,
                    uid
                }
            ),
        (sequence_set(), mailbox(), any::<bool>()).prop_map(|(sequence_set, mailbox, uid)| {
            C::Copy {
                sequence_set,
                mailbox,
                uid,
            }
        }),
        (sequence_set(), mailbox(), any::<bool>()).prop_map(|(sequence_set, mailbox, uid)| {
            C::Move {
                sequence_set,
                mailbox,
                uid,
            }
        }),
    ];
    (tag(), prop_oneof![simple, auth, mailboxes, selected])
        .prop_map(|(tag, body)| Command { tag, body })
}

fn code() -> impl Strategy<Value = Code<'static>> {
    let simple: Vec<Code<'static>> = [
        "ALERT",
        "PARSE",
        "READ-ONLY",
        "READ-WRITE",
        "TRYCREATE",
        "UIDNOTSTICKY",
        "NOMODSEQ",
        "CLOSED",
        "UNAVAILABLE",
        "AUTHENTICATIONFAILED",
        "AUTHORIZATIONFAILED",
        "EXPIRED",
        "PRIVACYREQUIRED",
        "CONTACTADMIN",
        "NOPERM",
        "INUSE",
        "EXPUNGEISSUED",
        "CORRUPTION",
        "SERVERBUG",
        "CLIENTBUG",
        "CANNOT",
        "LIMIT",
        "OVERQUOTA",
        "ALREADYEXISTS",
        "NONEXISTENT",
        "NOTSAVED",
        "HASCHILDREN",
        "UNKNOWN-CTE",
        "TOOBIG",
    ]
    .iter()
    .filter_map(|n| Code::simple_from_name(n.as_bytes()))
    .collect();
    prop_oneof![
        proptest::sample::select(simple),
        vec(charset(), 0..3).prop_map(Code::BadCharset),
        vec1(capability(), 3).prop_map(Code::Capability),
        vec(
            prop_oneof![flag().prop_map(FlagPerm::Flag), Just(FlagPerm::Asterisk)],
            0..3
        )
        .prop_map(Code::PermanentFlags),
        nz32().prop_map(Code::UidNext),
        nz32().prop_map(Code::UidValidity),
        nz32().prop_map(Code::Unseen),
        (nz32(), sequence_set())
            .prop_map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids }),
        (nz32(), sequence_set(), sequence_set()).prop_map(|(uid_validity, source, destination)| {
            Code::CopyUid {
                uid_validity,
                source,
                destination,
            }
        }),
        modseq().prop_map(Code::HighestModSeq),
        sequence_set().prop_map(Code::Modified),
        ("X-[A-Z]{1,6}", option::of("[a-z][a-z ]{0,8}")).prop_map(|(name, text)| Code::Other {
            name: Atom::try_from(name).unwrap(),
            text: text.map(Cow::Owned),
        }),
    ]
}

fn address() -> impl Strategy<Value = Address<'static>> {
    (nstring(), nstring(), nstring(), nstring()).prop_map(|(name, adl, mailbox, host)| Address {
        name,
        adl,
        mailbox,
        host,
    })
}

fn envelope() -> impl Strategy<Value = Envelope<'static>> {
    let list = || vec(address(), 0..3);
    (
        nstring(),
        nstring(),
        list(),
        list(),
        list(),
        list(),
        list(),
        list(),
        nstring(),
        nstring(),
    )
        .prop_map(
            |(date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id)| {
                Envelope {
                    date,
                    subject,
                    from,
                    sender,
                    reply_to,
                    to,
                    cc,
                    bcc,
                    in_reply_to,
                    message_id,
                }
            },
        )
}

fn params() -> impl Strategy<Value = Vec<(IString<'static>, IString<'static>)>> {
    vec((istring(), istring()), 0..3)
}

fn extension_tail() -> impl Strategy<Value = Option<ExtensionTail<'static>>> {
    let body_ext = prop_oneof![
        nstring().prop_map(BodyExtension::NString),
        (0u64..=MAX_MODSEQ).prop_map(BodyExtension::Number),
    ]
    .prop_recursive(2, 6, 3, |inner| {
        vec1(inner, 3).prop_map(BodyExtension::List)
    });
    let location = option::of((nstring(), vec(body_ext, 0..3)).prop_map(
        |(location, extensions)| LocationTail {
            location,
            extensions,
        },
    ));
    let language = option::of(
        (vec(istring(), 0..3), location)
            .prop_map(|(languages, tail)| LanguageTail { languages, tail }),
    );
    let disposition = option::of(
        (istring(), params()).prop_map(|(kind, parameters)| Disposition { kind, parameters }),
    );
    option::of(
        (disposition, language).prop_map(|(disposition, tail)| ExtensionTail { disposition, tail }),
    )
}

fn basic_fields() -> impl Strategy<Value = BasicFields<'static>> {
    (params(), nstring(), nstring(), istring(), any::<u32>()).prop_map(
        |(parameters, id, description, encoding, size)| BasicFields {
            parameters,
            id,
            description,
            encoding,
            size,
        },
    )
}

/// Body structures; `extensions` false for the `BODY` item (no extension data).
pub(crate) fn body_structure(extensions: bool) -> impl Strategy<Value = BodyStructure<'static>> {
    let single_ext = move || {
        if extensions {
            option::of(
                (nstring(), extension_tail())
                    .prop_map(|(md5, tail)| SinglePartExtension { md5, tail }),
            )
            .boxed()
        } else {
            Just(None).boxed()
        }
    };
    let media = istring().prop_filter("TEXT and MESSAGE have their own forms", |s| {
        !s.as_bytes().eq_ignore_ascii_case(b"TEXT")
            && !s.as_bytes().eq_ignore_ascii_case(b"MESSAGE")
    });
    let leaf = prop_oneof![
        (basic_fields(), media, istring(), single_ext()).prop_map(
            |(basic, media_type, subtype, extension)| {
                BodyStructure::Single {
                    basic,
                    specific: SpecificFields::Basic {
                        media_type,
                        subtype,
                    },
                    extension,
                }
            }
        ),
        (basic_fields(), istring(), any::<u32>(), single_ext()).prop_map(
            |(basic, subtype, lines, extension)| {
                BodyStructure::Single {
                    basic,
                    specific: SpecificFields::Text { subtype, lines },
                    extension,
                }
            }
        ),
    ];
    leaf.prop_recursive(3, 8, 3, move |inner| {
        let multi_ext = if extensions {
            option::of(
                (params(), extension_tail())
                    .prop_map(|(parameters, tail)| MultiPartExtension { parameters, tail }),
            )
            .boxed()
        } else {
            Just(None).boxed()
        };
        prop_oneof![
            (vec1(inner.clone(), 3), istring(), multi_ext).prop_map(
                |(bodies, subtype, extension)| {
                    BodyStructure::Multi {
                        bodies,
                        subtype,
                        extension,
                    }
                }
            ),
            (
                basic_fields(),
                prop_oneof![Just("RFC822"), Just("GLOBAL")],
                envelope(),
                inner,
                any::<u32>(),
                single_ext()
            )
                .prop_map(|(basic, sub, envelope, inner, lines, extension)| {
                    BodyStructure::Single {
                        basic,
                        specific: SpecificFields::Message {
                            subtype: IString::from_text(sub).unwrap(),
                            envelope: Box::new(envelope),
                            body_structure: Box::new(inner),
                            lines,
                        },
                        extension,
                    }
                }),
        ]
    })
}

fn fetch_data() -> impl Strategy<Value = FetchData<'static>> {
    use FetchData as F;
    prop_oneof![
        vec(flag(), 0..3).prop_map(F::Flags),
        modseq().prop_map(F::ModSeq),
        envelope().prop_map(|e| F::Envelope(Box::new(e))),
        date_time().prop_map(F::InternalDate),
        (0u64..=MAX_MODSEQ).prop_map(F::Rfc822Size),
        body_structure(false).prop_map(|b| F::Body(Box::new(b))),
        body_structure(true).prop_map(|b| F::BodyStructure(Box::new(b))),
        (
            option::of(section()),
            option::of(0u64..=MAX_MODSEQ),
            nstring()
        )
            .prop_map(|(section, origin, data)| F::BodySection {
                section,
                origin,
                data
            }),
        (
            vec(nz32(), 0..3),
            option::of(0u64..=MAX_MODSEQ),
            prop_oneof![
                nstring().prop_map(BinaryData::String),
                literal8().prop_map(BinaryData::Literal8)
            ]
        )
            .prop_map(|(section, origin, data)| F::Binary {
                section,
                origin,
                data
            }),
        (vec(nz32(), 0..3), 0u64..=MAX_MODSEQ)
            .prop_map(|(section, size)| F::BinarySize { section, size }),
        nz32().prop_map(F::Uid),
        nstring().prop_map(F::Rfc822),
        nstring().prop_map(F::Rfc822Header),
        nstring().prop_map(F::Rfc822Text),
    ]
}

fn delimiter() -> impl Strategy<Value = Option<char>> {
    option::of(prop_oneof![
        Just('/'),
        Just('.'),
        Just('\\'),
        Just('"'),
        Just('ü')
    ])
}

fn list_item() -> impl Strategy<Value = ListItem<'static>> {
    (
        vec(attribute(), 0..3),
        delimiter(),
        mailbox(),
        vec(
            prop_oneof![
                Just(ListExtendedItem::ChildInfoSubscribed),
                mailbox().prop_map(ListExtendedItem::OldName),
            ],
            0..2,
        ),
    )
        .prop_map(|(attributes, delimiter, mailbox, extended)| ListItem {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
}

fn data() -> impl Strategy<Value = Data<'static>> {
    use Data as D;
    let status_value = prop_oneof![
        any::<u32>().prop_map(StatusValue::Messages),
        nz32().prop_map(StatusValue::UidNext),
        nz32().prop_map(StatusValue::UidValidity),
        any::<u32>().prop_map(StatusValue::Unseen),
        any::<u32>().prop_map(StatusValue::Deleted),
        (0u64..=MAX_MODSEQ).prop_map(StatusValue::Size),
        any::<u32>().prop_map(StatusValue::Recent),
        (0u64..=MAX_MODSEQ).prop_map(StatusValue::HighestModSeq),
    ];
    let esearch_item = prop_oneof![
        nz32().prop_map(ESearchItem::Min),
        nz32().prop_map(ESearchItem::Max),
        sequence_set().prop_map(ESearchItem::All),
        any::<u32>().prop_map(ESearchItem::Count),
        modseq().prop_map(ESearchItem::ModSeq),
    ];
    let namespace = || {
        vec(
            (istring(), delimiter())
                .prop_map(|(prefix, delimiter)| NamespaceDescription { prefix, delimiter }),
            0..3,
        )
    };
    prop_oneof![
        vec1(capability(), 4).prop_map(D::Capability),
        vec(capability(), 0..3).prop_map(D::Enabled),
        list_item().prop_map(D::List),
        list_item().prop_map(D::Lsub),
        (mailbox(), vec(status_value, 0..4))
            .prop_map(|(mailbox, items)| D::Status { mailbox, items }),
        (vec(nz32(), 0..5), option::of(modseq()))
            .prop_map(|(numbers, modseq)| D::Search { numbers, modseq }),
        vec(nz32(), 0..5).prop_map(D::Sort),
        (option::of(tag()), any::<bool>(), vec(esearch_item, 0..4))
            .prop_map(|(tag, uid, items)| D::ESearch(ESearchResponse { tag, uid, items })),
        vec(flag(), 0..4).prop_map(D::Flags),
        any::<u32>().prop_map(D::Exists),
        any::<u32>().prop_map(D::Recent),
        nz32().prop_map(D::Expunge),
        (nz32(), vec1(fetch_data(), 4)).prop_map(|(seq, items)| D::Fetch { seq, items }),
        (any::<bool>(), sequence_set()).prop_map(|(earlier, uids)| D::Vanished { earlier, uids }),
        id_parameters().prop_map(D::Id),
        (namespace(), namespace(), namespace()).prop_map(|(personal, other, shared)| {
            D::Namespace {
                personal,
                other,
                shared,
            }
        }),
    ]
}

pub(crate) fn response() -> impl Strategy<Value = Response<'static>> {
    let tagged = (
        tag(),
        prop_oneof![
            Just(StatusKind::Ok),
            Just(StatusKind::No),
            Just(StatusKind::Bad)
        ],
        option::of(code()),
        text(),
    )
        .prop_map(|(tag, kind, code, text)| StatusResponse {
            tag: Some(tag),
            kind,
            code,
            text,
        });
    let untagged = (
        prop_oneof![
            Just(StatusKind::Ok),
            Just(StatusKind::No),
            Just(StatusKind::Bad),
            Just(StatusKind::PreAuth),
            Just(StatusKind::Bye)
        ],
        option::of(code()),
        text(),
    )
        .prop_map(|(kind, code, text)| StatusResponse {
            tag: None,
            kind,
            code,
            text,
        });
    let cont = prop_oneof![
        (option::of(code()), "x [a-z ]{0,8}").prop_map(|(code, t)| Continue::Basic {
            code,
            text: Text::try_from(t).unwrap()
        }),
        vec(any::<u8>(), 0..16).prop_map(|d| Continue::Base64(Cow::Owned(d))),
    ];
    prop_oneof![
        1 => tagged.prop_map(Response::Status),
        1 => untagged.prop_map(Response::Status),
        3 => data().prop_map(Response::Data),
        1 => cont.prop_map(Response::Continue),
    ]
}
