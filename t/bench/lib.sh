#!/bin/sh
# t/bench/lib.sh - helpers shared by the t/bench scripts (sourced after
# t/lib/common.sh, and t/lib/postfix.sh for quiet_sink/wait_sent):
#	say TEXT...		print a line of figures
#	now			seconds since the epoch, with nanoseconds
#	cpu_ticks PID		utime + stime of a process, in clock ticks
#	rss_kib PID		resident set size in KiB
#	quiet_sink		replace the bed's capturing smtp-sink by one that keeps nothing
#	wait_sent N SECONDS	wait until Postfix's maillog shows N deliveries
#	bench_resolver LABEL	an unbound on 127.0.0.1:53 forwarding to the DNS bed
#				(DNS_PORT) and /etc/resolv.conf bind-mounted to it, for
#				peers that use the system resolver; only inside the
#				bench's own mount namespace. Exits 0 (benchmarks never
#				fail) when it cannot start.
#	peer_start NAME PIDFILE CMD...	start a peer milter; its pid in PEER_PID

say() { printf '%s\n' "$*"; }
now() { date +%s.%N; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# peer_start NAME PIDFILE CMD... - start a peer milter (logs in $T_DIR/NAME.log)
# in the background; its pid in PEER_PID once it wrote PIDFILE
peer_start() {
	_name=$1 _pidf=$2
	shift 2
	rm -f "$_pidf"
	"$@" >"$T_DIR/$_name.log" 2>&1 &
	PEER_PID=$!
	t_on_exit "kill $PEER_PID"
	t_wait_file "$_pidf" 10 ||
		{ say "$_name did not start:"; cat "$T_DIR/$_name.log"; return 1; }
}

quiet_sink() {
	kill "$T_PF_SINK_PID" 2>/dev/null
	wait "$T_PF_SINK_PID" 2>/dev/null
	smtp-sink -u root -c "127.0.0.1:$PF_SINK_PORT" 1000 </dev/null >"$PF_DIR/qsink.log" 2>&1 &
	T_PF_SINK_PID=$!
	t_on_exit "kill $T_PF_SINK_PID"
	t_wait_port "$PF_SINK_PORT" 10
}

wait_sent() {
	_i=0
	while [ "$(t_postfix_count_sent)" -lt "$1" ] && [ $_i -lt $(($2 * 10)) ]; do
		[ $((_i % 50)) -eq 49 ] && postqueue -c "$PF_DIR/etc" -f >/dev/null 2>&1
		sleep 0.1; _i=$((_i + 1))
	done
	[ "$(t_postfix_count_sent)" -ge "$1" ]
}

bench_resolver() {
	cat >"$T_DIR/u53.conf" <<EOC
server:
	interface: 127.0.0.1
	port: 53
	do-not-query-localhost: no
	username: ""
	chroot: ""
	directory: "$T_DIR"
	pidfile: "$T_DIR/u53.pid"
	use-syslog: no
	module-config: "iterator"
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$DNS_PORT
EOC
	unbound -d -c "$T_DIR/u53.conf" >"$T_DIR/u53.log" 2>&1 &
	t_on_exit "kill $!"
	t_wait_port 53 10 || { say "$1: forwarder on :53 did not start"; exit 0; }
	echo "nameserver 127.0.0.1" >"$T_DIR/resolv.conf"
	mount --bind "$T_DIR/resolv.conf" /etc/resolv.conf
}
