# t/lib/postfix.sh - a private Postfix instance relaying to smtp-sink
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/postfix.sh"
#	t_postfix_start || t_bail "postfix did not start"
#	t_postfix_start "inet:127.0.0.1:$MILTER_PORT"	# a second instance, with a milter
#	t_postfix_send --to rcpt@remote.test --header "Subject: hello"
#	t_postfix_wait_delivered 1 || ...
#	grep -l "Subject: hello" $(t_postfix_sink_files)
#
# DESCRIPTION
#	t_postfix_start [MILTER-SPEC] [KEY=VALUE...]
#		Starts smtp-sink on a free port and a Postfix instance with its
#		own config, queue and data directories under PF_DIR
#		($T_DIR/postfix.N), an SMTP listener on 127.0.0.1:PF_PORT
#		(free), every service unchrooted, no local delivery
#		(mydestination empty), relaying everything from 127.0.0.0/8 to [127.0.0.1]:PF_SINK_PORT without
#		DNS. remote.test is a relay domain: mail to it is accepted from
#		any client, and clients other than 127.0.0.1 can be played with
#		XCLIENT (authorized from 127.0.0.0/8: swaks --xclient-addr IP
#		--xclient-name NAME), so the milter sees that client; mail to
#		other domains from such a client is refused (Relay access
#		denied). MILTER-SPEC (e.g. inet:127.0.0.1:8891, "" for none) goes to
#		smtpd_milters with milter_default_action = tempfail. Each
#		KEY=VALUE is applied with postconf -e before the start. Each call
#		makes a new instance and points the PF_* variables at it; all of
#		them are stopped (postfix stop, sink killed) at exit.
#		Variables: PF_DIR, PF_PORT, PF_SINK_PORT, PF_SINK_DIR (one file
#		per message, smtp-sink -d format: X-Client-Addr, X-Helo-Args,
#		X-Mail-Args, X-Rcpt-Args headers, then the message), PF_MAILLOG.
#	t_postfix_send [SWAKS-OPTIONS...]
#		swaks to the current instance (--from sender@bed.test and
#		--to rcpt@remote.test unless given; options given later win).
#		Its transcript goes to $PF_DIR/swaks.N.log, whose name is left
#		in PF_LAST_SEND; returns swaks' exit status (0 only when the
#		message was accepted; a 4xx/5xx reply shows as "<** CODE" lines).
#	t_postfix_wait_delivered N [SECONDS]
#		Waits (default 30 s) until the instance logged N deliveries
#		(status=sent) and the sink holds N message files. It flushes the
#		queue while waiting. Returns 1 with the maillog tail as TAP
#		diagnostics otherwise.
#	t_postfix_sink_files
#		Prints the sink's message files, oldest first.
#	t_postfix_stop
#		Stops the current instance and its sink now.
#	t_postfix_halt DIR
#		postfix stop for the instance in DIR, then waits (up to 10 s)
#		until its master process is gone (what t_on_exit runs).
#
#	Startup takes about 3 s (postfix(1) prepares the fresh queue); start
#	one instance per configuration a test needs, not one per message.
#
# DIAGNOSTICS
#	Functions return 0 on success, 1 after printing "# " diagnostics
#	(for a failed start: the maillog and the postfix command's output).
#
# STANDARDS
#	RFC 5321 (SMTP). Postfix MILTER_README for the milter settings.

T_PF_N=0

# t_postfix_conf - write main.cf and master.cf for an instance in PF_DIR
t_postfix_conf() {
	cat >"$PF_DIR/etc/main.cf" <<EOF
# main.cf of a private test instance (t/lib/postfix.sh)
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.bed.test
mydomain = bed.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# remote.test stands for "our" inbound domain: any client, including one
# simulated with XCLIENT, may send to it; relaying elsewhere needs
# mynetworks. Everything goes to the sink through relayhost.
relay_domains = remote.test
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# Tests play arbitrary SMTP clients (SPF, DMARC) with swaks --xclient-addr.
smtpd_authorized_xclient_hosts = 127.0.0.0/8
relayhost = [127.0.0.1]:$PF_SINK_PORT
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
maillog_file = $PF_MAILLOG
maillog_file_prefixes = $PF_DIR
biff = no
smtputf8_enable = no
# Fail fast: a test never waits for a retry.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 5s
smtpd_milters = ${T_PF_MILTER}
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 30s
milter_mail_macros = i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}
milter_data_macros = i
milter_end_of_header_macros = i
milter_end_of_data_macros = i
EOF
	# Every service unchrooted: the queue directory is private and holds
	# none of the files a chroot needs.
	cat >"$PF_DIR/etc/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# t_postfix_fail - print the instance's logs as TAP diagnostics and fail
t_postfix_fail() {
	t_diag "t_postfix_start: $1"
	[ -s "$2" ] && t_diag "$(tail -n 30 "$2")"
	[ -s "$PF_MAILLOG" ] && t_diag "maillog:" "$(tail -n 30 "$PF_MAILLOG")"
	return 1
}

# t_postfix_sink_start - start smtp-sink capturing messages into PF_SINK_DIR
t_postfix_sink_start() {
	mkdir -p "$PF_SINK_DIR" || return 1
	# -d: one file per transaction (%s = epoch seconds keeps names sortable),
	# 100 = listen backlog; -u root: stay root (no privilege switch).
	smtp-sink -u root -d "$PF_SINK_DIR/%s." "127.0.0.1:$PF_SINK_PORT" 100 \
		</dev/null >"$PF_DIR/sink.log" 2>&1 &
	T_PF_SINK_PID=$!
	t_on_exit "kill $T_PF_SINK_PID"
	t_wait_port "$PF_SINK_PORT" 10 || {
		t_postfix_fail "smtp-sink did not start" "$PF_DIR/sink.log"
		return 1
	}
}

# t_postfix_start - start a new private instance, optionally with a milter
t_postfix_start() {
	T_PF_MILTER=${1:-}
	[ $# -gt 0 ] && shift
	T_PF_N=$((T_PF_N + 1))
	PF_DIR=$T_DIR/postfix.$T_PF_N
	PF_SINK_DIR=$PF_DIR/sink
	PF_MAILLOG=$PF_DIR/maillog
	PF_PORT=$(t_free_port) && PF_SINK_PORT=$(t_free_port) ||
		{ t_diag "t_postfix_start: no free port"; return 1; }
	export PF_DIR PF_PORT PF_SINK_PORT PF_SINK_DIR PF_MAILLOG
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" &&
		chown postfix "$PF_DIR/data" || return 1
	t_postfix_conf || return 1
	for _kv in "$@"; do
		postconf -c "$PF_DIR/etc" -e "$_kv" || { t_diag "postconf -e $_kv failed"; return 1; }
	done
	t_postfix_sink_start || return 1
	# postfix(1) prepares the queue (owners, modes), checks the config
	# and starts master in the background.
	t_on_exit "t_postfix_halt '$PF_DIR'"
	postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.log" 2>&1 || {
		# postfix(1) prints its fatal errors only to a terminal (else to
		# syslog, absent here): ask again through a pseudo-terminal.
		script -qec "postfix -c '$PF_DIR/etc' start" /dev/null \
			</dev/null >>"$PF_DIR/start.log" 2>&1
		t_postfix_fail "postfix start failed" "$PF_DIR/start.log"
		return 1
	}
	t_wait_port "$PF_PORT" 20 ||
		{ t_postfix_fail "smtpd does not listen on $PF_PORT" "$PF_DIR/start.log"; return 1; }
}

# t_postfix_halt - stop the instance in DIR and wait until its master is gone
t_postfix_halt() {
	_mpid=$(sed -n '1s/[^0-9]//gp' "$1/queue/pid/master.pid" 2>/dev/null)
	postfix -c "$1/etc" stop >/dev/null 2>&1
	[ -n "$_mpid" ] || return 0
	_i=0
	# A zombie counts as gone: init reaps the daemonized master late.
	while [ "$_i" -lt 100 ] && [ -r "/proc/$_mpid/stat" ] &&
		! sed 's/.*) //' "/proc/$_mpid/stat" 2>/dev/null | grep -q '^[ZX]'; do
		sleep 0.1; _i=$((_i + 1))
	done
	return 0
}

# t_postfix_stop - stop the current instance and its sink
t_postfix_stop() {
	t_postfix_halt "$PF_DIR"
	kill "$T_PF_SINK_PID" 2>/dev/null
	return 0
}

# t_postfix_send - send one message with swaks to the current instance
t_postfix_send() {
	T_PF_SENDS=$(( ${T_PF_SENDS:-0} + 1 ))
	PF_LAST_SEND=$PF_DIR/swaks.$T_PF_SENDS.log
	swaks --server "127.0.0.1:$PF_PORT" --helo client.bed.test \
		--from sender@bed.test --to rcpt@remote.test \
		--timeout 60 "$@" >"$PF_LAST_SEND" 2>&1
}

# t_postfix_sink_files - print the sink's message files, oldest first
t_postfix_sink_files() {
	ls -tr "$PF_SINK_DIR" 2>/dev/null | sed "s|^|$PF_SINK_DIR/|"
}

# t_postfix_count_sent - print how many deliveries the maillog shows
t_postfix_count_sent() {
	grep -c ' status=sent ' "$PF_MAILLOG" 2>/dev/null || true
}

# t_postfix_wait_delivered - wait until N messages reached the sink
t_postfix_wait_delivered() {
	_want=$1; _s=${2:-30}; _i=0
	while [ "$_i" -lt $((_s * 10)) ]; do
		_sent=$(t_postfix_count_sent)
		_files=$(t_postfix_sink_files | wc -l)
		[ "$_sent" -ge "$_want" ] && [ "$_files" -ge "$_want" ] && return 0
		[ $((_i % 20)) -eq 19 ] && postqueue -c "$PF_DIR/etc" -f >/dev/null 2>&1
		sleep 0.1; _i=$((_i + 1))
	done
	t_diag "t_postfix_wait_delivered: want $_want, maillog shows $_sent sent, sink holds $_files" \
		"maillog:" "$(tail -n 20 "$PF_MAILLOG" 2>/dev/null)"
	return 1
}
