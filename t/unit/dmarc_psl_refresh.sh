#!/bin/sh
# t/unit/dmarc_psl_refresh.sh - contrib/dmarc-psl-refresh.sh installs a good list
# atomically and signals mxguardd, keeps the old file when the new one is not a
# public suffix list, and the pipeline loads the installed list (and refuses a
# missing one).
. "$top_srcdir/t/lib/common.sh"
SCRIPT=$top_srcdir/contrib/dmarc-psl-refresh.sh
PSL=/usr/share/publicsuffix/public_suffix_list.dat
[ -r "$PSL" ] || t_bail "$PSL is missing (package publicsuffix, install-deps.sh build)"
MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"

# a stand-in for mxguardd: records each SIGHUP
sh -c 'trap "echo hup >>\"$1\"" HUP; echo $$ >"$2"; while :; do sleep 0.1; done' \
	sh "$T_DIR/hups" "$T_DIR/pid" &
t_on_exit "kill $!"
t_wait_file "$T_DIR/pid" 5 || t_bail "the stand-in did not start"

sh "$SCRIPT" -f "$PSL" -o "$T_DIR/psl.dat" -p "$T_DIR/pid" >"$T_DIR/out" 2>&1
t_is "$?" 0 "a good list: exit 0"
cmp -s "$PSL" "$T_DIR/psl.dat"; ok $? "it is installed as OUTPUT"
t_wait_file "$T_DIR/hups" 5; ok $? "mxguardd gets SIGHUP to reload"
printf 'milter: { authserv_id = "mx.test"; };\nstore: { lmdb = "%s/s.mdb"; };\ndmarc: { psl = "%s"; history = ""; };\ndns: { servers = [ "127.0.0.1:9" ]; };\nspf: { enabled = false; };\n' "$T_DIR" "$T_DIR/psl.dat" >"$T_DIR/m.conf"
printf 'From: a@example.com\r\n\r\nhi\r\n' >"$T_DIR/msg"
"$MXG" check -c "$T_DIR/m.conf" "$T_DIR/msg" >"$T_DIR/ct" 2>&1
t_is "$?" 0 "mxguard check runs with the installed list as dmarc.psl"

printf '// ===BEGIN ICANN DOMAINS===\ncom\n// ===BEGIN PRIVATE DOMAINS===\n' >"$T_DIR/short"
sh "$SCRIPT" -f "$T_DIR/short" -o "$T_DIR/psl.dat" -p "$T_DIR/pid" >"$T_DIR/out" 2>&1
t_is "$?" 1 "a list with 1 rule: exit 1"
grep -q 'not a public suffix list' "$T_DIR/out"; ok $? "with the reason"
cmp -s "$PSL" "$T_DIR/psl.dat"; ok $? "the old list stays in place"
ls "$T_DIR"/psl.dat.* >/dev/null 2>&1; ok $((! $?)) "no temporary file is left behind"

sed "s|$T_DIR/psl.dat|$T_DIR/none.dat|" "$T_DIR/m.conf" >"$T_DIR/bad.conf"
"$MXG" check -c "$T_DIR/bad.conf" "$T_DIR/msg" >"$T_DIR/ct" 2>&1
t_is "$?" 3 "a dmarc.psl that cannot be read: the pipeline is not built (exit 3)"
grep -q "dmarc.psl: $T_DIR/none.dat: No such file" "$T_DIR/ct"; ok $? "naming the key, the file and why"
t_done
