# Shared by scripts/load/*.sh and scripts/interop/60-mta-queue.sh (sourced):
# a private Postfix instance with its own config and queue directories, listening on
# loopback only, started with `postfix -c DIR start` and stopped with `postfix -c DIR
# stop` by the caller.
#
# postfix_instance DIR SMTPD_PORT RELAYHOST [EXTRA_MAIN_CF_LINES...]
#   writes DIR/etc/{main.cf,master.cf}, creates DIR/spool, and checks the instance.
postfix_instance() {
    local dir=$1 port=$2 relay=$3
    shift 3
    mkdir -p "$dir/etc" "$dir/spool" "$dir/data"
    chown postfix "$dir/data"
    cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.test
mydomain = postfix.test
myorigin = postfix.test
mydestination =
mynetworks = 127.0.0.0/8
relayhost = $relay
smtpd_relay_restrictions = permit_mynetworks, reject
default_destination_concurrency_limit = 20
smtp_destination_concurrency_limit = 20
default_process_limit = 200
smtputf8_enable = no
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
smtp_tls_security_level = none
message_size_limit = 52428800
CF
    local line
    for line in "$@"; do
        printf '%s\n' "$line" >>"$dir/etc/main.cf"
    done
    # The Debian master.cf, with smtpd on a loopback high port instead of :25.
    sed -e "s/^smtp      inet  n       -       y       -       -       smtpd/127.0.0.1:$port inet n - n - - smtpd/" \
        -e 's/^\(smtp\|submission\|smtps\)\( *inet.*\)/#&/' \
        /etc/postfix/master.cf |
        # No chroot: the private instance's queue directory is not set up for one.
        awk '/^[a-z0-9.:]+ +(inet|unix|unix-dgram|fifo|pass) / && $5 == "y" { $5 = "n" } { print }' >"$dir/etc/master.cf"
    grep -q "^127.0.0.1:$port inet" "$dir/etc/master.cf" ||
        printf '127.0.0.1:%s inet n - n - - smtpd\n' "$port" >>"$dir/etc/master.cf"
    grep -q '^postlog' "$dir/etc/master.cf" ||
        printf 'postlog   unix-dgram n  -       n       -       1       postlogd\n' >>"$dir/etc/master.cf"
    postfix -c "$dir/etc" check >/dev/null 2>&1 || postfix -c "$dir/etc" check
}

# need_postfix: installs Debian's postfix (smtp-source, smtp-sink, the daemons) when
# smtp-source is missing, without starting the system instance.
need_postfix() {
    command -v smtp-source >/dev/null && return 0
    echo "[load] installing postfix from Debian"
    [ -f /tmp/.load-apt-updated ] || { apt-get update -qq >/dev/null; touch /tmp/.load-apt-updated; }
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
    rm -f /usr/sbin/policy-rc.d
}
