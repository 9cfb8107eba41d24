"""Python's poplib against pop3-proto's tokio server over mailstore-pop3 (run by
tests/loopback.rs).

The maildrop holds a small message with dot-stuffed lines, and messages of 100 KiB,
600 KiB and 1.5 MiB (read inline, read whole, streamed by the adapter). Covers STLS,
USER/PASS, STAT, LIST, UIDL, RETR byte for byte, TOP, the maildrop lock (IN-USE),
DELE + QUIT, and APOP over implicit TLS.

usage: poplib_session.py HOST STLS_PORT IMPLICIT_TLS_PORT CA_FILE
"""
import poplib
import ssl
import sys

host, plain_port, tls_port, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)


def body(n, size):
    lines, total = [], 0
    while total < size:
        text = ".dot %d %d " % (n, len(lines)) if len(lines) % 7 == 0 else "line %d %d " % (n, len(lines))
        lines.append(text.ljust(78, "x").encode())
        total += 80
    return lines


small = [b"From: a@example.org", b"Subject: small", b"", b".leading dot", b"..two dots", b"body"]
big = [[b"From: a@example.org", b"Subject: size %d" % size, b""] + body(n, size)
       for n, size in enumerate([100 * 1024, 600 * 1024, 1536 * 1024])]

P = poplib.POP3(host, plain_port, timeout=30)
P.stls(ctx)
P.user("mrose")
P.pass_("tanstaaf")
count, octets = P.stat()
assert count == 4, (count, octets)
listing = P.list()[1]
sizes = [int(line.split()[1]) for line in listing]
assert octets == sum(sizes), (octets, sizes)
uidl = [line.split()[1] for line in P.uidl()[1]]
assert len(set(uidl)) == 4 and all(0 < len(u) <= 70 for u in uidl), uidl
assert P.retr(1)[1] == small, P.retr(1)[1]
for i, lines in enumerate(big):
    got = P.retr(i + 2)
    assert got[1] == lines, (i, len(got[1]), len(lines))
    assert got[0] == b"+OK %d octets" % sizes[i + 1], got[0]
assert P.top(1, 1)[1] == small[:4], P.top(1, 1)[1]
try:
    Q = poplib.POP3_SSL(host, tls_port, context=ctx, timeout=30)
    Q.user("mrose")
    Q.pass_("tanstaaf")
    raise SystemExit("a second session got the lock")
except poplib.error_proto as e:
    assert b"IN-USE" in e.args[0], e
P.dele(2)
P.dele(4)
P.quit()

A = poplib.POP3_SSL(host, tls_port, context=ctx, timeout=30)
A.apop("mrose", "tanstaaf")
assert A.stat()[0] == 2, A.stat()
assert [line.split()[1] for line in A.uidl()[1]] == [uidl[0], uidl[2]], "UIDL stable"
assert A.retr(1)[1] == small
A.quit()
print("poplib ok")
