#!/bin/sh
# t/unit/conf_man_coverage.sh - every key of the key table is documented
# in man/mxguard.conf.5 (as a .TP entry naming it), and the man pages
# render without groff warnings.
. "$top_srcdir/t/lib/common.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
MAN5=$top_srcdir/man/mxguard.conf.5
MAN1=$top_srcdir/man/mxguard.1
command -v groff >/dev/null || t_bail "groff is missing (apt-get install groff-base)"

"$MXG" config-test --list-keys | cut -f1 >"$T_DIR/keys"
t_ok "the key table is not empty" test -s "$T_DIR/keys"
missing=""
while IFS= read -r key; do
	# the page shows keys as .B name (escaped: \- and \.)
	esc=$(printf '%s' "$key" | sed 's/-/\\\\-/g')
	grep -q "^\.B $esc\$" "$MAN5" || missing="$missing $key"
done <"$T_DIR/keys"
t_is "$missing" "" "every key of the table has an entry in mxguard.conf(5)"

# the other way: no documented key that the table does not have
extra=""
for key in $(sed -n 's/^\.B \([a-z_]*\.[a-z_.]*\)$/\1/p' "$MAN5"); do
	grep -qx "$key" "$T_DIR/keys" || extra="$extra $key"
done
t_is "$extra" "" "mxguard.conf(5) documents no key that does not exist"

# the KEYS part is what src/conf/mkman.sh makes of the table: types,
# defaults and ranges in the page are those of the code
sh "$top_srcdir/src/conf/mkman.sh" "$MXG" >"$T_DIR/keys.man"
sed -n '/^\.\\" KEYS BEGIN$/,/^\.\\" KEYS END$/p' "$MAN5" | sed '1d;$d' >"$T_DIR/page.man"
if diff -u "$T_DIR/keys.man" "$T_DIR/page.man" >"$T_DIR/diff"; then
	ok 0 "mxguard.conf(5) KEYS section matches the key table (types, defaults, ranges)"
else
	ok 1 "mxguard.conf(5) KEYS section matches the key table (types, defaults, ranges)"
	sed 's/^/# /' "$T_DIR/diff" | head -40
	echo "# regenerate it with src/conf/mkman.sh BUILDDIR/src/mxguard"
fi

for page in "$MAN5" "$MAN1"; do
	out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	t_is "$out" "" "$(basename "$page") renders without groff warnings"
done
t_done
