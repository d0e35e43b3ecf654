# t/lib/mx.sh - receiving MX hosts and a sending Postfix for mxguard-outbound
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/postfix.sh"
#	. "$top_srcdir/t/lib/mx.sh"
#	MX_PORT=$(t_free_port)
#	t_mx_start || t_bail "no MX"
#	t_mx_listener 127.0.0.2 mx.example.test	# TLS with certs/mx.example.test.*
#	t_mx_listener 127.0.0.6			# no TLS
#	t_mx_reload || t_bail "MX listeners"
#	t_mx_got rcpt@example.test && ...
#	t_outbound_start "$(t_dns_conf)" || t_bail "no proxy"
#	t_mta_start || t_bail "no sending Postfix"
#	t_postfix_send --to rcpt@example.test
#
# DESCRIPTION
#	t_mx_start
#		A private Postfix (t/lib/postfix.sh) that plays every receiving
#		MX: it accepts mail for any domain from 127.0.0.0/8 and relays
#		it to its own smtp-sink. Sets MX_DIR, MX_SINK_DIR, MX_MAILLOG.
#	t_mx_listener ADDR [CERTNAME]
#		Adds an smtpd on ADDR:MX_PORT (syslog name mx-ADDR), with
#		STARTTLS offered using $T_CERT_DIR/CERTNAME.chain.pem and .key
#		when CERTNAME is given (made by t_cert_new).
#	t_mx_reload
#		postfix reload, then waits until every listener answers.
#	t_mx_got RCPT
#		True when the MX's sink holds a message for RCPT.
#	t_mx_wait_got RCPT [SECONDS]
#		Waits (default 20 s) until t_mx_got RCPT.
#	t_outbound_start CONF-LINES...
#		Starts mxguard-outbound in the foreground on a free LMTP port
#		(OB_PORT) and, when OB_SMTP_PORT is set, an SMTP listener on
#		it; next hops on MX_PORT, helo_name out.bed.test,
#		user "", state_dir $T_DIR/outbound-state (unless OB_KEYS
#		sets one), $OB_KEYS inside the outbound group (more keys),
#		plus the given config lines (t_dns_conf etc.). Its
#		log (stderr) is OB_LOG, with debug lines unless OB_FLAGS is
#		set (to "" for none). Stopped at exit.
#	t_flaky_start ADDR MODE
#		Starts t/lib/mx_flaky.pl on ADDR:MX_PORT (modes die, dot,
#		accept: see that script), logging to $T_DIR/flaky.ADDR.log
#		(FLAKY_LOG); stopped at exit. Waits until it listens.
#	t_mta_start [KEY=VALUE...]
#		A sending Postfix (a new t/lib/postfix.sh instance, so PF_*
#		point at it afterwards) configured with the lines of
#		contrib/postfix/outbound.main.cf and outbound.master.cf, the
#		proxy port instead of 10026.
#	t_mta_wait_status RCPT STATUS [SECONDS]
#		Waits until the sending Postfix logged to=<RCPT> ... status=STATUS.
# DIAGNOSTICS
#	Functions return 0 on success, 1 after "# " diagnostics.

# t_mx_start - the receiving Postfix
t_mx_start() {
	t_postfix_start "" "smtpd_tls_security_level = none" || return 1
	MX_DIR=$PF_DIR MX_SINK_DIR=$PF_SINK_DIR MX_MAILLOG=$PF_MAILLOG
	T_MX_ADDRS=""
}

# t_mx_listener - one more smtpd on ADDR:MX_PORT, with TLS when CERTNAME is given
t_mx_listener() {
	{
		printf '%s:%s inet n - n - - smtpd\n  -o syslog_name=mx-%s\n' "$1" "$MX_PORT" "$1"
		[ -n "${2:-}" ] && printf '  -o smtpd_tls_security_level=may\n  -o smtpd_tls_chain_files=%s,%s\n' \
			"$T_CERT_DIR/$2.key" "$T_CERT_DIR/$2.chain.pem"
	} >>"$MX_DIR/etc/master.cf"
	T_MX_ADDRS="$T_MX_ADDRS $1"
}

# t_mx_reload - apply the listeners and wait for them
t_mx_reload() {
	postfix -c "$MX_DIR/etc" reload >/dev/null 2>&1 || { t_diag "t_mx_reload: reload failed"; return 1; }
	for _a in $T_MX_ADDRS; do
		_i=0
		until perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(PeerAddr=>$ARGV[0], PeerPort=>$ARGV[1], Timeout=>1) ? 0 : 1)' "$_a" "$MX_PORT"; do
			_i=$((_i + 1))
			[ "$_i" -lt 100 ] || { t_diag "t_mx_reload: nothing on $_a:$MX_PORT" "$(tail -5 "$MX_MAILLOG")"; return 1; }
			sleep 0.1
		done
	done
}

# t_mx_got - does the MX's sink hold a message for RCPT?
t_mx_got() {
	grep -qsF "<$1>" "$MX_SINK_DIR"/* 2>/dev/null
}

# t_mx_wait_got - wait until the MX's sink holds a message for RCPT
t_mx_wait_got() {
	_i=0
	while [ "$_i" -lt $((${2:-20} * 10)) ]; do
		t_mx_got "$1" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# t_outbound_start - the proxy under test
t_outbound_start() {
	OB_PORT=$(t_free_port) || return 1
	OB_LOG=$T_DIR/outbound.log
	# the STARTTLS certificate is kept in the test's own state_dir (the default is /var/lib/mxguard)
	_sd=""
	case ${OB_KEYS:-} in *state_dir*) ;; *) mkdir -p -m 700 "$T_DIR/outbound-state"
		_sd="state_dir = \"$T_DIR/outbound-state\"; " ;; esac
	{
		printf 'outbound: { listen = [ "lmtp:127.0.0.1:%s"%s ]; port = %s; user = "";\n' "$OB_PORT" \
			"${OB_SMTP_PORT:+, \"smtp:127.0.0.1:$OB_SMTP_PORT\"}" "$MX_PORT"
		printf '  helo_name = "out.bed.test"; connect_timeout_s = 5; %s%s };\n' "$_sd" "${OB_KEYS:-}"
		for _l in "$@"; do printf '%s\n' "$_l"; done
		# a store of the test's own (the default is /var/lib/mxguard)
		case "$*" in *store:*) ;; *) printf 'store: { lmdb = "%s/outbound-state.mdb"; };\n' "$T_DIR" ;; esac
	} >"$T_DIR/outbound.conf"
	_b=$(t_bin mxguard-outbound) || return 1
	# shellcheck disable=SC2086
	"$_b" -f ${OB_FLAGS--v} -c "$T_DIR/outbound.conf" </dev/null >"$OB_LOG" 2>&1 &
	T_OB_PID=$!
	t_on_exit "kill $T_OB_PID"
	t_wait_port "$OB_PORT" 10 || { t_diag "mxguard-outbound did not start:" "$(cat "$OB_LOG")"; return 1; }
}

# t_flaky_start - a next hop that fails on purpose
t_flaky_start() {
	FLAKY_LOG=$T_DIR/flaky.$1.log
	perl "$top_srcdir/t/lib/mx_flaky.pl" "$1" "$MX_PORT" "$2" "$FLAKY_LOG" </dev/null \
		>>"$FLAKY_LOG.err" 2>&1 &
	t_on_exit "kill $!"
	_i=0
	until grep -q "^ready $2" "$FLAKY_LOG" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || { t_diag "mx_flaky.pl $1 $2 did not start:" "$(cat "$FLAKY_LOG.err")"; return 1; }
		sleep 0.1
	done
}

# t_mta_start - the sending Postfix, set up with contrib/postfix/outbound.*
t_mta_start() {
	set -- "relayhost =" "$@"
	while IFS= read -r _l; do
		case $_l in '#'*|'') continue ;; esac
		set -- "$@" "$(printf '%s' "$_l" | sed "s/127.0.0.1:10026/127.0.0.1:$OB_PORT/")"
	done <"$top_srcdir/contrib/postfix/outbound.main.cf"
	t_postfix_start "" "$@" || return 1
	grep -v '^#' "$top_srcdir/contrib/postfix/outbound.master.cf" >>"$PF_DIR/etc/master.cf"
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1 || { t_diag "t_mta_start: reload failed"; return 1; }
}

# t_mta_wait_status - wait until the sending Postfix logged STATUS for RCPT
t_mta_wait_status() {
	_i=0
	while [ "$_i" -lt $((${3:-30} * 10)) ]; do
		grep -q "to=<$1>.* status=$2" "$PF_MAILLOG" 2>/dev/null && return 0
		[ $((_i % 20)) -eq 19 ] && postqueue -c "$PF_DIR/etc" -f >/dev/null 2>&1
		sleep 0.1; _i=$((_i + 1))
	done
	t_diag "no status=$2 for $1 in the sending Postfix's log:" "$(grep "to=<$1>" "$PF_MAILLOG" | tail -3)"
	return 1
}
