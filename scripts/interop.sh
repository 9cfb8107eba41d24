#!/usr/bin/env bash
# Interop tests against real peers nobody here wrote (swaks, Python's smtplib/imaplib/
# poplib, curl, dkimpy, Postfix, Dovecot). Installs what it needs from Debian and PyPI,
# builds the workspace's programs once, then runs every scripts/interop/NN-*.sh in
# order. Servers bind loopback only and are stopped by PID when each script ends.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --workspace --bins --examples --quiet

status=0
for script in scripts/interop/[0-9]*.sh; do
    [ -e "$script" ] || continue
    echo "== interop: $script"
    if ! bash "$script"; then
        echo "== interop FAILED: $script"
        status=1
    fi
done
exit $status
