"""Python's smtplib (and a raw socket for pipelining) against the smtp-proto tokio
server started by tests/loopback.rs. Usage: smtplib_check.py PORT TLS_PORT CA_FILE BIG_FILE

Exits non-zero on the first mismatch; the Rust test then checks what the server
stored."""
import smtplib
import socket
import ssl
import sys

port, tls_port, ca_file, big_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca_file)
HOST = "127.0.0.1"


def message(subject, body="Hello from smtplib.\r\n"):
    return f"From: a@example.org\r\nTo: b@example.org\r\nSubject: {subject}\r\n\r\n{body}"


# 1. Plain, no TLS: the capabilities before TLS (no AUTH), one message.
with smtplib.SMTP(HOST, port, timeout=30) as s:
    code, _ = s.ehlo("client.example")
    assert code == 250, code
    for feature in ("pipelining", "8bitmime", "smtputf8", "starttls", "chunking", "size", "enhancedstatuscodes"):
        assert s.has_extn(feature), feature
    assert not s.has_extn("auth"), "AUTH offered before TLS"
    refused = s.sendmail("plain@example.org", ["b@example.org"], message("plain"))
    assert refused == {}, refused

# 2. STARTTLS + AUTH PLAIN; a wrong password first.
with smtplib.SMTP(HOST, port, timeout=30) as s:
    s.starttls(context=ctx)
    s.ehlo("client.example")
    assert s.has_extn("auth") and not s.has_extn("starttls")
    try:
        s.login("alice", "wrong")
        raise AssertionError("wrong password accepted")
    except smtplib.SMTPAuthenticationError as err:
        assert err.smtp_code == 535, err
    s.login("alice", "secret")
    assert s.sendmail("plainauth@example.org", ["b@example.org"], message("auth plain")) == {}

# 3. STARTTLS + AUTH LOGIN.
with smtplib.SMTP(HOST, port, timeout=30) as s:
    s.starttls(context=ctx)
    s.ehlo("client.example")
    s.user, s.password = "alice", "secret"
    code, _ = s.auth("LOGIN", s.auth_login)
    assert code == 235, code
    assert s.sendmail("loginauth@example.org", ["b@example.org"], message("auth login")) == {}

# 4. SMTPUTF8: UTF-8 addresses and header.
with smtplib.SMTP(HOST, port, timeout=30) as s:
    body = "From: jörg@example.org\r\nSubject: grüße\r\n\r\nÜnïcödé\r\n".encode("utf-8")
    refused = s.sendmail("jörg@example.org", ["grüße@bücher.example"], body, mail_options=["SMTPUTF8"])
    assert refused == {}, refused

# 5. A 1 MB message, and a recipient the server refuses.
with smtplib.SMTP(HOST, port, timeout=60) as s:
    big = open(big_file, "rb").read()
    refused = s.sendmail("big@example.org", ["b@example.org", "nobody@example.org"], big)
    assert list(refused) == ["nobody@example.org"] and refused["nobody@example.org"][0] == 550, refused

# 6. Implicit TLS (port 465 style).
with smtplib.SMTP_SSL(HOST, tls_port, timeout=30, context=ctx) as s:
    s.login("alice", "secret")
    assert s.sendmail("implicit@example.org", ["b@example.org"], message("implicit tls")) == {}


# 7. Pipelining by hand: the whole envelope in one write, the replies in order.
def replies(sock_file, count):
    out = []
    for _ in range(count):
        lines = []
        while True:
            line = sock_file.readline().decode()
            assert line.endswith("\r\n"), repr(line)
            lines.append(line)
            if line[3] == " ":
                break
        out.append(lines)
    return out


with socket.create_connection((HOST, port), timeout=30) as sock:
    f = sock.makefile("rb")
    assert replies(f, 1)[0][0].startswith("220 ")
    sock.sendall(b"EHLO pipe.example\r\n")
    assert replies(f, 1)[0][-1].startswith("250 ")
    sock.sendall(
        b"MAIL FROM:<pipelined@example.org>\r\nRCPT TO:<b@example.org>\r\n"
        b"RCPT TO:<nobody@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n"
    )
    codes = [r[-1][:3] for r in replies(f, 5)]
    assert codes == ["250", "250", "550", "250", "354"], codes
    # A smuggling attempt inside the body, then the real end, then QUIT pipelined.
    sock.sendall(
        b"Subject: pipelined\r\n\r\nline\n.\nMAIL FROM:<smuggled@example.org>\r\n"
        b"RCPT TO:<victim@example.org>\r\nDATA\r\nspoofed\r\n.\r\nQUIT\r\n"
    )
    codes = [r[-1][:3] for r in replies(f, 2)]
    assert codes == ["250", "221"], codes

print("smtplib ok")
