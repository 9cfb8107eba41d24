#!/usr/bin/env bash
# Load figures for smtp-proto's tokio server (examples/smtp-sink) next to Postfix's
# smtp-sink(1), in the same run, on this machine.
#
#   throughput: Postfix's smtp-source, 20 concurrent sessions, N messages of 10 KB
#               (a new connection per message), then the same with each session
#               kept open for message after message (-d); messages/s into each sink.
#   idle:       IDLE connections opened and held after the greeting and an EHLO;
#               resident memory (VmRSS) of the sink process before and after, per
#               connection.
#
# Bounded: N messages (default 20000, at most 200000) per run, IDLE connections
# (default 1000, at most 5000), every wait capped; both sinks on 127.0.0.1 high ports,
# stopped by PID when the script exits. Installs postfix from Debian if smtp-source
# is missing.
#
#   scripts/load/smtp-sink.sh
#   N=50000 IDLE=2000 scripts/load/smtp-sink.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/scripts/load/postfix-instance.sh"
N=${N:-20000}
IDLE=${IDLE:-1000}
[ "$N" -le 200000 ] || { echo "N is capped at 200000"; exit 1; }
[ "$IDLE" -le 5000 ] || { echo "IDLE is capped at 5000"; exit 1; }
SESSIONS=20
SIZE=10240
OURS_PORT=${OURS_PORT:-13225}
PF_PORT=${PF_PORT:-13226}
WORK=$(mktemp -d /tmp/smtp-sink-load.XXXXXX)
PIDS=()

log() { printf '[load] %s\n' "$*"; }
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

need_postfix

log "building smtp-sink (release)"
(cd "$ROOT" && cargo build --release -q -p smtp-sink)
OUR_SINK="${CARGO_TARGET_DIR:-$ROOT/target}/release/smtp-sink"

# Both servers and the idle client hold thousands of sockets.
ulimit -n "$(ulimit -Hn)"

"$OUR_SINK" --listen "127.0.0.1:$OURS_PORT" --max-connections $((IDLE + 100)) >"$WORK/ours.log" 2>&1 &
PIDS+=($!)
OURS_PID=$!
# Postfix's sink: -c counts, -u runs as nobody when root, backlog as large as ours.
smtp-sink -u nobody -c "127.0.0.1:$PF_PORT" 4096 >"$WORK/postfix.log" 2>&1 &
PIDS+=($!)
PF_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$WORK/ours.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "listening on" "$WORK/ours.log" || { log "our sink did not start"; cat "$WORK/ours.log"; exit 1; }
sleep 0.5

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / float(sys.argv[2]):.0f}')" "$1" "$2"; }

# smtp-source: -s sessions, -m messages, -l size, -f/-t envelope, -r recipients;
# -d keeps a session open for the next message (the default reconnects).
throughput() {
    local port=$1 per_session=$2 start end
    start=$(now)
    # shellcheck disable=SC2086 # $per_session is empty or one flag
    timeout 600 smtp-source -s $SESSIONS -m "$N" -l $SIZE -r 1 $per_session \
        -f sender@example.org -t rcpt@example.net "127.0.0.1:$port"
    end=$(now)
    python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$start" "$end"
}

declare -A RESULT
for mode in one many; do
    if [ "$mode" = one ]; then flag=""; else flag="-d"; fi
    for sink in postfix ours; do
        port=$PF_PORT
        [ "$sink" = ours ] && port=$OURS_PORT
        secs=$(throughput "$port" "$flag")
        RESULT[$mode-$sink]=$(rate "$N" "$secs")
        log "$sink sink, $mode message(s) per session: $N in ${secs}s = ${RESULT[$mode-$sink]} msg/s"
    done
done

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Idle connections: greeting read, EHLO answered, then nothing until released.
idle() {
    local port=$1 pid=$2 count=$3 before after
    before=$(rss_kib "$pid")
    python3 - "$port" "$count" "$WORK/idle-$port" <<'EOF' &
import resource, socket, sys, time, os
port, count, flag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    f = s.makefile("rb")
    assert f.readline().startswith(b"220"), "no greeting"
    s.sendall(b"EHLO idle.example\r\n")
    while True:
        line = f.readline()
        assert line.startswith(b"250"), line
        if line[3:4] == b" ":
            break
    socks.append((s, f))
open(flag, "w").close()
deadline = time.time() + 120
while os.path.exists(flag) and time.time() < deadline:
    time.sleep(0.1)
for s, f in socks:
    s.close()
EOF
    local client=$!
    for _ in $(seq 1200); do
        [ -e "$WORK/idle-$port" ] && break
        kill -0 $client 2>/dev/null || break
        sleep 0.1
    done
    [ -e "$WORK/idle-$port" ] || { log "idle client did not finish connecting"; kill $client; return 1; }
    sleep 1
    after=$(rss_kib "$pid")
    rm -f "$WORK/idle-$port"
    wait $client
    python3 -c "import sys; b, a, n = map(int, sys.argv[1:]); print(f'{(a - b) / n:.1f}')" "$before" "$after" "$count"
}

OURS_IDLE=$(idle "$OURS_PORT" "$OURS_PID" "$IDLE")
log "our sink: $IDLE idle connections, ${OURS_IDLE} KiB resident each"
# Postfix's smtp-sink serves at most 256 sessions at once: it is measured with 250.
PF_COUNT=$((IDLE < 250 ? IDLE : 250))
PF_IDLE=$(idle "$PF_PORT" "$PF_PID" "$PF_COUNT" 2>"$WORK/postfix-idle.err") || {
    PF_IDLE="n/a"
    log "postfix sink idle run failed: $(grep -m 1 -E "Error|assert" "$WORK/postfix-idle.err")"
}
log "postfix sink: $PF_COUNT idle connections, ${PF_IDLE} KiB resident each"

echo
echo "| measure | Postfix smtp-sink | examples/smtp-sink | ours / Postfix |"
echo "| --- | ---: | ---: | ---: |"
for mode in one many; do
    [ -n "${RESULT[$mode-ours]:-}" ] || continue
    label="20 sessions, a connection per message"
    [ "$mode" = many ] && label="20 sessions kept open (-d)"
    ratio=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / int(sys.argv[2]):.2f}')" "${RESULT[$mode-ours]}" "${RESULT[$mode-postfix]}")
    echo "| $label, $N x 10 KB | ${RESULT[$mode-postfix]} msg/s | ${RESULT[$mode-ours]} msg/s | $ratio |"
done
echo "| resident memory per idle connection | $PF_IDLE KiB ($PF_COUNT open) | $OURS_IDLE KiB ($IDLE open) | |"
