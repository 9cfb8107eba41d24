#!/usr/bin/env bash
# mta-queue against a real Postfix: examples/custom-mta (smtp-proto in, mta-queue out)
# delivers by MX to a private Postfix instance on loopback, with MX records from a zone
# file (mta-queue's resolver seam; the point here is the peer, not DNS):
#   * several recipients in one transaction, stored by Postfix's virtual delivery agent
#   * 450 from Postfix (an access map), then success once the map is changed
#   * 550 for an unknown user and a null MX (RFC 7505): one DSN back to the sender,
#     stored by Postfix and parsed with Python's email package (multipart/report,
#     Status, Diagnostic-Code)
#   * MX failover: the first MX refuses connections, the second is Postfix
#   * a smarthost (the partner rule) with STARTTLS required and the certificate
#     verified against the test CA
# Delivery to an smtp-sink and the throttling figures are in scripts/load/mta-queue.sh
# and mta-queue/tests/smtp_transport.rs (AUTH over TLS against a scripted sink).
source "$(dirname "$0")/harness.sh"
source "$ROOT/scripts/load/postfix-instance.sh"

need_apt postfix openssl
log "building custom-mta"
(cd "$ROOT" && cargo build -q -p custom-mta)

PF_PORT=14025
PF_DIR="$WORK/postfix"
chmod 755 "$WORK"
stop_postfix() { postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true; cleanup; }
trap stop_postfix EXIT

# A CA and a certificate for Postfix's STARTTLS, names mx.dest.test and localhost.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test CA" \
    -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=mx.dest.test" \
    -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:mx.dest.test,DNS:localhost\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
    -CAcreateserial -days 2 -extfile "$WORK/san.ext" -out "$WORK/server.pem" 2>/dev/null

MAIL="$PF_DIR/mail"
postfix_instance "$PF_DIR" "$PF_PORT" "" \
    "virtual_mailbox_domains = dest.test, dest2.test, src.test, partner.test" \
    "virtual_mailbox_base = $MAIL" \
    "virtual_mailbox_maps = texthash:$PF_DIR/vmailbox" \
    "virtual_uid_maps = static:65534" \
    "virtual_gid_maps = static:65534" \
    "virtual_mailbox_limit = 0" \
    "smtpd_recipient_restrictions = check_recipient_access texthash:$PF_DIR/access, reject_unauth_destination" \
    "smtpd_tls_security_level = may" \
    "smtpd_tls_cert_file = $WORK/server.pem" \
    "smtpd_tls_key_file = $WORK/server.key" \
    "smtpd_tls_received_header = yes" >/dev/null
mkdir -p "$MAIL"
chown 65534:65534 "$MAIL"
cat >"$PF_DIR/vmailbox" <<MAP
alice@dest.test dest.test/alice/
bob@dest.test dest.test/bob/
grey@dest.test dest.test/grey/
carol@dest2.test dest2.test/carol/
sender@src.test src.test/sender/
dave@partner.test partner.test/dave/
MAP
printf 'grey@dest.test 450 4.2.0 greylisted, come back later\n' >"$PF_DIR/access"
postfix -c "$PF_DIR/etc" start >/dev/null 2>&1
for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null && break; sleep 0.1; done

cat >"$WORK/zone.txt" <<ZONE
dest.test. MX 10 mx.dest.test.
mx.dest.test. A 127.0.0.1
src.test. MX 10 mx.dest.test.
dest2.test. MX 10 mx1.dest2.test.
dest2.test. MX 20 mx2.dest2.test.
mx1.dest2.test. A 127.0.0.2
mx2.dest2.test. A 127.0.0.1
nullmx.test. MX 0 .
localhost. A 127.0.0.1
ZONE

start_server custom-mta "$(bin custom-mta)" --listen 127.0.0.1:0 --spool "$WORK/spool" \
    --zone "$WORK/zone.txt" --mx-port "$PF_PORT" --retry-secs 2 --dkim-domain src.test \
    --partner-relay "127.0.0.1:$PF_PORT" --partner-tls --partner-name localhost \
    --ca-file "$WORK/ca.pem" --hostname mta.src.test
MTA_ADDR=$LISTEN_ADDR
log "custom-mta on $MTA_ADDR, Postfix on 127.0.0.1:$PF_PORT"

python3 - "$MTA_ADDR" <<'PY'
import smtplib, sys
host, port = sys.argv[1].rsplit(":", 1)
def send(rcpts, subject):
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        msg = f"From: sender@src.test\r\nTo: {', '.join(rcpts)}\r\nSubject: {subject}\r\n\r\nHello from mta-queue.\r\n"
        s.sendmail("sender@src.test", rcpts, msg)
send(["alice@dest.test", "bob@dest.test"], "two recipients")
send(["grey@dest.test"], "greylisted")
send(["nobody@dest.test", "x@nullmx.test"], "bounces")
send(["carol@dest2.test"], "failover")
send(["dave@partner.test"], "smarthost")
print("sent 5 messages")
PY

# maildir_count DOMAIN/USER: messages Postfix stored for that mailbox.
maildir_count() { find "$MAIL/$1/new" -type f 2>/dev/null | wc -l; }
wait_for() { # WHAT SECONDS COMMAND...
    local what=$1 limit=$2 i
    shift 2
    for i in $(seq 1 $((limit * 10))); do
        "$@" && return 0
        sleep 0.1
    done
    tail -20 "$PF_DIR/maillog"
    tail -20 "$WORK/custom-mta.log"
    fail "timed out waiting for $what"
}
has() { [ "$(maildir_count "$1")" -ge "$2" ]; }

wait_for "alice and bob" 30 has dest.test/alice 1
wait_for "bob" 10 has dest.test/bob 1
log "ok: two recipients delivered"
wait_for "carol via the second MX" 30 has dest2.test/carol 1
grep -q "delivered to=<carol@dest2.test>.*\[mx2.dest2.test\]" "$WORK/custom-mta.log" ||
    fail "carol was not delivered by the second MX"
log "ok: MX failover"
wait_for "dave through the smarthost" 30 has partner.test/dave 1
grep -rq "with ESMTPS" "$MAIL/partner.test/dave/new" || fail "the smarthost message did not come over TLS"
log "ok: smarthost with STARTTLS required and a verified certificate"

# Greylisting: Postfix said 450; lift it and wait for the retry.
wait_for "the 450" 30 grep -q "450 4.2.0 <grey@dest.test>" "$PF_DIR/maillog"
[ "$(maildir_count dest.test/grey)" -eq 0 ] || fail "greylisted message delivered at once"
: >"$PF_DIR/access"
postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
wait_for "the retried message" 60 has dest.test/grey 1
log "ok: 450 then success on retry"

# One DSN for both failures, stored in sender@src.test's mailbox.
wait_for "the DSN" 60 has src.test/sender 1
DSN=$(find "$MAIL/src.test/sender/new" -type f | head -1)
python3 - "$DSN" <<'PY' || fail "the DSN does not parse as expected"
import email, email.policy, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert msg.get_content_type() == "multipart/report", msg.get_content_type()
assert msg.get_param("report-type") == "delivery-status"
status = msg.get_payload()[1]
assert status.get_content_type() == "message/delivery-status", status.get_content_type()
groups = status.get_payload()
by_rcpt = {g["Final-Recipient"]: g for g in groups[1:]}
bad = by_rcpt["rfc822; nobody@dest.test"]
assert bad["Action"] == "failed" and bad["Status"].startswith("5.1."), dict(bad)
assert "smtp; 550" in bad["Diagnostic-Code"], bad["Diagnostic-Code"]
null = by_rcpt["rfc822; x@nullmx.test"]
assert null["Status"] == "5.1.10", dict(null)
assert msg["From"].startswith("Mail Delivery System")
print("DSN:", bad["Status"], bad["Diagnostic-Code"], "|", null["Status"])
PY
# The DSN came from <> (Postfix records it as the Return-Path).
grep -q "^Return-Path: <>" "$DSN" || fail "the DSN was not sent from <>"
log "ok: 5xx per recipient and null MX bounced in one RFC 3464 DSN from <>"
log "all mta-queue interop checks passed"
