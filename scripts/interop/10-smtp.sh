#!/usr/bin/env bash
# smtp-proto against swaks (Debian's, with libnet-ssleay-perl for STARTTLS): plain,
# STARTTLS, AUTH PLAIN/LOGIN (and a wrong password), PIPELINING, a refused recipient,
# implicit TLS, LMTP, all against examples/smtp-sink on loopback. Debian's swaks
# (20201014) cannot send BDAT, so the CHUNKING session is a raw Python socket (real
# pipelined BDAT framing) plus our own smtp-send. Every step checks swaks' exit code
# and its transcript, and at the end the sink's message count.
source "$(dirname "$0")/harness.sh"

need_apt swaks libnet-ssleay-perl python3

SINK=$(bin smtp-sink)
SEND=$(bin smtp-send)
printf 'From: interop@example.org\r\nSubject: interop\r\n\r\nHello.\r\n.leading dot\r\n' >"$WORK/smtp-msg.eml"

start_server smtp-sink "$SINK" --listen 127.0.0.1:0 --starttls --tls-listen 127.0.0.1:0 \
    --cert-out "$WORK/smtp-ca.pem" --auth alice:secret --reject-rcpt nobody@example.org
PLAIN=$(grep -m1 '^listening on ' "$WORK/smtp-sink.log" | awk '{print $3}')
TLS=$(grep '^listening on ' "$WORK/smtp-sink.log" | sed -n 2p | awk '{print $3}')
start_server lmtp-sink "$SINK" --listen 127.0.0.1:0 --lmtp --reject-rcpt nobody@example.org
LMTP=$LISTEN_ADDR

expected=0
# swaks_check NAME EXPECTED_EXIT MESSAGES PATTERN... -- ARGS: runs swaks, checks the exit
# code and that every PATTERN (grep -E) is in the transcript; MESSAGES is how many
# messages this run should have delivered to the sink.
swaks_check() {
    local name=$1 want=$2 messages=$3
    shift 3
    local patterns=()
    while [ "$1" != "--" ]; do
        patterns+=("$1")
        shift
    done
    shift
    local rc=0
    swaks --timeout 30 "$@" >"$WORK/swaks-$name.txt" 2>&1 || rc=$?
    [ "$rc" -eq "$want" ] || { cat "$WORK/swaks-$name.txt"; fail "swaks $name: exit $rc, expected $want"; }
    local pattern
    for pattern in "${patterns[@]}"; do
        grep -Eq -- "$pattern" "$WORK/swaks-$name.txt" \
            || { cat "$WORK/swaks-$name.txt"; fail "swaks $name: no '$pattern' in the transcript"; }
    done
    expected=$((expected + messages))
    log "swaks $name ok"
}

COMMON=(--from interop@example.org --data "@$WORK/smtp-msg.eml")

swaks_check plain 0 1 '^<- +250-PIPELINING' '^<- +250-CHUNKING' '^<- +250-STARTTLS' '^ -> \.\.leading dot' '^<- +250 2.0.0 OK queued as sink-' -- \
    --server "$PLAIN" --to b@example.org "${COMMON[@]}"
if grep -q '250-AUTH' "$WORK/swaks-plain.txt"; then fail "AUTH offered before TLS"; fi

swaks_check starttls 0 1 '^<- +220 2.0.0 ready to start TLS' 'TLS started' '^<~ +250 2.0.0 OK queued' -- \
    --server "$PLAIN" --tls --to b@example.org "${COMMON[@]}"
grep -q '^<~ *250-STARTTLS' <(sed -n '/TLS started/,$p' "$WORK/swaks-starttls.txt") \
    && fail "STARTTLS offered again after TLS"

swaks_check auth-plain 0 1 '^ ?~> AUTH PLAIN' '^<~ +235 2.7.0' '^<~ +250 2.0.0 OK queued' -- \
    --server "$PLAIN" --tls --auth PLAIN --auth-user alice --auth-password secret --to b@example.org "${COMMON[@]}"
swaks_check auth-login 0 1 '^ ?~> AUTH LOGIN' '^<~ +334 VXNlcm5hbWU6' '^<~ +235 2.7.0' -- \
    --server "$PLAIN" --tls --auth LOGIN --auth-user alice --auth-password secret --to b@example.org "${COMMON[@]}"
swaks_check auth-wrong 28 0 '^<~\* +535 5.7.8' -- \
    --server "$PLAIN" --tls --auth PLAIN --auth-user alice --auth-password wrong --to b@example.org "${COMMON[@]}"
swaks_check auth-before-tls 28 0 'Host did not advertise authentication' -- \
    --server "$PLAIN" --auth PLAIN --auth-user alice --auth-password secret --to b@example.org "${COMMON[@]}"

# Pipelining: the envelope goes in one write; one recipient is refused.
swaks_check pipeline 0 1 '^ -> MAIL FROM:<interop@example.org>' '^<\*\* +550 5.1.1 no such user here' '^<- +354 ' '^<- +250 2.0.0 OK queued' -- \
    --server "$PLAIN" --pipeline --to b@example.org,nobody@example.org "${COMMON[@]}"
grep -A1 '^ -> MAIL FROM' "$WORK/swaks-pipeline.txt" | grep -q '^ -> RCPT TO' \
    || fail "swaks did not pipeline the envelope"
swaks_check refused 24 0 '^<\*\* +550 5.1.1' -- \
    --server "$PLAIN" --to nobody@example.org "${COMMON[@]}"

swaks_check implicit-tls 0 1 '^<~ +220 localhost ESMTP' '^<~ +235 2.7.0' '^<~ +250 2.0.0 OK queued' -- \
    --server "$TLS" --tls-on-connect --auth PLAIN --auth-user alice --auth-password secret --to b@example.org "${COMMON[@]}"

swaks_check lmtp 0 0 '^ -> LHLO' '^<\*\* +550 5.1.1' '^<- +250 2.0.0 <b@example.org> OK queued' -- \
    --server "$LMTP" --protocol LMTP --to b@example.org,nobody@example.org "${COMMON[@]}"

# BDAT (CHUNKING, RFC 3030), pipelined, from a raw socket: two chunks, the second one
# LAST, with a smuggling attempt inside the chunk data that must stay data.
python3 - "${PLAIN##*:}" <<'PY' || fail "BDAT over a raw socket"
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=30)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines
assert reply()[0].startswith("220")
s.sendall(b"EHLO bdat.example\r\n")
assert any("CHUNKING" in l for l in reply())
chunk1 = b"Subject: bdat\r\n\r\nfirst\n.\nMAIL FROM:<smuggled@example.org>\r\n"
chunk2 = b"second\r\n"
s.sendall(b"MAIL FROM:<bdat@example.org>\r\nRCPT TO:<b@example.org>\r\n"
          + b"BDAT %d\r\n" % len(chunk1) + chunk1
          + b"BDAT %d LAST\r\n" % len(chunk2) + chunk2 + b"QUIT\r\n")
codes = [reply()[-1][:3] for _ in range(5)]
assert codes == ["250", "250", "250", "250", "221"], codes
print("bdat ok")
PY
expected=$((expected + 1))
log "raw BDAT ok"
"$SEND" --server "$PLAIN" --starttls --ca-file "$WORK/smtp-ca.pem" --server-name localhost \
    --auth alice:secret --from send@example.org --to b@example.org --count 2 "$WORK/smtp-msg.eml" \
    >"$WORK/smtp-send.txt" || { cat "$WORK/smtp-send.txt"; fail "smtp-send with BDAT"; }
expected=$((expected + 2))
log "smtp-send (STARTTLS, AUTH, BDAT) ok"

# The sink's count: stop it and read its totals.
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
total=$(grep -m1 '^total: ' "$WORK/smtp-sink.log" | awk '{print $2}')
[ "$total" = "$expected" ] || { cat "$WORK/smtp-sink.log"; fail "sink counted $total messages, expected $expected"; }
log "smtp-sink counted $total messages as expected"
