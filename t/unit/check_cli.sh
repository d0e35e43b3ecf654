#!/bin/sh
# t/unit/check_cli.sh - the pipeline through `mxguard check`: Authentication-Results
# inserted and forged ones removed, rule verdicts (reject, tempfail, quarantine,
# header rules, warn headers), a dead Redis list, hostile messages, --json, exit codes.
. "$top_srcdir/t/lib/common.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
MSG=$top_srcdir/t/data/msg
command -v perl >/dev/null || t_bail "perl is required (JSON::PP parses --json)"

# conf NAME TEXT - a config file with the common settings (SPF off: no DNS
# here, t/unit/spf_check.c tests it) plus TEXT
conf() {
	{ printf 'milter: { authserv_id = "mx.test"; max_message_size = %s; };\n' "${MAXSIZE:-0}"
	  printf 'spf: { enabled = false; };\n'
	  printf 'dmarc: { enabled = false; };\n'
	  printf 'store: { lmdb = "%s/state.mdb"; %s };\n' "$T_DIR" "${STORE:-}"
	  printf '%s\n' "$2"; } >"$T_DIR/$1.conf"
}
# check CONF ARGS... - run mxguard check, stdout in $T_DIR/out, stderr in err, status in RC
check() {
	_c=$1; shift
	"$MXG" check -c "$T_DIR/$_c.conf" "$@" >"$T_DIR/out" 2>"$T_DIR/err"; RC=$?
}
verdict() { grep '^verdict:' "$T_DIR/out"; }

conf base ''

# --- Authentication-Results ---
check base --ip 192.0.2.10 --from alice@example.org --rcpt bob@example.com "$MSG/plain.eml"
t_is "$RC" 0 "a plain message exits 0"
t_is "$(cat "$T_DIR/out")" "+Authentication-Results: mx.test; none
verdict: accept" "no checks enabled: A-R 'mx.test; none' is inserted, verdict accept"
grep -q 'NOQUEUE: mxguardd: <= alice@example.org H=\[192.0.2.10\] R=bob@example.com S=[0-9]* dkim=none arc_state=none verdict=accept T=[0-9]*ms' "$T_DIR/err"
ok $? "one Exim-style summary line is logged for the message"

check base --from m@example.org --rcpt bob@example.com "$MSG/forged_ar.eml"
t_is "$(grep '^[-+]' "$T_DIR/out")" "-Authentication-Results[5]
-Authentication-Results[3]
-Authentication-Results[2]
+Authentication-Results: mx.test; none" \
	"A-R claiming mx.test (plain, after a comment, upper case) removed highest first, ours inserted"
grep -q 'Results\[1\]\|Results\[4\]\|Results\[6\]' "$T_DIR/out"
t_is "$?" 1 "others' A-R (incl. a comment before another id, a longer id) are kept"

# --- rules at the data stage ---
conf rules 'rules: { data = (
  { if = { sender_domains = "spam.example"; }; then = "reject";
    message = "550 5.7.1 Mail from $sender_address_domain refused"; },
  { if = { sender_domains = "later.example"; }; then = "tempfail"; message = "try later"; },
  { if = { sender_domains = "hold.example"; }; then = "quarantine"; message = "held for review"; },
  { if = { header = { name = "Subject"; regex = "viagra"; }; }; then = "reject";
    message = "5.7.1 Spam"; },
  { if = { header = { name = "X-Spam-Flag"; regex = "^yes$"; }; }; then = "warn";
    add_header = "X-Policy: flagged by $authserv_id"; log_message = "flagged"; }
); };'
check rules --from u@spam.example --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(verdict)" "verdict: reject 550 5.7.1 Mail from spam.example refused" \
	"a rule rejecting a sender domain gives its 550 5.7.1 text"
t_is "$RC" 1 "a rejected message exits 1"
grep -q 'verdict=reject rule=.*rules.conf:[0-9]' "$T_DIR/err"
ok $? "the summary line names the rejecting rule FILE:LINE"
check rules --from u@later.example --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(verdict)" "verdict: tempfail 451 4.7.1 try later" "a tempfail rule gives 451"
t_is "$RC" 1 "a tempfailed message exits 1"
check rules --from u@hold.example --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(verdict)" "verdict: quarantine held for review" "a quarantine rule quarantines with its reason"
check rules --from u@example.org --rcpt bob@example.com "$MSG/subject_viagra.eml"
t_is "$(verdict)" "verdict: reject 550 5.7.1 Spam" "a header regex rule rejects"
check rules --from u@example.org --rcpt bob@example.com "$MSG/lf_flagged.eml"
t_is "$(grep -c '^+X-Policy: flagged by mx.test$' "$T_DIR/out")" 1 "a warn rule adds its header (variables expanded)"
t_is "$(verdict)" "verdict: accept" "a warn rule does not decide"
grep -q 'mxguardd: flagged' "$T_DIR/err"
ok $? "log_message lines are logged"
check rules --from u@example.org --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "a message no rule matches is accepted"

# --- a rule on a dead Redis list ---
DEAD=$(t_free_port)
STORE="redis = \"127.0.0.1:$DEAD\"; redis_timeout_ms = 500;" conf redis 'lists: { dead = "redis:SISMEMBER dead $value"; };
rules: { data = ( { if = { sender_domains = "+dead"; }; then = "reject"; } ); };'
check redis --from u@example.org --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(verdict | cut -c1-22)" "verdict: tempfail 451 " "a rule on a dead Redis list tempfails (451)"
STORE="redis = \"127.0.0.1:$DEAD\"; redis_timeout_ms = 500;" conf redis_ok 'lists: { dead = "redis:SISMEMBER dead $value"; };
rules: { data = ( { if = { sender_domains = "+dead"; }; then = "reject"; defer_ok = true; } ); };'
check redis_ok --from u@example.org --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "with defer_ok the dead list is no match: accepted"

# --- rcpt stage: refuses one recipient ---
conf rcpt 'rules: { rcpt = ( { if = { rcpt_domains = "closed.example"; }; then = "reject";
    message = "550 5.1.1 No such user"; } ); };'
check rcpt --from u@example.org --rcpt a@closed.example --rcpt b@example.com "$MSG/plain.eml"
t_is "$(grep '^rcpt ' "$T_DIR/out")" "rcpt a@closed.example: reject 550 5.1.1 No such user" \
	"a rcpt-stage reject refuses that recipient only"
t_is "$(verdict):$RC" "verdict: accept:0" "the message goes on with the other recipients"
grep -q 'R=b@example.com S=' "$T_DIR/err"
ok $? "the refused recipient is not among the message's recipients"
check rcpt --from u@example.org --rcpt a@closed.example "$MSG/plain.eml"
t_is "$(verdict):$RC" "verdict: reject 550 5.1.1 No such user:1" "every recipient refused: the message is refused"

# --- hostile messages: clear outcome, no crash ---
{ i=0; while [ $i -lt 5000 ]; do printf 'X-Many-%d: v\r\n' $i; i=$((i + 1)); done
  printf 'Authentication-Results: mx.test; spf=pass\r\nSubject: viagra\r\n\r\nbody\r\n'; } >"$T_DIR/many.eml"
check base --from u@example.org --rcpt bob@example.com "$T_DIR/many.eml"
t_is "$RC" 0 "5000 header fields: accepted, no crash"
t_is "$(grep '^-' "$T_DIR/out")" "-Authentication-Results[1]" "a forged A-R after 5000 fields is removed"
check rules --from u@example.org --rcpt bob@example.com "$T_DIR/many.eml"
t_is "$(verdict)" "verdict: reject 550 5.7.1 Spam" "a header rule sees the field after 5000 others"
MAXSIZE=2000 conf small_hdrs ''
check small_hdrs --from u@example.org --rcpt bob@example.com "$T_DIR/many.eml"
t_is "$(grep '^-' "$T_DIR/out"):$RC" "-Authentication-Results[1]:0" \
	"past the header size limit (max_message_size) a forged A-R is still removed"
t_is "$(grep -c 'NOQUEUE: pipeline: message over milter.max_message_size (2000 bytes)' "$T_DIR/err")" 1 \
	"the size limit is logged once"
perl -e 'print "Subject: ", "x" x (1024 * 1024), "\r\n\r\nbody\r\n"' >"$T_DIR/long.eml"
check rules --from u@example.org --rcpt bob@example.com "$T_DIR/long.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "a 1 MB header line: accepted, no crash"
check rules --from u@example.org --rcpt bob@example.com "$MSG/nul_bytes.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "NUL bytes in names, values and body: accepted, no crash"
check base --from u@example.org --rcpt bob@example.com "$MSG/no_body.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "a message without body or empty line is checked"
MAXSIZE=100 conf small ''
check small --json --from u@example.org --rcpt bob@example.com "$MSG/plain.eml"
t_is "$(perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	print $j->{verdict}{action}, " ", $j->{facts}{message_size} > 100 ? "big" : "small"' <"$T_DIR/out")" \
	"accept big" "over milter.max_message_size: still accepted, the size is counted"
check base --from u@example.org --rcpt bob@example.com - <"$MSG/plain.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "the message can come on stdin (-)"

# --- --json ---
check rules --json --ip 192.0.2.10 --helo client.example.org --from '<u@spam.example>' \
	--rcpt bob@example.com --auth alice --queue-id 4AB12 "$MSG/forged_ar.eml"
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	my $f = $j->{facts}; my $v = $j->{verdict};
	my @h = map { "$_->{op} $_->{name} $_->{index}" } @{$j->{headers}};
	print join("|", $v->{action}, $v->{rcode}, $v->{xcode}, $v->{text}, $v->{stage},
		$f->{sender_address}, $f->{sender_address_domain}, $f->{sender_host_address},
		$f->{sender_helo_name}, $f->{authenticated}, $f->{authenticated_id}, $f->{queue_id},
		$f->{recipients}, $f->{authserv_id}, $f->{trusted}, scalar @h), "\n";' \
	<"$T_DIR/out" >"$T_DIR/json" 2>"$T_DIR/jerr"
ok $? "--json prints one valid JSON object"
t_is "$(cat "$T_DIR/json")" \
	"reject|550|5.7.1|Mail from spam.example refused|eom|u@spam.example|spam.example|192.0.2.10|client.example.org|yes|alice|4AB12|bob@example.com|mx.test|no|0" \
	"--json holds the verdict and every fact (a refused message gets no header changes)"
check base --json --from u@example.org --rcpt bob@example.com "$MSG/forged_ar.eml"
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	print join(",", map { "$_->{op}:$_->{index}" } @{$j->{headers}}), "\n"' <"$T_DIR/out" >"$T_DIR/json"
t_is "$(cat "$T_DIR/json")" "remove:5,remove:3,remove:2,insert:0" "--json lists the header changes in order"
printf 'From: a@example.org\r\nSubject: \001\033["\\ \377\300\200 \342\202\254\r\n\r\nx\r\n' >"$T_DIR/ctl.eml"
check base --json --from "$(printf 'a\001b"c\377@example.org')" --rcpt bob@example.com "$T_DIR/ctl.eml"
perl -MJSON::PP -e 'local $/; my $j = JSON::PP->new->utf8->decode(<STDIN>);
	exit($j->{facts}{sender_address} =~ /^a\x{1}b"c\x{fffd}\@example.org$/ ? 0 : 1)' <"$T_DIR/out"
ok $? "--json escapes control characters and replaces invalid UTF-8 (strict parser)"

# --- command line ---
"$MXG" check --bogus >/dev/null 2>&1
t_is "$?" 2 "an unknown option exits 2"
"$MXG" check --ip 300.1.2.3 "$MSG/plain.eml" >/dev/null 2>"$T_DIR/err"
t_is "$?" 2 "--ip that is not an address is a usage error"
check base --ip 2001:db8::25 --from u@example.org --rcpt bob@example.com "$MSG/plain.eml"
grep -q 'H=\[2001:db8::25\]' "$T_DIR/err"
ok $? "an IPv6 client address is accepted"
"$MXG" check --help | grep -q '^usage: mxguard check'
ok $? "--help prints the usage"
conf bad 'rules: { data = ( { then = "explode"; } ); };'
check bad "$MSG/plain.eml"
t_is "$RC" 3 "a config error exits 3"
grep -q 'bad.conf:[0-9]*: ' "$T_DIR/err"
ok $? "a config error is reported with FILE:LINE"
STORE="" conf lists_bad 'lists: { r = "redis:GET x"; };'
check lists_bad "$MSG/plain.eml"
t_is "$RC" 3 "a redis: list without store.redis is a config error (exit 3)"
grep -q 'lists_bad.conf:[0-9]*: lists.r: ' "$T_DIR/err"
ok $? "list errors carry FILE:LINE: lists.NAME"
check base "$T_DIR/does-not-exist.eml"
t_is "$RC" 3 "an unreadable message exits 3"
printf 'store: { lmdb = "/nonexistent/dir/state.mdb"; };\nmilter: { authserv_id = "mx.test"; };\n' >"$T_DIR/nostore.conf"
check nostore "$MSG/plain.eml"
t_is "$(verdict):$RC" "verdict: accept:0" "an unusable store.lmdb does not stop the pipeline while nothing needs it"

t_done
