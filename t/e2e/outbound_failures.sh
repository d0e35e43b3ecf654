#!/bin/sh
# outbound_failures.sh - mxguard-outbound when things break: the next hop
# dies in the middle of DATA (4xx, the MTA retries later and delivers), the
# next hop closes after the final dot without a reply (4xx), the MTA
# vanishes in the middle of the message (the next hop never sees DATA),
# SMTP mode's one-domain-per-transaction rule (452 4.5.3), HELO fallback,
# the next MX after a refused connection or a 421 greeting, and events
# (msg:delivery, msg:host:defer, a sync tcp:connect veto).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

MX_PORT=$(t_free_port) && OB_SMTP_PORT=$(t_free_port) || t_bail "no free port"
t_dns_zone die.test <<EOF
@	MX	10 mx
mx	A	127.0.0.11
EOF
t_dns_zone dot.test <<EOF
@	MX	10 mx
mx	A	127.0.0.12
EOF
t_dns_zone veto.test <<EOF
@	MX	10 mx
mx	A	127.0.0.14
EOF
t_dns_zone helo.test <<EOF
@	MX	10 mx
mx	A	127.0.0.15
EOF
t_dns_zone next.test <<EOF
@	MX	10 closed
@	MX	20 busy
@	MX	30 mx.ok.test.
closed	A	127.0.0.16
busy	A	127.0.0.17
EOF
t_dns_zone ok.test <<EOF
@	MX	10 mx
mx	A	127.0.0.13
EOF
t_dns_start || t_bail "dns bed did not start"
t_flaky_start 127.0.0.11 die || t_bail "flaky next hop"
DIE_LOG=$FLAKY_LOG
t_flaky_start 127.0.0.12 dot || t_bail "flaky next hop"
DOT_LOG=$FLAKY_LOG
t_flaky_start 127.0.0.13 accept || t_bail "accepting next hop"
OK_LOG=$FLAKY_LOG
t_flaky_start 127.0.0.15 helo || t_bail "HELO-only next hop"
HELO_LOG=$FLAKY_LOG
t_flaky_start 127.0.0.17 busy || t_bail "busy next hop"
# Events: a log line per delivery, and a sync tcp:connect hook that vetoes 127.0.0.14.
printf '#!/bin/sh\n[ "$host_address" = 127.0.0.14 ] && echo "not that one"\nexit 0\n' >"$T_DIR/veto.sh"
chmod +x "$T_DIR/veto.sh"
t_outbound_start "$(t_dns_conf)" "events: { actions = (
  { on = [ \"msg:delivery\", \"msg:host:defer\" ]; log = \"EVENT \$event_name rcpt=\$recipient host=\$host_address\"; },
  { on = [ \"tcp:connect\" ]; exec = \"$T_DIR/veto.sh\"; sync = true; } ); };" ||
	t_bail "mxguard-outbound did not start"
t_mta_start || t_bail "sending Postfix did not start"

# Next hop killed mid-DATA: deferred; once it is back, the MTA's retry delivers.
t_postfix_send --to k@die.test; ok $? "the MTA accepts mail for die.test"
t_mta_wait_status k@die.test deferred
ok $? "next hop killed mid-DATA: the MTA defers"
grep "to=<k@die.test>" "$PF_MAILLOG" | grep -q "dsn=4.4.2"
ok $? "next hop killed mid-DATA: dsn=4.4.2"
grep -q "^died" "$DIE_LOG"; ok $? "the next hop did die in DATA"
t_flaky_start 127.0.0.11 accept || t_bail "next hop restart"
t_mta_wait_status k@die.test sent 40
ok $? "the MTA retries later and the message is delivered"
grep -q "^got k@die.test" "$DIE_LOG"; ok $? "the next hop got it on the retry"

grep -q "EVENT msg:delivery rcpt=k@die.test host=127.0.0.11" "$OB_LOG"
ok $? "event msg:delivery with the recipient and the next hop's address"
grep -q "EVENT msg:host:defer rcpt= host=127.0.0.11" "$OB_LOG"
ok $? "event msg:host:defer for the next hop that died"

# A sync tcp:connect action vetoes a next hop.
t_postfix_send --to v@veto.test
t_mta_wait_status v@veto.test deferred
ok $? "tcp:connect veto: the MTA defers"
grep "to=<v@veto.test>" "$PF_MAILLOG" | grep -q "dsn=4.4.1.*refused by the tcp:connect event: not that one"
ok $? "tcp:connect veto: 4.4.1 with the action's text"

# Next hop closes after the final dot without a reply: 4xx (a duplicate is possible, a loss is not).
t_postfix_send --to d@dot.test
t_mta_wait_status d@dot.test deferred
ok $? "no reply after the final dot: the MTA defers"
grep "to=<d@dot.test>" "$PF_MAILLOG" | grep -q "dsn=4.4.2.*in reply to end of DATA"
ok $? "no reply after the final dot: 4.4.2, in reply to end of DATA"

# The MTA vanishes in the middle of the message.
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
  sub cmd { print $s "$_[0]\r\n"; my $r; do { $r = <$s> } while ($r =~ /^\d\d\d-/); print STDOUT $r; }
  <$s>; cmd("LHLO mta.bed.test"); cmd("MAIL FROM:<s\@bed.test>"); cmd("RCPT TO:<gone\@ok.test>");
  cmd("DATA"); print $s "Subject: half\r\n\r\nfirst line\r\n"; close $s;' "$OB_PORT" >"$T_DIR/gone.out" 2>&1
grep -q "^250 2.1.5" "$T_DIR/gone.out"; ok $? "MTA vanishes: the next hop had accepted the recipient"
i=0
until grep -q "lost connection with the MTA during DATA" "$OB_LOG" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "lost connection with the MTA during DATA: next-hop transactions abandoned" "$OB_LOG"
ok $? "MTA vanishes: the proxy logs the abandoned transaction"
i=0
until grep -q "RCPT TO:<gone@ok.test>" "$OK_LOG" && sed -n '/RCPT TO:<gone@ok.test>/,$p' "$OK_LOG" | grep -q "cmd QUIT" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
sed -n '/RCPT TO:<gone@ok.test>/,$p' "$OK_LOG" | grep -q "cmd QUIT"
ok $? "MTA vanishes: the next-hop session ends with QUIT"
sed -n '/RCPT TO:<gone@ok.test>/,$p' "$OK_LOG" | grep -q "cmd DATA"
t_is $? 1 "MTA vanishes: the next hop never saw DATA"
grep -q "^got gone@ok.test" "$OK_LOG"; t_is $? 1 "MTA vanishes: nothing delivered"

# SMTP mode: one destination per transaction.
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
  sub cmd { print $s "$_[0]\r\n"; my $r; do { $r = <$s> } while ($r =~ /^\d\d\d-/); print STDOUT $r; }
  <$s>; cmd("EHLO mta.bed.test"); cmd("MAIL FROM:<s\@bed.test>"); cmd("RCPT TO:<a\@ok.test>");
  cmd("RCPT TO:<b\@dot.test>"); cmd("RCPT TO:<c\@ok.test>"); cmd("QUIT");' "$OB_SMTP_PORT" >"$T_DIR/smtp.out" 2>&1
sed -n 3p "$T_DIR/smtp.out" | grep -q "^250 2.1.5"; ok $? "SMTP mode: the first domain's recipient is accepted"
sed -n 4p "$T_DIR/smtp.out" | grep -q "^452 4.5.3"; ok $? "SMTP mode: another domain gets 452 4.5.3"
sed -n 5p "$T_DIR/smtp.out" | grep -q "^250 2.1.5"; ok $? "SMTP mode: the first domain still takes recipients"
# HELO fallback when EHLO is refused.
t_postfix_send --to h@helo.test
t_mta_wait_status h@helo.test sent
ok $? "EHLO refused with 502: delivered after HELO"
grep -q "cmd HELO out.bed.test" "$HELO_LOG"; ok $? "the proxy fell back to HELO"
grep "cmd MAIL FROM" "$HELO_LOG" | grep -q "BODY=\|SIZE="
t_is $? 1 "after HELO no ESMTP parameters are sent"

# Next MX after a refused connection and after a 421 greeting.
t_postfix_send --to n@next.test
t_mta_wait_status n@next.test sent
ok $? "connection refused, then 421 greeting: delivered by the third MX"
grep -q "relay=mx.ok.test\[127.0.0.13\]" "$OB_LOG"; ok $? "through mx.ok.test"
grep -q "next.test: 451 4.4.1 cannot connect.*closed.next.test\[127.0.0.16\]" "$OB_LOG" &&
	grep -q "next.test: 421 4.3.2 flaky.bed.test busy" "$OB_LOG"
ok $? "both failures logged on the way"

# DSN and SIZE parameters reach a next hop that announces DSN and SIZE.
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
  sub cmd { print $s "$_[0]\r\n"; my $r; do { $r = <$s> } while ($r =~ /^\d\d\d-/); print STDOUT $r; }
  <$s>; cmd("LHLO mta.bed.test"); cmd("MAIL FROM:<s\@bed.test> SIZE=120 RET=HDRS ENVID=e42");
  cmd("RCPT TO:<dsn\@ok.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;dsn\@ok.test");
  cmd("DATA"); cmd("Subject: dsn\r\n\r\nbody\r\n."); cmd("QUIT");' "$OB_PORT" >"$T_DIR/dsn.out" 2>&1
sed -n 5p "$T_DIR/dsn.out" | grep -q "^250 2.0.0"; ok $? "DSN parameters: the message is delivered"
grep -q "cmd MAIL FROM:<s@bed.test> SIZE=120 RET=HDRS ENVID=e42" "$OK_LOG"
ok $? "DSN parameters: SIZE, RET and ENVID passed on"
grep -q "cmd RCPT TO:<dsn@ok.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;dsn@ok.test" "$OK_LOG"
ok $? "DSN parameters: NOTIFY and ORCPT passed on"
t_done
