#!/bin/sh
# t/e2e/dmarc_postfix.sh - DMARC end to end: swaks plays a client (XCLIENT) to a
# real Postfix whose milter is mxguardd with the example rules of
# contrib/mxguard.conf.example; every DNS answer comes from the bed (nsd +
# unbound). A message failing a p=reject policy is refused with the configured
# text; an aligned one is delivered with dmarc=pass in Authentication-Results; a
# p=none failure is delivered with dmarc=fail (p=none dis=none); each evaluated
# message leaves its history line in the LMDB store.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl nsd unbound
STORETOOL=$(t_bin storetool) || t_bail "t/tools/storetool is not built"
AUTHSERV=mx.dmarc.test
CLIENT=192.0.2.10

t_dns_zone dmarcbed.test <<'EOF2'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	TXT	"v=DMARC1; p=reject; rua=mailto:agg@dmarcbed.test"
EOF2
t_dns_zone monitor.test <<'EOF2'
_dmarc	TXT	"v=DMARC1; p=none"
EOF2
t_dns_zone list.test <<'EOF2'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
EOF2
t_dns_start || t_bail "the DNS bed did not start"

# the DMARC rules of contrib/mxguard.conf.example, as they are written there
# (the DMARC rule groups only; the DCC and SPF ones need other services)
rules=$(perl -e 'local $/; my $t = <STDIN>; $t =~ /^rules: \{.*?^\};/ms or exit 1;
	my @g = grep { /dmarc_/ } ($& =~ /(\{ if = .*?\}; *\n? *then = .*?\})/gs);
	print "rules: { data = (\n", join(",\n", @g), "\n); };\n"' \
	<"$top_srcdir/contrib/mxguard.conf.example")
cat >"$T_DIR/m.conf" <<EOF
$(d_conf_bed 1000)
lists: { mailing_lists = [ "lists.example.com" ]; };
$rules
EOF
grep -q 'failed sender.s DMARC policy' "$T_DIR/m.conf" || t_bail "the example rules were not found"
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"

# send FROM-HEADER SENDER SUBJECT - a message from the played client
send() {
	t_postfix_send --xclient-addr "$CLIENT" --helo client.list.test --from "$2" \
		--header "From: $1" --header "Subject: $3"
}
sink_file() { grep -lx "Subject: $1" $(t_postfix_sink_files) /dev/null | head -n 1; }
header() {
	perl -e 'my ($n, $f) = @ARGV; open(my $h, "<", $f) or exit 1; local $/;
		my $t = <$h>; $t =~ s/\r//g; ($t) = split /\n\n/, $t, 2; $t =~ s/\n[ \t]+/ /g;
		for (split /\n/, $t) { if (/^\Q$n\E:\s*(.*)/i) { print "$1\n"; exit 0 } } exit 1' "$1" "$2"
}

send "<alice@dmarcbed.test>" bounce@list.test "dmarc reject $$"
[ $? -ne 0 ]; ok $? "p=reject, nothing aligned: the example rule refuses the message"
reply=$(sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tail -n 1 | tr -d '\r')
t_is "$reply" "550 5.7.1 Message from dmarcbed.test failed sender's DMARC policy, REJECT" \
	"the client sees 550 5.7.1 and the configured text with \$dmarc_used_domain"
d_wait_log 'mxguardd: <= bounce@list.test .*dmarc_status=reject .*dmarc=fail .*verdict=reject'
ok $? "mxguardd's summary line has dmarc_status=reject, dmarc=fail and verdict=reject"

send "Alice <alice@dmarcbed.test>" bounce@dmarcbed.test "dmarc pass $$"
ok $? "SPF aligned: accepted"
t_postfix_wait_delivered 1; ok $? "and delivered"
ar=$(header Authentication-Results "$(sink_file "dmarc pass $$")")
case "$ar" in
"$AUTHSERV;"*"dmarc=pass (p=reject dis=none) header.from=dmarcbed.test"*) ok 0 "A-R: dmarc=pass (p=reject dis=none) header.from=dmarcbed.test" ;;
*) ok 1 "A-R: dmarc=pass header.from=dmarcbed.test: got '$ar'" ;;
esac

send "<bob@monitor.test>" bounce@list.test "dmarc none $$"
ok $? "p=none failure: accepted"
t_postfix_wait_delivered 2; ok $? "and delivered"
ar=$(header Authentication-Results "$(sink_file "dmarc none $$")")
case "$ar" in
*"dmarc=fail (p=none dis=none) header.from=monitor.test"*) ok 0 "A-R: dmarc=fail (p=none dis=none) header.from=monitor.test" ;;
*) ok 1 "A-R: dmarc=fail (p=none dis=none): got '$ar'" ;;
esac

# history: the writer thread appends shortly after each message
day=$(date -u +%Y-%m-%d)
i=0
while [ $i -lt 50 ]; do
	printf 'scan dmarc:rec:\n' | "$STORETOOL" "lmdb:$T_DIR/state.mdb" >"$T_DIR/scan" 2>&1
	[ "$(grep -c "	$CLIENT	" "$T_DIR/scan")" -ge 3 ] && break
	sleep 0.2; i=$((i + 1))
done
t_is "$(grep -c "	$CLIENT	" "$T_DIR/scan")" 3 "three history lines in LMDB, one per evaluated message"
grep -q "^dmarc:rec:$day:dmarcbed.test=2	[0-9]*	$CLIENT	dmarcbed.test	list.test	dmarcbed.test	reject	-	r	r	100	reject	fail	fail	fail	pass	list.test	" "$T_DIR/scan"
ok $? "the rejected message's line (key, From, MAIL FROM, p=reject, disposition reject, SPF pass unaligned)"
grep -q "^2	[0-9]*	$CLIENT	dmarcbed.test	dmarcbed.test	dmarcbed.test	reject	-	r	r	100	none	pass	fail	pass	pass	dmarcbed.test	" "$T_DIR/scan"
ok $? "the aligned message's line (DMARC pass, SPF aligned, disposition none)"
grep -q "^dmarc:rec:$day:monitor.test=2	" "$T_DIR/scan"
ok $? "the p=none message is filed under monitor.test"
d_stop; ok $? "mxguardd stops (the history writer drains and ends)"
t_done
