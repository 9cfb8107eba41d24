//! Known-answer tests of parsers and encoders, both directions.

use crate::command::CommandBody;
use crate::error::ParseError;
use crate::response::{Data, Response};
use crate::testing::{command_kat, command_round_trip, response_kat, response_round_trip};

#[test]
fn commands_in_canonical_form() {
    let lines: &[&[u8]] = &[
        b"a1 CAPABILITY\r\n",
        b"a2 NOOP\r\n",
        b"a3 LOGOUT\r\n",
        b"a4 STARTTLS\r\n",
        b"a5 AUTHENTICATE PLAIN\r\n",
        b"a5 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n",
        b"a5 AUTHENTICATE PLAIN =\r\n",
        b"a6 LOGIN SMITH SESAME\r\n",
        b"a6 LOGIN \"user0@example.org\" \"s3cr3t p4ss 0\"\r\n",
        b"a6 LOGIN alice {5}\r\nx\r\ny\"\r\n",
        b"a6 LOGIN alice {5+}\r\nx\r\ny\"\r\n",
        b"a7 ENABLE CONDSTORE QRESYNC UTF8=ACCEPT\r\n",
        b"a8 SELECT INBOX\r\n",
        b"a8 SELECT \"Drafts\" (CONDSTORE)\r\n",
        b"a8 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
        b"a8 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541 (1:15,19 4,24:32)))\r\n",
        b"a8 EXAMINE blurdybloop\r\n",
        b"a9 CREATE owatagusiam/\r\n",
        b"a9 DELETE blurdybloop\r\n",
        b"a9 RENAME blurdybloop sarasoop\r\n",
        b"a9 SUBSCRIBE #news.comp.mail.mime\r\n",
        b"a9 UNSUBSCRIBE #news.comp.mail.mime\r\n",
        b"b1 LIST \"\" *\r\n",
        b"b1 LIST \"\" %\r\n",
        b"b1 LIST /usr/staff/jones \"\"\r\n",
        b"b1 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (* %/x) RETURN (CHILDREN STATUS (MESSAGES UIDNEXT))\r\n",
        b"b1 LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE)\r\n",
        b"b2 LSUB #news. comp.mail.*\r\n",
        b"b3 NAMESPACE\r\n",
        b"b4 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
        b"b4 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ)\r\n",
        b"b5 APPEND saved-messages (\\Seen) \"27-Nov-2026 10:14:05 +0100\" {7}\r\nhello\r\n\r\n",
        b"b5 APPEND INBOX {3+}\r\nabc\r\n",
        b"b5 APPEND INBOX ~{3}\r\na\0c\r\n",
        b"b6 IDLE\r\n",
        b"b7 CHECK\r\n",
        b"b7 CLOSE\r\n",
        b"b7 UNSELECT\r\n",
        b"b7 EXPUNGE\r\n",
        b"b7 UID EXPUNGE 3000:3002\r\n",
        b"c1 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n",
        b"c1 SEARCH TEXT \"string not in mailbox\"\r\n",
        b"c1 SEARCH CHARSET UTF-8 TEXT {12}\r\n\xe4\xbf\xa1\xe5\x8f\xb7\xe5\xa4\x84\xe7\x90\x86\r\n",
        b"c1 UID SEARCH RETURN (MIN COUNT) 1:100 UNDELETED\r\n",
        b"c1 SEARCH RETURN () UNSEEN\r\n",
        b"c1 UID SEARCH OR SUBJECT invoice BODY budget LARGER 10000\r\n",
        b"c1 UID SEARCH CHARSET UTF-8 UID 45670:* HEADER Message-ID \"<d9249e37@example.com>\"\r\n",
        b"c1 SEARCH (OR DELETED (SEEN DRAFT)) NOT (ANSWERED FLAGGED) KEYWORD $Junk UNKEYWORD $x\r\n",
        b"c1 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
        b"c1 SEARCH MODSEQ 620162338\r\n",
        b"c1 SEARCH NEW OLD RECENT SMALLER 5 SENTBEFORE 1-Jan-2000 SENTON 2-Jan-2000 SENTSINCE 3-Jan-2000 ON 4-Jan-2000 BEFORE 5-Jan-2000 OLDER 60 YOUNGER 30\r\n",
        b"c1 SEARCH BCC a CC b TO c UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN ALL ANSWERED DELETED DRAFT SEEN\r\n",
        b"c2 UID SORT (REVERSE DATE SUBJECT) UTF-8 ALL\r\n",
        b"c3 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
        b"c3 FETCH 1 ALL\r\n",
        b"c3 FETCH 1 FAST\r\n",
        b"c3 FETCH 1 FULL\r\n",
        b"c3 FETCH 2 BODY[]\r\n",
        b"c3 UID FETCH 45670:45780 (UID RFC822.SIZE FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID REFERENCES)])\r\n",
        b"c3 UID FETCH 45673 (BODYSTRUCTURE ENVELOPE)\r\n",
        b"c3 UID FETCH 45674 (BODY.PEEK[1.2]<0.4096> BODY.PEEK[2.MIME])\r\n",
        b"c3 FETCH 1 (BODY[HEADER] BODY[TEXT] BODY[1.HEADER] BODY[1.TEXT] BODY[3.HEADER.FIELDS.NOT (X)] BODY)\r\n",
        b"c3 FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT RFC822.SIZE MODSEQ)\r\n",
        b"c3 FETCH 1 (BINARY[1] BINARY.PEEK[1.2]<0.100> BINARY.SIZE[1] BINARY[])\r\n",
        b"c3 UID FETCH 1:* FLAGS (CHANGEDSINCE 12345 VANISHED)\r\n",
        b"c4 STORE 2:4 +FLAGS (\\Deleted)\r\n",
        b"c4 UID STORE 45670:45675 +FLAGS.SILENT (\\Seen)\r\n",
        b"c4 STORE 190 -FLAGS (\\Flagged $Important)\r\n",
        b"c4 STORE 1 FLAGS ()\r\n",
        b"c4 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
        b"c5 COPY 2:4 MEETING\r\n",
        b"c5 UID COPY 45670:45673 Archive/2026\r\n",
        b"c5 MOVE 1:* Trash\r\n",
        b"c5 UID MOVE 42:69 foo\r\n",
        b"c6 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)\r\n",
        b"c6 ID NIL\r\n",
        b"c6 ID ()\r\n",
    ];
    for line in lines {
        command_kat(line);
    }
}

#[test]
fn commands_in_other_forms() {
    let cmd = command_round_trip(b"a store 1 flags \\Seen \\Deleted\r\n");
    let CommandBody::Store { flags, .. } = cmd.body else {
        panic!()
    };
    assert_eq!(flags.len(), 2, "flags without parentheses");
    let cmd = command_round_trip(b"a select inbox\r\n");
    assert!(matches!(
        cmd.body,
        CommandBody::Select {
            mailbox: crate::types::Mailbox::Inbox,
            ..
        }
    ));
    command_round_trip(b"a LOGIN \"a\\\\b\" \"q\\\"x\"\r\n");
    command_round_trip(b"a APPEND x (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {1}\r\nx\r\n");
    command_round_trip(b"a FETCH 1 body.peek[header]\r\n");
    command_round_trip(b"a LIST \"\" (INBOX)\r\n");
    command_round_trip(b"a UID FETCH 1:* (FLAGS)\r\n");
}

#[test]
fn commands_that_are_refused() {
    let cases: &[(&[u8], &str)] = &[
        (b"a1 FETCH 1:x FLAGS\r\n", "sequence-set"),
        (b"a1 FROB\r\n", "command"),
        (b"a1 LOGIN alice\r\n", "SP"),
        (b"a1 NOOP", "CRLF"),
        (b"+a NOOP\r\n", "tag"),
        (b"a1 SEARCH SINCE 1-Feb-94\r\n", "date-year"),
        (b"a1 SELECT\r\n", "SP"),
        (b"a1 STORE 1 +FLAGS\r\n", "SP"),
        (b"a1 STATUS INBOX ()\r\n", "status-att"),
        (b"a1 FETCH 1 BODY[1.MIME2]\r\n", "section-msgtext"),
    ];
    for (input, rule) in cases {
        let err = crate::codec::parse::command(input).unwrap_err();
        assert_eq!(
            err.rule(),
            *rule,
            "{:?}: {err}",
            String::from_utf8_lossy(input)
        );
    }
    assert!(matches!(
        crate::codec::parse::command(b"a1 NOOP\r\nx"),
        Err(ParseError::Trailing { offset: 9 })
    ));
    let deep = format!("a1 SEARCH {}ALL\r\n", "NOT ".repeat(100));
    assert!(matches!(
        crate::codec::parse::command(deep.as_bytes()),
        Err(ParseError::TooDeep { .. })
    ));
}

#[test]
fn responses_in_canonical_form() {
    let lines: &[&[u8]] = &[
        b"* OK IMAP4rev2 Service Ready\r\n",
        b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] mailstore ready\r\n",
        b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n",
        b"* BYE Autologout; idle for too long\r\n",
        b"a001 OK LOGIN completed\r\n",
        b"a002 NO [AUTHENTICATIONFAILED] Authentication failed\r\n",
        b"a003 BAD Command unknown or arguments invalid\r\n",
        b"A142 OK [READ-WRITE] SELECT completed\r\n",
        b"A932 OK [READ-ONLY] EXAMINE completed\r\n",
        b"* OK [UNSEEN 12] Message 12 is first unseen\r\n",
        b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
        b"* OK [UIDNEXT 4392] Predicted next UID\r\n",
        b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
        b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n",
        b"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n",
        b"* OK [CLOSED] Previous mailbox is now closed\r\n",
        b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
        b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
        b"a OK [MODIFIED 7,9] Conditional STORE failed\r\n",
        b"a NO [TRYCREATE] No such mailbox\r\n",
        b"a NO [OVERQUOTA] Sorry\r\n",
        b"a NO [BADCHARSET (UTF-8 \"X Y\")] Unsupported\r\n",
        b"a NO [BADCHARSET] Unsupported\r\n",
        b"a NO [TOOBIG] Too big\r\n",
        b"a NO [X-FOO some text] x\r\n",
        b"a NO [ALERT] x\r\n",
        b"a OK [READ-WRITE]\r\n",
        b"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n",
        b"* ENABLED CONDSTORE QRESYNC\r\n",
        b"* ENABLED\r\n",
        b"* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n",
        b"* LIST () \".\" #news.comp.mail.misc\r\n",
        b"* LIST (\\Noselect) NIL \"\"\r\n",
        b"* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n",
        b"* LIST () \"/\" \"Fruit/Peach\" (CHILDINFO (\"SUBSCRIBED\"))\r\n",
        b"* LIST () \"/\" NewMailbox (OLDNAME (OldMailbox))\r\n",
        b"* LIST (\\Marked) \"\\\\\" INBOX\r\n",
        b"* LSUB () \".\" #news.comp.mail.misc\r\n",
        b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
        b"* STATUS \"Archive/2026\" (MESSAGES 6127 UNSEEN 43 UIDNEXT 14309 UIDVALIDITY 1700000001 DELETED 0 SIZE 1234567 HIGHESTMODSEQ 7)\r\n",
        b"* SEARCH 2 84 882\r\n",
        b"* SEARCH\r\n",
        b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n",
        b"* SORT 2 84 882\r\n",
        b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n",
        b"* ESEARCH (TAG \"A283\") UID ALL 4:18,21,28\r\n",
        b"* ESEARCH UID COUNT 17 ALL 4:18,21,28\r\n",
        b"* ESEARCH (TAG \"a\") UID MAX 5 MODSEQ 9\r\n",
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        b"* 23 EXISTS\r\n",
        b"* 5 RECENT\r\n",
        b"* 44 EXPUNGE\r\n",
        b"* VANISHED 405,407,410,425\r\n",
        b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n",
        b"* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" NIL)\r\n",
        b"* ID NIL\r\n",
        b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
        b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n",
        b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
        b"* 2 FETCH (UID 50001 RFC822.SIZE 10259 FLAGS (\\Seen) BODY[HEADER.FIELDS (FROM TO)] {11}\r\nFrom: a\r\n\r\n)\r\n",
        b"* 1 FETCH (BODY[]<0> {3}\r\nabc UID 1)\r\n",
        b"* 1 FETCH (BODY[TEXT] NIL MODSEQ (12121231000))\r\n",
        b"* 1 FETCH (BINARY[1] ~{3}\r\na\0c BINARY.SIZE[1] 3 BINARY[2] \"x\")\r\n",
        b"* 1 FETCH (RFC822 {1}\r\nx RFC822.HEADER NIL RFC822.TEXT \"t\")\r\n",
        b"* 3 FETCH (BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\" \"FORMAT\" \"flowed\") NIL NIL \"QUOTED-PRINTABLE\" 2234 48 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 2791 12 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"=_alt_5566778899\") NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"Q4-budget-v3.pdf\") NIL NIL \"BASE64\" 4120 NIL (\"ATTACHMENT\" (\"FILENAME\" \"Q4-budget-v3.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"=_mixed_0011223344\") NIL NIL NIL))\r\n",
        b"+ Ready for literal data\r\n",
        b"+ idling\r\n",
        b"+ \r\n",
        b"+ YGgGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzmeTxEpyt1tk8PmOdmGE+Qh3qbexSAZq7Uyg\r\n",
    ];
    for line in lines {
        response_kat(line);
    }
}

#[test]
fn responses_in_other_forms() {
    response_round_trip(b"a1 ok done\r\n");
    response_round_trip(b"A1 OK\r\n");
    response_round_trip(b"+\r\n");
    let r = response_round_trip(b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL))\r\n");
    assert!(matches!(r, Response::Data(Data::Fetch { .. })));
    response_round_trip(b"* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) (\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\"))\r\n");
}

#[test]
fn responses_that_are_refused() {
    for bad in [
        &b"* 0 EXPUNGE\r\n"[..],
        b"* 1 FETCH ()\r\n",
        b"* FOO\r\n",
        b"a PREAUTH x\r\n",
        b"* LIST (Noselect) \"/\" x\r\n",
        b"* 1 FETCH (BODY[] {5}\r\nab)\r\n",
    ] {
        assert!(
            crate::codec::parse::response(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn malformed_known_codes_are_kept_as_sent() {
    // UIDNEXT 0 breaks the UIDNEXT rule: kept as the generic `atom SP text` code.
    let r = crate::codec::parse::response(b"* OK [UIDNEXT 0] x\r\n").unwrap();
    let Response::Status(s) = r else { panic!() };
    assert!(matches!(s.code, Some(crate::response::Code::Other { .. })));
}

#[test]
fn greeting_and_helpers() {
    assert!(crate::codec::parse::greeting(b"* OK ready\r\n").is_ok());
    assert!(crate::codec::parse::greeting(b"* NO ready\r\n").is_err());
    assert!(crate::codec::parse::idle_done(b"done\r\n").is_ok());
    assert!(crate::codec::parse::idle_done(b"DONE x\r\n").is_err());
    assert_eq!(
        crate::codec::parse::authenticate_data(b"*\r\n").unwrap(),
        None
    );
    assert_eq!(
        crate::codec::parse::authenticate_data(b"AGJvYgBzZWNyZXQ=\r\n").unwrap(),
        Some(b"\0bob\0secret".to_vec())
    );
    assert!(crate::codec::parse::authenticate_data(b"!!\r\n").is_err());
    assert_eq!(
        crate::codec::parse::command_tag(b"a1 garbage")
            .unwrap()
            .as_str(),
        "a1"
    );
    assert!(crate::codec::parse::command_tag(b"a1").is_none());
}

mod properties {
    use proptest::prelude::*;

    use crate::command::CommandBody;
    use crate::response::Response;
    use crate::testing;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn every_command_round_trips(cmd in testing::command()) {
            let bytes = crate::codec::encode::command(&cmd).into_bytes();
            let parsed = crate::codec::parse::command(&bytes);
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", String::from_utf8_lossy(&bytes), parsed);
            prop_assert_eq!(parsed.unwrap().into_owned(), cmd);
        }

        #[test]
        fn every_response_round_trips(resp in testing::response()) {
            let mut bytes = Vec::new();
            crate::codec::encode::response(&resp, &mut bytes);
            let parsed = crate::codec::parse::response(&bytes);
            prop_assert!(parsed.is_ok(), "{:?}: {:?}", String::from_utf8_lossy(&bytes), parsed);
            prop_assert_eq!(parsed.unwrap().into_owned(), resp);
        }

        #[test]
        fn parsed_commands_reencode_to_the_same_value(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut input = b"a ".to_vec();
            input.extend_from_slice(&bytes);
            input.extend_from_slice(b"\r\n");
            if let Ok(cmd) = crate::codec::parse::command(&input) {
                let again = crate::codec::encode::command(&cmd).into_bytes();
                prop_assert_eq!(crate::codec::parse::command(&again).map(|c| c.into_owned()), Ok(cmd.into_owned()));
            }
            let _ = crate::codec::parse::response(&input);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = crate::codec::parse::command(&bytes);
            let _ = crate::codec::parse::response(&bytes);
            let _ = crate::codec::parse::greeting(&bytes);
            let _ = crate::codec::parse::authenticate_data(&bytes);
        }
    }

    /// `s` as the body of a quoted string: `"` and `\` escaped.
    fn escape(s: &str) -> String {
        s.replace('\\', "\\\\").replace('"', "\\\"")
    }

    /// A command or response that parsed re-encodes to bytes that parse to the
    /// same value.
    fn reparses_command(input: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(cmd) = crate::codec::parse::command(input) {
            let again = crate::codec::encode::command(&cmd).into_bytes();
            prop_assert_eq!(
                crate::codec::parse::command(&again).map(crate::command::Command::into_owned),
                Ok(cmd.into_owned()),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        Ok(())
    }

    fn reparses_response(input: &[u8]) -> Result<(), TestCaseError> {
        if let Ok(resp) = crate::codec::parse::response(input) {
            let mut again = Vec::new();
            crate::codec::encode::response(&resp, &mut again);
            prop_assert_eq!(
                crate::codec::parse::response(&again).map(Response::into_owned),
                Ok(resp.into_owned()),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        Ok(())
    }

    /// Command heads that take text next: strings, patterns, charsets, flags.
    const COMMAND_HEADS: &[&str] = &[
        "a1 SEARCH ",
        "a1 SEARCH SUBJECT ",
        "a1 SEARCH CHARSET ",
        "a1 SEARCH CHARSET UTF-8 HEADER ",
        "a1 UID SEARCH RETURN (MIN) CHARSET UTF-8 OR FROM ",
        "a1 SEARCH MODSEQ ",
        "a1 UID SORT (SUBJECT) UTF-8 BODY ",
        "a1 LIST ",
        "a1 LIST \"\" ",
        "a1 LIST (SUBSCRIBED) \"\" ",
        "a1 LSUB ",
        "a1 SELECT ",
        "a1 CREATE ",
        "a1 RENAME ",
        "a1 STATUS ",
        "a1 APPEND ",
        "a1 APPEND INBOX ",
        "a1 ID (",
        "a1 ID (\"name\" ",
        "a1 LOGIN ",
        "a1 AUTHENTICATE ",
        "a1 ENABLE ",
        "a1 STORE 1 +FLAGS (",
        "a1 FETCH 1 BODY[HEADER.FIELDS (",
        "a1 FETCH 1 (",
        "",
    ];

    /// Response heads that take text next.
    const RESPONSE_HEADS: &[&str] = &[
        "* OK ",
        "* OK [",
        "* OK [BADCHARSET (",
        "* NO [ALERT] ",
        "a1 BAD ",
        "+ ",
        "* LIST () \"/\" ",
        "* LIST (\\HasNoChildren) ",
        "* STATUS ",
        "* ID (",
        "* ENABLED ",
        "* FLAGS (",
        "* SEARCH ",
        "* ESEARCH (TAG ",
        "* 1 FETCH (ENVELOPE (",
        "* 1 FETCH (BODY (",
        "* 1 FETCH (BODY[HEADER.FIELDS (",
        "* NAMESPACE ((",
        "",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// SEARCH SUBJECT with UTF-8 text, quoted and literal, parses to exactly
        /// that text.
        #[test]
        fn search_subject_utf8(text in testing::unicode_line(12), literal in any::<bool>()) {
            let arg = if literal {
                format!("{{{}}}\r\n{text}", text.len())
            } else {
                format!("\"{}\"", escape(&text))
            };
            let line = format!("a1 SEARCH CHARSET UTF-8 SUBJECT {arg}\r\n");
            let parsed = crate::codec::parse::command(line.as_bytes());
            prop_assert!(parsed.is_ok(), "{line:?}: {parsed:?}");
            let Ok(cmd) = parsed else { return Ok(()) };
            let CommandBody::Search { charset, criteria, .. } = &cmd.body else {
                return Err(TestCaseError::fail("not a SEARCH"));
            };
            prop_assert_eq!(charset.as_ref().map(|c| c.as_str()), Some("UTF-8"));
            let crate::command::SearchKey::Subject(s) = criteria.first() else {
                return Err(TestCaseError::fail("not SUBJECT"));
            };
            prop_assert_eq!(s.as_bytes(), text.as_bytes());
            reparses_command(line.as_bytes())?;
        }

        /// A quoted string holding raw (unescaped) Unicode text, `"` and `\`
        /// included, parses or is refused, never panics.
        #[test]
        fn raw_quoted_utf8_never_panics(text in testing::unicode_text(12)) {
            for line in [
                format!("a1 SEARCH SUBJECT \"{text}\"\r\n"),
                format!("a1 LIST \"\" \"{text}\"\r\n"),
                format!("a1 SELECT \"{text}\"\r\n"),
                format!("a1 ID (\"{text}\" \"{text}\")\r\n"),
            ] {
                reparses_command(line.as_bytes())?;
            }
        }

        /// LIST with a Unicode pattern: bare (any text) never panics; quoted,
        /// the pattern parses back to the same bytes.
        #[test]
        fn list_unicode_pattern(text in testing::unicode_line(12)) {
            let bare = format!("a1 LIST \"\" {text}\r\n");
            reparses_command(bare.as_bytes())?;
            let quoted = format!("a1 LIST \"\" \"{}\"\r\n", escape(&text));
            let parsed = crate::codec::parse::command(quoted.as_bytes());
            prop_assert!(parsed.is_ok(), "{quoted:?}: {parsed:?}");
            let Ok(cmd) = parsed else { return Ok(()) };
            let CommandBody::List { patterns, .. } = &cmd.body else {
                return Err(TestCaseError::fail("not a LIST"));
            };
            prop_assert_eq!(patterns.first().as_bytes(), text.as_bytes());
        }

        /// APPEND to a UTF-8 mailbox name of a message with UTF-8 headers: the
        /// name and the message come back byte for byte.
        #[test]
        fn append_utf8(name in testing::unicode_line(8), subject in testing::unicode_line(12)) {
            let message = format!("Subject: {subject}\r\n\r\nbody\r\n");
            let line = format!("a1 APPEND \"{}\" (\\Seen) {{{}}}\r\n{message}\r\n", escape(&name), message.len());
            let parsed = crate::codec::parse::command(line.as_bytes());
            prop_assert!(parsed.is_ok(), "{line:?}: {parsed:?}");
            let Ok(cmd) = parsed else { return Ok(()) };
            let CommandBody::Append { mailbox, message: data, .. } = &cmd.body else {
                return Err(TestCaseError::fail("not an APPEND"));
            };
            if !name.eq_ignore_ascii_case("INBOX") {
                prop_assert_eq!(mailbox.as_bytes(), name.as_bytes());
            }
            prop_assert_eq!(data.data(), message.as_bytes());
            reparses_command(line.as_bytes())?;
        }

        /// IMAP syntax followed by arbitrary Unicode: no panic, and what parses
        /// re-encodes to the same value.
        #[test]
        fn unicode_after_command_heads(head in proptest::sample::select(COMMAND_HEADS), text in testing::unicode_text(16)) {
            reparses_command(format!("{head}{text}\r\n").as_bytes())?;
            reparses_command(format!("{head}{text}").as_bytes())?;
        }

        /// The same for responses.
        #[test]
        fn unicode_after_response_heads(head in proptest::sample::select(RESPONSE_HEADS), text in testing::unicode_text(16)) {
            reparses_response(format!("{head}{text}\r\n").as_bytes())?;
            let _ = crate::codec::parse::greeting(format!("{head}{text}\r\n").as_bytes());
        }

        /// Status text of any Unicode: `* OK text` parses to exactly the text
        /// when it may be sent as is; sanitized text always goes over the wire.
        #[test]
        fn status_text_utf8(text in prop_oneof![testing::unicode_text(12), any::<String>()]) {
            let line = format!("* OK {text}\r\n");
            let sendable = !text.contains(['\r', '\n', '\0']) && !text.starts_with('[');
            match crate::codec::parse::response(line.as_bytes()) {
                Ok(Response::Status(s)) if sendable => prop_assert_eq!(s.text.as_str(), text.as_str()),
                other => prop_assert!(!sendable, "{line:?}: {other:?}"),
            }
            let status = crate::response::StatusResponse::ok(None, None, crate::types::Text::sanitized(&text));
            let response = Response::Status(status);
            let mut bytes = Vec::new();
            crate::codec::encode::response(&response, &mut bytes);
            prop_assert_eq!(crate::codec::parse::response(&bytes).map(Response::into_owned), Ok(response));
        }
    }
}

/// Values the types can hold but the grammar cannot: the encoders send the nearest
/// valid form and the parsers read it back.
#[test]
fn out_of_grammar_values_still_encode_to_parseable_bytes() {
    use crate::response::{
        Code, Data, ESearchItem, ESearchResponse, FetchData, StatusKind, StatusResponse,
    };
    use crate::types::{Atom, Tag, Text, Vec1};
    let encode = |r: &Response<'_>| {
        let mut out = Vec::new();
        crate::codec::encode::response(r, &mut out);
        String::from_utf8(out).unwrap()
    };
    let bye = Response::Status(StatusResponse {
        tag: Some(Tag::try_from("a1").unwrap()),
        kind: StatusKind::Bye,
        code: None,
        text: Text::try_from("bye").unwrap(),
    });
    assert_eq!(encode(&bye), "* BYE bye\r\n", "BYE is never tagged");
    let fetch = Response::Data(Data::Fetch {
        seq: std::num::NonZeroU32::MIN,
        items: Vec1::try_from(vec![FetchData::ModSeq(0), FetchData::Rfc822Size(u64::MAX)]).unwrap(),
    });
    assert_eq!(
        encode(&fetch),
        "* 1 FETCH (MODSEQ (1) RFC822.SIZE 9223372036854775807)\r\n"
    );
    let esearch = Response::Data(Data::ESearch(ESearchResponse {
        tag: None,
        uid: false,
        items: vec![ESearchItem::ModSeq(u64::MAX)],
    }));
    assert!(crate::codec::parse::response(encode(&esearch).as_bytes()).is_ok());
    let other = Response::Status(StatusResponse::ok(
        None,
        Some(Code::Other {
            name: Atom::try_from("UIDNEXT").unwrap(),
            text: Some("]".into()),
        }),
        Text::try_from("x").unwrap(),
    ));
    let text = encode(&other);
    assert_eq!(
        text, "* OK [UIDNEXT] x\r\n",
        "code text that cannot be sent is dropped"
    );
    let parsed = crate::codec::parse::response(text.as_bytes()).unwrap();
    assert_eq!(
        encode(&parsed),
        text,
        "a known name without its argument is kept as sent"
    );
    let older = crate::codec::parse::command(b"a SEARCH OLDER 1\r\n").unwrap();
    let CommandBody::Search { mut criteria, .. } = older.body.clone() else {
        panic!()
    };
    let mut keys = criteria.into_inner();
    keys[0] = crate::command::SearchKey::Older(0);
    criteria = Vec1::try_from(keys).unwrap();
    let zero = crate::command::Command::new(
        older.tag.clone(),
        CommandBody::Search {
            return_options: None,
            charset: None,
            criteria,
            uid: false,
        },
    );
    assert_eq!(
        crate::codec::encode::command(&zero).as_bytes(),
        b"a SEARCH OLDER 1\r\n"
    );
}

#[test]
fn lenient_body_structures() {
    // TEXT without a line count and MESSAGE/other with an envelope, as the encoders
    // can produce them from any value.
    response_round_trip(b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3))\r\n");
    response_round_trip(b"* 1 FETCH (BODY (\"MESSAGE\" \"X\" NIL NIL NIL \"7BIT\" 3 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1) 1))\r\n");
}
