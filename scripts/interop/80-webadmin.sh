#!/usr/bin/env bash
# The reference server's web admin in a real browser: Debian's chromium, driven
# headless by playwright-core (npm) from scripts/interop/webadmin/webadmin.mjs. Wrong
# credentials refused, sign in, add a domain and a user, a message sent with Python's
# smtplib found by search and opened, a message deferred by a greylisting server on
# loopback seen in the queue and retried. A screenshot of every page goes to
# target/webadmin-screenshots/ (not committed). Everything stays on 127.0.0.1: the
# DNS server configured is a port where nothing listens, and the browser resolves
# no names and sends anything not on loopback to a dead proxy.
source "$(dirname "$0")/harness.sh"

need_apt chromium
command -v npm >/dev/null || need_apt npm

NODE_DIR="$ROOT/target/webadmin-node"
PLAYWRIGHT_VERSION=1.65.1
if [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ] ||
    ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$NODE_DIR/node_modules/playwright-core/package.json"; then
    log "installing playwright-core $PLAYWRIGHT_VERSION from npm into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi

SHOTS="$ROOT/target/webadmin-screenshots"
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

DATA="$WORK/webadmin-data"
CONFIG="$WORK/webadmin.toml"
TOKEN="webadmin-token-0123456789"
cat >"$CONFIG" <<TOML
hostname = "mx.example.test"
data_dir = "$DATA"
domains = ["example.test"]
# smtplib relays the remote message from loopback without AUTH.
trusted_networks = ["127.0.0.1/32"]

[listen]
smtp = ["127.0.0.1:5525"]
submission = ["127.0.0.1:5587"]
submissions = []
imap = ["127.0.0.1:5143"]
imaps = []
pop3 = []
pop3s = []
admin = ["127.0.0.1:5080"]

[dkim]
algorithms = ["ed25519"]

[dns]
# Nothing listens there: lookups fail at once (no network in CI).
servers = ["127.0.0.1:9"]
timeout = "1s"

[queue]
# Only the Retry button tries again during the test.
retry = ["30m"]

[[queue.route]]
name = "greylisted"
domain = "remote.test"
relay = "127.0.0.1:5526"

[admin]
token = "$TOKEN"
users = ["boss@example.test"]
TOML

MS="$(bin mailserver)"
[ -x "$MS" ] || fail "no $MS: build it first (cargo build -p mailwright-server)"
echo "boss-password-1" | "$MS" --config "$CONFIG" user add boss@example.test --password-stdin >/dev/null
start_server greylist python3 "$ROOT/scripts/interop/webadmin/greylist.py" 5526
start_server webadmin "$MS" --config "$CONFIG"
for i in $(seq 1 100); do
    grep -q '(admin)' "$WORK/webadmin.log" && break
    sleep 0.1
done
grep -q '(admin)' "$WORK/webadmin.log" || { cat "$WORK/webadmin.log"; fail "admin listener"; }

started=$(date +%s)
if ! NODE_DIR="$NODE_DIR" \
    BASE_URL="http://127.0.0.1:5080" TOKEN="$TOKEN" SMTP_PORT=5525 SHOTS="$SHOTS" \
    CHROMIUM="$(command -v chromium)" GREYLIST_LOG="$WORK/greylist.log" \
    timeout 180 node "$ROOT/scripts/interop/webadmin/webadmin.mjs"; then
    tail -n 30 "$WORK/webadmin.log"
    fail "web admin in chromium (screenshots in $SHOTS)"
fi
log "web admin in headless chromium ok in $(($(date +%s) - started)) s; $(ls "$SHOTS" | wc -l) screenshots in $SHOTS"
