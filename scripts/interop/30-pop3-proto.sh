#!/usr/bin/env bash
# pop3-proto against real clients: Python's poplib and curl (pop3:// with STLS and
# pop3s://) talk to examples/pop3-memory-server on loopback.
source "$(dirname "$0")/harness.sh"

need_apt openssl curl

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/pop3-key.pem" -out "$WORK/pop3-cert.pem" 2>/dev/null
printf 'From: interop@example.org\r\nSubject: interop\r\n\r\n.leading dot\r\nbody\r\n' >"$WORK/pop3-msg.eml"

start_server pop3-plain "$(bin pop3-memory-server)" --listen 127.0.0.1:0 \
    --tls-cert "$WORK/pop3-cert.pem" --tls-key "$WORK/pop3-key.pem" \
    --user mrose:tanstaaf --message "mrose:$WORK/pop3-msg.eml" --message-size mrose:2000000
PLAIN=$LISTEN_ADDR
start_server pop3-tls "$(bin pop3-memory-server)" --tls-listen 127.0.0.1:0 \
    --tls-cert "$WORK/pop3-cert.pem" --tls-key "$WORK/pop3-key.pem" \
    --user mrose:tanstaaf --message "mrose:$WORK/pop3-msg.eml"
TLS=$LISTEN_ADDR

python3 - "${PLAIN##*:}" "$WORK/pop3-cert.pem" <<'PY' || fail "poplib"
import poplib, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
pop = poplib.POP3("127.0.0.1", port, timeout=30)
pop.stls(ssl.create_default_context(cafile=ca))
pop.user("mrose"); pop.pass_("tanstaaf")
assert pop.stat()[0] == 2
assert pop.retr(1)[1] == [b"From: interop@example.org", b"Subject: interop", b"", b".leading dot", b"body"]
assert pop.retr(2)[0] == b"+OK 2000000 octets"
assert pop.top(1, 0)[1] == [b"From: interop@example.org", b"Subject: interop", b""]
pop.dele(2); pop.quit()
pop = poplib.POP3("127.0.0.1", port, timeout=30)
pop.apop("mrose", "tanstaaf")
assert pop.stat()[0] == 1, "DELE + QUIT removed message 2"
pop.quit()
print("poplib ok")
PY
log "poplib: STLS, USER/PASS, RETR, TOP, DELE+QUIT, APOP ok"

curl -sS --ssl-reqd --cacert "$WORK/pop3-cert.pem" -u mrose:tanstaaf "pop3://$PLAIN/1" >"$WORK/pop3-curl.eml" \
    || fail "curl pop3:// with STLS"
cmp -s "$WORK/pop3-curl.eml" "$WORK/pop3-msg.eml" || fail "curl pop3:// got a different message"
curl -sS --cacert "$WORK/pop3-cert.pem" -u mrose:tanstaaf "pop3s://$TLS/1" >"$WORK/pop3s-curl.eml" \
    || fail "curl pop3s://"
cmp -s "$WORK/pop3s-curl.eml" "$WORK/pop3-msg.eml" || fail "curl pop3s:// got a different message"
log "curl pop3:// (STLS) and pop3s:// ok"
