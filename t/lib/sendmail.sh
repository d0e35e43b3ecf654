# t/lib/sendmail.sh - a private Sendmail 8.17 instance relaying to smtp-sink
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/sendmail.sh"
#	t_sendmail_start "inet:$PORT@127.0.0.1" || t_bail "sendmail did not start"
#	t_sendmail_start "local:$T_DIR/m.sock" tls auth
#	t_sendmail_send --to rcpt@remote.test --header "Subject: hello"
#	t_sendmail_wait_delivered 1 || ...
#
# DESCRIPTION
#	Debian's Sendmail (sendmail-bin, sendmail-cf), extracted by
#	contrib/sendmail/fetch-test-sendmail.sh into MXG_SENDMAIL_ROOT
#	(default /var/cache/mxguard/sendmail; fetched on first use), runs
#	as root from its own .mc/.cf, queue and pid file under SM_DIR
#	($T_DIR/sendmail.N), inside a private mount and UTS namespace
#	(unshare -m -u) whose host name is mx.sm.test and whose /etc/hosts
#	names it: Sendmail wants a fully qualified name or sleeps 60 s.
#
#	t_sendmail_start MILTER-SPEC [tls] [auth] [M4-LINE...]
#		Starts smtp-sink on a free port (messages in SM_SINK_DIR, one
#		file each, smtp-sink -d format) and Sendmail listening on
#		127.0.0.1:SM_PORT with the filter
#		INPUT_MAIL_FILTER(`mxguard', `S=MILTER-SPEC, F=T, T=...')
#		("" for none) and the macro lists of contrib/sendmail/mxguard.mc
#		(the same file the guide documents), relaying remote.test from
#		any client and everything from 127.0.0.1 to
#		[127.0.0.1]:SM_SINK_PORT. "tls" adds STARTTLS with a
#		certificate made now (t/lib/certs.sh); "auth" adds SMTP AUTH
#		PLAIN/LOGIN against a private sasldb with user SM_AUTH_USER,
#		password SM_AUTH_PASS (Cyrus SASL's Sendmail.conf comes from a
#		directory bind-mounted over /usr/lib/sasl2 in the namespace).
#		Further arguments are extra .mc lines. Each call makes a new
#		instance and points the SM_* variables at it; every instance
#		is killed at exit. The queue is run every 5 s (-q5s; set
#		SM_QUEUE_INTERVAL="" for none, e.g. with queueonly delivery).
#		Variables: SM_DIR, SM_PORT, SM_SINK_PORT,
#		SM_SINK_DIR, SM_BIN, SM_CF, SM_LOG (Sendmail's -X transcript
#		of SMTP and milter traffic; there is no syslog here).
#	t_sendmail_send [SWAKS-OPTIONS...]
#		swaks to the current instance (--from sender@bed.test, --to
#		rcpt@remote.test unless given); transcript in SM_LAST_SEND.
#	t_sendmail_wait_delivered N [SECONDS]
#		Waits (default 30 s) until the sink holds N message files and
#		the transcript shows N "250 2.0.0 Ok" replies of the sink to
#		the end of data (before that a file may be half written).
#	t_sendmail_sink_files
#		The sink's message files, oldest first.
#	t_sendmail_stop
#		Kills the current instance and its sink now.
#
# DIAGNOSTICS
#	Functions return 0 on success, 1 after printing "# " diagnostics.
#
# STANDARDS
#	RFC 5321 (SMTP), RFC 4954 (AUTH), RFC 3207 (STARTTLS); Sendmail's
#	cf/README for the .mc macros.

MXG_SENDMAIL_ROOT=${MXG_SENDMAIL_ROOT:-/var/cache/mxguard/sendmail}
SM_BIN=$MXG_SENDMAIL_ROOT/usr/libexec/sendmail/sendmail
SM_AUTH_USER=smuser
SM_AUTH_PASS=sm-secret-42
T_SM_N=0

# t_sendmail_fetch - make sure the extracted Sendmail is there
t_sendmail_fetch() {
	[ -x "$SM_BIN" ] && return 0
	sh "$top_srcdir/contrib/sendmail/fetch-test-sendmail.sh" "$MXG_SENDMAIL_ROOT" >"$T_DIR/sm-fetch.log" 2>&1 || {
		t_diag "Sendmail is not in $MXG_SENDMAIL_ROOT and could not be fetched" \
			"(run contrib/install-deps.sh test):" "$(cat "$T_DIR/sm-fetch.log")"
		return 1
	}
}

# t_sendmail_mc - write SM_DIR/sm.mc for MILTER-SPEC, TLS/AUTH flags and extra lines
t_sendmail_mc() {
	_spec=$1; shift
	_cfdir=$MXG_SENDMAIL_ROOT/usr/share/sendmail/cf
	{
		echo "divert(-1)"
		echo "# sm.mc of a private test instance (t/lib/sendmail.sh)"
		echo "divert(0)dnl"
		echo "include(\`$_cfdir/m4/cf.m4')dnl"
		# linux, not debian: the debian OSTYPE hard-codes /etc/mail.
		echo "OSTYPE(\`linux')dnl"
		echo "define(\`confHOST_STATUS_DIRECTORY', \`')dnl"
		echo "define(\`QUEUE_DIR', \`$SM_DIR/queue')dnl"
		echo "define(\`confPID_FILE', \`$SM_DIR/sendmail.pid')dnl"
		echo "define(\`STATUS_FILE', \`$SM_DIR/statistics')dnl"
		echo "define(\`ALIAS_FILE', \`')dnl"
		echo "define(\`confSERVICE_SWITCH_FILE', \`$SM_DIR/service.switch')dnl"
		echo "define(\`confHOSTS_FILE', \`$SM_DIR/hosts')dnl"
		echo "define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl"
		echo "define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl"
		echo "define(\`confTO_IDENT', \`0')dnl"
		echo "define(\`confDELIVERY_MODE', \`background')dnl"
		echo "define(\`confLOG_LEVEL', \`14')dnl"
		echo "define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl"
		echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $SM_SINK_PORT')dnl"
		echo "FEATURE(\`no_default_msa')dnl"
		echo "FEATURE(\`nocanonify')dnl"
		echo "FEATURE(\`accept_unresolvable_domains')dnl"
		echo "RELAY_DOMAIN(\`remote.test')dnl"
		echo "DAEMON_OPTIONS(\`Family=inet, Addr=127.0.0.1, Port=$SM_PORT, Name=MTA-test')dnl"
		if [ -n "$T_SM_TLS" ]; then
			echo "define(\`confCACERT_PATH', \`$T_CERT_DIR')dnl"
			echo "define(\`confCACERT', \`$T_CERT_DIR/smca.crt')dnl"
			echo "define(\`confSERVER_CERT', \`$T_CERT_DIR/mx.sm.test.crt')dnl"
			echo "define(\`confSERVER_KEY', \`$T_CERT_DIR/mx.sm.test.key')dnl"
		fi
		if [ -n "$T_SM_AUTH" ]; then
			echo "define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN')dnl"
			echo "TRUST_AUTH_MECH(\`PLAIN LOGIN')dnl"
		fi
		if [ -n "$_spec" ]; then
			echo "INPUT_MAIL_FILTER(\`mxguard', \`S=$_spec, F=T, T=C:10s;S:30s;R:30s;E:5m')dnl"
			# The tested macro lists, shared with the guide.
			grep '^define(`confMILTER_MACROS_' "$top_srcdir/contrib/sendmail/mxguard.mc"
		fi
		for _l in "$@"; do echo "$_l"; done
		echo "MAILER(\`smtp')dnl"
	} >"$SM_DIR/sm.mc"
}

# t_sendmail_fail - print what the instance said and fail
t_sendmail_fail() {
	t_diag "t_sendmail_start: $1"
	for _f in "$SM_DIR/start.log" "$SM_LOG"; do
		[ -s "$_f" ] && t_diag "$_f:" "$(tail -n 30 "$_f")"
	done
	return 1
}

# t_sendmail_tls - a CA and a certificate for mx.sm.test (t/lib/certs.sh)
t_sendmail_tls() {
	[ -n "${T_CERT_DIR:-}" ] || . "$top_srcdir/t/lib/certs.sh"
	[ -f "$T_CERT_DIR/mx.sm.test.crt" ] && return 0
	t_ca_new smca && t_cert_new smca mx.sm.test mx.sm.test 127.0.0.1 || return 1
	chmod 600 "$T_CERT_DIR/mx.sm.test.key"
}

# t_sendmail_sasl - a sasldb with SM_AUTH_USER and Sendmail.conf pointing at it
t_sendmail_sasl() {
	command -v saslpasswd2 >/dev/null ||
		{ t_diag "saslpasswd2 is missing (install sasl2-bin)"; return 1; }
	mkdir -p "$SM_DIR/sasl2"
	printf '%s\n' "pwcheck_method: auxprop" "auxprop_plugin: sasldb" \
		"mech_list: PLAIN LOGIN" "sasldb_path: $SM_DIR/sasldb2" >"$SM_DIR/sasl2/Sendmail.conf"
	printf '%s' "$SM_AUTH_PASS" |
		saslpasswd2 -p -c -f "$SM_DIR/sasldb2" -u mx.sm.test "$SM_AUTH_USER" || return 1
	chmod 600 "$SM_DIR/sasldb2"
}

# t_sendmail_sink_start - smtp-sink capturing messages into SM_SINK_DIR
t_sendmail_sink_start() {
	mkdir -p "$SM_SINK_DIR" || return 1
	smtp-sink -u root -d "$SM_SINK_DIR/%s." "127.0.0.1:$SM_SINK_PORT" 100 \
		</dev/null >"$SM_DIR/sink.log" 2>&1 &
	T_SM_SINK_PID=$!
	t_on_exit "kill $T_SM_SINK_PID"
	t_wait_port "$SM_SINK_PORT" 10 || { t_diag "smtp-sink did not start"; return 1; }
}

# t_sendmail_start - start a new private instance, optionally with a milter
t_sendmail_start() {
	_spec=${1:-}
	[ $# -gt 0 ] && shift
	T_SM_TLS= T_SM_AUTH=
	while [ $# -gt 0 ]; do
		case $1 in
		tls) T_SM_TLS=1 ;;
		auth) T_SM_AUTH=1 ;;
		*) break ;;
		esac
		shift
	done
	t_sendmail_fetch || return 1
	T_SM_N=$((T_SM_N + 1))
	SM_DIR=$T_DIR/sendmail.$T_SM_N
	SM_SINK_DIR=$SM_DIR/sink
	SM_LOG=$SM_DIR/transcript
	SM_CF=$SM_DIR/sm.cf
	SM_PORT=$(t_free_port) && SM_SINK_PORT=$(t_free_port) ||
		{ t_diag "t_sendmail_start: no free port"; return 1; }
	export SM_DIR SM_PORT SM_SINK_PORT SM_SINK_DIR SM_LOG
	mkdir -p "$SM_DIR/queue" && chmod 700 "$SM_DIR/queue" || return 1
	printf 'hosts\tfiles\n' >"$SM_DIR/service.switch"
	printf '127.0.0.1\tmx.sm.test mx localhost\n' >"$SM_DIR/hosts"
	: >"$SM_DIR/statistics"
	if [ -n "$T_SM_TLS" ]; then t_sendmail_tls || return 1; fi
	if [ -n "$T_SM_AUTH" ]; then t_sendmail_sasl || return 1; fi
	t_sendmail_mc "$_spec" "$@"
	m4 "$SM_DIR/sm.mc" >"$SM_CF" 2>"$SM_DIR/m4.log" ||
		{ t_diag "m4 failed:" "$(cat "$SM_DIR/m4.log")"; return 1; }
	t_sendmail_sink_start || return 1
	# The namespace keeps the host name, /etc/hosts and the SASL config
	# private; sendmail -bd forks its daemon inside it and returns.
	cat >"$SM_DIR/run.sh" <<EOF
hostname mx.sm.test
mount --bind "$SM_DIR/hosts" /etc/hosts
[ -d "$SM_DIR/sasl2" ] && mount --bind "$SM_DIR/sasl2" /usr/lib/sasl2
exec "$SM_BIN" -C "$SM_CF" -bd ${SM_QUEUE_INTERVAL--q5s} -X "$SM_LOG"
EOF
	unshare -m -u sh "$SM_DIR/run.sh" >"$SM_DIR/start.log" 2>&1 </dev/null ||
		{ t_sendmail_fail "sendmail -bd failed"; return 1; }
	t_wait_file "$SM_DIR/sendmail.pid" 20 ||
		{ t_sendmail_fail "no pid file"; return 1; }
	T_SM_PID=$(head -n 1 "$SM_DIR/sendmail.pid")
	t_on_exit "kill $T_SM_PID"
	t_wait_port "$SM_PORT" 20 || { t_sendmail_fail "no listener on $SM_PORT"; return 1; }
}

# t_sendmail_stop - kill the current instance and its sink
t_sendmail_stop() {
	kill "$T_SM_PID" "$T_SM_SINK_PID" 2>/dev/null
	return 0
}

# t_sendmail_send - send one message with swaks to the current instance
t_sendmail_send() {
	T_SM_SENDS=$(( ${T_SM_SENDS:-0} + 1 ))
	SM_LAST_SEND=$SM_DIR/swaks.$T_SM_SENDS.log
	swaks --server "127.0.0.1:$SM_PORT" --helo client.bed.test \
		--from sender@bed.test --to rcpt@remote.test \
		--timeout 60 "$@" >"$SM_LAST_SEND" 2>&1
}

# t_sendmail_sink_files - the sink's message files, oldest first
t_sendmail_sink_files() {
	ls -tr "$SM_SINK_DIR" 2>/dev/null | sed "s|^|$SM_SINK_DIR/|"
}

# t_sendmail_count_accepted - how many messages Sendmail accepted from clients
t_sendmail_count_accepted() {
	grep -c '^[0-9]* >>> 250 2\.0\.0 [^ ]* Message accepted' "$SM_LOG" 2>/dev/null || true
}

# t_sendmail_count_sent - how many messages the sink acknowledged
t_sendmail_count_sent() {
	grep -c '^[0-9]* <<< 250 2\.0\.0 Ok' "$SM_LOG" 2>/dev/null || true
}

# t_sendmail_wait_delivered - wait until the sink holds N messages
t_sendmail_wait_delivered() {
	_want=$1; _s=${2:-30}; _i=0
	while [ "$_i" -lt $((_s * 10)) ]; do
		[ "$(t_sendmail_sink_files | wc -l)" -ge "$_want" ] &&
			[ "$(t_sendmail_count_sent)" -ge "$_want" ] && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	t_diag "t_sendmail_wait_delivered: want $_want, sink holds $(t_sendmail_sink_files | wc -l)" \
		"transcript:" "$(tail -n 20 "$SM_LOG" 2>/dev/null)"
	return 1
}
