# t/lib/exim.sh - a private Exim 4.96 on loopback, as a next hop
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/exim.sh"
#	EX_PORT=$(t_free_port)
#	t_exim_start "*" [CERT KEY] || t_bail "exim did not start"
#	t_exim_stop
#	t_exim_received		# the <= lines of its main log
#
# DESCRIPTION
#	Debian's Exim (exim4-daemon-light), extracted by
#	contrib/exim/fetch-test-exim.sh into MXG_EXIM_ROOT (default
#	/var/cache/mxguard/exim; fetched on first use), runs as root in the
#	foreground (-bdf) inside a private mount namespace (unshare -m) where
#	/etc/passwd and /etc/group name a Debian-exim user (uid 64999; Exim
#	refuses uid 0) and an overlay puts the extracted binaries on
#	/usr/sbin (Exim re-executes itself as /usr/sbin/exim4).
#
#	t_exim_start ADVERTISE [CERT KEY]
#		Starts Exim on 127.0.0.1:EX_PORT with
#		pipelining_connect_advertise_hosts = ADVERTISE ("*" or ":"),
#		log_selector +pipelining +tls_sni +smtp_connection, queue_only (accepted mail
#		stays in its spool), every recipient accepted; STARTTLS with
#		CERT and KEY when given. Logs in EX_DIR/log (EX_MAINLOG,
#		EX_REJECTLOG). Each call makes a new EX_DIR but keeps the
#		port; the previous instance must be stopped first.
#	t_exim_stop
#		Kills the current instance and waits until the port is free.
#	t_exim_received
#		The "<=" (message received) lines of the main log.
#
# DIAGNOSTICS
#	Functions return 0 on success, 1 after printing "# " diagnostics.

MXG_EXIM_ROOT=${MXG_EXIM_ROOT:-/var/cache/mxguard/exim}
T_EXIM_N=0

# t_exim_fetch - make sure the extracted Exim is there
t_exim_fetch() {
	[ -x "$MXG_EXIM_ROOT/usr/sbin/exim4" ] && return 0
	sh "$top_srcdir/contrib/exim/fetch-test-exim.sh" "$MXG_EXIM_ROOT" >"$T_DIR/exim-fetch.log" 2>&1 || {
		t_diag "Exim is not in $MXG_EXIM_ROOT and could not be fetched" \
			"(run contrib/install-deps.sh test):" "$(cat "$T_DIR/exim-fetch.log")"
		return 1
	}
}

# t_exim_start - a new instance on EX_PORT
t_exim_start() {
	t_exim_fetch || return 1
	[ -n "${EX_PORT:-}" ] || { t_diag "t_exim_start: EX_PORT not set"; return 1; }
	T_EXIM_N=$((T_EXIM_N + 1))
	EX_DIR=$T_DIR/exim.$T_EXIM_N
	mkdir -p "$EX_DIR/spool" "$EX_DIR/log"
	EX_MAINLOG=$EX_DIR/log/mainlog EX_REJECTLOG=$EX_DIR/log/rejectlog
	{ grep -v '^Debian-exim:' /etc/passwd; echo 'Debian-exim:x:64999:64999::/nonexistent:/bin/false'; } >"$EX_DIR/passwd"
	{ grep -v '^Debian-exim:' /etc/group; echo 'Debian-exim:x:64999:'; } >"$EX_DIR/group"
	_tls="tls_advertise_hosts = :"
	if [ -n "${2:-}" ]; then
		cp "$2" "$EX_DIR/cert.pem" && cp "$3" "$EX_DIR/key.pem" || return 1
		_tls="tls_advertise_hosts = *
tls_certificate = $EX_DIR/cert.pem
tls_privatekey = $EX_DIR/key.pem"
	fi
	cat >"$EX_DIR/exim.conf" <<EOC
primary_hostname = exim.test
spool_directory = $EX_DIR/spool
log_file_path = $EX_DIR/log/%slog
log_selector = +pipelining +tls_sni +smtp_connection
keep_environment =
daemon_smtp_ports = $EX_PORT
local_interfaces = 127.0.0.1
pipelining_connect_advertise_hosts = $1
daemon_startup_retries = 0
queue_only = true
$_tls
acl_smtp_rcpt = acl_rcpt
begin acl
acl_rcpt:
  accept
begin routers
blackhole:
  driver = redirect
  data = :blackhole:
EOC
	chown -R 64999:64999 "$EX_DIR/spool" "$EX_DIR/log" "$EX_DIR/key.pem" 2>/dev/null
	chown 64999 "$EX_DIR/spool" "$EX_DIR/log"
	cat >"$EX_DIR/run.sh" <<EOC
mount --bind $EX_DIR/passwd /etc/passwd &&
mount --bind $EX_DIR/group /etc/group &&
mount -t overlay overlay -o lowerdir=$MXG_EXIM_ROOT/usr/sbin:/usr/sbin /usr/sbin || exit 1
exec /usr/sbin/exim4 -C $EX_DIR/exim.conf -bdf
EOC
	unshare -m sh "$EX_DIR/run.sh" </dev/null >"$EX_DIR/out.log" 2>&1 &
	T_EXIM_PID=$!
	t_on_exit "kill $T_EXIM_PID 2>/dev/null"
	t_wait_port "$EX_PORT" 10 || {
		t_diag "exim did not start:" "$(cat "$EX_DIR/out.log" "$EX_MAINLOG" "$EX_DIR/log/paniclog" 2>/dev/null)"
		return 1
	}
}

# t_exim_stop - kill the current instance
t_exim_stop() {
	kill "$T_EXIM_PID" 2>/dev/null
	wait "$T_EXIM_PID" 2>/dev/null
	_i=0
	while perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(PeerAddr=>"127.0.0.1", PeerPort=>$ARGV[0], Timeout=>1) ? 0 : 1)' "$EX_PORT"; do
		_i=$((_i + 1))
		[ "$_i" -lt 50 ] || { t_diag "t_exim_stop: port $EX_PORT still open"; return 1; }
		sleep 0.1
	done
}

# t_exim_received - the <= lines
t_exim_received() {
	grep ' <= ' "$EX_MAINLOG" 2>/dev/null
}
