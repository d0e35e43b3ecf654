#!/bin/sh
# t/e2e/dmarc_report.sh - `mxguard dmarc-report`: history made by real evaluations
# (`mxguard check` against the DNS bed) becomes one aggregate report per policy
# domain. The XML validates against the RFC 7489 schema (xmllint, t/data/dmarc/
# rfc7489.xsd; an IPv6 source written out in full as its pattern wants) and its
# counts are the messages evaluated, row by row; with dmarc.report.format =
# "rfc9990" the same history gives reports valid under RFC 9990's schema
# (t/data/dmarc/rfc9990.xsd) with its additions (generator, discovery_method,
# testing, disposition pass, policy_test_mode for t=y) and the same counts; rua
# addresses outside the policy domain need their _report._dmarc authorization;
# a !size limit below the report keeps it from being sent; --dry-run sends
# nothing; a second run sends nothing twice; a failed sendmail and a run killed
# half-way lose and duplicate nothing when run again.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
XSD=$top_srcdir/t/data/dmarc/rfc7489.xsd
XSD9990=$top_srcdir/t/data/dmarc/rfc9990.xsd
for tool in xmllint gzip perl base64; do
	command -v $tool >/dev/null || t_bail "$tool is missing (install-deps.sh test: libxml2-utils)"
done

t_dns_zone rep.test <<'EOF'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	TXT	"v=DMARC1; p=reject; rua=mailto:agg@rep.test!50k,mailto:ext@collector.test,mailto:noauth@other.test"
EOF
t_dns_zone collector.test <<'EOF'
rep.test._report._dmarc	TXT	"v=DMARC1"
EOF
t_dns_zone other.test <<'EOF'
@	TXT	"v=spf1 -all"
EOF
t_dns_zone trial.test <<'EOF'
_dmarc	TXT	"v=DMARC1; p=reject; t=y"
EOF
t_dns_zone big.test <<'EOF'
_dmarc	TXT	"v=DMARC1; p=quarantine; rua=mailto:agg@big.test!100"
EOF
t_dns_zone monitor.test <<'EOF'
_dmarc	TXT	"v=DMARC1; p=none; rua=mailto:agg@monitor.test"
EOF
t_dns_start || t_bail "the DNS bed did not start"

# a sendmail stand-in: keeps each message; fails for a To: in $T_DIR/fail-to;
# kills mxguard (a crash half-way) for a To: in $T_DIR/kill-to
cat >"$T_DIR/sendmail" <<'EOF'
#!/bin/sh
d=$(dirname "$0")
msg=$(mktemp "$d/in.XXXXXX")
cat >"$msg"
to=$(sed -n 's/^To: //p' "$msg" | tr -d '\r' | head -n 1)
if [ -s "$d/kill-to" ] && [ "$to" = "$(cat "$d/kill-to")" ]; then
	p=$PPID
	while [ "$p" -gt 1 ] && [ "$(cat /proc/$p/comm)" != mxguard ]; do
		p=$(awk '{print $4}' /proc/$p/stat)
	done
	rm -f "$msg"; kill -9 "$p"; exit 1
fi
if [ -s "$d/fail-to" ] && [ "$to" = "$(cat "$d/fail-to")" ]; then
	rm -f "$msg"; exit 75
fi
mkdir -p "$d/sent"
mv "$msg" "$d/sent/$(date +%s%N).eml"
echo "$to" >>"$d/sent.log"
EOF
chmod 755 "$T_DIR/sendmail"

# conf STORE - a config using the lmdb file STORE
conf() {
	cat <<EOF
milter: { authserv_id = "mx.test"; };
store: { lmdb = "$1"; };
$(t_dns_conf 1000)
dmarc: { report = { email = "dmarc-reports@mx.test"; org_name = "mxguard test";
                    sendmail = "$T_DIR/sendmail"; }; };
EOF
}
conf "$T_DIR/hist.mdb" >"$T_DIR/hist.conf"

# check FROM-DOMAIN IP MAILFROM - one message through the pipeline
msgs=0
check() {
	printf 'From: <a@%s>\r\nTo: <b@rcpt.test>\r\nSubject: report %s\r\n\r\nbody\r\n' "$1" "$msgs" >"$T_DIR/m.eml"
	"$MXG" check -c "$T_DIR/hist.conf" --ip "$2" --helo mx.rep.test --from "$3" \
		--rcpt b@rcpt.test "$T_DIR/m.eml" >/dev/null 2>&1
	msgs=$((msgs + 1))
}
for i in 1 2 3 4 5; do check rep.test 192.0.2.10 bounce@rep.test; done	# aligned SPF pass
for i in 1 2 3; do check rep.test 198.51.100.7 bounce@rep.test; done	# SPF fail
check rep.test 192.0.2.10 bounce@other.test				# SPF fail, other domain
for i in 1 2; do check monitor.test 192.0.2.20 bounce@rep.test; done
check monitor.test 2001:db8::20 bounce@rep.test				# IPv6 source
check trial.test 192.0.2.40 bounce@rep.test				# p=reject t=y
check big.test 192.0.2.30 bounce@rep.test
DAY=$(date -u +%Y-%m-%d)

# phase STORE-COPY - a fresh copy of the history (no delivery state yet)
phase() {
	rm -rf "$T_DIR/sent" "$T_DIR/sent.log" "$T_DIR/$1".mdb*
	cp "$T_DIR/hist.mdb" "$T_DIR/$1.mdb"
	conf "$T_DIR/$1.mdb" >"$T_DIR/$1.conf"
}
nsent() { [ -f "$T_DIR/sent.log" ] && wc -l <"$T_DIR/sent.log" || echo 0; }

# --- dry run with --out
phase dry
mkdir -p "$T_DIR/out"
"$MXG" dmarc-report -c "$T_DIR/dry.conf" --date "$DAY" --dry-run --out "$T_DIR/out" >"$T_DIR/dry.out" 2>&1
t_is "$?" 0 "--dry-run exits 0"
grep -q "^rep.test: agg@rep.test: would send " "$T_DIR/dry.out"; ok $? "dry run: would send to the policy domain's own address"
grep -q "^rep.test: ext@collector.test: would send " "$T_DIR/dry.out"
ok $? "dry run: would send to an outside address authorized by rep.test._report._dmarc.collector.test"
grep -q "^rep.test: noauth@other.test: not authorized: " "$T_DIR/dry.out"
ok $? "an outside address without _report._dmarc authorization is refused"
grep -q "^big.test: agg@big.test: report of [0-9]* bytes over the !size limit of 100, not sent" "$T_DIR/dry.out"
ok $? "a report over the address's !size limit is not sent"
t_is "$(nsent)" 0 "dry run: nothing sent"
"$MXG" dmarc-report -c "$T_DIR/dry.conf" --date "$DAY" --dry-run >"$T_DIR/dry2.out" 2>&1
grep -q "^rep.test: agg@rep.test: would send " "$T_DIR/dry2.out"; ok $? "dry run: no state kept (a second dry run would send again)"

# --- the files: names, schema, counts
t_is "$(ls "$T_DIR/out" | sed 's/![0-9a-f.-]*\.xml\.gz$/!ID.xml.gz/; s/![0-9]*![0-9]*!/!B!E!/' | sort | tr '\n' ' ')" \
	"mx.test!big.test!B!E!ID.xml.gz mx.test!monitor.test!B!E!ID.xml.gz mx.test!rep.test!B!E!ID.xml.gz mx.test!trial.test!B!E!ID.xml.gz " \
	"--out: one receiver!domain!begin!end!id.xml.gz per policy domain"
f=$(ls "$T_DIR"/out/mx.test\!rep.test\!*)
gzip -dc "$f" >"$T_DIR/rep.xml"; ok $? "the report is a gzip file"
xmllint --noout --schema "$XSD" "$T_DIR/rep.xml" >"$T_DIR/xmllint.out" 2>&1; rc=$?
ok $rc "rep.test's report validates against the RFC 7489 schema"
[ $rc -eq 0 ] || t_diag "$(cat "$T_DIR/xmllint.out")"
ok=0
for g in "$T_DIR"/out/*; do
	gzip -dc "$g" | xmllint --noout --schema "$XSD" - >/dev/null 2>&1 || ok=1
done
ok $ok "every report validates against the schema"
sum=$(perl -ne '$s += $1 if m{<count>(\d+)</count>}; END { print $s+0 }' "$T_DIR/rep.xml")
t_is "$sum" 9 "counts round trip: rep.test's rows add up to the 9 messages evaluated"
t_is "$(perl -0ne 'while (m{<source_ip>192\.0\.2\.10</source_ip>\s*<count>(\d+)</count>\s*<policy_evaluated>\s*<disposition>none</disposition>\s*<dkim>fail</dkim>\s*<spf>pass</spf>}g) { print "$1\n" }' "$T_DIR/rep.xml")" 5 \
	"the 5 aligned messages from 192.0.2.10 are one row: count 5, disposition none, spf pass"
t_is "$(perl -0ne 'while (m{<source_ip>198\.51\.100\.7</source_ip>\s*<count>(\d+)</count>\s*<policy_evaluated>\s*<disposition>reject</disposition>}g) { print "$1\n" }' "$T_DIR/rep.xml")" 3 \
	"the 3 SPF failures from 198.51.100.7: count 3, disposition reject"
grep -q '<p>reject</p>' "$T_DIR/rep.xml" && grep -q '<domain>rep.test</domain>' "$T_DIR/rep.xml"
ok $? "policy_published: domain rep.test, p=reject"
gzip -dc "$T_DIR"/out/mx.test\!monitor.test\!* >"$T_DIR/monitor.xml"
perl -ne '$s += $1 if m{<count>(\d+)</count>}; END { exit($s == 3 ? 0 : 1) }' "$T_DIR/monitor.xml"
ok $? "counts round trip: monitor.test's report counts its 3 messages"
grep -q '<source_ip>2001:db8:0:0:0:0:0:20</source_ip>' "$T_DIR/monitor.xml"
ok $? "the IPv6 source is written out in eight groups (RFC 7489's IPAddress pattern)"
grep -q '^  <version>1.0</version>$' "$T_DIR/rep.xml"; ok $? "<version>1.0</version> (RFC 7489's schema requires it)"

# --- the same history in RFC 9990's format
phase r9990
sed -i 's/^dmarc: { report = {/dmarc: { report = { format = "rfc9990";/' "$T_DIR/r9990.conf"
mkdir -p "$T_DIR/out9990"
"$MXG" dmarc-report -c "$T_DIR/r9990.conf" --date "$DAY" --dry-run --out "$T_DIR/out9990" >"$T_DIR/r9990.out" 2>&1
t_is "$?" 0 "dmarc.report.format = rfc9990: --dry-run exits 0"
ok=0
for g in "$T_DIR"/out9990/*; do
	gzip -dc "$g" | xmllint --noout --schema "$XSD9990" - >"$T_DIR/xmllint9990.out" 2>&1 ||
		{ ok=1; t_diag "$g" "$(cat "$T_DIR/xmllint9990.out")"; }
done
ok $ok "every report validates against the RFC 9990 schema"
gzip -dc "$T_DIR"/out9990/mx.test\!rep.test\!* >"$T_DIR/rep9990.xml"
grep -q '<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">' "$T_DIR/rep9990.xml" &&
	grep -q '<generator>mxguard ' "$T_DIR/rep9990.xml" &&
	grep -q '<discovery_method>psl</discovery_method>' "$T_DIR/rep9990.xml" &&
	grep -q '<testing>n</testing>' "$T_DIR/rep9990.xml" && ! grep -q '<pct>' "$T_DIR/rep9990.xml"
ok $? "RFC 9990: its namespace, generator, discovery_method psl, testing n, no pct"
sum=$(perl -ne '$s += $1 if m{<count>(\d+)</count>}; END { print $s+0 }' "$T_DIR/rep9990.xml")
t_is "$sum" 9 "counts round trip in RFC 9990's format too (9)"
t_is "$(perl -0ne 'while (m{<source_ip>192\.0\.2\.10</source_ip>\s*<count>(\d+)</count>\s*<policy_evaluated>\s*<disposition>pass</disposition>}g) { print "$1\n" }' "$T_DIR/rep9990.xml")" 5 \
	"the 5 DMARC passes under p=reject: disposition pass (RFC 9990), one row"
gzip -dc "$T_DIR"/out9990/mx.test\!trial.test\!* >"$T_DIR/trial9990.xml"
perl -0e 'local $/; my $t = <STDIN>; exit($t =~ m{<testing>y</testing>} && $t =~ m{<disposition>quarantine</disposition>\s*<dkim>fail</dkim>\s*<spf>fail</spf>\s*<reason>\s*<type>policy_test_mode</type>} ? 0 : 1)' <"$T_DIR/trial9990.xml"
ok $? "t=y: testing y, the lowered disposition quarantine with the reason policy_test_mode"
gzip -dc "$T_DIR"/out9990/mx.test\!monitor.test\!* | grep -q '<source_ip>2001:db8::20</source_ip>'
ok $? "RFC 9990 keeps the IPv6 source compressed (its schema allows RFC 5952 form)"

# --- a real run, then a second one
phase real
"$MXG" dmarc-report -c "$T_DIR/real.conf" --date "$DAY" >"$T_DIR/real.out" 2>&1
t_is "$?" 0 "a real run exits 0"
t_is "$(sort "$T_DIR/sent.log" | tr '\n' ' ')" "agg@monitor.test agg@rep.test ext@collector.test " \
	"three mails: the authorized addresses within their size limits"
m=$(grep -l '^To: agg@rep.test' "$T_DIR"/sent/*.eml)
grep -q "^Subject: Report Domain: rep.test Submitter: mx.test Report-ID: <$DAY\.[0-9a-f]*>" "$m"
ok $? "the mail's subject: Report Domain: rep.test Submitter: mx.test Report-ID: <...>"
grep -q '^From: dmarc-reports@mx.test' "$m"; ok $? "from dmarc.report.email"
name=$(sed -n 's/^Content-Disposition: attachment; filename="\(.*\)"\r$/\1/p' "$m")
t_is "$name" "$(basename "$f")" "the attachment has the report's file name"
perl -0ne 'print $1 if /Content-Transfer-Encoding: base64\r\n\r\n(.*?)\r\n\r\n--/s' "$m" | tr -d '\r\n' |
	base64 -d | gzip -dc >"$T_DIR/mail.xml"
cmp -s "$T_DIR/mail.xml" "$T_DIR/rep.xml"; ok $? "the attachment is the same report as the --out file (same id, same rows)"
"$MXG" dmarc-report -c "$T_DIR/real.conf" --date "$DAY" >"$T_DIR/real2.out" 2>&1
t_is "$?" 0 "a second run for the same day exits 0"
t_is "$(nsent)" 3 "and sends nothing again"
t_is "$(grep -c ': already sent$' "$T_DIR/real2.out")" 3 "it says so for each of the three addresses"

# --- a failing sendmail, then a run that works
phase fail
echo ext@collector.test >"$T_DIR/fail-to"
"$MXG" dmarc-report -c "$T_DIR/fail.conf" --date "$DAY" >"$T_DIR/fail.out" 2>&1
t_is "$?" 1 "sendmail failing for one address: exit 1"
grep -q '^rep.test: ext@collector.test: not sent: .*exit status 75' "$T_DIR/fail.out"; ok $? "with the reason"
t_is "$(sort "$T_DIR/sent.log" | tr '\n' ' ')" "agg@monitor.test agg@rep.test " "the other two were sent"
rm -f "$T_DIR/fail-to"
"$MXG" dmarc-report -c "$T_DIR/fail.conf" --date "$DAY" >"$T_DIR/fail2.out" 2>&1
t_is "$?" 0 "the next run exits 0"
t_is "$(sort "$T_DIR/sent.log" | tr '\n' ' ')" "agg@monitor.test agg@rep.test ext@collector.test " \
	"and sends only the failed one: each address once"

# --- killed half-way (after monitor.test's sendmail started), then run again
phase crash
echo agg@monitor.test >"$T_DIR/kill-to"
"$MXG" dmarc-report -c "$T_DIR/crash.conf" --date "$DAY" >"$T_DIR/crash.out" 2>&1
t_is "$?" 137 "mxguard killed (SIGKILL) while sending monitor.test's report"
rm -f "$T_DIR/kill-to"
"$MXG" dmarc-report -c "$T_DIR/crash.conf" --date "$DAY" >"$T_DIR/crash2.out" 2>&1
t_is "$?" 0 "the run after the crash exits 0"
t_is "$(sort "$T_DIR/sent.log" | tr '\n' ' ')" "agg@monitor.test agg@rep.test ext@collector.test " \
	"every report reached its address exactly once: nothing lost, nothing doubled"

"$MXG" dmarc-report -c "$T_DIR/crash.conf" --date 2026-13-45 >/dev/null 2>&1
t_is "$?" 2 "a bad --date is a usage error"
t_done
