# t/lib/dns.sh - a private DNS bed: nsd (authoritative) + unbound (validating)
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/dns.sh"
#	t_dns_zone example.test <<'EOF'
#	@	A	192.0.2.1
#	www	CNAME	@
#	EOF
#	t_dns_zone_signed signed.test <<'EOF'
#	@	TXT	"v=spf1 -all"
#	EOF
#	t_dns_zone_bogus bogus.test <<'EOF'
#	@	A	192.0.2.9
#	EOF
#	t_dns_servfail servfail.test
#	t_dns_timeout timeout.test
#	t_dns_start || t_bail "dns bed did not start"
#	dnsq -s "127.0.0.1:$DNS_PORT" A example.test
#
# DESCRIPTION
#	Every function works under $T_DIR/dns and kills what it started with
#	t_on_exit. Declare every zone first, then call t_dns_start once.
#
#	t_dns_zone NAME [FILE]
#		Adds an unsigned zone served by nsd. The records come from FILE
#		or, without FILE, from standard input (a here-doc). They are
#		relative to NAME ($ORIGIN is NAME., $TTL 300); the helper adds
#		the SOA and NS records, so do not write them.
#	t_dns_zone_signed NAME [FILE]
#		The same, signed with fresh ECDSAP256SHA256 keys (a KSK and a
#		ZSK, NSEC3) valid from yesterday to 30 days from now. unbound
#		trusts the zone's KSK, so answers from it carry the AD bit.
#	t_dns_zone_bogus NAME [FILE]
#		A signed zone whose signatures expired in 2020 while unbound
#		trusts its KSK: every query in it is answered SERVFAIL.
#	t_dns_servfail NAME
#		unbound sends NAME to a server that refuses it (nsd without
#		that zone): SERVFAIL on demand, at once. NAME must lie outside
#		the declared zones (nsd would answer it from its parent zone).
#	t_dns_timeout NAME
#		unbound forwards NAME to a UDP/TCP port where a process reads
#		and never answers (see t_dns_blackhole).
#	t_dns_blackhole
#		Starts a process that binds a free port (UDP and TCP), reads
#		queries and never answers; sets DNS_BLACKHOLE_PORT. Call it
#		directly, not in $(...), so that it is stopped at exit.
#	t_dns_txt STRING
#		Prints STRING as a TXT rdata: double-quoted chunks of at most
#		255 bytes (the wire limit of one character-string), so long
#		records such as DKIM keys go in zone files unchanged.
#	t_dns_start
#		Starts nsd on NSD_PORT and unbound on DNS_PORT (both exported,
#		free ports on 127.0.0.1, UDP and TCP) and waits until both answer.
#		unbound validates (module-config "validator iterator", no root
#		anchor: every name outside the signed zones is insecure) and
#		reaches nsd through stub zones. Names outside the declared
#		zones are SERVFAIL (the root is a stub to nsd, which refuses
#		it): nothing leaves the machine. Reverse zones such as
#		2.0.192.in-addr.arpa work like any other. Zone files are checked
#		with nsd-checkzone first. Returns 1 after printing the error or
#		the daemons' logs as TAP diagnostics when something does not start.
#	t_dns_conf [TIMEOUT_MS]
#		After t_dns_start: prints the mxguard.conf group that points
#		mxguard's resolver at the bed's unbound (dns.servers, a short
#		timeout, dnssec on, no cache), to append to a test's config.
#
# DIAGNOSTICS
#	Functions return 0 on success and 1 with a "# " diagnostic on failure;
#	callers use `t_dns_start || t_bail "..."`.
#
# STANDARDS
#	RFC 1035 (zone files, character-strings), RFC 4033-4035 and 5155
#	(DNSSEC, NSEC3), RFC 6761 (the .test TLD that unbound serves by default).

T_DNS_DIR=$T_DIR/dns
T_DNS_ZONES=""		# "name file" lines for nsd
T_DNS_STUBS=""		# "name port" lines for unbound stub zones
T_DNS_ANCHORS=""	# KSK .key files for unbound
mkdir -p "$T_DNS_DIR/zones" "$T_DNS_DIR/keys"

# t_dns_write_zone - write the zone file for NAME from FILE or stdin, print its path
t_dns_write_zone() {
	_z=${1%.}
	_f=$T_DNS_DIR/zones/$_z.zone
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$_z"
		printf '@\tSOA\tns.%s. hostmaster.%s. 1 3600 900 604800 300\n' "$_z" "$_z"
		printf '@\tNS\tns.%s.\n' "$_z"
		if [ $# -ge 2 ]; then cat "$2"; else cat; fi
	} >"$_f" || return 1
	echo "$_f"
}

# t_dns_add - register a zone file with nsd and a stub zone with unbound
t_dns_add() {
	T_DNS_ZONES="$T_DNS_ZONES$1 $2
"
	T_DNS_STUBS="$T_DNS_STUBS$1 nsd
"
}

# t_dns_zone - add an unsigned zone
t_dns_zone() {
	_f=$(t_dns_write_zone "$@") || { t_diag "t_dns_zone: cannot write $1"; return 1; }
	t_dns_add "${1%.}" "$_f"
}

# t_dns_sign - sign zone file IN for NAME into OUT with fresh keys, INCEPTION EXPIRATION
t_dns_sign() {
	_n=$1; _in=$2; _out=$3; _inc=$4; _exp=$5
	_kd=$T_DNS_DIR/keys/$_n
	mkdir -p "$_kd" || return 1
	# ldns-keygen writes K<name>+013+<id>.{key,private,ds} into the cwd
	# and prints the base name.
	_ksk=$(cd "$_kd" && ldns-keygen -a ECDSAP256SHA256 -k "$_n" 2>&1) ||
		{ t_diag "ldns-keygen KSK for $_n failed: $_ksk"; return 1; }
	_zsk=$(cd "$_kd" && ldns-keygen -a ECDSAP256SHA256 "$_n" 2>&1) ||
		{ t_diag "ldns-keygen ZSK for $_n failed: $_zsk"; return 1; }
	_err=$(ldns-signzone -n -i "$_inc" -e "$_exp" -o "$_n." -f "$_out" \
		"$_in" "$_kd/$_ksk" "$_kd/$_zsk" 2>&1) ||
		{ t_diag "ldns-signzone $_n failed: $_err"; return 1; }
	T_DNS_ANCHORS="$T_DNS_ANCHORS$_kd/$_ksk.key
"
}

# t_dns_zone_signed - add a DNSSEC-signed zone with a trusted KSK
t_dns_zone_signed() {
	_n=${1%.}
	_f=$(t_dns_write_zone "$@") || { t_diag "t_dns_zone_signed: cannot write $_n"; return 1; }
	# ldns-signzone takes absolute dates (YYYYMMDD[hhmmss] or epoch
	# seconds), not "+30d"; start yesterday to tolerate clock skew.
	_inc=$(date -u -d '-1 day' +%Y%m%d%H%M%S)
	_exp=$(date -u -d '+30 days' +%Y%m%d%H%M%S)
	t_dns_sign "$_n" "$_f" "$_f.signed" "$_inc" "$_exp" || return 1
	t_dns_add "$_n" "$_f.signed"
}

# t_dns_zone_bogus - add a signed zone whose signatures have expired
t_dns_zone_bogus() {
	_n=${1%.}
	_f=$(t_dns_write_zone "$@") || { t_diag "t_dns_zone_bogus: cannot write $_n"; return 1; }
	t_dns_sign "$_n" "$_f" "$_f.signed" 20200101000000 20200201000000 || return 1
	t_dns_add "$_n" "$_f.signed"
}

# t_dns_blackhole - start a UDP+TCP listener that never answers on DNS_BLACKHOLE_PORT
t_dns_blackhole() {
	# Sets a variable rather than printing: in $(...) the t_on_exit
	# registration would be lost with the subshell and the process leak.
	DNS_BLACKHOLE_PORT=$(t_free_port) || { t_diag "t_dns_blackhole: no free port"; return 1; }
	_ready=$T_DNS_DIR/blackhole.$DNS_BLACKHOLE_PORT
	perl -MIO::Socket::INET -e '
	  my $u = IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>$ARGV[0], Proto=>"udp") or die "udp: $!";
	  my $t = IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>$ARGV[0], Proto=>"tcp", Listen=>16, ReuseAddr=>1) or die "tcp: $!";
	  open(my $r, ">", $ARGV[1]) and close $r;
	  my @keep; my $rin = ""; vec($rin, fileno($u), 1) = 1; vec($rin, fileno($t), 1) = 1;
	  while (1) {
	    select(my $rout = $rin, undef, undef, undef) > 0 or next;
	    if (vec($rout, fileno($u), 1)) { my $b; $u->recv($b, 65535); }
	    if (vec($rout, fileno($t), 1)) { my $c = $t->accept; push @keep, $c if $c; }
	  }' "$DNS_BLACKHOLE_PORT" "$_ready.ready" </dev/null >"$_ready.log" 2>&1 &
	t_on_exit "t_dns_kill $!"
	t_wait_file "$_ready.ready" 10 || {
		t_diag "t_dns_blackhole: listener on $DNS_BLACKHOLE_PORT did not start:" "$(cat "$_ready.log")"
		return 1
	}
}

# t_dns_servfail - make unbound answer SERVFAIL for NAME (stub to a refusing server)
t_dns_servfail() {
	# A stub to a closed port does give SERVFAIL, but unbound 1.17 first
	# retries it for about 15 s. nsd answers REFUSED for a zone it does not
	# serve, and unbound turns that into SERVFAIL at once.
	T_DNS_STUBS="$T_DNS_STUBS${1%.} nsd
"
}

# t_dns_timeout - make queries for NAME hang (stub to a blackhole)
t_dns_timeout() {
	t_dns_blackhole || return 1
	T_DNS_STUBS="$T_DNS_STUBS${1%.} $DNS_BLACKHOLE_PORT
"
}

# t_dns_kill - stop PID and wait until it is gone (it writes state files at exit)
t_dns_kill() {
	kill "$1" 2>/dev/null || return 0
	_i=0
	while kill -0 "$1" 2>/dev/null && [ "$_i" -lt 50 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	return 0
}

# t_dns_txt - print STRING as quoted character-strings of <= 255 bytes
t_dns_txt() {
	printf '%s' "$1" | perl -e '
	  local $/; my $s = <STDIN>; my @p;
	  push @p, substr($s, 0, 255, "") while length $s;
	  @p = ("") unless @p;
	  s/(["\\])/\\$1/g for @p;
	  print join(" ", map { "\"$_\"" } @p), "\n";'
}

# t_dns_nsd_conf - write nsd.conf for the declared zones
t_dns_nsd_conf() {
	cat <<EOF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	do-ip6: no
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$T_DNS_DIR"
	pidfile: "$T_DNS_DIR/nsd.pid"
	logfile: "$T_DNS_DIR/nsd.log"
	xfrdfile: "$T_DNS_DIR/nsd.xfrd.state"
	xfrdir: "$T_DNS_DIR"
	zonelistfile: "$T_DNS_DIR/nsd.zonelist"
	server-count: 1
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
EOF
	printf '%s' "$T_DNS_ZONES" | while read -r _n _f; do
		[ -n "$_n" ] && printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$_n" "$_f"
	done
}

# t_dns_unbound_conf - write unbound.conf: validator, stubs, trust anchors
t_dns_unbound_conf() {
	cat <<EOF
server:
	interface: 127.0.0.1
	port: $DNS_PORT
	do-ip6: no
	username: ""
	chroot: ""
	directory: "$T_DNS_DIR"
	pidfile: "$T_DNS_DIR/unbound.pid"
	use-syslog: no
	logfile: "$T_DNS_DIR/unbound.log"
	verbosity: 1
	val-log-level: 2
	num-threads: 1
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	module-config: "validator iterator"
	val-permissive-mode: no
	harden-dnssec-stripped: yes
	qname-minimisation: no
	unblock-lan-zones: yes
	insecure-lan-zones: yes
	local-zone: "test." nodefault
	local-zone: "invalid." nodefault
	local-zone: "127.in-addr.arpa." nodefault
EOF
	printf '%s' "$T_DNS_ANCHORS" | while read -r _k; do
		[ -n "$_k" ] && printf '\ttrust-anchor-file: "%s"\n' "$_k"
	done
	printf 'remote-control:\n\tcontrol-enable: no\n'
	# The root goes to nsd too, which refuses it: names outside the
	# declared zones get SERVFAIL at once, and no test query ever leaves
	# the machine for the real root servers.
	printf 'stub-zone:\n\tname: "."\n\tstub-addr: 127.0.0.1@%s\n' "$NSD_PORT"
	printf '%s' "$T_DNS_STUBS" | while read -r _n _p; do
		[ -n "$_n" ] || continue
		[ "$_p" = nsd ] && _p=$NSD_PORT
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 127.0.0.1@%s\n' "$_n" "$_p"
	done
}

# t_dns_fail - print a daemon's log as TAP diagnostics and fail
t_dns_fail() {
	t_diag "t_dns_start: $1 did not start; its log:"
	[ -s "$2" ] && t_diag "$(tail -n 30 "$2")"
	return 1
}

# t_dns_start - start nsd and unbound for the declared zones
t_dns_start() {
	NSD_PORT=$(t_free_port) && DNS_PORT=$(t_free_port) ||
		{ t_diag "t_dns_start: no free port"; return 1; }
	export NSD_PORT DNS_PORT
	t_dns_nsd_conf >"$T_DNS_DIR/nsd.conf"
	t_dns_unbound_conf >"$T_DNS_DIR/unbound.conf"
	_err=$(nsd-checkconf "$T_DNS_DIR/nsd.conf" 2>&1) ||
		{ t_diag "nsd-checkconf: $_err"; return 1; }
	# nsd starts even with a broken zone (and serves nothing for it):
	# check every zone first for an immediate, precise error.
	_err=$(printf '%s' "$T_DNS_ZONES" | while read -r _n _f; do
		[ -n "$_n" ] || continue
		_o=$(nsd-checkzone "$_n" "$_f" 2>&1) || printf '%s\n' "$_o"
	done)
	[ -z "$_err" ] || { t_diag "t_dns_start: bad zone:" "$_err"; return 1; }
	_err=$(unbound-checkconf "$T_DNS_DIR/unbound.conf" 2>&1) ||
		{ t_diag "unbound-checkconf: $_err"; return 1; }

	# -d keeps both in the foreground, so $! is the daemon itself.
	nsd -d -c "$T_DNS_DIR/nsd.conf" </dev/null >>"$T_DNS_DIR/nsd.log" 2>&1 &
	T_NSD_PID=$!
	t_on_exit "t_dns_kill $T_NSD_PID"
	unbound -d -c "$T_DNS_DIR/unbound.conf" </dev/null >>"$T_DNS_DIR/unbound.log" 2>&1 &
	T_UNBOUND_PID=$!
	t_on_exit "t_dns_kill $T_UNBOUND_PID"

	t_wait_port "$NSD_PORT" 10 && kill -0 "$T_NSD_PID" 2>/dev/null ||
		{ t_dns_fail nsd "$T_DNS_DIR/nsd.log"; return 1; }
	t_wait_port "$DNS_PORT" 10 && kill -0 "$T_UNBOUND_PID" 2>/dev/null ||
		{ t_dns_fail unbound "$T_DNS_DIR/unbound.log"; return 1; }
	# nsd opens its port before it has loaded the zones: wait until the
	# first zone answers authoritatively.
	_first=$(printf '%s' "$T_DNS_ZONES" | sed -n '1s/ .*//p')
	[ -z "$_first" ] || t_dns_wait_soa "$_first" ||
		{ t_dns_fail "nsd (zone $_first)" "$T_DNS_DIR/nsd.log"; return 1; }
	return 0
}

# t_dns_conf - print the mxguard.conf dns group for the bed's unbound
t_dns_conf() {
	printf 'dns: { servers = [ "127.0.0.1:%s" ]; timeout_ms = %s; retries = 1; dnssec = true; cache_size = 0; };\n' \
		"$DNS_PORT" "${1:-2000}"
}

# t_dns_wait_soa - wait until nsd answers the SOA of zone NAME
t_dns_wait_soa() {
	_i=0
	while [ "$_i" -lt 100 ]; do
		drill -p "$NSD_PORT" SOA "$1" @127.0.0.1 2>/dev/null |
			grep -q 'rcode: NOERROR' && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}
