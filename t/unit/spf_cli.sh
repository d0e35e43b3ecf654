#!/bin/sh
# t/unit/spf_cli.sh - `mxguard spf`: output format, exit status, --guess,
# --helo-identity, IPv6, against a real DNS bed (nsd + unbound).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"

mx=$(t_bin mxguard) || { echo "not ok 1 - mxguard is built"; echo "1..1"; exit 1; }
t_dns_zone cli.test <<'EOF2'
pass	TXT	"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"
fail	TXT	"v=spf1 -all"
helo	TXT	"v=spf1 a -all"
helo	A	192.0.2.7
bare	A	192.0.2.8
EOF2
t_dns_start || t_bail "the DNS bed did not start"
t_dns_conf 1000 >"$T_DIR/m.conf"

out=$("$mx" spf -c "$T_DIR/m.conf" 192.0.2.1 u@pass.cli.test); rc=$?
t_is "$rc" 0 "pass: exit 0"
t_is "$(printf '%s\n' "$out" | sed -n 1p)" "pass" "pass: the result word is the first line"
printf '%s\n' "$out" | grep -q '^received-spf: pass (domain of pass.cli.test designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from="u@pass.cli.test"; identity=mailfrom;$'
ok $? "pass: the received-spf line"
out=$("$mx" spf -c "$T_DIR/m.conf" 198.51.100.1 u@fail.cli.test); rc=$?
t_is "$rc" 0 "fail: exit 0 all the same"
t_is "$(printf '%s\n' "$out" | sed -n 1,2p | tr '\n' '|')" \
	"fail|explanation: fail.cli.test does not designate 198.51.100.1 as a permitted sender|" \
	"fail: the result word, then the explanation"
t_is "$("$mx" spf -c "$T_DIR/m.conf" 2001:db8::5 u@pass.cli.test | sed -n 1p)" pass "IPv6 client"
t_is "$("$mx" spf -c "$T_DIR/m.conf" 192.0.2.7 '' helo.cli.test | sed -n 1p)" pass \
	"null sender: postmaster@HELO checked"
t_is "$("$mx" spf -c "$T_DIR/m.conf" --helo-identity 198.51.100.9 u@pass.cli.test helo.cli.test | sed -n 1p)" \
	fail "--helo-identity checks the HELO name"
t_is "$("$mx" spf -c "$T_DIR/m.conf" 192.0.2.8 u@bare.cli.test | sed -n 1p)" none "no record: none"
out=$("$mx" spf -c "$T_DIR/m.conf" --guess 192.0.2.8 u@bare.cli.test)
t_is "$(printf '%s\n' "$out" | sed -n 1p)" pass "--guess: the default guess record (a/24) passes"
printf '%s\n' "$out" | grep -q '^x-spf-guess: pass (best guess record for domain of bare.cli.test'
ok $? "--guess: the header line is x-spf-guess"
"$mx" spf -c "$T_DIR/m.conf" 192.0.2.300 u@pass.cli.test >/dev/null 2>&1
t_is $? 2 "a bad IP is a usage error (exit 2)"
"$mx" spf -c "$T_DIR/m.conf" 192.0.2.1 >/dev/null 2>&1
t_is $? 2 "a missing address is a usage error (exit 2)"
"$mx" spf --help | grep -q '^usage: mxguard spf'
ok $? "--help prints the usage"
"$mx" spf -c "$T_DIR/nonexistent.conf" 192.0.2.1 u@pass.cli.test >/dev/null 2>&1
t_is $? 1 "a missing config file: exit 1"
t_done
