#!/bin/sh
# daemon_outbound.sh - the mxguard-outbound skeleton: same options as
# mxguardd, validates the config (outbound.* included), and refuses to run
# because delivery does not exist yet.
. "$top_srcdir/t/lib/common.sh"

B=$(t_bin mxguard-outbound) || t_bail "mxguard-outbound is not built"
out=$("$B" -V); ok $? "-V exits 0"
case $out in "mxguard-outbound "[0-9]*) ok 0 "-V prints the version";; *) ok 1 "-V: $out";; esac
"$B" -h | grep -q -- '-c FILE'; ok $? "-h prints the usage"
"$B" -q > /dev/null 2>&1; t_is $? 1 "unknown option exits 1"

cat > "$T_DIR/good.conf" <<'CONF'
outbound: {
  listen = [ "lmtp:127.0.0.1:10026", "smtp:[::1]:10025" ];
  allowed_clients = [ "127.0.0.0/8", "::1" ];
  dane = "require";
  tls = "verify";
};
CONF
out=$("$B" -t -c "$T_DIR/good.conf"); ok $? "-t accepts a good outbound config"
case $out in *"good.conf is valid"*) ok 0 "-t says it is valid";; *) ok 1 "-t output: $out";; esac

cat > "$T_DIR/bad.conf" <<'CONF'
outbound: {
  dane = "sometimes";
  allowed_clients = [ "10.0.0.1/8" ];
};
CONF
"$B" -t -c "$T_DIR/bad.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t exits 1 for bad outbound values"
grep -q "bad.conf:2: outbound.dane" "$T_DIR/err"; ok $? "bad enum reported with file:line"
grep -q "bad.conf:3: outbound.allowed_clients" "$T_DIR/err"; ok $? "bad CIDR reported with file:line"

for spec in "tcp:127.0.0.1:25" "lmtp:127.0.0.1" "smtp:::1:25" "lmtp:127.0.0.1:0" "smtp:[::1]:99999"; do
	printf 'outbound: { listen = [ "%s" ]; };\n' "$spec" > "$T_DIR/listen.conf"
	"$B" -t -c "$T_DIR/listen.conf" > /dev/null 2> "$T_DIR/err"
	t_is $? 1 "-t refuses outbound.listen \"$spec\""
	grep -qF "outbound.listen: \"$spec\"" "$T_DIR/err"; ok $? "the error quotes \"$spec\""
done
printf 'outbound: { listen = [ ]; };\n' > "$T_DIR/empty.conf"
"$B" -t -c "$T_DIR/empty.conf" > /dev/null 2>&1; t_is $? 1 "-t refuses an empty outbound.listen"

"$B" -f -c "$T_DIR/good.conf" > "$T_DIR/out" 2>&1; t_is $? 1 "without -t it exits 1"
grep -q "mxguard-outbound: delivery is not implemented in this version" "$T_DIR/out"
ok $? "and says delivery is not implemented"
t_done
