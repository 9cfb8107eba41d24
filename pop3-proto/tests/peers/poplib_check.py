"""Drives a pop3-proto server with Python's poplib (a POP3 client nobody here wrote).

Usage: poplib_check.py PORT TLS_PORT CA_FILE LARGE_FILE
The server holds user mrose/tanstaaf with three messages: a short one, LARGE_FILE,
and a third one; the checks end with the maildrop as the test expects.
"""
import poplib
import ssl
import sys

port, tls_port, ca_file, large_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
large = open(large_file, "rb").read()
context = ssl.create_default_context(cafile=ca_file)


def check(label, condition):
    if not condition:
        print("FAILED:", label)
        sys.exit(1)
    print("ok:", label)


def body(lines):
    return b"".join(line + b"\r\n" for line in lines)


# USER/PASS, STAT, LIST, UIDL, TOP, RETR of a large message.
pop = poplib.POP3("127.0.0.1", port, timeout=30)
check("greeting has an APOP timestamp", b"<" in pop.getwelcome())
capa = pop.capa()
check("CAPA lists STLS, TOP, UIDL, USER, SASL", all(k in capa for k in ["STLS", "TOP", "UIDL", "USER", "SASL"]))
pop.user("mrose")
check("PASS accepted", pop.pass_("tanstaaf").startswith(b"+OK"))
count, size = pop.stat()
check("STAT counts three messages", count == 3)
listing = pop.list()[1]
check("LIST has three scan listings", len(listing) == 3 and listing[1] == b"2 %d" % len(large))
uids = [line.split()[1] for line in pop.uidl()[1]]
check("UIDL gives three distinct unique-ids", len(set(uids)) == 3)
top = pop.top(1, 1)[1]
check("TOP 1 1 gives the header, the blank line and one body line",
      top == [b"From: a@example.org", b"Subject: short", b"", b"line one"])
response, lines, octets = pop.retr(2)
check("RETR of the large message returns it byte for byte", body(lines) == large)
check("RETR reports the size", response == b"+OK %d octets" % len(large))
dot = pop.retr(3)[1]
check("dot-stuffed lines come back unstuffed", dot == [b"Subject: dots", b"", b".", b"..two dots", b"end"])

# A second login while the first session holds the lock.
other = poplib.POP3("127.0.0.1", port, timeout=30)
other.user("mrose")
try:
    other.pass_("tanstaaf")
    check("second login is refused", False)
except poplib.error_proto as error:
    check("second login gets -ERR [IN-USE]", b"[IN-USE]" in error.args[0])
other.quit()

# RSET undoes DELE; DELE then QUIT removes.
pop.dele(1)
check("deleted message is gone from STAT", pop.stat()[0] == 2)
pop.rset()
check("RSET restores it", pop.stat()[0] == 3)
pop.dele(3)
check("QUIT in TRANSACTION signs off", pop.quit().startswith(b"+OK"))

# Reconnect with APOP: message 3 is gone, message numbers start over.
pop = poplib.POP3("127.0.0.1", port, timeout=30)
check("APOP accepted", pop.apop("mrose", "tanstaaf").startswith(b"+OK"))
check("the deleted message is gone after QUIT", pop.stat()[0] == 2)
pop.quit()

# Wrong password.
pop = poplib.POP3("127.0.0.1", port, timeout=30)
pop.user("mrose")
try:
    pop.pass_("wrong")
    check("wrong password is refused", False)
except poplib.error_proto as error:
    check("wrong password gets -ERR [AUTH]", b"[AUTH]" in error.args[0])
pop.quit()

# STLS, then a login over TLS.
pop = poplib.POP3("127.0.0.1", port, timeout=30)
pop.stls(context)
check("STLS runs TLS with the test certificate", pop.sock.version() is not None)
check("CAPA after STLS no longer offers STLS", "STLS" not in pop.capa())
pop.user("mrose")
pop.pass_("tanstaaf")
check("login over STLS sees two messages", pop.stat()[0] == 2)
pop.quit()

# Implicit TLS (port 995 style).
pop = poplib.POP3_SSL("127.0.0.1", tls_port, context=context, timeout=30)
pop.user("mrose")
pop.pass_("tanstaaf")
check("login over implicit TLS sees two messages", pop.stat()[0] == 2)
pop.quit()
print("all poplib checks passed")
