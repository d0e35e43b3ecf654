#!/bin/sh
# t/e2e/milter_postfix.sh - mxguardd behind the bed's real Postfix: the
# Authentication-Results header lands at the top (above Postfix's own
# Received:), a forged A-R with our authserv-id is removed while a foreign
# one stays, rule verdicts reach the SMTP client (550 with the configured
# text and enhanced code, 451), quarantine puts the message on hold, a rule
# on a dead Redis list tempfails, a multi-line rule message reaches the
# client as a multi-line 550, a client in milter.trusted_hosts is still
# checked and rules see it as trusted, `mxguard check --json` gives the
# header changes the daemon made, SIGHUP with a broken config keeps serving,
# and SIGTERM during a transfer loses nothing.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/redis.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf postqueue smtp-sink swaks perl
AUTHSERV=mx.milter.test

t_redis_start
t_redis_cli sadd blocked listed@list.bed.test >/dev/null

# mconf FILE - the daemon's config: rules for every verdict the test sends
# (SPF off: this test is about the milter; t/e2e/spf_postfix.sh tests SPF)
mconf() {
	cat >"$1" <<EOF
milter: {
  socket = "inet:$D_PORT@127.0.0.1";
  user = "";
  pidfile = "$D_PIDFILE";
  authserv_id = "$AUTHSERV";
  timeout_s = 60;
  trusted_hosts = [ "192.0.2.0/24" ];
};
log: { verbose = 1; };
spf: { enabled = false; };
dmarc: { enabled = false; };
store: { lmdb = "$T_DIR/state.mdb"; redis = "127.0.0.1:$REDIS_PORT/0"; redis_timeout_ms = 1000; };
lists: { blocked = "redis:SISMEMBER blocked \$value"; };
rules: {
  mail = (
    { if = { sender_domains = [ "reject.bed.test" ]; }; then = "reject";
      message = "550 5.7.1 Sender domain \$sender_address_domain is not welcome here"; },
    { if = { sender_domains = [ "tempfail.bed.test" ]; }; then = "tempfail";
      message = "451 4.7.1 Come back later, \$sender_address_domain"; },
    { if = { sender_domains = [ "list.bed.test" ]; sender = "+blocked"; }; then = "reject";
      message = "550 5.7.1 Listed sender"; },
    { if = { sender_domains = [ "multiline.bed.test" ]; }; then = "reject";
      message = "550 5.7.1 First line of the refusal\nSecond line names \$sender_address_domain"; }
  );
  data = (
    { if = { trusted = true; }; then = "warn"; add_header = "X-Trusted-Client: \$sender_host_address"; },
    { if = { header = { name = "Subject"; regex = "^compare "; }; }; then = "warn";
      add_header = "X-Compare: \$sender_address_domain"; remove_header = "X-Drop"; },
    { if = { header = { name = "Subject"; regex = "^quarantine me"; }; };
      then = "quarantine"; message = "held by the milter test"; }
  );
};
EOF
}
mconf "$T_DIR/m.conf"
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
ok 0 "mxguardd starts with rules on mail and data stages"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"

# sink_file SUBJECT - the sink's file holding the message with SUBJECT
sink_file() { grep -lx "Subject: $1" $(t_postfix_sink_files) /dev/null | head -n 1; }
# msg_headers FILE - the message's header names in order (the sink's own
# X-Client-Addr..X-Rcpt-Args lines come first and are left out)
msg_headers() {
	perl -ne 'last if /^\r?$/; next if /^[ \t]/; s/:.*//s;
		next if /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args)$/;
		print "$_\n"' "$1"
}
# swaks_reply - the server's refusal line swaks printed last ("<** ...")
swaks_reply() { sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tail -n 1 | tr -d '\r'; }
N=0

# 1. Authentication-Results at the top.
subj="ar top $$"
t_postfix_send --header "Subject: $subj"
ok $? "a plain message passes the milter"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "it is delivered to the sink"
f=$(sink_file "$subj")
first=$(msg_headers "$f" | head -n 2 | tr '\n' ' ')
# smfi_insheader(0) means "before every header the milter saw". Postfix
# does not show milters its own Received: line, and keeps that line on top:
# index 0 lands directly below it, above every header of the client.
t_is "$first" "Received Authentication-Results " \
	"A-R (insheader index 0) sits directly below Postfix's Received:, first of the rest"
grep -q "^Authentication-Results: $AUTHSERV;" "$f"
ok $? "A-R carries our authserv-id $AUTHSERV"
t_is "$(grep -c '^Authentication-Results:' "$f")" 1 "exactly one A-R header"

# 2. A forged A-R claiming our id goes, a foreign one stays.
subj="ar forged $$"
t_postfix_send --header "Subject: $subj" \
	--add-header "Authentication-Results: $AUTHSERV; spf=pass smtp.mailfrom=forged.example" \
	--add-header "Authentication-Results: other.example; dkim=pass header.d=other.example"
ok $? "a message with a forged and a foreign A-R passes"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "it is delivered"
f=$(sink_file "$subj")
! grep -q 'forged.example' "$f"
ok $? "the forged A-R with our authserv-id is removed"
grep -q '^Authentication-Results: other.example; dkim=pass' "$f"
ok $? "the foreign A-R is kept"
t_is "$(grep -c "^Authentication-Results: $AUTHSERV;" "$f")" 1 "only our own new A-R claims $AUTHSERV"
t_is "$(msg_headers "$f" | sed -n 2p)" "Authentication-Results" "our A-R is still right below Received:"

# 3. Rule verdicts as SMTP replies.
t_postfix_send --from someone@reject.bed.test --header "Subject: reject me"
[ $? -ne 0 ]; ok $? "a sender in a rejected domain is refused"
t_is "$(swaks_reply)" "550 5.7.1 Sender domain reject.bed.test is not welcome here" \
	"the client sees 550 5.7.1 and the configured text"
t_postfix_send --from someone@tempfail.bed.test --header "Subject: tempfail me"
[ $? -ne 0 ]; ok $? "a sender in a tempfailed domain is refused"
t_is "$(swaks_reply)" "451 4.7.1 Come back later, tempfail.bed.test" \
	"the client sees 451 4.7.1 and the configured text"

# 4. Quarantine: the message goes to Postfix's hold queue with our reason.
t_postfix_send --header "Subject: quarantine me $$"
ok $? "a message matching the quarantine rule is accepted"
held=""
for _ in $(seq 1 100); do
	held=$(postqueue -c "$PF_DIR/etc" -j 2>/dev/null | grep '"queue_name": *"hold"')
	[ -n "$held" ] && break
	sleep 0.1
done
[ -n "$held" ]; ok $? "postqueue -j shows it in the hold queue"
grep -q 'milter-hold: END-OF-MESSAGE from .*: milter triggers HOLD action' "$PF_MAILLOG"
ok $? "Postfix logs the milter's HOLD action (it does not log the reason text)"
d_wait_log 'mxguardd: <= sender@bed.test .* verdict=quarantine'
ok $? "mxguardd's summary line says verdict=quarantine"

# 5. Redis list: listed sender refused while Redis lives; tempfail when dead.
t_postfix_send --from listed@list.bed.test --header "Subject: listed"
[ $? -ne 0 ]; ok $? "a sender on the Redis list is refused"
t_is "$(swaks_reply)" "550 5.7.1 Listed sender" "the Redis list rule answers 550 5.7.1"
t_redis_stop
t_postfix_send --from other@list.bed.test --header "Subject: redis dead"
[ $? -ne 0 ]; ok $? "with Redis dead the list rule does not let the sender through"
case $(swaks_reply) in 451\ 4.*) r=0 ;; *) r=1 ;; esac
ok $r "the dead Redis list gives 451 4.x.x (got: $(swaks_reply))"
subj="unaffected $$"
t_postfix_send --from other@bed.test --header "Subject: $subj"
ok $? "a sender the list rule does not concern still passes with Redis dead"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "and is delivered"

# 6. A multi-line reply from a rule ("\n" in its message) reaches the client
# as a multi-line 550, every line with the code and enhanced code.
t_postfix_send --from someone@multiline.bed.test --header "Subject: multi-line"
[ $? -ne 0 ]; ok $? "a sender of the multi-line rule's domain is refused"
t_is "$(sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tr -d '\r' | tail -n 2 | tr '\n' '|')" \
	"550-5.7.1 First line of the refusal|550 5.7.1 Second line names multiline.bed.test|" \
	"the client sees both lines: 550-5.7.1 continuation, then 550 5.7.1 last line"

# 7. milter.trusted_hosts: a trusted client's mail is still checked (A-R,
# rules); rules see trusted = yes. 127.0.0.1 is not trusted in this config.
subj="trusted client $$"
t_postfix_send --xclient-addr 192.0.2.10 --xclient-name mail.example.test --header "Subject: $subj"
ok $? "a client in milter.trusted_hosts (XCLIENT 192.0.2.10) sends a message"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "it is delivered"
f=$(sink_file "$subj")
grep -q '^X-Trusted-Client: 192.0.2.10' "$f"
ok $? "the rule on trusted = true matched it (X-Trusted-Client: 192.0.2.10)"
grep -q "^Authentication-Results: $AUTHSERV;" "$f"
ok $? "a trusted client's message is still checked: it has our A-R"
! grep -q '^X-Trusted-Client:' "$(sink_file "ar top $$")"
ok $? "a message from 127.0.0.1 (not in trusted_hosts here) did not match the trusted rule"

# 8. `mxguard check --json` on the same message, envelope and client gives
# the header changes the daemon made through Postfix. Nothing is left out of
# the comparison but Postfix's own Received: line (milters never see it; the
# input has none) and the space after the colon (check's JSON gives field
# values, the message has "Name: value"; test 41 checks the space).
cat >"$T_DIR/compare.eml" <<EOF
From: Sender <sender@bed.test>
To: rcpt@remote.test
Subject: compare $$
Date: Mon, 23 Nov 2026 07:00:00 +0000
Message-ID: <compare.$$@bed.test>
Authentication-Results: $AUTHSERV; spf=pass smtp.mailfrom=forged.example
X-Drop: one
Authentication-Results: other.example; dkim=pass header.d=other.example
X-Drop: two

The same message through the daemon and through mxguard check.
EOF
t_postfix_send --helo helo.bed.test --from sender@bed.test --to rcpt@remote.test \
	--data "$T_DIR/compare.eml"
ok $? "the comparison message passes the milter"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "it is delivered"
f=$(sink_file "compare $$")
"$(t_bin mxguard)" check -c "$T_DIR/m.conf" --json --ip 127.0.0.1 --name localhost \
	--helo helo.bed.test --from sender@bed.test --rcpt rcpt@remote.test \
	"$T_DIR/compare.eml" >"$T_DIR/compare.json" 2>"$T_DIR/compare.err"
ok $? "mxguard check --json runs on the same message, envelope and client"
# headers after the milter's changes: from the sink, and computed from the
# input plus check's changes (removals by occurrence as received, inserts at
# their index, additions at the end); values unfolded, whitespace collapsed
cat >"$T_DIR/cmp.pl" <<'PERL'
use strict; use warnings; use JSON::PP;
my ($in, $json, $out) = @ARGV;
sub norm { my $v = shift; $v =~ s/\r//g; $v =~ s/\n(?=[ \t])//g; $v =~ s/\s+/ /g; $v =~ s/^ | $//g; return $v; }
sub fields {
	my ($file, $skip_sink) = @_;
	open(my $f, '<', $file) or die "$file: $!";
	my @h;
	while (my $l = <$f>) {
		$l =~ s/\r?\n$//;
		last if $l eq '';
		if ($l =~ /^[ \t]/ && @h) { $h[-1][1] .= "\n$l"; next; }
		my ($n, $v) = $l =~ /^([^:]+):(.*)$/ or next;
		push @h, [$n, $v];
	}
	@h = grep { $_->[0] !~ /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args)$/ } @h if $skip_sink;
	@h = grep { $_->[0] ne 'Received' } @h if $skip_sink;	# Postfix's own
	return @h;
}
my @got = fields($out, 1);
my @h = map { [@$_, 0] } fields($in, 0);
my %seen;
$_->[3] = ++$seen{lc $_->[0]} for @h;			# occurrence as received
my $j = decode_json(do { local $/; open(my $f, '<', $json) or die; <$f> });
my @ins;
for my $c (@{$j->{headers}}) {
	if ($c->{op} eq 'remove') {
		@h = grep { !(lc $_->[0] eq lc $c->{name} && ($c->{index} == 0 || $_->[3] == $c->{index})) } @h;
	} elsif ($c->{op} eq 'change') {
		$_->[1] = $c->{value} for grep { lc $_->[0] eq lc $c->{name} && $_->[3] == ($c->{index} || 1) } @h;
	} elsif ($c->{op} eq 'insert') {
		splice(@h, $c->{index}, 0, [$c->{name}, $c->{value}, 0, 0]);
	} elsif ($c->{op} eq 'add') {
		push @h, [$c->{name}, $c->{value}, 0, 0];
	}
}
print "daemon: ", join(" | ", map { "$_->[0]: " . norm($_->[1]) } @got), "\n";
print "check:  ", join(" | ", map { "$_->[0]: " . norm($_->[1]) } @h), "\n";
PERL
perl "$T_DIR/cmp.pl" "$T_DIR/compare.eml" "$T_DIR/compare.json" "$f" >"$T_DIR/cmp.out" 2>&1
ok $? "both header lists computed"
daemon=$(sed -n 's/^daemon: //p' "$T_DIR/cmp.out")
check=$(sed -n 's/^check:  //p' "$T_DIR/cmp.out")
t_is "$daemon" "$check" "the delivered headers equal the input with check's changes applied"
case $daemon in
"Authentication-Results: $AUTHSERV;"*"From: Sender <sender@bed.test>"*"Authentication-Results: other.example;"*"X-Compare: bed.test") r=0 ;;
*) r=1 ;;
esac
ok $r "and they are what the rules ask: our A-R on top, the foreign A-R kept, X-Compare added last"
case $daemon in *forged.example*|*X-Drop*) r=1 ;; *) r=0 ;; esac
ok $r "the forged A-R and both X-Drop fields are gone on both sides"
perl -ne 'exit 0 if /^\r?$/; exit 1 if /^[!-9;-~]+:[^ \t\r\n]/' "$f"
ok $? "every field has a space after its colon, the milter's added ones too (SMFIP_HDR_LEADSPC)"

# 9. SIGHUP with a broken config: the old config and pipeline keep serving.
printf 'milter: { socket = "inet:%s@127.0.0.1"; bogus_key = 1; };\nrules: { mail = ( { then = "nonsense"; } ); };\n' \
	"$D_PORT" >"$T_DIR/m.conf"
kill -HUP "$D_PID"
d_wait_log 'reload failed: keeping the configuration'
ok $? "a reload with a broken config fails and says it keeps the old one"
grep -q 'reload: .*bogus_key' "$D_LOG"
ok $? "the error line names the bad key"
subj="after bad reload $$"
t_postfix_send --header "Subject: $subj"
ok $? "the next message is accepted"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "and delivered"
grep -q "^Authentication-Results: $AUTHSERV;" "$(sink_file "$subj")"
ok $? "it still gets our A-R (old pipeline in use)"
t_postfix_send --from someone@reject.bed.test --header "Subject: reject again"
t_is "$(swaks_reply)" "550 5.7.1 Sender domain reject.bed.test is not welcome here" \
	"the old rules still apply after the failed reload"
mconf "$T_DIR/m.conf"

# 10. SIGTERM while a message is in the middle of its SMTP transaction.
subj="sigterm $$"
cat >"$T_DIR/slow.pl" <<'PERL'
# slow.pl PORT SUBJECT GO-FILE: SMTP up to RCPT, wait for GO-FILE, then DATA.
use strict; use IO::Socket::INET;
my ($port, $subj, $go) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 30) or die "connect: $!";
sub reply { my $l; do { $l = <$s>; die "eof" unless defined $l; } while ($l =~ /^\d{3}-/); $l =~ s/\r?\n$//; return $l; }
sub cmd { print $s "$_[0]\r\n"; return reply(); }
reply();
cmd("EHLO slow.bed.test");
print "MAIL ", cmd("MAIL FROM:<slow\@bed.test>"), "\n";
print "RCPT ", cmd("RCPT TO:<rcpt\@remote.test>"), "\n";
open(my $r, '>', "$go.ready"); close $r;
for (1 .. 600) { last if -e $go; select(undef, undef, undef, 0.05); }
my $d = cmd("DATA");
print "DATA $d\n";
print $s "From: slow\@bed.test\r\nTo: rcpt\@remote.test\r\nSubject: $subj\r\n\r\nbody\r\n.\r\n";
print "END ", reply(), "\n";
cmd("QUIT");
PERL
perl "$T_DIR/slow.pl" "$PF_PORT" "$subj" "$T_DIR/go" >"$T_DIR/slow.out" 2>&1 &
SLOW=$!
t_on_exit "kill $SLOW"
t_wait_file "$T_DIR/go.ready" 30
ok $? "a client is inside a transaction (MAIL and RCPT accepted)"
kill -TERM "$D_PID"
d_wait_log 'stopping: waiting up to 60 s for 1 message in flight'
ok $? "SIGTERM: mxguardd waits for the message in flight"
d_alive; ok $? "mxguardd is still running while the message is in flight"
touch "$T_DIR/go"
wait "$SLOW"
ok $? "the client finished its transaction"
t_is "$(sed -n 's/^END //p' "$T_DIR/slow.out" | cut -c1-3)" 250 \
	"the message in flight is accepted at end of data (250)"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "and delivered to the sink"
grep -q "^Authentication-Results: $AUTHSERV;" "$(sink_file "$subj")"
ok $? "with our A-R: the milter finished it before exiting"
d_wait_log 'stopping: every message in flight finished'
ok $? "mxguardd logs that the drain completed"
_i=0; while d_alive && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
! d_alive; ok $? "mxguardd exits after the drain"
# With the milter gone Postfix keeps mail out with 4xx (milter_default_action).
t_postfix_send --header "Subject: milter gone"
case $(swaks_reply) in 4[0-9][0-9]\ *) r=0 ;; *) r=1 ;; esac
ok $r "with mxguardd stopped Postfix answers 4xx (got: $(swaks_reply))"
t_done
