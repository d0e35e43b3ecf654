#!/bin/sh
# t/e2e/spf_postfix.sh - SPF end to end: swaks plays a client (XCLIENT)
# to a real Postfix, whose milter is mxguardd; every DNS answer comes from
# the real bed (nsd + unbound). pass, softfail, none, permerror and
# temperror (the server made to SERVFAIL, or to drop the query) each give
# the right Received-SPF header and spf= clause of Authentication-Results;
# a rule `spf = fail` rejects at MAIL FROM with $spf_smtp_comment (the
# domain's exp= text); the null sender is checked as postmaster@HELO; the
# spf_lookup condition asks about another domain for IPv4 and IPv6 clients.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl nsd unbound
AUTHSERV=mx.spf.test
CLIENT=192.0.2.10

t_dns_zone spfbed.test <<'EOF'
pass	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
fail	TXT	"v=spf1 -all exp=why.%{o}"
why.fail	TXT	"Mail from %{o} is not accepted from %{i}"
soft	TXT	"v=spf1 ~all"
none	A	192.0.2.99
perm	TXT	"v=spf1 ip4:192.0.2.300 -all"
helo	TXT	"v=spf1 ip4:192.0.2.10 -all"
lookup	TXT	"v=spf1 ip6:2001:db8::/32 -all"
EOF
t_dns_servfail servfail.example
t_dns_timeout timeout.example
t_dns_start || t_bail "the DNS bed did not start"

cat >"$T_DIR/m.conf" <<EOF
$(d_conf_bed 1000)
spf: { time_budget_ms = 5000; };
rules: {
  mail = (
    { if = { helo = "lookup.bed.test";
             spf_lookup = { address = "postmaster@lookup.spfbed.test"; ip = "\$sender_host_address";
                            result = [ "fail", "softfail" ]; }; };
      then = "reject"; message = "550 5.7.1 \$sender_host_address may not send as lookup.spfbed.test"; },
    { if = { spf = [ "fail" ]; }; then = "reject"; message = "550 5.7.23 \$spf_smtp_comment"; }
  );
  data = (
    { if = { helo = "lookup.bed.test";
             spf_lookup = { address = "postmaster@lookup.spfbed.test"; ip = "\$sender_host_address";
                            result = "pass"; }; };
      then = "warn"; add_header = "X-Lookup: pass for \$sender_host_address"; }
  );
};
EOF
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
# inet_protocols = all: Postfix takes IPv6 XCLIENT addresses only then
t_postfix_start "inet:127.0.0.1:$D_PORT" inet_protocols=all || t_bail "postfix with the milter did not start"

N=0
# send_one SENDER SUBJECT [SWAKS-OPTIONS] - a message from the played client
send_one() {
	_from=$1; _subj=$2; shift 2
	t_postfix_send --xclient-addr "$CLIENT" --helo client.bed.test --from "$_from" \
		--header "Subject: $_subj" "$@"
}
# sink_file SUBJECT - the sink's file holding the message with SUBJECT
sink_file() { grep -lx "Subject: $1" $(t_postfix_sink_files) /dev/null | head -n 1; }
# header NAME FILE - the unfolded value of the first NAME header of FILE
header() {
	perl -e 'my ($n, $f) = @ARGV; open(my $h, "<", $f) or exit 1; local $/;
		my $t = <$h>; $t =~ s/\r//g; ($t) = split /\n\n/, $t, 2; $t =~ s/\n[ \t]+/ /g;
		for (split /\n/, $t) { if (/^\Q$n\E:\s*(.*)/i) { print "$1\n"; exit 0 } } exit 1' "$1" "$2"
}
# msg_headers FILE - the message's header names in order (without the
# sink's own X-Client-Addr..X-Rcpt-Args lines)
msg_headers() {
	perl -ne 'last if /^\r?$/; next if /^[ \t]/; s/:.*//s;
		next if /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args)$/;
		print "$_\n"' "$1"
}
# delivered RESULT SENDER IDENTITY - send, and check both headers
delivered() {
	_res=$1; _from=$2; _ident=$3; shift 3
	_subj="spf $_res $$ $N"
	send_one "$_from" "$_subj" "$@"
	ok $? "$_res: the message is accepted"
	N=$((N + 1)); t_postfix_wait_delivered $N
	ok $? "$_res: it is delivered"
	_f=$(sink_file "$_subj")
	_rs=$(header Received-SPF "$_f")
	case "$_rs" in
	"$_res ("*"client-ip=$CLIENT;"*) ok 0 "$_res: Received-SPF: $_rs" ;;
	*) ok 1 "$_res: Received-SPF starts with $_res and has client-ip: got '$_rs'" ;;
	esac
	t_is "$(msg_headers "$_f" | head -n 3 | tr '\n' ' ')" \
		"Received Authentication-Results Received-SPF " \
		"$_res: Received-SPF at the top, right below our A-R (Postfix keeps its Received: first)"
	_ar=$(header Authentication-Results "$_f")
	case "$_ar" in
	"$AUTHSERV;"*"spf=$_res "*"$_ident"*) ok 0 "$_res: A-R has spf=$_res and $_ident" ;;
	*) ok 1 "$_res: A-R has spf=$_res and $_ident: got '$_ar'" ;;
	esac
}

delivered pass u@pass.spfbed.test "smtp.mailfrom=u@pass.spfbed.test"
delivered softfail u@soft.spfbed.test "smtp.mailfrom=u@soft.spfbed.test"
delivered none u@none.spfbed.test "smtp.mailfrom=u@none.spfbed.test"
delivered permerror u@perm.spfbed.test "smtp.mailfrom=u@perm.spfbed.test"
delivered temperror u@x.servfail.example "smtp.mailfrom=u@x.servfail.example"
delivered temperror u@x.timeout.example "smtp.mailfrom=u@x.timeout.example"
delivered pass "<>" "smtp.helo=helo.spfbed.test" --helo helo.spfbed.test

send_one u@fail.spfbed.test "spf fail $$"
[ $? -ne 0 ]; ok $? "fail: the rule spf = fail refuses the message"
reply=$(sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tail -n 1 | tr -d '\r')
t_is "$reply" "550 5.7.23 Mail from fail.spfbed.test is not accepted from $CLIENT" \
	"fail: the client sees 550 5.7.23 and \$spf_smtp_comment (the domain's exp= text)"
d_wait_log 'mxguardd: <= u@fail.spfbed.test .* spf=fail .*verdict=reject'
ok $? "fail: mxguardd's summary line has spf=fail and verdict=reject"

# The spf_lookup condition asks about another domain (lookup.spfbed.test:
# ip6:2001:db8::/32 -all) for the client's address, IPv4 and IPv6.
send_one u@none.spfbed.test "spf lookup v4 $$" --helo lookup.bed.test
[ $? -ne 0 ]; ok $? "spf_lookup: an IPv4 client that fails the looked-up domain is refused"
reply=$(sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tail -n 1 | tr -d '\r')
t_is "$reply" "550 5.7.1 $CLIENT may not send as lookup.spfbed.test" \
	"spf_lookup: the client sees the rule's 550 text"
subj="spf lookup v6 $$"
t_postfix_send --xclient-addr IPV6:2001:db8::10 --helo lookup.bed.test \
	--from u@none.spfbed.test --header "Subject: $subj"
r=$?
ok $r "spf_lookup: an IPv6 client inside ip6:2001:db8::/32 (pass) is accepted"
[ $r -eq 0 ] || t_diag "swaks transcript:" "$(tail -n 12 "$PF_LAST_SEND")" "$(tail -n 5 "$D_LOG")"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "spf_lookup: and delivered"
t_is "$(header X-Lookup "$(sink_file "$subj")")" "pass for 2001:db8::10" \
	"spf_lookup: the rule on result pass saw the IPv6 client pass"
t_is "$(header Received-SPF "$(sink_file "$subj")" | sed 's/ .*//')" none \
	"spf_lookup: the message's own SPF result (none.spfbed.test) is unchanged"
t_done
