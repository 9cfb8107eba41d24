# Shared shell functions for the interop scripts (sourced, not run).
#
# Every server a script starts listens on loopback only, is started through
# `start_server` (which records its PID), and is stopped by PID when the script exits.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${INTEROP_WORK:-$(mktemp -d /tmp/interop.XXXXXX)}
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

# need_apt PACKAGE... : installs Debian packages that are missing.
need_apt() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} from Debian"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ ! -f /tmp/.interop-apt-updated ]; then
        $sudo apt-get update -qq >/dev/null
        touch /tmp/.interop-apt-updated
    fi
    # Packages such as postfix and dovecot start their daemons on install; forbid that
    # (policy-rc.d exit 101): tests start their own instances on loopback high ports.
    local policy_added=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod +x /usr/sbin/policy-rc.d
        policy_added=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ $policy_added -eq 0 ] || $sudo rm -f /usr/sbin/policy-rc.d
}

# need_pip MODULE PACKAGE : installs a PyPI package unless python3 can import MODULE.
need_pip() {
    python3 -c "import $1" 2>/dev/null && return 0
    log "installing $2 from PyPI"
    python3 -m pip install -q --disable-pip-version-check "$2"
}

# start_server NAME CMD... : starts CMD in the background with its output in
# $WORK/NAME.log, waits (up to 60 s) for a line "listening on ADDR:PORT", and sets
# LISTEN_ADDR to the first address it printed.
start_server() {
    local name=$1
    shift
    "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    local pid=$!
    local i
    for i in $(seq 1 600); do
        if grep -q '^listening on ' "$WORK/$name.log"; then
            LISTEN_ADDR=$(grep -m1 '^listening on ' "$WORK/$name.log" | awk '{print $3}')
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.log"; fail "$name exited before listening"; }
        sleep 0.1
    done
    cat "$WORK/$name.log"
    fail "$name did not print 'listening on' within 60 s"
}

# bin NAME : path of a workspace binary built by scripts/interop.sh.
bin() {
    echo "${CARGO_TARGET_DIR:-$ROOT/target}/debug/$1"
}
