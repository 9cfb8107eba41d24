#!/usr/bin/env bash
# Load figures for mta-queue next to Postfix, in the same run, on this machine.
#
#   enqueue:  smtp-source (20 sessions, N messages of 10 KB) into
#             (a) a private Postfix with deliveries deferred, (b) examples/custom-mta
#             with deliveries held: durable enqueue over SMTP, messages/s.
#   delivery: the queued messages relayed to Postfix's smtp-sink over loopback with up
#             to 20 connections: (a) Postfix (`postqueue -f`), (b) custom-mta restarted
#             on its spool: messages/s until the queue is empty.
#
# Bounded: N messages (default 2000, at most 20000) per phase, every wait capped at
# 300 s; servers on 127.0.0.1 high ports only, stopped by PID (Postfix by
# `postfix -c DIR stop`) when the script exits. Needs root (Postfix) and installs
# postfix from Debian if missing.
#
#   scripts/load/mta-queue.sh            # N=2000, the workspace's examples/smtp-sink
#   N=5000 scripts/load/mta-queue.sh
#   SINK=postfix scripts/load/mta-queue.sh   # Postfix's own smtp-sink instead
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/scripts/load/postfix-instance.sh"
N=${N:-2000}
SINK=${SINK:-workspace}
[ "$N" -le 20000 ] || { echo "N is capped at 20000"; exit 1; }
SESSIONS=20
SIZE=10240
SINK_PORT=${SINK_PORT:-13026}
PF_PORT=${PF_PORT:-13025}
OURS_PORT=${OURS_PORT:-13125}
# On disk (not a tmpfs): fsync must cost what it costs.
WORK=$(mktemp -d /var/tmp/mta-queue-load.XXXXXX)
chmod 755 "$WORK" # Postfix daemons (user postfix) walk into it
PIDS=()
PF_DIR="$WORK/postfix"

log() { printf '[load] %s\n' "$*"; }
cleanup() {
    postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1 || true
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

need_postfix

log "building custom-mta and smtp-sink (release)"
(cd "$ROOT" && cargo build --release -q -p custom-mta -p smtp-sink)
MTA="${CARGO_TARGET_DIR:-$ROOT/target}/release/custom-mta"
OUR_SINK="${CARGO_TARGET_DIR:-$ROOT/target}/release/smtp-sink"

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,a,b=map(float,sys.argv[1:]); print('%.0f' % (n/(b-a)))" "$1" "$2" "$3"; }
wait_port() {
    local i
    for i in $(seq 1 300); do
        (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "port $1 never opened"; exit 1
}
wait_until() { # SECONDS COMMAND...
    local limit=$1 start
    shift
    start=$(date +%s)
    until "$@"; do
        if [ $(($(date +%s) - start)) -ge "$limit" ]; then
            echo "timed out: $*"
            tail -5 "$PF_DIR/maillog" 2>/dev/null || true
            exit 1
        fi
        sleep 0.1
    done
}
PF_FLUSHED=0
pf_empty() {
    postqueue -c "$PF_DIR/etc" -p 2>/dev/null | grep -q "Mail queue is empty" && return 0
    # qmgr sometimes leaves deferred mail for its next scan: flush again every 10 s.
    PF_FLUSHED=$((PF_FLUSHED + 1))
    [ $((PF_FLUSHED % 100)) -ne 0 ] || postqueue -c "$PF_DIR/etc" -f
    return 1
}
pf_count() { find "$PF_DIR/spool/deferred" "$PF_DIR/spool/active" "$PF_DIR/spool/incoming" -type f 2>/dev/null | wc -l; }
ours_count() { find "$WORK/ours/queue" -name '*.msg' 2>/dev/null | wc -l; }
ours_empty() { [ "$(ours_count)" -eq 0 ]; }

# The sink both deliver to: examples/smtp-sink, or Postfix's smtp-sink (1000-deep
# backlog); both answer everything with 250 and discard.
if [ "$SINK" = postfix ]; then
    smtp-sink -u postfix "127.0.0.1:$SINK_PORT" 1000 >/dev/null 2>&1 &
else
    "$OUR_SINK" --listen "127.0.0.1:$SINK_PORT" >"$WORK/sink.log" 2>&1 &
fi
PIDS+=($!)
wait_port "$SINK_PORT"
printf 'sink.test. MX 10 mx.sink.test.\nmx.sink.test. A 127.0.0.1\n' >"$WORK/zone.txt"

# --- Postfix -----------------------------------------------------------------------
# Deferred mail is retried within a second, so a restarted qmgr picks it up at once.
postfix_instance "$PF_DIR" "$PF_PORT" "[127.0.0.1]:$SINK_PORT" "defer_transports = smtp" \
    "queue_run_delay = 1s" "minimal_backoff_time = 1s" "maximal_backoff_time = 2s" >/dev/null
postfix -c "$PF_DIR/etc" start >/dev/null 2>&1
wait_port "$PF_PORT"
log "postfix: enqueue $N x 10 KB over $SESSIONS sessions"
t0=$(now)
smtp-source -s "$SESSIONS" -m "$N" -l "$SIZE" -f load@src.test -t rcpt@sink.test "127.0.0.1:$PF_PORT"
t1=$(now)
PF_ENQ=$(rate "$N" "$t0" "$t1")
wait_until 60 test "$(pf_count)" -ge "$N"
log "postfix: deliver to the sink (concurrency 20)"
postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
postconf -c "$PF_DIR/etc" -X defer_transports
t0=$(now)
postfix -c "$PF_DIR/etc" start >/dev/null 2>&1
postqueue -c "$PF_DIR/etc" -f
wait_until 300 pf_empty
t1=$(now)
PF_DEL=$(rate "$N" "$t0" "$t1")
postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1

# --- mta-queue (examples/custom-mta) -----------------------------------------------
log "mta-queue: enqueue $N x 10 KB over $SESSIONS sessions"
"$MTA" --listen "127.0.0.1:$OURS_PORT" --spool "$WORK/ours" --zone "$WORK/zone.txt" \
    --mx-port "$SINK_PORT" --hold --quiet >"$WORK/ours-enqueue.log" 2>&1 &
HOLD_PID=$!
PIDS+=($HOLD_PID)
wait_port "$OURS_PORT"
t0=$(now)
smtp-source -s "$SESSIONS" -m "$N" -l "$SIZE" -f load@src.test -t rcpt@sink.test "127.0.0.1:$OURS_PORT"
t1=$(now)
OURS_ENQ=$(rate "$N" "$t0" "$t1")
kill -INT "$HOLD_PID"
wait "$HOLD_PID" 2>/dev/null || true
[ "$(ours_count)" -eq "$N" ] || { echo "expected $N queued, found $(ours_count)"; exit 1; }
log "mta-queue: restart on the spool and deliver to the sink (20 connections)"
t0=$(now)
"$MTA" --listen "127.0.0.1:$OURS_PORT" --spool "$WORK/ours" --zone "$WORK/zone.txt" \
    --mx-port "$SINK_PORT" --site-connections 20 --messages-per-connection 1000 --quiet \
    >"$WORK/ours-deliver.log" 2>&1 &
PIDS+=($!)
wait_until 300 ours_empty
t1=$(now)
OURS_DEL=$(rate "$N" "$t0" "$t1")

ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1])/float(sys.argv[2])))" "$1" "$2"; }
echo
echo "| phase ($N messages of 10 KB) | Postfix $(postconf -d mail_version | awk '{print $3}') | mta-queue | ratio |"
echo "| --- | --- | --- | --- |"
echo "| durable enqueue over SMTP, $SESSIONS sessions | $PF_ENQ msg/s | $OURS_ENQ msg/s | $(ratio "$OURS_ENQ" "$PF_ENQ") |"
echo "| delivery to smtp-sink ($SINK), 20 connections | $PF_DEL msg/s | $OURS_DEL msg/s | $(ratio "$OURS_DEL" "$PF_DEL") |"
