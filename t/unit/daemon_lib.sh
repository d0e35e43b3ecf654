# t/unit/daemon_lib.sh - helpers for the mxguardd tests (source after common.sh)
#
#   d_conf FILE [EXTRA-MILTER-SETTINGS]  write a config: socket inet:$D_PORT@127.0.0.1,
#                                  milter.user "", pidfile $T_DIR/mxguardd.pid, verbose 2,
#                                  SPF off (these tests have no DNS; SPF has its own tests)
#   d_start CONF [ARGS...]         start mxguardd -f -c CONF in the background, output in
#                                  $D_LOG, pid in $D_PID; killed at exit; waits for the pidfile
#   d_stop                         SIGTERM and wait (at most 10 s) for the process to end
#   d_wait_log REGEX [SECONDS]     wait until $D_LOG has a line matching REGEX
#   d_alive                        is $D_PID still running?
D_BIN=$(t_bin mxguardd) || t_bail "mxguardd is not built"
D_PORT=$(t_free_port)
D_LOG=$T_DIR/mxguardd.log
D_PIDFILE=$T_DIR/mxguardd.pid
D_PID=

d_conf() {
	cat > "$1" <<CONF
milter: {
  socket = "inet:$D_PORT@127.0.0.1";
  user = "";
  pidfile = "$D_PIDFILE";
  ${2:-}
};
log: { verbose = 2; };
spf: { enabled = false; };
dmarc: { enabled = false; };
CONF
}

# d_conf_bed DNS_TIMEOUT_MS - the head of an e2e config, on stdout: the
# milter on D_PORT answering as AUTHSERV, verbose logs, a store in T_DIR and
# the DNS bed's resolver (t_dns_conf of t/lib/dns.sh)
d_conf_bed() {
	cat <<CONF
milter: {
  socket = "inet:$D_PORT@127.0.0.1";
  user = "";
  pidfile = "$D_PIDFILE";
  authserv_id = "$AUTHSERV";
  timeout_s = 60;
};
log: { verbose = 1; };
store: { lmdb = "$T_DIR/state.mdb"; };
$(t_dns_conf "$1")
CONF
}

d_start() {
	_conf=$1; shift
	: > "$D_LOG"
	"$D_BIN" -f -c "$_conf" "$@" >> "$D_LOG" 2>&1 &
	D_PID=$!
	t_on_exit "kill -9 $D_PID"
	t_wait_file "$D_PIDFILE" 10 || { t_diag "mxguardd did not start:" "$(cat "$D_LOG")"; return 1; }
}

d_alive() { [ -n "$D_PID" ] && kill -0 "$D_PID" 2>/dev/null; }

d_stop() {
	kill -TERM "$D_PID" 2>/dev/null
	_i=0
	while d_alive && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	! d_alive
}

d_wait_log() {
	_i=0
	while [ $_i -lt $((${2:-10} * 10)) ]; do
		grep -Eq "$1" "$D_LOG" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	t_diag "no log line matching $1 in:" "$(cat "$D_LOG")"
	return 1
}
