#!/bin/sh
# t/e2e/dmarc_forensic.sh - DMARC failure reports end to end: swaks plays a
# client (XCLIENT) to a real Postfix whose milter is mxguardd; every DNS answer
# comes from the bed (nsd + unbound); dmarc.report.sendmail is a stand-in that
# keeps each report. A data rule sets control = dmarc_enable_forensic for
# messages whose Subject says "report me". Proves: a p=reject failure with the
# control is rejected and its report reaches the ruf address (RFC 6591 fields
# with the real client address, envelope sender, queue id and header block;
# envelope sender <>); the same failure without the control gives no report;
# fo=1 reports a DMARC pass whose DKIM did not align, to an external ruf
# address authorized by its _report._dmarc record; fo=s reports an SPF failure
# only; fo=0 gives none for a pass; an external ruf address without the
# authorization record gets nothing; dmarc.forensic.rate_limit stops the
# reports to one address after N in the hour (logged); with
# dmarc.forensic.body_max the report carries the message, its body cut there.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl nsd unbound
AUTHSERV=mx.dmarc.test
CLIENT=192.0.2.10

t_dns_zone frbed.test <<'EOF2'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	TXT	"v=DMARC1; p=reject; ruf=mailto:ruf@frbed.test"
fo1.test._report._dmarc	TXT	"v=DMARC1"
EOF2
t_dns_zone fo1.test <<'EOF2'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	TXT	"v=DMARC1; p=none; fo=1; ruf=mailto:ruf@frbed.test"
EOF2
t_dns_zone fo0.test <<'EOF2'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	TXT	"v=DMARC1; p=none; fo=0; ruf=mailto:ruf@fo0.test"
EOF2
t_dns_zone fos.test <<'EOF2'
@	TXT	"v=spf1 -all"
_dmarc	TXT	"v=DMARC1; p=none; fo=s; ruf=mailto:ruf@fos.test"
EOF2
t_dns_zone noauth.test <<'EOF2'
_dmarc	TXT	"v=DMARC1; p=none; ruf=mailto:ruf@frbed.test"
EOF2
t_dns_zone list.test <<'EOF2'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
EOF2
t_dns_start || t_bail "the DNS bed did not start"

# the stand-in for sendmail: keeps each report and its arguments
mkdir -p "$T_DIR/ruf"
cat >"$T_DIR/sendmail" <<'EOF2'
#!/bin/sh
d=$(dirname "$0")/ruf
n=$(date +%s%N)
printf '%s\n' "$@" >"$d/$n.args"
cat >"$d/$n.tmp" && mv "$d/$n.tmp" "$d/$n.eml"
EOF2
chmod 755 "$T_DIR/sendmail"

cat >"$T_DIR/m.conf" <<EOF
$(d_conf_bed 1000)
dmarc: { report = { sendmail = "$T_DIR/sendmail"; }; forensic = { rate_limit = 3; body_max = 16; }; };
rules: { data = (
  { if = { header = { name = "Subject"; regex = "report me"; }; }; then = "warn";
    control = "dmarc_enable_forensic"; },
  { if = { dmarc_status = [ "reject" ]; authenticated = false; }; then = "reject";
    message = "5.7.1 Message from \$dmarc_used_domain failed sender's DMARC policy, REJECT"; }
); };
EOF
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"

# send FROM-HEADER SENDER SUBJECT - a message from the played client
send() {
	t_postfix_send --xclient-addr "$CLIENT" --helo client.list.test --from "$2" \
		--header "From: $1" --header "Subject: $3"
}
# reports - how many reports the stand-in kept
reports() { ls "$T_DIR/ruf" | grep -c '\.eml$'; }
# wait_reports N - until N reports were kept (the sender thread is asynchronous)
wait_reports() {
	_i=0
	while [ "$(reports)" -lt "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ "$(reports)" -ge "$1" ]
}
# report_for SUBJECT - the kept report whose header copy has that Subject
report_for() { grep -l "^Subject: $1" "$T_DIR"/ruf/*.eml 2>/dev/null | head -n 1; }
has() { tr -d '\r' <"$1" | grep -qx -- "$2"; }

# 1. p=reject, nothing aligned, the control set: rejected and reported
send "<alice@frbed.test>" bounce@list.test "report me 1 $$"
[ $? -ne 0 ]; ok $? "p=reject failure with the control: rejected"
d_wait_log 'mxguardd: <= bounce@list.test .*dmarc_status=reject .*verdict=reject'
ok $? "mxguardd's summary line has dmarc_status=reject and verdict=reject"
wait_reports 1; ok $? "a failure report was sent"
r=$(report_for "report me 1 $$")
[ -n "$r" ]; ok $? "the report carries the rejected message's header block"
[ -n "$r" ] || r=/dev/null
has "$r" "To: ruf@frbed.test"; ok $? "To: the ruf= address"
has "$r" "From: Mail Delivery System <MAILER-DAEMON@$AUTHSERV>"
ok $? "From: Mail Delivery System <MAILER-DAEMON@authserv-id> (no dmarc.forensic.sender)"
t_is "$(tr '\n' ' ' <"${r%.eml}.args" 2>/dev/null)" "-f <> " "the command ran with -f '<>'"
grep -q 'Content-Type: multipart/report; report-type=feedback-report;' "$r"
ok $? "multipart/report; report-type=feedback-report"
has "$r" "Content-Type: message/feedback-report"; ok $? "a message/feedback-report part"
has "$r" "Feedback-Type: auth-failure"; ok $? "Feedback-Type: auth-failure"
has "$r" "Auth-Failure: dmarc"; ok $? "Auth-Failure: dmarc"
has "$r" "Identity-Alignment: none"; ok $? "Identity-Alignment: none"
has "$r" "Source-IP: $CLIENT"; ok $? "Source-IP: the client address Postfix saw ($CLIENT)"
has "$r" "Original-Mail-From: <bounce@list.test>"; ok $? "Original-Mail-From: <bounce@list.test>"
has "$r" "Reported-Domain: frbed.test"; ok $? "Reported-Domain: frbed.test"
qid=$(sed -n 's/.*: \([0-9A-Za-z]*\): mxguardd: <= bounce@list.test .*verdict=reject.*/\1/p' "$D_LOG" | head -n 1)
[ -n "$qid" ] && has "$r" "Original-Envelope-Id: $qid"
ok $? "Original-Envelope-Id: Postfix's queue id ($qid)"
tr -d '\r' <"$r" | grep -q "^Authentication-Results: $AUTHSERV; dmarc=fail (p=reject dis=reject) header.from=frbed.test; spf=pass smtp.mailfrom=bounce@list.test"
ok $? "Authentication-Results: dmarc=fail (p=reject dis=reject), spf=pass"
has "$r" "Content-Type: message/rfc822"; ok $? "the message as message/rfc822 (dmarc.forensic.body_max = 16)"
grep -q "body is cut after 16 bytes" "$r"; ok $? "the text part says the body was cut after 16 bytes"

# 2. the same failure without the control: rejected, no report
send "<alice@frbed.test>" bounce@list.test "quiet $$"
[ $? -ne 0 ]; ok $? "the same failure without the control: rejected"
# 3. fo=1: DMARC passes (SPF aligned) but DKIM did not align: reported,
# to ruf@frbed.test, authorized by fo1.test._report._dmarc.frbed.test
send "<carol@fo1.test>" bounce@fo1.test "report me fo1 $$"
ok $? "fo=1, SPF aligned: accepted"
wait_reports 2; ok $? "fo=1: a report although DMARC passed"
t_is "$(grep -l 'Subject: quiet' "$T_DIR"/ruf/*.eml 2>/dev/null | wc -l)" 0 \
	"no report for the failure without the control"
r=$(report_for "report me fo1 $$"); [ -n "$r" ] || r=/dev/null
has "$r" "Identity-Alignment: spf" && has "$r" "Auth-Failure: dmarc" && has "$r" "To: ruf@frbed.test"
ok $? "fo=1 report: Auth-Failure: dmarc, Identity-Alignment: spf, to the authorized ruf@frbed.test"
# 4. fo=s: SPF fails (v=spf1 -all): an spf report only
send "<dave@fos.test>" bounce@fos.test "report me fos $$"
ok $? "fo=s, p=none: accepted"
wait_reports 3; ok $? "fo=s: a report"
r=$(report_for "report me fos $$"); [ -n "$r" ] || r=/dev/null
has "$r" "Auth-Failure: spf" && ! has "$r" "Auth-Failure: dmarc"
ok $? "fo=s report: Auth-Failure: spf and no Auth-Failure: dmarc"
# 5. fo=0 and a pass: no report; 6. an unauthorized external ruf: no report
send "<erin@fo0.test>" bounce@fo0.test "report me fo0 $$"
ok $? "fo=0, SPF aligned: accepted"
send "<frank@noauth.test>" bounce@list.test "report me noauth $$"
ok $? "noauth.test p=none failure: accepted"
d_wait_log 'dmarc: failure report to ruf@frbed.test not sent: no authorization record'
ok $? "ruf@frbed.test for noauth.test: not sent, logged (no _report._dmarc record)"
# 7. rate limit 3 per address and hour: ruf@frbed.test had 2; one more, then none
send "<alice@frbed.test>" bounce@list.test "report me 2 $$"
send "<alice@frbed.test>" bounce@list.test "report me 3 $$"
d_wait_log 'failure report to ruf@frbed.test not sent: over dmarc.forensic.rate_limit'
ok $? "the fourth report to ruf@frbed.test this hour: not sent, logged"
t_is "$(grep -l '^To: ruf@frbed.test' "$T_DIR"/ruf/*.eml | wc -l)" 3 \
	"ruf@frbed.test got exactly dmarc.forensic.rate_limit = 3 reports"
t_is "$(grep -l 'Subject: report me fo0' "$T_DIR"/ruf/*.eml 2>/dev/null | wc -l)" 0 \
	"no report for the fo=0 pass"
t_is "$(reports)" 4 "four reports in all"
t_postfix_wait_delivered 4; ok $? "the four accepted messages were delivered"
d_stop; ok $? "mxguardd stops (the report sender drains and ends)"
t_done
