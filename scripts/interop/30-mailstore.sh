#!/usr/bin/env bash
# mailstore against Dovecot: a Maildir written by mailstore is served by a private
# Dovecot instance (own config, loopback high port, static passdb/userdb) and read with
# Python's imaplib: same messages in the same mailboxes, same flags, byte-identical
# bodies. Then Dovecot changes flags and expunges, and mailstore must see that.
source "$(dirname "$0")/harness.sh"

need_apt dovecot-imapd

TOOL="${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/maildir_tool"
if [ ! -x "$TOOL" ]; then
    (cd "$ROOT" && cargo build -q -p mailwright-store --example maildir_tool)
fi

D="$WORK/dovecot"
MAILDIR="$WORK/mail/Maildir"
EXPECT="$WORK/mail/expected"
mkdir -p "$D/run" "$D/state" "$WORK/mail/home"
"$TOOL" fill "$MAILDIR" "$EXPECT" >/dev/null || fail "maildir_tool fill"

# Dovecot will not run mail processes as root: serve the mail as nobody then.
if [ "$(id -u)" -eq 0 ]; then
    MAIL_USER=nobody
    MAIL_GROUP=$(id -gn nobody)
    chown -R "$MAIL_USER:$MAIL_GROUP" "$WORK/mail"
    chmod 755 "$WORK" "$WORK/mail"
else
    MAIL_USER=$(id -un)
    MAIL_GROUP=$(id -gn)
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat >"$D/dovecot.conf" <<CONF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
info_log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
mail_location = maildir:$MAILDIR
mail_uid = $MAIL_USER
mail_gid = $MAIL_GROUP
namespace inbox {
  inbox = yes
  separator = .
}
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=$MAIL_USER gid=$MAIL_GROUP home=$WORK/mail/home
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
CONF

/usr/sbin/dovecot -F -c "$D/dovecot.conf" >"$D/stdout.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$D/stdout.log" "$D/dovecot.log" 2>/dev/null; fail "dovecot exited"; }
    sleep 0.1
done
log "dovecot $(/usr/sbin/dovecot --version | cut -d' ' -f1) on 127.0.0.1:$PORT"

python3 - "$PORT" "$EXPECT" <<'PY' || { cat "$D/dovecot.log"; fail "dovecot does not serve what mailstore wrote"; }
import imaplib, os, re, sys

port, expect = int(sys.argv[1]), sys.argv[2]
def decode_mutf7(name):
    import base64
    out, rest = "", name
    while "&" in rest:
        i = rest.index("&"); out += rest[:i]; rest = rest[i + 1:]
        j = rest.index("-"); chunk = rest[:j]; rest = rest[j + 1:]
        if not chunk:
            out += "&"; continue
        b = chunk.replace(",", "/"); b += "=" * (-len(b) % 4)
        out += base64.b64decode(b).decode("utf-16-be")
    return out + rest

expected = {}
for f in sorted(os.listdir(expect)):
    if f.endswith(".eml"):
        n = f[:-4]
        mailbox, subject, flags = open(os.path.join(expect, n + ".meta"), encoding="utf-8").read().split("\n")[:3]
        body = open(os.path.join(expect, f), "rb").read()
        expected[subject] = (mailbox, set(flags.split()), body)

imap = imaplib.IMAP4("127.0.0.1", port)
imap.login("user", "secret")
typ, listing = imap.list()
names = set()
for line in listing:
    m = re.match(rb'\(.*?\) "(.)" (.*)', line)
    name = m.group(2).decode().strip('"')
    names.add(decode_mutf7(name))
for mailbox in {"INBOX", "Archive", "Archive.2024", "Entwürfe"}:
    assert mailbox in names, f"{mailbox} missing from LIST: {sorted(names)}"

seen = 0
for mailbox in sorted({m for m, _, _ in expected.values()}):
    enc = mailbox.encode("utf-7").decode().replace("+", "&").replace("/", ",") if not mailbox.isascii() else mailbox
    typ, data = imap.select('"%s"' % enc, readonly=True)
    assert typ == "OK", (mailbox, data)
    typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    assert typ == "OK", data
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, body = item
        flags = set(f.decode() for f in re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).split())
        flags.discard("\\Recent")
        subject = re.search(rb"^Subject: (.*?)\r\n", body, re.M).group(1).decode()
        exp_mailbox, exp_flags, exp_body = expected[subject]
        assert exp_mailbox == mailbox, (subject, mailbox, exp_mailbox)
        system = {f for f in flags if f.startswith("\\")}
        assert system == exp_flags, (subject, system, exp_flags)
        assert body == exp_body, (subject, "body differs", len(body), len(exp_body))
        seen += 1
assert seen == len(expected), f"dovecot served {seen} of {len(expected)} messages"
print(f"dovecot served all {seen} messages with their flags, byte-identical")

# Dovecot changes the mail; mailstore must see it.
imap.select("INBOX")
typ, data = imap.uid("SEARCH", None, "SUBJECT", '"plain unseen"')
uid = data[0].split()[0]
imap.uid("STORE", uid, "+FLAGS", "(\\Flagged \\Seen)")
imap.expunge()  # removes "deleted"
imap.logout()
PY

# The Maildir as Dovecot left it (files renamed, one unlinked) read back by mailstore.
DUMP=$("$TOOL" dump "$MAILDIR") || fail "maildir_tool dump"
echo "$DUMP" | grep -qP '^INBOX\tplain unseen\t\\Seen \\Flagged$' || { echo "$DUMP"; fail "mailstore missed Dovecot's flag change"; }
if echo "$DUMP" | grep -qP '^INBOX\tdeleted\t'; then echo "$DUMP"; fail "mailstore still lists the message Dovecot expunged"; fi
[ "$(echo "$DUMP" | wc -l)" -eq 7 ] || { echo "$DUMP"; fail "mailstore lists $(echo "$DUMP" | wc -l) messages, expected 7"; }
log "ok: dovecot reads mailstore's Maildir, mailstore reads Dovecot's changes"
