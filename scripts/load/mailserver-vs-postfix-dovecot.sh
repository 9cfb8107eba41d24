#!/usr/bin/env bash
# Load figures of the reference mail server side by side with Debian's Postfix (SMTP in,
# delivered to Maildir by virtual(8)) and Dovecot (IMAP and POP3 on that same Maildir),
# all private instances on loopback high ports, started and stopped by this script.
#
#   scripts/load/mailserver-vs-postfix-dovecot.sh        # N=2000 messages, 10 s per step
#   N=500 SECONDS_PER_STEP=5 scripts/load/mailserver-vs-postfix-dovecot.sh
#   MS_BIN=/tmp/old/release/mailserver N=500 SECONDS_PER_STEP=5 scripts/load/...  # another build of ours
#
# Measures: inbound messages/s stored durably under 20 concurrent senders (Postfix's
# smtp-source), IMAP sessions/s (CONNECT LOGIN SELECT LOGOUT) and FETCH throughput under
# 10 clients (whole messages, and the header fields of a client's message list), POP3
# RETR throughput, resident memory per idle IMAP connection (IDLE).
# Both sides check the same argon2id hash (m=19456,t=2,p=1) at each login. Every loop is
# bounded in count and time; only loopback addresses are used.
set -euo pipefail
source "$(dirname "$0")/../interop/harness.sh"

N=${N:-2000}
STEP=${SECONDS_PER_STEP:-10}
IDLE=${IDLE_CONNECTIONS:-200}
MSG_LEN=4096

need_apt postfix dovecot-imapd dovecot-pop3d curl
ulimit -n 8192 2>/dev/null || true

cd "$ROOT"
cargo build --release -q -p mailwright-server --bin mailserver --example mailload
# MS_BIN: another build of the server to measure (an older commit, for a before/after).
MS="${MS_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/mailserver}"
LOAD="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/mailload"
PASS="load-password-1"
RESULTS="$WORK/results.txt"
: >"$RESULTS"
result() { printf '%-34s %14s %14s %8s\n' "$1" "$2" "$3" "$4" | tee -a "$RESULTS"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b if b else 0))" "$1" "$2"; }
rate() { python3 -c "import sys; print('%.1f' % (float(sys.argv[1])/float(sys.argv[2])))" "$1" "$2"; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- a DNS server
# Answers every question with NXDOMAIN and an SOA (negative TTL 300 s), as a resolver
# would for the made-up domains here, so that the server's DNS cache works as in real
# use (SPF and DMARC lookups of each sender domain, cached).
python3 - <<'PY' >"$WORK/dns.log" 2>&1 &
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5353))
soa = b"\x00" + struct.pack(">HHIH", 6, 1, 300, 22) + b"\x00\x00" + struct.pack(">IIIII", 1, 3600, 600, 86400, 300)
while True:
    q, addr = s.recvfrom(4096)
    if len(q) < 12:
        continue
    end = 12
    while end < len(q) and q[end] != 0:
        end += q[end] + 1
    question = q[12:end + 5]
    s.sendto(q[:2] + b"\x81\x83" + struct.pack(">HHHH", 1, 0, 1, 0) + question + soa, addr)
PY
PIDS+=($!)

# ---------------------------------------------------------------- our server
MSDIR="$WORK/ms"
cat >"$WORK/ms.toml" <<TOML
hostname = "mx.example.org"
data_dir = "$MSDIR"
domains = ["example.org"]
[listen]
smtp = ["127.0.0.1:5525"]
imap = ["127.0.0.1:5143"]
pop3 = ["127.0.0.1:5110"]
admin = ["127.0.0.1:5080"]
[limits]
max_connections_per_ip = 1000
max_connections = 5000
[dns]
servers = ["127.0.0.1:5353"]
timeout = "1s"
[admin]
token = "load-token-0123456789"
[log]
level = "warn"
TOML
echo "$PASS" | "$MS" --config "$WORK/ms.toml" user add bob@example.org --password-stdin >/dev/null
HASH=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select password from user where address='bob@example.org'\").fetchone()[0])" "$MSDIR/users.sqlite")
"$MS" --config "$WORK/ms.toml" >"$WORK/ms.log" 2>&1 &
MS_PID=$!
PIDS+=("$MS_PID")
for _ in $(seq 1 100); do grep -q '(admin)' "$WORK/ms.log" && break; sleep 0.1; done

# ---------------------------------------------------------------- Postfix
PF="$WORK/pf"
mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/mail"
chmod 755 "$WORK" "$PF"   # postfix and nobody must reach their folders
chown postfix "$PF/data"
chown nobody:nogroup "$PF/mail"
printf 'bob@example.org bob/Maildir/\n' >"$PF/vmailbox"
cat >"$PF/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.test
mydestination =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = example.org
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
virtual_destination_concurrency_limit = 20
default_process_limit = 200
smtputf8_enable = no
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
biff = no
alias_maps =
alias_database =
message_size_limit = 52428800
virtual_mailbox_limit = 0
CF
sed -e 's/^\(smtp\|submission\|smtps\)\( *inet.*\)/#&/' /etc/postfix/master.cf |
    awk '/^[a-z0-9.:]+ +(inet|unix|unix-dgram|fifo|pass) / && $5 == "y" { $5 = "n" } { print }' >"$PF/etc/master.cf"
printf '127.0.0.1:5625 inet n - n - - smtpd\n' >>"$PF/etc/master.cf"
grep -q '^postlog' "$PF/etc/master.cf" || printf 'postlog   unix-dgram n  -       n       -       1       postlogd\n' >>"$PF/etc/master.cf"
postfix -c "$PF/etc" check
postfix -c "$PF/etc" start >/dev/null 2>&1
trap 'postfix -c "$PF/etc" stop >/dev/null 2>&1 || true; cleanup' EXIT
for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/5625) 2>/dev/null && break; sleep 0.1; done

# ---------------------------------------------------------------- 1. inbound
log "inbound: $N messages of $MSG_LEN bytes, 20 concurrent senders (smtp-source)"
t0=$(now)
smtp-source -c -s 20 -m "$N" -l "$MSG_LEN" -f load@example.net -t bob@example.org 127.0.0.1:5525 >/dev/null
t1=$(now)
stored=$(curl -s -H "Authorization: Bearer load-token-0123456789" http://127.0.0.1:5080/api/users/bob@example.org | python3 -c "import json,sys; print(json.load(sys.stdin)['messages'])")
[ "$stored" -eq "$N" ] || fail "mailserver stored $stored of $N"
ours_in=$(rate "$N" "$(python3 -c "print($t1-$t0)")")

t0=$(now)
smtp-source -c -s 20 -m "$N" -l "$MSG_LEN" -f load@example.net -t bob@example.org 127.0.0.1:5625 >/dev/null
for _ in $(seq 1 1200); do
    [ "$(ls "$PF/mail/bob/Maildir/new" 2>/dev/null | wc -l)" -ge "$N" ] && break
    sleep 0.05
done
t1=$(now)
[ "$(ls "$PF/mail/bob/Maildir/new" | wc -l)" -ge "$N" ] || fail "postfix delivered too few"
pf_in=$(rate "$N" "$(python3 -c "print($t1-$t0)")")
postfix -c "$PF/etc" stop >/dev/null 2>&1 || true

printf '%-34s %14s %14s %8s\n' "measure" "mailserver" "postfix/dovecot" "ratio" | tee -a "$RESULTS"
result "inbound msgs/s (20 senders)" "$ours_in" "$pf_in" "$(ratio "$ours_in" "$pf_in")"

# ---------------------------------------------------------------- Dovecot on Postfix's Maildir
DC="$WORK/dc"
mkdir -p "$DC/run" "$DC/state"
printf 'bob@example.org:{ARGON2ID}%s:65534:65534::%s/mail/bob::\n' "$HASH" "$PF" >"$DC/passwd"
cat >"$DC/dovecot.conf" <<CONF
base_dir = $DC/run
state_dir = $DC/state
log_path = $DC/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 100
passdb {
  driver = passwd-file
  args = $DC/passwd
}
userdb {
  driver = passwd-file
  args = $DC/passwd
}
service imap-login {
  inet_listener imap {
    port = 6143
  }
  inet_listener imaps {
    port = 0
  }
  process_limit = 2000
}
service pop3-login {
  inet_listener pop3 {
    port = 6110
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap {
  process_limit = 2000
}
protocol imap {
  mail_max_userip_connections = 10000
}
default_client_limit = 4000
CONF
dovecot -c "$DC/dovecot.conf" -F >"$DC/stdout.log" 2>&1 &
DC_PID=$!
PIDS+=("$DC_PID")
for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/6143) 2>/dev/null && break; sleep 0.1; done

# Warm both (Dovecot indexes the Maildir at first SELECT; ours indexed at delivery).
"$LOAD" imap-fetch 127.0.0.1:6143 bob@example.org "$PASS" 1 1 >/dev/null
"$LOAD" imap-fetch 127.0.0.1:5143 bob@example.org "$PASS" 1 1 >/dev/null

# Each measure runs twice per server, alternating (ours, theirs, ours, theirs), and the
# better run of each counts: the machine is shared, and this evens out bursts of
# outside load between the two sides.
pair() { # MODE CLIENTS -> sets OURS and THEIRS to the better run of each side
    local mode=$1 clients=$2 r
    for r in 1 2; do
        "$LOAD" "$mode" 127.0.0.1:5143 bob@example.org "$PASS" "$clients" "$STEP" >"$WORK/ours-$mode-$r"
        "$LOAD" "$mode" 127.0.0.1:6143 bob@example.org "$PASS" "$clients" "$STEP" >"$WORK/theirs-$mode-$r"
    done
    OURS=$(better "$WORK/ours-$mode-1" "$WORK/ours-$mode-2")
    THEIRS=$(better "$WORK/theirs-$mode-1" "$WORK/theirs-$mode-2")
}
better() { # two result files -> the line with more operations per second
    python3 - "$1" "$2" <<'PY'
import re, sys
def rate(path):
    line = open(path).read().strip().splitlines()[-1]
    f = dict(re.findall(r"(\w+)=([0-9.]+)", line))
    return float(f["operations"]) / float(f["seconds"]), line
print(max(rate(sys.argv[1]), rate(sys.argv[2]))[1])
PY
}

# ---------------------------------------------------------------- 2. IMAP sessions/s
pair imap-sessions 10
a=$(rate "$(echo "$OURS" | field operations)" "$(echo "$OURS" | field seconds)")
b=$(rate "$(echo "$THEIRS" | field operations)" "$(echo "$THEIRS" | field seconds)")
result "IMAP sessions/s (10 clients)" "$a" "$b" "$(ratio "$a" "$b")"

# ---------------------------------------------------------------- 3. FETCH throughput
pair imap-fetch 10
a=$(python3 -c "import sys; print('%.0f' % (float(sys.argv[1])*$N/float(sys.argv[2])))" "$(echo "$OURS" | field operations)" "$(echo "$OURS" | field seconds)")
b=$(python3 -c "import sys; print('%.0f' % (float(sys.argv[1])*$N/float(sys.argv[2])))" "$(echo "$THEIRS" | field operations)" "$(echo "$THEIRS" | field seconds)")
result "IMAP FETCH BODY[] msgs/s (10 cl.)" "$a" "$b" "$(ratio "$a" "$b")"
a=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[1])/float(sys.argv[2])/1048576))" "$(echo "$OURS" | field bytes)" "$(echo "$OURS" | field seconds)")
b=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[1])/float(sys.argv[2])/1048576))" "$(echo "$THEIRS" | field bytes)" "$(echo "$THEIRS" | field seconds)")
result "IMAP FETCH MiB/s (10 clients)" "$a" "$b" "$(ratio "$a" "$b")"

# ---------------------------------------------------------------- 3b. message list
# What a mail client asks to show a folder: UID, flags, size and a few header fields
# of every message.
pair imap-list 10
a=$(python3 -c "import sys; print('%.0f' % (float(sys.argv[1])*$N/float(sys.argv[2])))" "$(echo "$OURS" | field operations)" "$(echo "$OURS" | field seconds)")
b=$(python3 -c "import sys; print('%.0f' % (float(sys.argv[1])*$N/float(sys.argv[2])))" "$(echo "$THEIRS" | field operations)" "$(echo "$THEIRS" | field seconds)")
result "IMAP FETCH header list msgs/s" "$a" "$b" "$(ratio "$a" "$b")"

# ---------------------------------------------------------------- 4. POP3 RETR
for r in 1 2; do
    "$LOAD" pop3-retr 127.0.0.1:5110 bob@example.org "$PASS" 1 "$STEP" >"$WORK/ours-pop3-$r"
    "$LOAD" pop3-retr 127.0.0.1:6110 bob@example.org "$PASS" 1 "$STEP" >"$WORK/theirs-pop3-$r"
done
OURS=$(better "$WORK/ours-pop3-1" "$WORK/ours-pop3-2")
THEIRS=$(better "$WORK/theirs-pop3-1" "$WORK/theirs-pop3-2")
a=$(rate "$(echo "$OURS" | field operations)" "$(echo "$OURS" | field seconds)")
b=$(rate "$(echo "$THEIRS" | field operations)" "$(echo "$THEIRS" | field seconds)")
result "POP3 RETR msgs/s (1 client)" "$a" "$b" "$(ratio "$a" "$b")"

# ---------------------------------------------------------------- 5. RSS per idle IMAP connection
rss_ours() { ps -o rss= -p "$MS_PID" | tr -d ' '; }
rss_dovecot() { ps -eo rss=,args= | awk '/dovecot/ && !/awk/ { s += $1 } END { print s }'; }
before_ours=$(rss_ours)
"$LOAD" imap-idle 127.0.0.1:5143 bob@example.org "$PASS" "$IDLE" 8 >"$WORK/idle-ours.log" &
IDLE_PID=$!
for _ in $(seq 1 300); do grep -q '^idle=' "$WORK/idle-ours.log" && break; sleep 0.1; done
sleep 1
during_ours=$(rss_ours)
wait "$IDLE_PID" || true
before_dc=$(rss_dovecot)
"$LOAD" imap-idle 127.0.0.1:6143 bob@example.org "$PASS" "$IDLE" 8 >"$WORK/idle-dc.log" &
IDLE_PID=$!
for _ in $(seq 1 300); do grep -q '^idle=' "$WORK/idle-dc.log" && break; sleep 0.1; done
sleep 1
during_dc=$(rss_dovecot)
wait "$IDLE_PID" || true
a=$(python3 -c "print('%.1f' % (($during_ours-$before_ours)/$IDLE))")
b=$(python3 -c "print('%.1f' % (($during_dc-$before_dc)/$IDLE))")
result "RSS KiB per idle IMAP conn ($IDLE)" "$a" "$b" "$(ratio "$b" "$a")"

log "machine load average: $(cut -d' ' -f1-3 /proc/loadavg)"
log "ratios are mailserver / peer (for RSS: peer / mailserver, so above 1 is better for us)"
cat "$RESULTS"
