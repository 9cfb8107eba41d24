"""Python's imaplib against imap-proto's tokio server over mailstore-imap (run by
tests/unicode.rs): messages whose subjects are Cyrillic, Greek, CJK and emoji, stored
8-bit by the test and by APPEND here, and RFC 2047-encoded by the test; SEARCH CHARSET
UTF-8 SUBJECT finds them all, SORT (SUBJECT) orders them by base subject, FETCH gives
the subjects back byte for byte, a mailbox with a CJK name works.

usage: unicode_subjects.py HOST PORT
"""
import imaplib
import sys
from email.header import decode_header, make_header

host, port = sys.argv[1], int(sys.argv[2])
subjects = ["Привет", "Καλημέρα σας", "日本語の件名テスト #2", "Re: 日本語の件名テスト",
            "🎉 party", "Cafe\u0301 (fwd)", "(fwd)", "é"]
n = len(subjects)


def message(subject):
    return ("From: alice@example.org\r\nTo: bob@example.org\r\nSubject: " + subject +
            "\r\n\r\nbody\r\n").encode()


M = imaplib.IMAP4(host, port, timeout=30)
M.login("alice", "secret")
for subject in subjects:
    typ, data = M.append("INBOX", None, None, message(subject))
    assert typ == "OK", (subject, typ, data)
typ, data = M.select("INBOX")
total = int(data[0])
# Stored by the test: 8-bit (UIDs 1..n), RFC 2047 (n+1..2n); appended here: 2n+1..3n.
assert total == 3 * n, total


def search(needle):
    M.literal = needle.encode()
    typ, data = M.uid("SEARCH", "CHARSET", "UTF-8", "SUBJECT")
    assert typ == "OK", (needle, typ, data)
    return [int(u) for u in data[0].split()]


for needle, index in [("テスト #2", 2), ("Привет", 0), ("привет", 0), ("Καλημέρα", 1),
                      ("🎉", 4), ("party", 4), ("PARTY", 4)]:
    found = search(needle)
    expected = [index + 1, index + 1 + n, index + 1 + 2 * n]
    assert found == expected, (needle, found, expected)
print("search ok")

typ, data = M.uid("SORT", "(SUBJECT)", "UTF-8", "ALL")
assert typ == "OK", (typ, data)
order = [int(u) for u in data[0].split()]
assert len(order) == total, order
bases = {"Re: 日本語の件名テスト": "日本語の件名テスト", "Cafe\u0301 (fwd)": "cafe\u0301",
         "(fwd)": "", "🎉 party": "🎉 party"}
keyed = []
for uid in range(1, total + 1):
    subject = subjects[(uid - 1) % n]
    base = bases.get(subject, subject)
    keyed.append((base.encode(), uid))
assert order == [uid for _, uid in sorted(keyed)], (order, sorted(keyed))
print("sort ok")

typ, data = M.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
assert typ == "OK", (typ, data)
fetched = [part[1] for part in data if isinstance(part, tuple)]
assert len(fetched) == total, fetched
for uid, header in enumerate(fetched, start=1):
    subject = subjects[(uid - 1) % n]
    value = header.decode().strip()[len("Subject: "):]
    if n < uid <= 2 * n:
        value = str(make_header(decode_header(value)))
    assert value == subject, (uid, value, subject)
typ, data = M.fetch("3", "(ENVELOPE)")
assert typ == "OK" and "日本語の件名テスト #2".encode() in b"".join(
    p if isinstance(p, bytes) else b"".join(p) for p in data), data
print("fetch ok")

name = "日本語/Привет"
encoded = "&ZeVnLIqe-/&BB8EQAQ4BDIENQRC-"
typ, data = M.create(encoded)
assert typ == "OK", (typ, data)
typ, data = M.list('""', "*")
assert any(encoded.encode() in line for line in data), data
typ, data = M.uid("COPY", "3", encoded)
assert typ == "OK", (typ, data)
typ, data = M.select(encoded)
assert data == [b"1"], data
M.logout()
print("mailbox ok")
