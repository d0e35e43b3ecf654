# t/lib/node.sh - node.js test peers from t/node (vendored npm packages)
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/node.sh"
#	t_node_peer ADDR PORT CERTNAME [hide-requiretls|no-starttls]
#	t_node_send PORT FROM TO [starttls] [requiretls] [smtp] <MESSAGE
#	t_node_sts ADDR PORT CERTNAME DIR
#
# DESCRIPTION
#		Skips the whole test (TAP SKIP) when node is missing.
#	t_node_run SCRIPT LOG ARG...
#		Runs node t/node/SCRIPT LOG ARG... in the background (stopped
#		at exit) and waits until LOG has a "ready" line.
#	t_node_peer ADDR PORT CERTNAME [OPTION...]
#		Starts t/node/smtp_peer.js (smtp-server with REQUIRETLS) on
#		ADDR:PORT with $T_CERT_DIR/CERTNAME.chain.pem and .key (made by
#		t_cert_new), logging to $T_DIR/peer.ADDR.log (PEER_LOG); waits
#		until it listens; stopped at exit.
#	t_node_send PORT FROM TO[,TO] [OPTION...]
#		t/node/smtp_send.js: one message from standard input to the
#		proxy's LMTP (or SMTP) port; prints the replies (see that file).
#	t_node_sts ADDR PORT CERTNAME DIR
#		Starts t/node/https_policy.js, an MTA-STS policy server on
#		ADDR:PORT serving DIR/DOMAIN.txt for Host mta-sts.DOMAIN,
#		logging to $T_DIR/sts.log (STS_LOG); stopped at exit.
# DIAGNOSTICS
#	Functions return 0 on success, 1 after "# " diagnostics.

# t_node_run - run t/node/SCRIPT logging to LOG (its stderr in LOG.err) until it says "ready"
t_node_run() {
	_script=$1 _log=$2
	shift 2
	node "$top_srcdir/t/node/$_script" "$_log" "$@" </dev/null >"$_log.err" 2>&1 &
	t_on_exit "kill $!"
	t_wait_file_line "$_log" '^ready$' 100 || {
		t_diag "$_script $1:$2 did not start:" "$(cat "$_log.err")"
		return 1
	}
}

# t_node_peer - an smtp-server peer on ADDR:PORT
t_node_peer() {
	_addr=$1 _port=$2 _cn=$3
	shift 3
	PEER_LOG=$T_DIR/peer.$_addr.log
	t_node_run smtp_peer.js "$PEER_LOG" "$_addr" "$_port" "$T_CERT_DIR/$_cn.chain.pem" \
		"$T_CERT_DIR/$_cn.key" "$@"
}

# t_wait_file_line - wait until FILE has a line matching RE (TENTHS of a second)
t_wait_file_line() {
	_i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -lt "$3" ] || return 1
		sleep 0.1
	done
}

# t_node_send - one message to the proxy
t_node_send() {
	node "$top_srcdir/t/node/smtp_send.js" "$@"
}

# t_node_sts - an HTTPS MTA-STS policy server
t_node_sts() {
	STS_LOG=$T_DIR/sts.log
	t_node_run https_policy.js "$STS_LOG" "$1" "$2" "$T_CERT_DIR/$3.chain.pem" \
		"$T_CERT_DIR/$3.key" "$4"
}
