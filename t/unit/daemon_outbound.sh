#!/bin/sh
# daemon_outbound.sh - mxguard-outbound as a daemon: same options as
# mxguardd, validates the config (outbound.* included), listens, refuses
# clients outside outbound.allowed_clients, reloads on SIGHUP, stops on SIGTERM.
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
  user = "";
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

printf 'outbound: { tls = "require"; };\n' > "$T_DIR/tls.conf"
"$B" -t -c "$T_DIR/tls.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t refuses a TLS level Postfix does not have"

# Running: LMTP greeting for an allowed client, 554 for any other.
P1=$(t_free_port); P2=$(t_free_port)
cat > "$T_DIR/run.conf" <<CONF
outbound: {
  listen = [ "lmtp:127.0.0.1:$P1", "smtp:127.0.0.2:$P2" ];
  allowed_clients = [ "127.0.0.1" ];
  user = "";
  helo_name = "out.bed.test";
  state_dir = "$T_DIR";
};
store: { lmdb = "$T_DIR/state.mdb"; };
CONF
"$B" -f -c "$T_DIR/run.conf" > "$T_DIR/run.log" 2>&1 &
PID=$!
t_on_exit "kill $PID 2>/dev/null"
t_wait_port "$P1" 10; ok $? "it listens on the lmtp port"
greet=$(perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die; my $l = <$s>;
  print $s "LHLO mta.bed.test\r\n"; my $r = ""; while (<$s>) { $r .= $_; last if /^250 / }
  print $l, $r;' "$P1")
case $greet in "220 out.bed.test LMTP"*) ok 0 "an allowed client gets the LMTP greeting";;
	*) ok 1 "greeting: $greet";; esac
for ext in PIPELINING "SIZE 52428800" 8BITMIME SMTPUTF8 ENHANCEDSTATUSCODES DSN STARTTLS; do
	printf '%s\n' "$greet" | grep -q "^250.$ext" ; ok $? "LHLO announces $ext"
done
greet=$(perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.2:$ARGV[0]", LocalAddr => "127.0.0.2") or die;
  print scalar <$s>; print $s "EHLO x\r\n"; my $n = <$s>; print defined $n ? "more: $n" : "closed\n";' "$P2")
case $greet in "554 5.7.1 127.0.0.2: client not allowed"*closed*) ok 0 "a client outside allowed_clients gets 554 and nothing else";;
	*) ok 1 "not allowed: $greet";; esac
grep -q "refused client 127.0.0.2: not in outbound.allowed_clients" "$T_DIR/run.log"
ok $? "the refusal is logged"
# greeting - the first line the LMTP listener sends
greeting() { perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die; print scalar <$s>;' "$P1"; }
sed -i 's/out.bed.test/new.bed.test/' "$T_DIR/run.conf"
kill -HUP $PID
i=0; until greeting | grep -q "^220 new.bed.test" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
greeting | grep -q "^220 new.bed.test LMTP"; ok $? "SIGHUP reloads: new sessions use the new helo_name"
echo 'outbound: { tls = "sometimes"; };' >> "$T_DIR/run.conf"
kill -HUP $PID
i=0; until grep -q "reload failed: keeping the old configuration" "$T_DIR/run.log" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "reload failed: keeping the old configuration" "$T_DIR/run.log"; ok $? "a broken file on SIGHUP is logged"
greeting | grep -q "^220 new.bed.test LMTP"; ok $? "and the old configuration stays"
kill -TERM $PID; wait $PID; t_is $? 0 "SIGTERM stops it with exit 0"
t_done
