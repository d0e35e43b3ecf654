#!/bin/sh
# t/e2e/sendmail_outbound.sh - a real Sendmail 8.17 (t/lib/sendmail.sh)
# with the mailer definition of contrib/sendmail/mxguard-outbound.mc hands
# its outgoing mail over LMTP to mxguard-outbound, which delivers it to
# the next hop (smtp-sink): the message arrives, Sendmail's transcript
# shows LHLO and the per-recipient LMTP replies, and the proxy's log has
# the delivery line with Sendmail's client address allowed.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/sendmail.sh"
. "$top_srcdir/t/lib/mx.sh"

for tool in m4 unshare smtp-sink swaks perl; do
	command -v "$tool" >/dev/null ||
		t_bail "$tool is missing (contrib/install-deps.sh test installs it)"
done

# The proxy's listener port is known before Sendmail starts; its next hop
# (the sink) is known after: start Sendmail first with the tested lines.
OB_PORT_WANT=$(t_free_port) || t_bail "no free port"
set --
while IFS= read -r l; do set -- "$@" "$(printf '%s' "$l" | sed "s/ 10026\$/ $OB_PORT_WANT/")"; done <<EOF2
$(sed -n '/^divert(0)dnl$/,$p' "$top_srcdir/contrib/sendmail/mxguard-outbound.mc" | sed 1d)
EOF2
t_sendmail_start "" "$@" || t_bail "sendmail did not start"
grep -q "^Mmxgout,[[:space:]]*P=\[IPC\], F=mDFMuXa8z," "$SM_CF" && grep -q "A=TCP \$h $OB_PORT_WANT\$" "$SM_CF"
ok $? "sendmail.cf has the mxgout LMTP mailer from the contrib lines"
grep -q "^DSmxgout:\[127.0.0.1\]\$" "$SM_CF"; ok $? "and SMART_HOST routes to it"

# mxguard-outbound on OB_PORT_WANT relaying to Sendmail's sink.
MX_PORT=$SM_SINK_PORT
OB_KEYS='relay_host = "[127.0.0.1]"; tls = "may"; dane = "no"; ocsp = "no"; connection_cache_s = 0;'
# t_outbound_start picks its listener port with t_free_port: the one
# Sendmail's mailer already points at.
t_free_port() { echo "$OB_PORT_WANT"; }
t_outbound_start || t_bail "mxguard-outbound did not start"

t_sendmail_send --to rcpt@remote.test --header "Subject: through the proxy"
grep -q "250 2.0.0 .* Message accepted" "$SM_LAST_SEND"; ok $? "Sendmail accepts the message"
t_sendmail_wait_delivered 1 60; ok $? "the sink received it"
f=$(t_sendmail_sink_files | head -n 1)
grep -q "^Subject: through the proxy" "$f" 2>/dev/null; ok $? "the delivered message is the one sent"
grep -q ">>> LHLO " "$SM_LOG"; ok $? "Sendmail spoke LMTP (LHLO) to the proxy"
grep -q "to=<rcpt@remote.test>, relay=.*127.0.0.1.*:$SM_SINK_PORT.*status=sent" "$OB_LOG"
ok $? "the proxy logged the delivery to the sink"
grep -q "<<< 250 2.0.0.*" "$SM_LOG"; ok $? "Sendmail got the proxy's per-recipient 250"
t_done
