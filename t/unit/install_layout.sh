#!/bin/sh
# t/unit/install_layout.sh - `make install DESTDIR=...` puts the programs in
# sbin and bin, the man pages in man1/man5/man8, the example config in the
# docdir and the systemd units in systemdsystemunitdir; the installed units
# pass systemd-analyze verify (paths mapped into DESTDIR) and its offline
# security review, are sandboxed as documented, reload with SIGHUP, and
# every path they name is one make install created or one systemd makes
# for them (RuntimeDirectory, StateDirectory).
. "$top_srcdir/t/lib/common.sh"

command -v systemd-analyze >/dev/null ||
	t_bail "systemd-analyze is missing (contrib/install-deps.sh test installs systemd)"
D=$T_DIR/dest

# Ask make for the install directories of this build.
cat >"$T_DIR/print.mk" <<'EOF'
print-dirs:
	@echo "prefix=$(prefix)"; echo "sbindir=$(sbindir)"; echo "bindir=$(bindir)"
	@echo "mandir=$(mandir)"; echo "docdir=$(docdir)"
	@echo "unitdir=$(systemdsystemunitdir)"
EOF
eval "$(make -s -C "$top_builddir" -f Makefile -f "$T_DIR/print.mk" print-dirs)"
[ -n "$sbindir" ] && [ -n "$unitdir" ]
ok $? "make names the install directories (sbindir $sbindir, units $unitdir)"

make -C "$top_builddir" install DESTDIR="$D" >"$T_DIR/install.log" 2>&1
ok $? "make install DESTDIR=... succeeds" || t_diag "$(tail -n 20 "$T_DIR/install.log")"

for f in "$sbindir/mxguardd" "$sbindir/mxguard-outbound" "$bindir/mxguard"; do
	[ -f "$D$f" ] && [ -x "$D$f" ]
	ok $? "program $f is installed and executable"
done
for f in man8/mxguardd.8 man8/mxguard-outbound.8 man1/mxguard.1 man5/mxguard.conf.5; do
	[ -s "$D$mandir/$f" ]
	ok $? "man page $mandir/$f is installed"
done
[ -s "$D$docdir/examples/mxguard.conf.example" ]
ok $? "the example config is in the docdir ($docdir/examples)"
"$D$bindir/mxguard" config-test -c "$D$docdir/examples/mxguard.conf.example"
ok $? "the installed mxguard accepts the installed example config"

# unit_paths UNIT - every absolute path the unit names, one per line:
# KIND PATH (KIND exec, doc, rw, rw-optional)
unit_paths() {
	awk -F= '
	/^Exec[A-Za-z]*=/ { sub(/^[-@+!:]*/, "", $2); split($2, w, " "); print "exec", w[1] }
	/^Documentation=/ { n = split($2, w, " "); for (i = 1; i <= n; i++) print "doc", w[i] }
	/^ReadWritePaths=/ { n = split($2, w, " ");
		for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print "rw-optional", substr(w[i], 2); else print "rw", w[i] }' "$1"
}
# unit_value UNIT KEY - the value of KEY= in the unit
unit_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }

for name in mxguardd mxguard-outbound; do
	u=$D$unitdir/$name.service
	[ -s "$u" ]; ok $? "$name.service is installed in $unitdir" || continue
	! grep -q '@[a-z]*@' "$u"
	ok $? "$name.service: every @dir@ placeholder is filled in"

	# systemd's own checks, on a copy whose installed paths point into DESTDIR.
	sed "s|$prefix/|$D$prefix/|g" "$u" >"$T_DIR/$name.service"
	out=$(systemd-analyze verify --man=no "$T_DIR/$name.service" 2>&1)
	ok $? "$name.service: systemd-analyze verify accepts it"
	t_is "$out" "" "$name.service: systemd-analyze verify has no warning"
	sec=$(systemd-analyze security --offline=true --threshold=40 "$T_DIR/$name.service" 2>&1)
	ok $? "$name.service: systemd-analyze security exposure at most 4.0 ($(echo "$sec" |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]* [A-Z]*\).*/\1/p'))"

	for kv in "ProtectSystem=strict" "PrivateTmp=yes" "NoNewPrivileges=yes" \
		"ExecReload=/bin/kill -HUP \$MAINPID" "Type=simple"; do
		grep -qxF "$kv" "$u"
		ok $? "$name.service: $kv"
	done
	caps=$(unit_value "$u" CapabilityBoundingSet)
	extra=$(echo "$caps" | tr ' ' '\n' | grep -v -x -e CAP_NET_BIND_SERVICE -e CAP_CHOWN \
		-e CAP_FOWNER -e CAP_DAC_OVERRIDE -e CAP_SETUID -e CAP_SETGID | tr '\n' ' ')
	[ -n "$caps" ] && [ -z "$extra" ]
	ok $? "$name.service: CapabilityBoundingSet keeps only bind/socket/switch-user capabilities${extra:+ (extra: $extra)}"
	rtdir=/run/$(unit_value "$u" RuntimeDirectory)
	stdir=/var/lib/$(unit_value "$u" StateDirectory)
	[ "$rtdir" != /run/ ] && [ "$stdir" != /var/lib/ ]
	ok $? "$name.service: RuntimeDirectory ($rtdir) and StateDirectory ($stdir)"

	bad=
	unit_paths "$u" >"$T_DIR/$name.paths"
	while read -r kind path; do
		case $kind:$path in
		exec:"$prefix"/*) [ -x "$D$path" ] || bad="$bad $path(not installed)" ;;
		exec:*) [ -x "$path" ] || bad="$bad $path(not on this system)" ;;
		doc:man:*)
			page=${path#man:}; sec=${page#*(}; sec=${sec%)}; page=${page%%(*}
			[ -s "$D$mandir/man$sec/$page.$sec" ] || bad="$bad $path(no man page)" ;;
		rw:"$rtdir" | rw:"$stdir") ;;
		rw:*) bad="$bad $path(writable but neither RuntimeDirectory nor StateDirectory)" ;;
		rw-optional:*) ;;
		*) bad="$bad $kind:$path(unexpected)" ;;
		esac
	done <"$T_DIR/$name.paths"
	t_is "${bad:-none}" none "$name.service: every path it names is installed or made by systemd"
done

# The daemons' own default paths live where the units let them write.
lmdb=$("$D$bindir/mxguard" config-test --dump -c /dev/null 2>/dev/null |
	sed -n 's/^ *lmdb = "\(.*\)";.*/\1/p' | head -n 1)
case $lmdb in
/var/lib/mxguard/*) r=0 ;;
*) r=1 ;;
esac
ok $r "the default store.lmdb ($lmdb) is inside StateDirectory /var/lib/mxguard"
grep -q '^ReadWritePaths=.*-/var/spool/postfix/mxguard' "$D$unitdir/mxguardd.service"
ok $? "mxguardd.service may write the Postfix chroot socket directory of contrib/postfix/milter.main.cf"
t_done
