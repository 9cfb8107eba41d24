#!/usr/bin/env bash
# imap-proto against real clients: Python's imaplib and curl (imap:// with STARTTLS
# and imaps://) talk to examples/imap-memory-server on loopback, logged in with the
# example's demo account (demo/demo).
source "$(dirname "$0")/harness.sh"

need_apt openssl curl

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/imap-key.pem" -out "$WORK/imap-cert.pem" 2>/dev/null
printf 'From: interop@example.org\r\nSubject: interop\r\n\r\nhello from the interop script\r\n' >"$WORK/imap-msg.eml"

start_server imap "$(bin imap-memory-server)" --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 \
    --tls-cert "$WORK/imap-cert.pem" --tls-key "$WORK/imap-key.pem" \
    --user alice:secret --message "alice:$WORK/imap-msg.eml"
PLAIN=$LISTEN_ADDR
TLS=$(grep '^listening on ' "$WORK/imap.log" | sed -n 2p | awk '{print $3}')

python3 - "${PLAIN##*:}" "${TLS##*:}" "$WORK/imap-cert.pem" <<'PY' || fail "imaplib"
import imaplib, ssl, sys, time
plain, tls, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
imaplib.Commands.setdefault("MOVE", ("SELECTED",))

M = imaplib.IMAP4("127.0.0.1", plain, timeout=30)
assert "STARTTLS" in M.capabilities
M.starttls(ssl_context=ctx)
assert M.login("demo", "demo")[0] == "OK"
typ, boxes = M.list()
assert typ == "OK" and any(b"\\Sent" in b for b in boxes), boxes
typ, data = M.select("INBOX")
assert data == [b"3"], data
typ, data = M.fetch("2", "(BODY[HEADER.FIELDS (SUBJECT)])")
assert data[0][1] == b"Subject: Quarterly report\r\n\r\n", data
typ, data = M.fetch("2", "(BODY.PEEK[TEXT]<0.7>)")
assert data[0][1] == b"Numbers", data
typ, data = M.search(None, "FLAGGED")
assert data == [b"3"], data
assert M.store("1", "+FLAGS", "(\\Deleted)")[0] == "OK"
typ, data = M.append("INBOX", None, imaplib.Time2Internaldate(time.time()), b"Subject: appended\r\n\r\nx\r\n")
assert typ == "OK" and b"APPENDUID" in data[0], data
assert M.copy("2", "Archive")[0] == "OK"
assert M._simple_command("MOVE", "3", "Trash")[0] == "OK"
assert M.untagged_responses.pop("EXPUNGE", None) == [b"3"], "MOVE expunged message 3"
typ, data = M.expunge()
assert data == [b"1"], data
N = imaplib.IMAP4_SSL("127.0.0.1", tls, ssl_context=ctx, timeout=30)
assert N.login("demo", "demo")[0] == "OK"
typ, data = N.select("Archive")
assert data == [b"1"], data
N.logout()
M.logout()
print("imaplib ok")
PY
log "imaplib: STARTTLS, LIST, SELECT, FETCH sections/partials, SEARCH, STORE, APPEND, COPY, MOVE, EXPUNGE, implicit TLS ok"

curl -sS --ssl-reqd --cacert "$WORK/imap-cert.pem" -u alice:secret "imap://$PLAIN/INBOX;UID=1" >"$WORK/imap-curl.eml" \
    || fail "curl imap:// with STARTTLS"
cmp -s "$WORK/imap-curl.eml" "$WORK/imap-msg.eml" || fail "curl imap:// got a different message"
curl -sS --cacert "$WORK/imap-cert.pem" -u alice:secret "imaps://$TLS/INBOX;UID=1" >"$WORK/imaps-curl.eml" \
    || fail "curl imaps://"
cmp -s "$WORK/imaps-curl.eml" "$WORK/imap-msg.eml" || fail "curl imaps:// got a different message"
curl -sS --cacert "$WORK/imap-cert.pem" -u demo:demo "imaps://$TLS/" | grep -q 'Archive' || fail "curl imaps:// LIST"
log "curl imap:// (STARTTLS) and imaps:// ok"
