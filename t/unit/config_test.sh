#!/bin/sh
# t/unit/config_test.sh - `mxguard config-test`: silent on a good file,
# every error with FILE:LINE on a bad one (golden files in t/data/conf),
# --dump round trip, and the command line of the mxguard program.
. "$top_srcdir/t/lib/common.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
DATA=$top_srcdir/t/data/conf

# the example documents every section and must pass, printing nothing
"$MXG" config-test -c "$top_srcdir/contrib/mxguard.conf.example" >"$T_DIR/out" 2>"$T_DIR/err"
ok $? "config-test accepts contrib/mxguard.conf.example"
t_is "$(cat "$T_DIR/out" "$T_DIR/err")" "" "config-test prints nothing for a good file"

# the example shows every section of DESIGN.md section 4, plus log
missing=""
for section in log milter dns store spf dkim arc dmarc dcc lists rules events outbound; do
	grep -q "^$section: {" "$top_srcdir/contrib/mxguard.conf.example" || missing="$missing $section"
done
t_is "$missing" "" "contrib/mxguard.conf.example has every section"

# golden: each bad file reports exactly the expected lines, exit status 1
for name in bad-three bad-many bad-syntax bad-duplicate; do
	(cd "$DATA" && "$MXG" config-test -c "$name.conf") >"$T_DIR/out" 2>"$T_DIR/err"
	t_is "$?" 1 "config-test exits 1 on $name.conf"
	if diff -u "$DATA/$name.expected" "$T_DIR/err" >"$T_DIR/diff"; then
		ok 0 "config-test reports every error of $name.conf with FILE:LINE (golden)"
	else
		ok 1 "config-test reports every error of $name.conf with FILE:LINE (golden)"
		sed 's/^/# /' "$T_DIR/diff"
	fi
	t_is "$(cat "$T_DIR/out")" "" "nothing on stdout for $name.conf"
done
t_is "$(grep -c . "$DATA/bad-three.expected")" 3 "bad-three.conf: unknown key, wrong type and bad CIDR all listed"

# --dump prints the effective config; it loads back to the same dump
"$MXG" config-test -c "$top_srcdir/contrib/mxguard.conf.example" --dump >"$T_DIR/d1.conf"
ok $? "config-test --dump succeeds"
"$MXG" config-test -c "$T_DIR/d1.conf" >"$T_DIR/err" 2>&1
ok $? "the dump is a valid config file"
"$MXG" config-test -c "$T_DIR/d1.conf" --dump >"$T_DIR/d2.conf"
t_is "$(sed 1d "$T_DIR/d1.conf")" "$(sed 1d "$T_DIR/d2.conf")" "dump -> config-test --dump gives the same config"
grep -q '^  timeout_s = 300;' "$T_DIR/d1.conf"
ok $? "--dump includes defaults of keys the file leaves out"
printf 'store: { redis_password = "s3cret-pw"; };\n' >"$T_DIR/pw.conf"
"$MXG" config-test -c "$T_DIR/pw.conf" --dump >"$T_DIR/pw.dump"
! grep -q 's3cret-pw' "$T_DIR/pw.dump" && grep -q 'redis_password = "\*\*\*\*\*\*\*\*";' "$T_DIR/pw.dump"
ok $? "--dump masks the Redis password"

# a missing file is an error, not the defaults
"$MXG" config-test -c "$T_DIR/nonexistent.conf" 2>"$T_DIR/err"
t_is "$?" 1 "config-test -c on a missing file exits 1"
t_is "$(cat "$T_DIR/err")" "$T_DIR/nonexistent.conf: cannot open: No such file or directory" "and says why"

# --list-keys: one line per key, five TAB-separated fields
"$MXG" config-test --list-keys >"$T_DIR/keys"
ok $? "config-test --list-keys succeeds"
t_is "$(awk -F '\t' 'NF != 5' "$T_DIR/keys")" "" "every key line has name, type, default, range, doc"
grep -q '^milter.trusted_hosts	CIDR list	\[ "127.0.0.0/8", "::1" \]	-	' "$T_DIR/keys"
ok $? "--list-keys shows type and default"

# the program's own command line
"$MXG" --help >"$T_DIR/out"
ok $? "mxguard --help exits 0"
grep -q 'config-test' "$T_DIR/out"
ok $? "mxguard --help lists config-test"
t_is "$("$MXG" -V)" "mxguard 0.1.0" "mxguard -V prints the version"
"$MXG" no-such-command 2>"$T_DIR/err"
t_is "$?" 2 "an unknown command exits 2"
"$MXG" config-test -c 2>/dev/null
t_is "$?" 2 "-c without a file is a usage error"
"$MXG" config-test --bogus 2>/dev/null
t_is "$?" 2 "an unknown option is a usage error"
"$MXG" help config-test | grep -q -- '--dump'
ok $? "mxguard help config-test describes --dump"

t_done
