#!/bin/sh
# outbound_dsn_relayed.sh - RFC 3461 6.2 through a real Postfix: a recipient
# with NOTIFY=SUCCESS delivered by mxguard-outbound to a next hop without
# DSN gets a "relayed" DSN from the proxy (Postfix, which saw DSN announced
# by the proxy, sends none itself); a recipient without NOTIFY gets none.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

t_need postfix postconf perl
MX_PORT=$(t_free_port)
t_flaky_start 127.0.0.21 nodsn || t_bail "next hop did not start"
# The sending Postfix is the next instance of t/lib/postfix.sh: the proxy
# hands its notices to that Postfix's sendmail.
OB_KEYS="relay_host = \"[127.0.0.21]\"; connection_cache_s = 0;
  dsn_sendmail = \"sendmail -C $T_DIR/postfix.$((T_PF_N + 1))/etc -t -oi\";"
t_outbound_start || t_bail "mxguard-outbound did not start"
t_mta_start || t_bail "sending Postfix did not start"
# Mail back to the sender's domain goes to the instance's capturing sink.
echo "bed.test smtp:[127.0.0.1]:$PF_SINK_PORT" >"$T_DIR/transport"
postconf -c "$PF_DIR/etc" -e "transport_maps = texthash:$T_DIR/transport" &&
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || t_bail "transport_maps"
sleep 1		# the reload replaces the running services

perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
  sub cmd { print $s "$_[0]\r\n"; my $r; do { $r = <$s> } while ($r =~ /^\d\d\d-/); print STDOUT $r; }
  <$s>; cmd("EHLO client.bed.test");
  cmd("MAIL FROM:<sender\@bed.test> RET=HDRS ENVID=env42");
  cmd("RCPT TO:<r1\@nodsn.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;r1\@nodsn.test");
  cmd("RCPT TO:<r2\@nodsn.test>");
  cmd("DATA"); cmd("Subject: dsn relayed test\r\nMessage-ID: <m42\@bed.test>\r\n\r\nbody\r\n.");
  cmd("QUIT");' "$PF_PORT" >"$T_DIR/send.out" 2>&1
grep -q "^250 2.0.0 Ok: queued" "$T_DIR/send.out"; ok $? "Postfix takes the message with NOTIFY=SUCCESS for one recipient"
t_mta_wait_status r1@nodsn.test sent && t_mta_wait_status r2@nodsn.test sent
ok $? "both recipients delivered through the proxy"
grep -q "^got r1@nodsn.test r2@nodsn.test" "$FLAKY_LOG"; ok $? "the next hop (no DSN) got them"
grep "cmd RCPT" "$FLAKY_LOG" | grep -q NOTIFY; t_is $? 1 "no NOTIFY sent to a next hop without DSN"

i=0
until grep -qs "Action: relayed" "$PF_SINK_DIR"/* || [ $i -ge 300 ]; do
	[ $((i % 20)) -eq 19 ] && postqueue -c "$PF_DIR/etc" -f >/dev/null 2>&1
	sleep 0.1; i=$((i + 1))
done
grep -q "relayed DSN sent to <sender@bed.test> for 1 recipient(s): the next hop has no DSN" "$OB_LOG"
ok $? "the proxy logs the notice"
f=$(grep -ls "Action: relayed" "$PF_SINK_DIR"/* | head -n 1)
[ -n "$f" ]; ok $? "the sender gets a relayed DSN"
f=${f:-/dev/null}
grep -q "^To: <sender@bed.test>" "$f"; ok $? "addressed to the envelope sender"
grep -q "Content-Type: multipart/report; report-type=delivery-status;" "$f"; ok $? "a multipart/report (RFC 3464)"
grep -q "^Final-Recipient: rfc822; r1@nodsn.test" "$f"; ok $? "Final-Recipient is the NOTIFY=SUCCESS recipient"
grep -q "^Original-Recipient: rfc822;r1@nodsn.test" "$f"; ok $? "Original-Recipient from ORCPT"
grep -q "^Original-Envelope-Id: env42" "$f"; ok $? "Original-Envelope-Id from ENVID"
grep -q "^Remote-MTA: dns; 127.0.0.21" "$f"; ok $? "Remote-MTA names the next hop"
grep -q "^Diagnostic-Code: smtp; 250 2.0.0 Ok: queued" "$f"; ok $? "Diagnostic-Code is the next hop's reply"
grep -q "r2@nodsn.test" "$f"; t_is $? 1 "nothing about the recipient without NOTIFY"
grep -q "^Subject: dsn relayed test" "$f" && ! grep -q "^body" "$f"
ok $? "the message's header is returned, not its body"
grep -q "^Auto-Submitted: auto-replied" "$f"; ok $? "Auto-Submitted: auto-replied"
grep -q "from=<>," "$PF_MAILLOG"; ok $? "the notice has the null envelope sender"
grep -ls "Successful Mail Delivery Report\|Action: delivered" "$PF_SINK_DIR"/* >/dev/null 2>&1
t_is $? 1 "Postfix sends no success notice of its own"
t_done
