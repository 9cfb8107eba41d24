#!/usr/bin/env bash
# The reference mail server against swaks (Debian's, with libnet-ssleay-perl for TLS)
# and curl: SMTP in, submission with STARTTLS and with implicit TLS, AUTH refused before
# TLS, relaying refused, then the messages read back over IMAPS and POP3S.
source "$(dirname "$0")/harness.sh"

need_apt swaks libnet-ssleay-perl curl

DATA="$WORK/mailserver-data"
CONFIG="$WORK/mailserver.toml"
cat >"$CONFIG" <<TOML
hostname = "mx.example.test"
data_dir = "$DATA"
domains = ["example.test"]

[listen]
smtp = ["127.0.0.1:4525"]
submission = ["127.0.0.1:4587"]
submissions = ["127.0.0.1:4465"]
imap = ["127.0.0.1:4143"]
imaps = ["127.0.0.1:4993"]
pop3 = ["127.0.0.1:4110"]
pop3s = ["127.0.0.1:4995"]
admin = ["127.0.0.1:4080"]

[dns]
# Nothing listens there: lookups fail at once (no network in CI).
servers = ["127.0.0.1:9"]
timeout = "1s"

[admin]
token = "interop-token-0123456789"
TOML

MS="$(bin mailserver)"
echo "swaks-password-1" | "$MS" --config "$CONFIG" user add alice@example.test --password-stdin >/dev/null
start_server mailserver "$MS" --config "$CONFIG"
for i in $(seq 1 100); do
    grep -q '(admin)' "$WORK/mailserver.log" && break
    sleep 0.1
done


swaks --silent 2 --server 127.0.0.1:4525 --from someone@elsewhere.test --to alice@example.test \
    --header "Subject: swaks smtp" --body "sent by swaks over smtp" >"$WORK/swaks1.log" 2>&1 \
    || { cat "$WORK/swaks1.log"; fail "swaks SMTP in"; }
log "swaks: SMTP in ok"

swaks --silent 2 --server 127.0.0.1:4587 -tls --auth PLAIN --auth-user alice@example.test \
    --auth-password swaks-password-1 --from alice@example.test --to alice@example.test \
    --header "From: alice@example.test" --header "Subject: swaks submission" --body "sent by swaks over 587" \
    >"$WORK/swaks2.log" 2>&1 || { cat "$WORK/swaks2.log"; fail "swaks submission STARTTLS"; }
log "swaks: submission with STARTTLS + AUTH PLAIN ok"

swaks --silent 2 --server 127.0.0.1:4465 --tls-on-connect --auth LOGIN --auth-user alice@example.test \
    --auth-password swaks-password-1 --from alice@example.test --to alice@example.test \
    --header "From: alice@example.test" --header "Subject: swaks submissions" --body "sent by swaks over 465" \
    >"$WORK/swaks3.log" 2>&1 || { cat "$WORK/swaks3.log"; fail "swaks submissions implicit TLS"; }
log "swaks: submissions with implicit TLS + AUTH LOGIN ok"

if swaks --server 127.0.0.1:4587 --auth PLAIN --auth-user alice@example.test \
    --auth-password swaks-password-1 --from alice@example.test --to alice@example.test >"$WORK/swaks4.log" 2>&1; then
    fail "AUTH accepted before STARTTLS on submission"
fi
log "swaks: AUTH without TLS refused on submission"

if swaks --server 127.0.0.1:4525 --from someone@elsewhere.test --to victim@example.com >"$WORK/swaks5.log" 2>&1; then
    fail "open relay"
fi
grep -q "554 5.7.1" "$WORK/swaks5.log" || { cat "$WORK/swaks5.log"; fail "relay refusal code"; }
log "swaks: relaying refused with 554 5.7.1"

for uid in 1 2 3; do
    curl -sS -k --user alice@example.test:swaks-password-1 "imaps://127.0.0.1:4993/INBOX;UID=$uid" >"$WORK/imap$uid.eml" \
        || fail "curl IMAPS UID $uid"
done
grep -q "sent by swaks over smtp" "$WORK/imap1.eml" || fail "message 1"
grep -q "sent by swaks over 587" "$WORK/imap2.eml" || fail "message 2"
grep -q "DKIM-Signature: v=1; a=ed25519-sha256" "$WORK/imap3.eml" || fail "message 3 signed"
curl -sS -k --user alice@example.test:swaks-password-1 pop3s://127.0.0.1:4995/3 | grep -q "sent by swaks over 465" \
    || fail "curl POP3S"
log "curl: the three messages read back over IMAPS and POP3S"
