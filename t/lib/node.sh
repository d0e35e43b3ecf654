# t/lib/node.sh - node.js test peers from t/node (vendored npm packages)
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/node.sh"
#	t_node_check				# skips the test without node
#	t_node_peer ADDR PORT CERTNAME [hide-requiretls|no-starttls]
#	t_node_send PORT FROM TO [starttls] [requiretls] [smtp] <MESSAGE
#
# DESCRIPTION
#	t_node_check
#		Skips the whole test (TAP SKIP) when node is missing.
#	t_node_peer ADDR PORT CERTNAME [OPTION...]
#		Starts t/node/smtp_peer.js (smtp-server with REQUIRETLS) on
#		ADDR:PORT with $T_CERT_DIR/CERTNAME.chain.pem and .key (made by
#		t_cert_new), logging to $T_DIR/peer.ADDR.log (PEER_LOG); waits
#		until it listens; stopped at exit.
#	t_node_send PORT FROM TO[,TO] [OPTION...]
#		t/node/smtp_send.js: one message from standard input to the
#		proxy's LMTP (or SMTP) port; prints the replies (see that file).
# DIAGNOSTICS
#	Functions return 0 on success, 1 after "# " diagnostics.

# t_node_check - skip without node
t_node_check() {
	command -v node >/dev/null 2>&1 || t_skip_all "node is not installed (apt-get install nodejs)"
}

# t_node_peer - an smtp-server peer on ADDR:PORT
t_node_peer() {
	_addr=$1 _port=$2 _cn=$3
	shift 3
	PEER_LOG=$T_DIR/peer.$_addr.log
	node "$top_srcdir/t/node/smtp_peer.js" "$_addr" "$_port" "$T_CERT_DIR/$_cn.chain.pem" \
		"$T_CERT_DIR/$_cn.key" "$PEER_LOG" "$@" </dev/null >"$PEER_LOG.err" 2>&1 &
	t_on_exit "kill $!"
	t_wait_file_line "$PEER_LOG" '^ready$' 100 || {
		t_diag "smtp_peer.js on $_addr:$_port did not start:" "$(cat "$PEER_LOG.err")"
		return 1
	}
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
