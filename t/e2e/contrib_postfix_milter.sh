#!/bin/sh
# t/e2e/contrib_postfix_milter.sh - the main.cf lines of
# contrib/postfix/milter.main.cf, applied as they are (postconf -e, line by
# line) to the bed's real Postfix: smtpd finds mxguardd's unix socket
# inside its queue directory as "unix:mxguard/mxguardd.sock", unchrooted
# and chrooted (the master.cf flag of contrib/postfix/milter.master.cf);
# the message gets our Authentication-Results; with mxguardd stopped,
# milter_default_action = tempfail defers instead of passing mail unchecked.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl
getent group postfix >/dev/null || t_bail "group postfix is missing (install postfix)"
MAINCF=$top_srcdir/contrib/postfix/milter.main.cf
AUTHSERV=mx.contrib.test

# The documented lines, without comments, as postconf arguments.
set --
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	set -- "$@" "$line"
done <"$MAINCF"
t_is "$(printf '%s\n' "$@" | sed -n 's/^smtpd_milters = //p')" "unix:mxguard/mxguardd.sock" \
	"milter.main.cf names the socket inside the queue directory"
printf '%s\n' "$@" | grep -qx 'milter_default_action = tempfail' &&
	printf '%s\n' "$@" | grep -qx 'milter_protocol = 6'
ok $? "milter.main.cf sets milter_default_action = tempfail and milter_protocol = 6"
grep -Eq '^smtp +inet +n +- +y +' "$top_srcdir/contrib/postfix/milter.master.cf"
ok $? "milter.master.cf keeps smtpd chrooted"

t_postfix_start "" "$@" || t_bail "postfix with the contrib lines did not start"
t_is "$(postconf -c "$PF_DIR/etc" -h smtpd_milters)" "unix:mxguard/mxguardd.sock" \
	"postconf accepted the lines"

# mxguardd's socket where the lines expect it: QUEUE/mxguard, group postfix.
install -d -o root -g postfix -m 0750 "$PF_DIR/queue/mxguard"
cat >"$T_DIR/m.conf" <<EOF
milter: { socket = "unix:$PF_DIR/queue/mxguard/mxguardd.sock"; user = ""; group = "postfix";
          pidfile = "$D_PIDFILE"; authserv_id = "$AUTHSERV"; };
spf: { enabled = false; };
dmarc: { enabled = false; };
EOF
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
t_wait_file "$PF_DIR/queue/mxguard/mxguardd.sock" 10
t_is "$(stat -c '%G %a' "$PF_DIR/queue/mxguard/mxguardd.sock")" "postfix 660" \
	"the socket belongs to group postfix, mode 0660"

N=0
# send_ar KIND - one message; it must arrive with our A-R
send_ar() {
	t_postfix_send --header "Subject: contrib $1 $$"
	ok $? "$1 smtpd: the message is accepted"
	N=$((N + 1)); t_postfix_wait_delivered $N
	ok $? "$1 smtpd: it is delivered"
	f=$(grep -lx "Subject: contrib $1 $$" $(t_postfix_sink_files) /dev/null | head -n 1)
	grep -q "^Authentication-Results: $AUTHSERV;" "$f"
	ok $? "$1 smtpd: it carries mxguardd's Authentication-Results"
}
send_ar unchrooted

# Chroot smtpd as milter.master.cf says, then the same message.
postconf -c "$PF_DIR/etc" -F -e "127.0.0.1:$PF_PORT/inet/chroot = y" &&
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
ok $? "smtpd is switched to chroot = y and Postfix reloaded"
t_is "$(postconf -c "$PF_DIR/etc" -F "127.0.0.1:$PF_PORT/inet/chroot")" \
	"127.0.0.1:$PF_PORT/inet/chroot = y" "master.cf now chroots smtpd"
sleep 1		# postfix reload: new smtpd processes from here on
send_ar chrooted
# The smtpd that served it idles on, chrooted: its root is our queue.
chrooted=0
for p in $(pgrep -x smtpd); do
	[ "$(readlink "/proc/$p/root")" = "$PF_DIR/queue" ] && chrooted=1
done
ok $((1 - chrooted)) "an smtpd process runs chrooted into the queue directory"

# milter_default_action = tempfail: no milter, no mail.
d_stop
ok $? "mxguardd stops"
t_postfix_send --header "Subject: no milter $$"
[ $? -ne 0 ]; ok $? "with mxguardd down the message is not accepted"
grep -Eq '^<\*\* +4[0-9][0-9] ' "$PF_LAST_SEND"
ok $? "the client gets a 4xx (milter_default_action = tempfail): $(sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | head -n 1)"
t_done
