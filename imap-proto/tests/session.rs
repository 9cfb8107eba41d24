//! The server session without sockets: protocol rules checked through the public
//! API with a simulated clock (see `harness/`).

mod harness;

use std::time::Duration;

use harness::{Model, Pair, responses, uid};
use mailwright_imap::response::{Code, Data, Response, StatusKind};
use mailwright_imap::server::{Extension, MailboxChanges, MessageFlags, ServerConfig, State};
use mailwright_imap::types::Flag;

fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.plaintext_auth(true);
    config
}

fn tagged<'a>(
    rs: &'a [Response<'static>],
    tag: &str,
) -> &'a mailwright_imap::response::StatusResponse<'static> {
    rs.iter()
        .find_map(|r| match r {
            Response::Status(s) if s.tag.as_ref().is_some_and(|t| t.as_str() == tag) => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no tagged response for {tag}"))
}

#[test]
fn greeting_and_capabilities_follow_tls_policy() {
    let mut pair = Pair::new(ServerConfig::default(), Model::with_inbox(0));
    let greeting = responses(&pair.transcript);
    let Response::Status(s) = &greeting[0] else {
        panic!()
    };
    let Some(Code::Capability(caps)) = &s.code else {
        panic!("capabilities in greeting")
    };
    let caps: Vec<String> = caps.iter().map(|c| c.to_string()).collect();
    assert!(caps.contains(&"LOGINDISABLED".into()), "{caps:?}");
    assert!(!caps.iter().any(|c| c.starts_with("AUTH=")));
    let out = pair.send("a1 LOGIN alice secret\r\n");
    assert_eq!(out, "a1 NO [PRIVACYREQUIRED] Use STARTTLS or TLS first\r\n");
    let out = pair.send("a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    assert!(out.starts_with("a2 NO [PRIVACYREQUIRED]"), "{out}");
    assert_eq!(pair.session.state(), State::NotAuthenticated);
}

#[test]
fn login_and_sasl() {
    let mut pair = Pair::new(config(), Model::with_inbox(0));
    let out = pair.send("a1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    assert!(
        out.starts_with("a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 "),
        "{out}"
    );
    assert_eq!(pair.session.state(), State::Authenticated);
    assert_eq!(pair.session.authenticated(), Some("alice"));

    let mut pair = Pair::new(config(), Model::with_inbox(0));
    assert_eq!(pair.send("a1 AUTHENTICATE PLAIN\r\n"), "+ \r\n");
    let out = pair.send("AGFsaWNlAHNlY3JldA==\r\n");
    assert!(out.starts_with("a1 OK "), "{out}");

    let mut pair = Pair::new(config(), Model::with_inbox(0));
    assert_eq!(pair.send("a1 AUTHENTICATE LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    assert_eq!(pair.send("YWxpY2U=\r\n"), "+ UGFzc3dvcmQ6\r\n");
    assert!(pair.send("c2VjcmV0\r\n").starts_with("a1 OK "));

    let mut pair = Pair::new(config(), Model::with_inbox(0));
    pair.send("a1 AUTHENTICATE LOGIN\r\n");
    assert_eq!(pair.send("*\r\n"), "a1 BAD Authentication cancelled\r\n");
    assert_eq!(
        pair.send("a2 AUTHENTICATE CRAM-MD5\r\n"),
        "a2 NO [CANNOT] Unsupported authentication mechanism\r\n"
    );
    assert_eq!(
        pair.send("a3 AUTHENTICATE PLAIN !!!\r\n"),
        "a3 BAD Syntax error in CRLF\r\n"
    );
}

#[test]
fn failed_logins_are_delayed_then_end_the_session() {
    let mut pair = Pair::new(config(), Model::with_inbox(0));
    assert_eq!(pair.send("a1 LOGIN alice wrong\r\n"), "", "held back");
    assert!(pair.session.poll_timeout().is_some());
    assert_eq!(
        pair.send("a2 NOOP\r\n"),
        "",
        "nothing is processed while held"
    );
    let out = pair.advance(Duration::from_secs(2));
    assert_eq!(
        out,
        "a1 NO [AUTHENTICATIONFAILED] Authentication failed\r\na2 OK NOOP completed\r\n"
    );
    pair.send("a3 LOGIN alice wrong\r\n");
    assert_eq!(
        pair.advance(Duration::from_secs(3)),
        "",
        "the delay grows with each failure"
    );
    assert!(pair.advance(Duration::from_secs(1)).starts_with("a3 NO"));
    pair.send("a4 LOGIN bob wrong\r\n");
    let out = pair.advance(Duration::from_secs(6));
    assert_eq!(
        out,
        "a4 NO [AUTHENTICATIONFAILED] Authentication failed\r\n* BYE Too many failed logins\r\n"
    );
    assert!(pair.session.is_closed());
}

#[test]
fn commands_need_the_right_state() {
    let mut pair = Pair::new(config(), Model::with_inbox(1));
    assert_eq!(
        pair.send("a1 SELECT INBOX\r\n"),
        "a1 BAD SELECT not allowed now\r\n"
    );
    pair.send("a2 LOGIN alice secret\r\n");
    assert_eq!(
        pair.send("a3 FETCH 1 FLAGS\r\n"),
        "a3 BAD FETCH not allowed now\r\n"
    );
    assert_eq!(
        pair.send("a4 LOGIN alice secret\r\n"),
        "a4 BAD LOGIN not allowed now\r\n"
    );
    assert_eq!(
        pair.send("a5 FROB\r\n"),
        "a5 BAD Syntax error in command\r\n"
    );
    assert_eq!(pair.send("+++\r\n"), "* BAD Syntax error in tag\r\n");
}

#[test]
fn select_sends_the_mailbox_state() {
    let mut pair = Pair::logged_in(Model::with_inbox(3));
    let out = pair.send("a1 SELECT INBOX\r\n");
    let rs = responses(&out);
    assert!(rs.contains(&Response::Data(Data::Exists(3))), "{out}");
    assert!(
        rs.contains(&Response::Data(Data::Recent(0))),
        "IMAP4rev1 clients get RECENT"
    );
    assert!(out.contains("* OK [UIDVALIDITY 7] "), "{out}");
    assert!(out.contains("* OK [UIDNEXT 4] "), "{out}");
    assert!(out.contains("* OK [UNSEEN 1] "), "{out}");
    assert!(
        out.contains("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] "),
        "{out}"
    );
    assert!(!out.contains("HIGHESTMODSEQ"), "only with CONDSTORE");
    assert_eq!(tagged(&rs, "a1").code, Some(Code::ReadWrite));
    let out = pair.send("a2 EXAMINE INBOX\r\n");
    assert!(out.starts_with("* OK [CLOSED] "), "{out}");
    assert!(
        out.ends_with("a2 OK [READ-ONLY] EXAMINE completed\r\n"),
        "{out}"
    );
    assert_eq!(
        pair.send("a3 STORE 1 +FLAGS (\\Seen)\r\n"),
        "a3 NO [CANNOT] Mailbox is read-only\r\n"
    );
    assert_eq!(
        pair.send("a4 SELECT Nope\r\n"),
        "* OK [CLOSED] Previous mailbox closed\r\na4 NO [NONEXISTENT] No such mailbox\r\n"
    );
    assert_eq!(
        pair.session.state(),
        State::Authenticated,
        "failed SELECT leaves the mailbox closed"
    );
}

#[test]
fn fetch_by_number_and_uid() {
    let mut pair = Pair::logged_in(Model::with_inbox(3));
    pair.send("s SELECT INBOX\r\n");
    let out = pair.send("a1 FETCH 2:* (FLAGS RFC822.SIZE)\r\n");
    assert_eq!(
        out,
        "* 2 FETCH (FLAGS () RFC822.SIZE 30)\r\n* 3 FETCH (FLAGS () RFC822.SIZE 30)\r\na1 OK FETCH completed\r\n"
    );
    assert_eq!(
        pair.send("a2 FETCH 4 FLAGS\r\n"),
        "a2 BAD Invalid message sequence number\r\n"
    );
    let out = pair.send("a3 UID FETCH 2,9:* FLAGS\r\n");
    assert_eq!(
        out,
        "* 2 FETCH (UID 2 FLAGS ())\r\n* 3 FETCH (UID 3 FLAGS ())\r\na3 OK FETCH completed\r\n"
    );
    let out = pair.send("a4 FETCH 1 BODY[]<0.7>\r\n");
    assert_eq!(
        out,
        "* 1 FETCH (BODY[]<0> \"Subject\" FLAGS (\\Seen))\r\na4 OK FETCH completed\r\n"
            .replace(" FLAGS (\\Seen)", "")
    );
    let out = pair.send("a5 FETCH 1 FLAGS\r\n");
    assert!(out.contains("FLAGS (\\Seen)"), "BODY[] set \\Seen: {out}");
    let out = pair.send("a6 UID FETCH 1 BODY.PEEK[]\r\n");
    let rs = responses(&out);
    let Response::Data(Data::Fetch { items, .. }) = &rs[0] else {
        panic!("{out}")
    };
    assert_eq!(items.len(), 2, "UID added: {out}");
}

#[test]
fn expunge_waits_until_allowed() {
    let mut pair = Pair::logged_in(Model::with_inbox(3));
    pair.send("s SELECT INBOX\r\n");
    pair.model
        .folders
        .get_mut("INBOX")
        .unwrap()
        .messages
        .remove(1);
    pair.model.add("INBOX", b"new\r\n".to_vec());
    let out = pair.changes(MailboxChanges::new().expunged([uid(2)]).added([uid(4)]));
    assert_eq!(out, "", "nothing is sent between commands");
    let out = pair.send("a1 FETCH 1:* FLAGS\r\n");
    assert!(!out.contains("EXPUNGE"), "no EXPUNGE during FETCH: {out}");
    assert!(out.contains("* 4 EXISTS\r\n"), "{out}");
    assert!(
        out.contains("* 1 FETCH") && out.contains("* 3 FETCH"),
        "{out}"
    );
    assert!(
        !out.contains("* 4 FETCH"),
        "1:* was resolved when the command began: {out}"
    );
    let out = pair.send("a2 NOOP\r\n");
    assert_eq!(out, "* 2 EXPUNGE\r\na2 OK NOOP completed\r\n");
    let out = pair.send("a3 FETCH 3 UID\r\n");
    assert_eq!(
        out, "* 3 FETCH (UID 4)\r\na3 OK FETCH completed\r\n",
        "numbers moved down"
    );
}

#[test]
fn flag_changes_from_elsewhere() {
    let mut pair = Pair::logged_in(Model::with_inbox(2));
    pair.send("a0 ENABLE CONDSTORE\r\n");
    pair.send("s SELECT INBOX\r\n");
    pair.changes(MailboxChanges::new().flags_changed(MessageFlags {
        uid: uid(2),
        flags: vec![Flag::FLAGGED],
        modseq: Some(9),
    }));
    let out = pair.send("a1 NOOP\r\n");
    assert_eq!(
        out,
        "* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (9))\r\na1 OK NOOP completed\r\n"
    );
}

#[test]
fn idle_gets_live_updates() {
    let mut pair = Pair::logged_in(Model::with_inbox(1));
    pair.send("s SELECT INBOX\r\n");
    assert_eq!(pair.send("a1 IDLE\r\n"), "+ idling\r\n");
    assert!(pair.session.is_idle());
    pair.model.add("INBOX", b"x\r\n".to_vec());
    assert_eq!(
        pair.changes(MailboxChanges::new().added([uid(2)])),
        "* 2 EXISTS\r\n"
    );
    assert_eq!(
        pair.changes(MailboxChanges::new().expunged([uid(1)])),
        "* 1 EXPUNGE\r\n"
    );
    assert_eq!(pair.send("done\r\n"), "a1 OK IDLE terminated\r\n");
    // Re-issued at once, as clients do every 29 minutes.
    assert_eq!(pair.send("a2 IDLE\r\n"), "+ idling\r\n");
    assert_eq!(pair.send("a3 NOOP\r\n"), "a2 BAD Expected DONE\r\n");
}

#[test]
fn autologout_and_idle_timers() {
    let mut pair = Pair::logged_in(Model::with_inbox(0));
    assert_eq!(pair.advance(Duration::from_secs(29 * 60)), "");
    pair.send("a1 NOOP\r\n");
    assert_eq!(
        pair.advance(Duration::from_secs(29 * 60)),
        "",
        "input restarted the timer"
    );
    let out = pair.advance(Duration::from_secs(2 * 60));
    assert_eq!(out, "* BYE Autologout; idle for too long\r\n");
    assert!(pair.session.is_closed());

    let mut pair = Pair::logged_in(Model::with_inbox(0));
    pair.send("a1 IDLE\r\n");
    assert_eq!(
        pair.advance(Duration::from_secs(31 * 60)),
        "",
        "IDLE tolerates a late re-issue"
    );
    assert!(
        pair.advance(Duration::from_secs(5 * 60))
            .starts_with("* BYE")
    );
}

#[test]
fn append_literals() {
    let mut pair = Pair::logged_in(Model::with_inbox(0));
    let out = pair.send("a1 APPEND INBOX (\\Seen) {11}\r\n");
    assert_eq!(out, "+ Ready for literal data\r\n");
    let out = pair.send("hello world\r\n");
    assert_eq!(out, "a1 OK [APPENDUID 7 1] APPEND completed\r\n");
    assert_eq!(pair.model.folders["INBOX"].messages[0].data, b"hello world");
    assert_eq!(
        pair.model.folders["INBOX"].messages[0].flags,
        vec![Flag::SEEN]
    );

    let out = pair.send("a2 APPEND INBOX {3+}\r\nabc\r\na3 NOOP\r\n");
    assert_eq!(
        out,
        "a2 OK [APPENDUID 7 2] APPEND completed\r\na3 OK NOOP completed\r\n"
    );

    let out = pair.send("a4 APPEND Missing {3}\r\n");
    assert_eq!(
        out, "a4 NO [TRYCREATE] No such mailbox\r\n",
        "refused before the data"
    );
    let out = pair.send("a5 APPEND INBOX {999999999999}\r\n");
    assert_eq!(out, "a5 NO [TOOBIG] Literal too large\r\n");
    assert_eq!(
        pair.send("a6 NOOP\r\n"),
        "a6 OK NOOP completed\r\n",
        "nothing of the literal was read"
    );
    let out = pair.send("a7 APPEND INBOX {5+}\r\nabc");
    assert_eq!(out, "");
    let out = pair.send("de\r\n");
    assert!(out.starts_with("a7 OK [APPENDUID 7 3]"), "{out}");
    assert_eq!(pair.model.folders["INBOX"].messages[2].data, b"abcde");
}

#[test]
fn literal_limits() {
    let mut config = config();
    config.literal_plus(false);
    config.limits_mut().max_literal(10);
    let mut pair = Pair::new(config, Model::with_inbox(0));
    let out = pair.send("a1 LOGIN {5}\r\n");
    assert_eq!(out, "+ Ready for literal data\r\n");
    assert!(pair.send("alice secret\r\n").starts_with("a1 OK"));
    let out = pair.send("a2 APPEND INBOX {5000+}\r\n");
    assert_eq!(
        out, "a2 NO [TOOBIG] Literal too large\r\n",
        "LITERAL- caps non-sync literals at 4096"
    );
    let out = pair.send(&format!("{}\r\na3 NOOP\r\n", "x".repeat(5000)));
    assert_eq!(
        out, "a3 OK NOOP completed\r\n",
        "its data was read and dropped"
    );
    let out = pair.send("a4 SEARCH TEXT {11}\r\n");
    assert_eq!(out, "a4 NO [TOOBIG] Literal too large\r\n");
}

#[test]
fn long_lines_are_refused() {
    let mut config = config();
    config.limits_mut().max_line(1024);
    let mut pair = Pair::new(config, Model::with_inbox(0));
    let long = format!("a1 NOOP {}\r\na2 NOOP\r\n", "x".repeat(2000));
    let out = pair.send(&long);
    assert_eq!(
        out,
        "a1 BAD [LIMIT] Input refused: line too long\r\na2 OK NOOP completed\r\n"
    );
}

#[test]
fn starttls_drops_injected_commands() {
    let mut config = config();
    config.starttls(true);
    let mut pair = Pair::new(config, Model::with_inbox(0));
    let out = pair.send("a1 STARTTLS\r\na2 LOGIN alice secret\r\n");
    assert_eq!(out, "a1 OK Begin TLS negotiation now\r\n");
    assert!(pair.session.tls_active());
    assert_eq!(
        pair.session.state(),
        State::NotAuthenticated,
        "the pipelined LOGIN was dropped"
    );
    let out = pair.send("a3 CAPABILITY\r\n");
    assert!(
        !out.contains("STARTTLS") && out.contains("AUTH=PLAIN"),
        "{out}"
    );
}

#[test]
fn enable_and_rev2_search() {
    let mut pair = Pair::logged_in(Model::with_inbox(3));
    assert_eq!(
        pair.send("a1 ENABLE IMAP4rev2 CONDSTORE X-NONE\r\n"),
        "* ENABLED IMAP4rev2 CONDSTORE\r\na1 OK ENABLE completed\r\n"
    );
    let out = pair.send("s SELECT INBOX\r\n");
    assert!(
        !out.contains("RECENT") && out.contains("[HIGHESTMODSEQ 4]"),
        "{out}"
    );
    assert_eq!(
        pair.send("a2 SEARCH ALL\r\n"),
        "* ESEARCH (TAG \"a2\") ALL 1:3\r\na2 OK SEARCH completed\r\n"
    );
    assert_eq!(
        pair.send("a3 UID SEARCH RETURN (MIN MAX COUNT) 2:*\r\n"),
        "* ESEARCH (TAG \"a3\") UID MIN 2 MAX 3 COUNT 2\r\na3 OK SEARCH completed\r\n"
    );
    assert_eq!(
        pair.send("a4 SEARCH CHARSET KOI8-R ALL\r\n"),
        "a4 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n"
    );
}

#[test]
fn rev1_search_and_store() {
    let mut pair = Pair::logged_in(Model::with_inbox(3));
    pair.send("s SELECT INBOX\r\n");
    assert_eq!(
        pair.send("a1 SEARCH NOT 2\r\n"),
        "* SEARCH 1 3\r\na1 OK SEARCH completed\r\n"
    );
    assert_eq!(
        pair.send("a2 STORE 1,3 +FLAGS (\\Seen)\r\n"),
        "* 1 FETCH (FLAGS (\\Seen))\r\n* 3 FETCH (FLAGS (\\Seen))\r\na2 OK STORE completed\r\n"
    );
    assert_eq!(
        pair.send("a3 UID SEARCH UNSEEN\r\n"),
        "* SEARCH 2\r\na3 OK SEARCH completed\r\n"
    );
    assert_eq!(
        pair.send("a4 UID STORE 2 +FLAGS.SILENT (\\Deleted)\r\n"),
        "a4 OK STORE completed\r\n"
    );
    assert_eq!(
        pair.send("a5 EXPUNGE\r\n"),
        "* 2 EXPUNGE\r\na5 OK EXPUNGE completed\r\n"
    );
    assert_eq!(
        pair.send("a6 SEARCH ALL\r\n"),
        "* SEARCH 1 2\r\na6 OK SEARCH completed\r\n"
    );
}

#[test]
fn copy_move_and_uid_expunge() {
    let mut pair = Pair::logged_in(Model::with_inbox(4));
    pair.model.create("Archive");
    pair.send("s SELECT INBOX\r\n");
    assert_eq!(
        pair.send("a1 COPY 1:2 Archive\r\n"),
        "a1 OK [COPYUID 7 1:2 1:2] COPY completed\r\n"
    );
    assert_eq!(
        pair.send("a2 COPY 1 Nowhere\r\n"),
        "a2 NO [TRYCREATE] No such mailbox\r\n"
    );
    assert_eq!(
        pair.send("a3 UID MOVE 3:4 Archive\r\n"),
        "* OK [COPYUID 7 3:4 3:4] Moved\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\na3 OK MOVE completed\r\n"
    );
    pair.send("a4 STORE 1:2 +FLAGS.SILENT (\\Deleted)\r\n");
    assert_eq!(
        pair.send("a5 UID EXPUNGE 2\r\n"),
        "* 2 EXPUNGE\r\na5 OK EXPUNGE completed\r\n"
    );
    assert_eq!(
        pair.send("a6 CLOSE\r\n"),
        "a6 OK CLOSE completed\r\n",
        "CLOSE expunges silently"
    );
    assert!(pair.model.folders["INBOX"].messages.is_empty());
    assert_eq!(pair.session.state(), State::Authenticated);
}

#[test]
fn qresync_select_reports_vanished_and_changes() {
    let mut pair = Pair::logged_in(Model::with_inbox(5));
    pair.model
        .folders
        .get_mut("INBOX")
        .unwrap()
        .messages
        .retain(|m| m.uid != 2 && m.uid != 4);
    pair.model.folders.get_mut("INBOX").unwrap().messages[0].modseq = 100;
    pair.model.folders.get_mut("INBOX").unwrap().modseq = 100;
    assert!(
        pair.send("a0 ENABLE QRESYNC\r\n")
            .contains("ENABLED QRESYNC")
    );
    let out = pair.send("a1 SELECT INBOX (QRESYNC (7 50 1:5))\r\n");
    assert!(out.contains("* VANISHED (EARLIER) 2,4\r\n"), "{out}");
    assert!(
        out.contains("* 1 FETCH (UID 1 FLAGS () MODSEQ (100))\r\n"),
        "{out}"
    );
    assert!(out.contains("[HIGHESTMODSEQ 100]"), "{out}");
    pair.model
        .folders
        .get_mut("INBOX")
        .unwrap()
        .messages
        .retain(|m| m.uid != 3);
    let out = pair.changes(MailboxChanges::new().expunged([uid(3)]));
    assert_eq!(out, "");
    assert_eq!(
        pair.send("a2 NOOP\r\n"),
        "* VANISHED 3\r\na2 OK NOOP completed\r\n"
    );
    assert_eq!(
        pair.send("a3 SELECT INBOX (QRESYNC (1 50))\r\n")
            .matches("VANISHED")
            .count(),
        0,
        "other UIDVALIDITY"
    );
}

#[test]
fn mailbox_operations_and_list() {
    let mut pair = Pair::logged_in(Model::with_inbox(0));
    assert_eq!(
        pair.send("a1 CREATE Archive/\r\n"),
        "a1 OK CREATE completed\r\n"
    );
    assert_eq!(
        pair.send("a2 CREATE Archive/2026\r\n"),
        "a2 OK CREATE completed\r\n"
    );
    assert_eq!(
        pair.send("a3 CREATE inbox\r\n"),
        "a3 NO [ALREADYEXISTS] Mailbox already exists\r\n"
    );
    assert_eq!(
        pair.send("a4 CREATE \"Entw&APw-rfe\"\r\n"),
        "a4 OK CREATE completed\r\n"
    );
    assert!(
        pair.model.folders.contains_key("Entwürfe"),
        "modified UTF-7 decoded"
    );
    assert_eq!(
        pair.send("a5 SUBSCRIBE Archive/2026\r\n"),
        "a5 OK SUBSCRIBE completed\r\n"
    );
    let out = pair.send("a6 LIST \"\" *\r\n");
    assert_eq!(
        out,
        "* LIST (\\HasChildren) \"/\" Archive\r\n* LIST (\\HasNoChildren) \"/\" Archive/2026\r\n\
         * LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n* LIST (\\HasNoChildren) \"/\" INBOX\r\na6 OK LIST completed\r\n"
    );
    assert_eq!(
        pair.send("a7 LIST \"\" \"\"\r\n"),
        "* LIST (\\Noselect) \"/\" \"\"\r\na7 OK LIST completed\r\n"
    );
    assert_eq!(
        pair.send("a8 LSUB \"\" *\r\n"),
        "* LSUB () \"/\" Archive/2026\r\na8 OK LSUB completed\r\n"
    );
    let out =
        pair.send("a9 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n");
    assert_eq!(
        out,
        "* LIST (\\HasChildren) \"/\" Archive (CHILDINFO (\"SUBSCRIBED\"))\r\n* STATUS Archive (MESSAGES 0)\r\na9 OK LIST completed\r\n"
    );
    pair.send("u ENABLE UTF8=ACCEPT\r\n");
    let out = pair.send("b1 LIST \"\" Entw*\r\n");
    assert!(
        out.contains("\"/\" \"Entwürfe\"\r\n"),
        "UTF-8 names once enabled: {out}"
    );
    assert_eq!(
        pair.send("b2 RENAME Archive Old\r\n"),
        "b2 OK RENAME completed\r\n"
    );
    assert_eq!(
        pair.send("b3 DELETE INBOX\r\n"),
        "b3 NO [CANNOT] INBOX cannot be deleted\r\n"
    );
    assert_eq!(
        pair.send("b4 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)\r\n"),
        "* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 7 UNSEEN 0)\r\nb4 OK STATUS completed\r\n"
    );
}

#[test]
fn id_namespace_unselect_logout() {
    let mut config = config();
    config.id_field("name", "imap-proto");
    let mut pair = Pair::new(config, Model::with_inbox(0));
    assert_eq!(
        pair.send("a1 ID (\"name\" \"x\")\r\n"),
        "* ID (\"name\" \"imap-proto\")\r\na1 OK ID completed\r\n"
    );
    pair.send("l LOGIN alice secret\r\n");
    assert_eq!(
        pair.send("a2 NAMESPACE\r\n"),
        "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\na2 OK NAMESPACE completed\r\n"
    );
    pair.send("s SELECT INBOX\r\n");
    assert_eq!(pair.send("a3 UNSELECT\r\n"), "a3 OK UNSELECT completed\r\n");
    assert_eq!(pair.session.state(), State::Authenticated);
    assert_eq!(
        pair.send("a4 LOGOUT\r\n"),
        "* BYE Logging out\r\na4 OK LOGOUT completed\r\n"
    );
    assert!(pair.session.is_closed());
}

#[test]
fn disabled_extensions_are_refused() {
    let mut config = config();
    config.disable(Extension::Idle).disable(Extension::Move);
    let mut pair = Pair::new(config, Model::with_inbox(1));
    pair.send("l LOGIN alice secret\r\n");
    assert_eq!(
        pair.send("a1 IDLE\r\n"),
        "a1 BAD [CLIENTBUG] IDLE not supported\r\n"
    );
    pair.send("s SELECT INBOX\r\n");
    assert_eq!(
        pair.send("a2 MOVE 1 INBOX\r\n"),
        "a2 BAD [CLIENTBUG] MOVE not supported\r\n"
    );
    assert_eq!(
        pair.send("a3 SORT (DATE) UTF-8 ALL\r\n"),
        "a3 BAD [CLIENTBUG] SORT not supported\r\n"
    );
}

#[test]
fn pipelined_commands_keep_their_order() {
    let mut pair = Pair::logged_in(Model::with_inbox(2));
    let out = pair.send("p1 SELECT INBOX\r\np2 FETCH 1 UID\r\np3 NOOP\r\np4 FETCH 2 UID\r\n");
    let tags: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with('*'))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(tags, ["p1", "p2", "p3", "p4"]);
    assert!(out.contains("* 1 FETCH (UID 1)\r\np2 OK"), "{out}");
}

#[test]
fn too_much_pipelined_input_ends_the_session() {
    let mut config = config();
    config.limits_mut().max_pending_input(64 * 1024);
    let mut pair = Pair::new(config, Model::with_inbox(0));
    pair.session.handle_input(b"a1 LOGIN alice secret\r\n");
    // The login decision is not answered yet; the client keeps sending.
    let flood = "a2 NOOP\r\n".repeat(10_000);
    pair.session.handle_input(flood.as_bytes());
    let out = pair.drive();
    assert!(out.contains("* BYE [LIMIT] Too much input"), "{out}");
    assert!(pair.session.is_closed());
}

#[test]
fn every_server_response_parses_with_the_client_codec() {
    let mut pair = Pair::logged_in(Model::with_inbox(3));
    pair.send("a ENABLE QRESYNC\r\nb SELECT INBOX\r\nc FETCH 1:* (FLAGS UID RFC822.SIZE BODY[] MODSEQ)\r\nd STATUS INBOX (MESSAGES HIGHESTMODSEQ)\r\ne LIST \"\" *\r\nf NAMESPACE\r\ng STORE 1 +FLAGS (\\Deleted)\r\nh EXPUNGE\r\ni LOGOUT\r\n");
    let rs = responses(&pair.transcript);
    assert!(rs.len() > 20, "{}", pair.transcript);
    assert!(
        rs.iter()
            .all(|r| !matches!(r, Response::Status(s) if s.kind == StatusKind::Bad)),
        "{}",
        pair.transcript
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Commands that take text; `{}` stands for the argument.
    const UNICODE_COMMANDS: &[&str] = &[
        "SEARCH SUBJECT {}",
        "SEARCH CHARSET UTF-8 TEXT {}",
        "UID SEARCH CHARSET UTF-8 OR FROM {} NOT BODY {}",
        "SEARCH HEADER {} {}",
        "LIST \"\" {}",
        "LIST {} %",
        "LSUB \"\" {}",
        "CREATE {}",
        "RENAME {} {}",
        "SELECT {}",
        "EXAMINE {}",
        "STATUS {} (MESSAGES)",
        "COPY 1 {}",
        "APPEND {} {}",
        "ID ({} {})",
        "FETCH 1 BODY.PEEK[HEADER.FIELDS ({})]",
        "STORE 1 +FLAGS ({})",
    ];

    fn quote(s: &str) -> String {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }

    /// Text built of multi-byte characters and the pieces IMAP gives a meaning to.
    fn unicode_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                any::<char>().prop_map(String::from),
                proptest::sample::select(vec![
                    "日本語の件名テスト #2",
                    "Привет",
                    "é",
                    "\u{1F600}",
                    "&",
                    "&-",
                    "&APw-",
                    "&Jjo",
                    "%",
                    "*",
                    "/",
                    "\"",
                    "\\",
                    "INBOX",
                    " ",
                    "(",
                    ")",
                    "]",
                    "{",
                    "~",
                    "\r\n",
                ])
                .prop_map(String::from),
                "[a-z0-9 ]{1,3}",
            ],
            0..8,
        )
        .prop_map(|p| p.concat())
    }

    /// Mostly valid IMAP strings (quoted UTF-8, quoted modified UTF-7,
    /// non-synchronizing literals), sometimes raw text.
    fn unicode_argument() -> impl Strategy<Value = String> {
        let line = || unicode_text().prop_map(|s: String| s.replace(['\0', '\r', '\n'], ""));
        prop_oneof![
            3 => line().prop_map(|s| quote(&s)),
            2 => line().prop_map(|s| quote(&mailwright_imap::types::utf7::encode(&s))),
            1 => unicode_text().prop_map(|s| format!("{{{}+}}\r\n{s}", s.len())),
            1 => unicode_text(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Arbitrary bytes into a logged-in, selected session never panic and the
        /// session's output always parses.
        #[test]
        fn arbitrary_input_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 1..8)) {
            let mut pair = Pair::logged_in(Model::with_inbox(3));
            pair.send("s SELECT INBOX\r\n");
            for chunk in chunks {
                pair.send_bytes(&chunk);
                pair.advance(Duration::from_secs(1));
            }
        }

        /// Command-shaped input (valid words in random order) never panics.
        #[test]
        fn command_shaped_input_never_panics(words in proptest::collection::vec(prop_oneof![
            Just("a"), Just(" "), Just("\r\n"), Just("FETCH"), Just("UID"), Just("1:*"), Just("(FLAGS"),
            Just("BODY[]"), Just(")"), Just("{3}\r\n"), Just("{2+}\r\n"), Just("SEARCH"), Just("STORE"),
            Just("+FLAGS"), Just("IDLE"), Just("DONE"), Just("APPEND"), Just("INBOX"), Just("~{1}\r\n"),
            Just("SELECT"), Just("LOGOUT"), Just("EXPUNGE"), Just("NOT"), Just("OR"), Just("*"),
        ], 0..60)) {
            let mut pair = Pair::logged_in(Model::with_inbox(3));
            pair.send("s SELECT INBOX\r\n");
            let input: String = words.concat();
            pair.send(&input);
            let _ = responses(&pair.transcript);
        }

        /// Commands with Unicode arguments (raw, quoted, literal, and mailbox
        /// names in UTF-8 and in modified UTF-7 with garbage), for IMAP4rev1 and
        /// UTF8=ACCEPT sessions: no panic, every command is answered with its
        /// tag, and all output parses.
        #[test]
        fn unicode_commands_are_answered(
            commands in proptest::collection::vec((proptest::sample::select(UNICODE_COMMANDS), unicode_argument()), 1..6),
            utf8 in any::<bool>(),
        ) {
            let mut pair = Pair::logged_in(Model::with_inbox(3));
            pair.model.create("日本語");
            pair.model.create("Entw&APw-rfe");
            if utf8 {
                pair.send("e ENABLE UTF8=ACCEPT\r\n");
            }
            pair.send("s SELECT INBOX\r\n");
            for (n, (template, argument)) in commands.iter().enumerate() {
                let tag = format!("c{n}");
                pair.send(&format!("{tag} {}\r\n", template.replace("{}", argument)));
                if pair.session.is_closed() {
                    break;
                }
                // A literal that swallowed the line end leaves the command open.
                if argument.contains(['\r', '\n', '{']) {
                    continue;
                }
                let rs = responses(&pair.transcript);
                prop_assert!(
                    rs.iter().any(|r| matches!(r, Response::Status(s) if s.tag.as_ref().is_some_and(|t| t.as_str() == tag))),
                    "{} unanswered: {}", tag, pair.transcript
                );
            }
            let _ = responses(&pair.transcript);
        }
    }
}

#[test]
fn eof_closes_without_a_word() {
    let mut pair = Pair::logged_in(Model::with_inbox(0));
    pair.session.handle_input(b"a1 APPEND INBOX {10+}\r\nhalf");
    pair.session.handle_eof();
    assert!(pair.session.is_closed());
    assert_eq!(pair.drive(), "");
    assert!(
        pair.model.folders["INBOX"].messages.is_empty(),
        "the half APPEND is dropped"
    );
}
