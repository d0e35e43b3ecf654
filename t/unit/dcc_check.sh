#!/bin/sh
# t/unit/dcc_check.sh - the DCC check through `mxguard check` (the daemon's pipeline)
# against t/tools/fake_dccifd.pl on a unix socket and on TCP: what is sent
# (envelope lines, client name, user names, extra header lines, HELO
# override), every answer (A, R, G, T, S with mixed recipients, garbage,
# a short answer, an early close, a slow answer past dcc.timeout_ms, no
# dccifd at all) and what becomes of it (facts, verdict through rules,
# X-DCC header, removed recipients, dcc.defer_ok).
. "$top_srcdir/t/lib/common.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
FAKE=$top_srcdir/t/tools/fake_dccifd.pl
command -v perl >/dev/null || t_bail "perl is required (t/tools/fake_dccifd.pl)"

SOCK=$T_DIR/dccifd
PORT=$(t_free_port)
LOG=$T_DIR/fake.log
perl "$FAKE" --unix "$SOCK" --tcp "$PORT" --log "$LOG" --slow 4 --pidfile "$T_DIR/fake.pid" \
	2>"$T_DIR/fake.err" &
t_on_exit "kill $!"
# the pidfile is written once both sockets listen (no probe connection to log)
t_wait_file "$T_DIR/fake.pid" 10 || t_bail "fake dccifd did not start: $(cat "$T_DIR/fake.err")"

printf 'plain.example.net 198.51.100.9\n# comment\nmulti.example.net: 203.0.113.77\n' >"$T_DIR/multiip"

# conf NAME DCC-SETTINGS [ADDRESS [TIMEOUT_MS [DEFER_OK]]] - DCC on, with the usual rules
conf() {
	cat >"$T_DIR/$1.conf" <<EOF
milter: { authserv_id = "mx.test"; };
store: { lmdb = "$T_DIR/state.mdb"; };
spf: { enabled = false; };
dmarc: { enabled = false; };
dcc: { enabled = true; address = "${3:-$SOCK}"; timeout_ms = ${4:-1500}; defer_ok = ${5:-false};
       client_ip_override = "file:$T_DIR/multiip"; $2 };
rules: {
  mail = ( { if = { sender_domains = "extra.example"; }; then = "warn";
             set = { acl_m_dcc_add_header = "X-Site-Note: from \$sender_address_domain"; }; } );
  data = ( { if = { dcc = [ "defer" ]; }; then = "tempfail"; message = "4.7.1 DCC greylist (\$dcc_result)"; },
           { if = { dcc = [ "fail" ]; }; then = "reject"; message = "5.7.1 bulk mail (\$dcc_result)"; } ); };
EOF
}
# msg MODE - a message whose X-Fake-DCC header scripts the fake's answer
msg() {
	printf 'From: a@example.org\r\nTo: b@example.com\r\nSubject: dcc test\r\nX-Fake-DCC: %s\r\n\r\nbody line\r\n' \
		"$1" >"$T_DIR/$1.eml"
	echo "$T_DIR/$1.eml"
}
# check CONF MODE ARGS... - mxguard check; output in out/err, status in RC
check() {
	_c=$1; _m=$2; shift 2
	: >"$LOG"
	"$MXG" check -c "$T_DIR/$_c.conf" --ip 192.0.2.10 --name mx.client.example \
		--helo client.example "$@" "$(msg "$_m")" >"$T_DIR/out" 2>"$T_DIR/err"; RC=$?
	cat "$T_DIR/err" >>"$T_DIR/all.err"
}
verdict() { grep '^verdict:' "$T_DIR/out"; }

conf unix ''
conf tcp '' "127.0.0.1,$PORT"
conf perrcpt 'per_recipient = true;'
conf deferok '' "$SOCK" 1500 true
conf slow '' "$SOCK" 1000
conf nodccifd '' "$T_DIR/nothing-here"
conf nohdr 'options = "grey-off"; direct_add_header = false;'

# --- A, and what is sent ---
check unix A --from s@example.org --rcpt bob@example.com --rcpt carol@example.com
t_is "$(verdict)" "verdict: accept" "answer A: the message is accepted"
grep -q '^+X-DCC-Fake-Metrics: fake.example 1201; bulk Body=many Fuz1=many' "$T_DIR/out"
ok $? "answer A: dccifd's X-DCC header is added to the message"
t_is "$(grep -c '^+X-DCC' "$T_DIR/out")" 1 "the X-DCC header is added once"
t_is "$(sed 's/ hdrs=.*//' "$LOG")" \
	"opts=header ip=192.0.2.10 name=mx.client.example helo=client.example sender=s@example.org rcpts=bob@example.com|bob,carol@example.com|carol" \
	"sent: options, IP CR name, HELO, sender, mailbox CR user per recipient (parsed by the fake)"
grep -q ' hdrs=4 body=11 extra=From: a@example.org mode=A$' "$LOG"
ok $? "sent: the 4 header fields and the 11-byte body after the empty line, then EOF"
grep -q 'NOQUEUE: dcc: dccifd answered A (accept) recipients=AA' "$T_DIR/err"
ok $? "the answer is logged with the recipient letters"
grep -q ' dcc=accept ' "$T_DIR/err"
ok $? "the summary line carries dcc=accept"

check unix A --json --from s@example.org --rcpt bob@example.com
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>); my $f = $j->{facts};
	exit !($f->{dcc} eq "accept" && $f->{dcc_result} eq "A"
	       && $f->{dcc_header} =~ /^X-DCC-Fake-Metrics: fake\.example 1201; .*[ \t]Fuz2=many result=A$/)' \
	<"$T_DIR/out"
ok $? "facts dcc=accept, dcc_result=A, dcc_header 'Name: value' unfolded"

check unix A --from "" --rcpt bob@example.com
grep -q 'sender=<> ' "$LOG"
ok $? "the null sender is sent as <>"

"$MXG" check -c "$T_DIR/unix.conf" --ip 192.0.2.10 --helo client.example \
	--from s@example.org --rcpt bob@example.com "$(msg A)" >"$T_DIR/out" 2>"$T_DIR/err"
grep -q 'ip=192.0.2.10 name= helo' "$LOG"
ok $? "an unverified client name ([IP]) is not sent: the IP line has no CR part"

check unix A --helo multi.example.net --from s@example.org --rcpt bob@example.com
grep -q 'ip=203.0.113.77 ' "$LOG"
ok $? "dcc.client_ip_override: the address of the HELO name replaces the client IP"

check unix A --from s@extra.example --rcpt bob@example.com
grep -q 'hdrs=5 body=11 extra=X-Site-Note: from extra.example mode=A' "$LOG"
ok $? "\$acl_m_dcc_add_header is sent to dccifd as an extra header line before the message"

check nohdr A --from s@example.org --rcpt bob@example.com
t_is "$(grep -c '^+X-DCC' "$T_DIR/out")" 0 "without the header option (and direct_add_header off) no X-DCC"
grep -q '^opts=grey-off ' "$LOG"
ok $? "dcc.options is sent as the first line"

# --- the other answers ---
check unix R --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: reject 550 5.7.1 bulk mail (R)" "answer R: dcc=fail, the rule rejects"
check unix G --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: reject 550 5.7.1 bulk mail (G)" "answer G: dcc=fail, the rule rejects"
check unix T --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 DCC greylist (T)" "answer T: dcc=defer, the rule tempfails"

check perrcpt S --from s@example.org --rcpt good@example.com --rcpt bulk1@example.com \
	--rcpt grey1@example.com --rcpt also@example.com
t_is "$(grep -e '^delrcpt' -e '^verdict' "$T_DIR/out")" "delrcpt bulk1@example.com
delrcpt grey1@example.com
verdict: accept" "answer S, per_recipient: the R and G recipients are removed, the rest delivered"
t_is "$(grep -c 'dcc: recipient .* removed (dccifd: [RG])' "$T_DIR/err")" 2 \
	"each removed recipient is logged"
check unix S --from s@example.org --rcpt good@example.com --rcpt bulk1@example.com
t_is "$(grep -c '^delrcpt' "$T_DIR/out")" 0 "answer S without per_recipient: nobody is removed"
t_is "$(verdict)" "verdict: accept" "answer S without per_recipient: accepted (dcc=accept)"
check perrcpt S --from s@example.org --rcpt bulk1@example.com --rcpt grey2@example.com
t_is "$(verdict)" "verdict: reject 550 5.7.1 bulk mail (S)" \
	"answer S with every recipient R or G: dcc=fail (nobody left to deliver to)"

# --- failures of dccifd ---
check unix garbage --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 DCC greylist ()" "garbage answer: dcc=defer, tempfail"
grep -q 'dcc: dccifd .*: bad result line' "$T_DIR/err"
ok $? "garbage answer: the reason is logged"
check unix short --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 DCC greylist ()" "answer without the recipient line: defer"
check unix close --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 DCC greylist ()" "dccifd closing early: defer"
check slow slow --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 DCC greylist ()" "slow dccifd past dcc.timeout_ms: defer"
grep -q 'dcc: dccifd .*: timeout: dcc=defer' "$T_DIR/err"
ok $? "slow dccifd: 'timeout' is logged"
check nodccifd A --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 DCC greylist ()" "no dccifd listening: defer"
grep -q 'dcc: dccifd .*nothing-here: connect: no such socket' "$T_DIR/err"
ok $? "no dccifd: the connect error is logged"
check deferok garbage --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: accept" "dcc.defer_ok: a garbage answer skips the check"
grep -q 'check skipped (dcc.defer_ok)' "$T_DIR/err"
ok $? "dcc.defer_ok: the skip is logged"
grep -q ' dcc=' "$T_DIR/err"
t_is "$?" 1 "dcc.defer_ok: no dcc result is set"

# --- TCP ---
check tcp R --from s@example.org --rcpt bob@example.com
t_is "$(verdict)" "verdict: reject 550 5.7.1 bulk mail (R)" "over TCP (host,port): answer R rejects"
check tcp A --from s@example.org --rcpt bob@example.com
grep -q '^+X-DCC-Fake-Metrics' "$T_DIR/out"
ok $? "over TCP: answer A adds the X-DCC header"

# --- config errors ---
cat >"$T_DIR/bad.conf" <<EOF
dcc: { enabled = true; address = "dcc.example.org,1234"; options = "header body"; };
EOF
"$MXG" check -c "$T_DIR/bad.conf" --rcpt b@example.com "$(msg A)" >"$T_DIR/out" 2>&1
t_is "$?" 3 "a bad dcc setting stops the pipeline from being built (exit 3)"
grep -q 'bad.conf:1: dcc.address: the host must be an IP address' "$T_DIR/out" \
	&& grep -q 'dcc.options: "body" is not supported' "$T_DIR/out"
ok $? "the errors name FILE:LINE: a host name in dcc.address, the body option"
grep -q 'Sanitizer\|runtime error' "$T_DIR/all.err"
t_is "$?" 1 "no sanitizer report in any run"
t_done
