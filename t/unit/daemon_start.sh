#!/bin/sh
# daemon_start.sh - mxguardd startup: options, config errors, -t, the inet
# listener with TCP_NODELAY, the unix socket with mode 0660, the pidfile.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

# -V, -h, bad options
out=$("$D_BIN" -V); ok $? "-V exits 0"
case $out in "mxguardd "[0-9]*) ok 0 "-V prints the version";; *) ok 1 "-V prints the version: $out";; esac
"$D_BIN" -h | grep -q -- '-c FILE'; ok $? "-h prints the usage"
"$D_BIN" -x > /dev/null 2> "$T_DIR/err"; t_is $? 1 "unknown option exits 1"
grep -q "unknown option -x" "$T_DIR/err"; ok $? "unknown option is named"

# config errors: every one printed with FILE:LINE, exit 1
cat > "$T_DIR/bad.conf" <<'CONF'
milter: {
  socket = "inet:8891@127.0.0.1";
  no_such_key = 1;
  timeout_s = "soon";
};
CONF
"$D_BIN" -f -c "$T_DIR/bad.conf" > "$T_DIR/out" 2>&1; t_is $? 1 "a config error makes mxguardd exit 1"
grep -q "bad.conf:3: milter.no_such_key: unknown key" "$T_DIR/out"; ok $? "first error printed with file:line"
grep -q "bad.conf:4: milter.timeout_s:" "$T_DIR/out"; ok $? "second error printed too (all errors, not the first)"
"$D_BIN" -t -c "$T_DIR/bad.conf" > /dev/null 2>&1; t_is $? 1 "-t exits 1 for a bad config"
"$D_BIN" -t -c "$T_DIR/missing.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t exits 1 for a missing -c file"
grep -q "missing.conf" "$T_DIR/err"; ok $? "missing file is named"
printf 'milter: { socket = "tcp:25@127.0.0.1"; user = ""; };\n' > "$T_DIR/sock.conf"
"$D_BIN" -t -c "$T_DIR/sock.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t refuses a bad socket spec"
grep -q 'milter.socket' "$T_DIR/err"; ok $? "bad socket spec error names milter.socket"
printf 'milter: { socket = "inet:8891@no-such-host.invalid"; user = ""; };\n' > "$T_DIR/host.conf"
"$D_BIN" -t -c "$T_DIR/host.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t refuses a socket host that does not resolve"
grep -q 'milter.socket: cannot resolve no-such-host.invalid' "$T_DIR/err"; ok $? "unresolvable socket host is named"
printf 'milter: { user = ""; pidfile = "run/m.pid"; };\n' > "$T_DIR/pid.conf"
"$D_BIN" -t -c "$T_DIR/pid.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t refuses a relative pidfile"
grep -q 'milter.pidfile "run/m.pid": must be an absolute path' "$T_DIR/err"; ok $? "relative pidfile error names the key"
printf 'milter: { user = "mxguard-no-such-user"; };\n' > "$T_DIR/user.conf"
"$D_BIN" -t -c "$T_DIR/user.conf" > /dev/null 2> "$T_DIR/err"; t_is $? 1 "-t refuses a missing run user"
grep -q 'user mxguard-no-such-user does not exist: create it (useradd --system mxguard-no-such-user) or set milter.user' "$T_DIR/err"
ok $? "missing user: clear message with the fix"

# a good config
d_conf "$T_DIR/good.conf"
out=$("$D_BIN" -t -c "$T_DIR/good.conf"); ok $? "-t exits 0 for a good config"
case $out in *"good.conf is valid"*) ok 0 "-t says the config is valid";; *) ok 1 "-t output: $out";; esac
[ ! -e "$D_PIDFILE" ]; ok $? "-t starts nothing (no pidfile)"

d_start "$T_DIR/good.conf"; ok $? "mxguardd starts in the foreground"
t_wait_port "$D_PORT" 10; ok $? "it listens on 127.0.0.1:$D_PORT"
t_is "$(cat "$D_PIDFILE")" "$D_PID" "pidfile holds the daemon's pid"
d_wait_log "mxguardd: starting: version [0-9.]+, socket inet:$D_PORT@127.0.0.1, config $T_DIR/good.conf"
ok $? "one startup line with version, socket and config path"
# libmilter hides its fd: mxguardd finds it and says so at verbose level;
# t/unit/test_milter_socket proves accepted sockets inherit the option.
d_wait_log "socket: TCP_NODELAY set on fd [0-9]+"; ok $? "TCP_NODELAY set on the listening socket"
fd=$(sed -n 's/.*TCP_NODELAY set on fd \([0-9]*\).*/\1/p' "$D_LOG" | head -1)
ino=$(readlink "/proc/$D_PID/fd/$fd" | sed 's/socket:\[\([0-9]*\)\]/\1/')
port_hex=$(printf '%04X' "$D_PORT")
awk -v p=":$port_hex" -v i="$ino" '$2 ~ p"$" && $4 == "0A" && $10 == i { f = 1 } END { exit !f }' /proc/net/tcp
ok $? "that fd is the listener on port $D_PORT (matched through /proc/net/tcp)"
# Read the option from the daemon's own descriptors (pidfd_getfd, root).
sockopt=$top_srcdir/t/unit/daemon_sockopt.pl
t_is "$(perl "$sockopt" "$D_PID" "$D_PORT" 2>&1)" "listen 1" "the daemon's listening socket has TCP_NODELAY (read from its own fd)"
perl -MIO::Socket::INET -e 'my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or exit 1; sleep 30' "$D_PORT" &
client=$!
t_on_exit "kill $client"
got=; i=0
while [ $i -lt 50 ]; do
	got=$(perl "$sockopt" "$D_PID" "$D_PORT" 2>&1 | grep '^conn' | head -1)
	[ -n "$got" ] && break
	sleep 0.1; i=$((i + 1))
done
t_is "$got" "conn 1" "a connection the daemon accepted has TCP_NODELAY (inherited)"
kill "$client" 2>/dev/null
# control: the reader sees 0 on a listener without the option
ctl_port=$(t_free_port)
perl -MIO::Socket::INET -e 'my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1:$ARGV[0]") or exit 1; sleep 30' "$ctl_port" &
ctl=$!
t_on_exit "kill $ctl"
t_wait_port "$ctl_port" 5
t_is "$(perl "$sockopt" "$ctl" "$ctl_port" 2>&1)" "listen 0" "control: a plain listener reads TCP_NODELAY 0"
kill "$ctl" 2>/dev/null
"$D_BIN" -f -c "$T_DIR/good.conf" > "$T_DIR/second.log" 2>&1; t_is $? 1 "a second daemon on the same port exits 1"
grep -q "cannot listen on inet:$D_PORT@127.0.0.1" "$T_DIR/second.log"; ok $? "and says it cannot listen"
kill -TERM "$D_PID"; wait "$D_PID"; t_is $? 0 "SIGTERM: exit status 0"
[ ! -e "$D_PIDFILE" ]; ok $? "pidfile removed at exit"
grep -q "mxguardd: stopped" "$D_LOG"; ok $? "stop is logged"

# without -f: detaches (the command returns 0 at once), keeps running
rm -f "$D_PIDFILE"
(cd "$T_DIR" && "$D_BIN" -c good.conf > "$T_DIR/bg.out" 2>&1); t_is $? 0 "without -f the command returns 0 (detached)"
t_wait_file "$D_PIDFILE" 10; ok $? "the detached daemon writes its pidfile"
D_PID=$(cat "$D_PIDFILE")
t_on_exit "kill -9 $D_PID"
t_wait_port "$D_PORT" 10; ok $? "the detached daemon listens"
t_is "$(readlink "/proc/$D_PID/cwd")" / "the detached daemon runs in /"
d_stop; ok $? "the detached daemon stops on SIGTERM"
[ ! -e "$D_PIDFILE" ]; ok $? "and removes its pidfile"

# IPv6: inet6:PORT@::1 gets TCP_NODELAY too, and stops promptly
d_conf "$T_DIR/v6.conf"
sed -i "s|inet:$D_PORT@127.0.0.1|inet6:$D_PORT@::1|" "$T_DIR/v6.conf"
d_start "$T_DIR/v6.conf"; ok $? "mxguardd starts on inet6:$D_PORT@::1"
perl -MIO::Socket::IP -e 'exit(IO::Socket::IP->new(PeerHost => "::1", PeerPort => $ARGV[0]) ? 0 : 1)' "$D_PORT"
ok $? "it accepts IPv6 connections on [::1]:$D_PORT"
d_wait_log "socket: TCP_NODELAY set on fd [0-9]+"; ok $? "TCP_NODELAY set on the IPv6 listener"
kill -TERM "$D_PID"; wait "$D_PID"; t_is $? 0 "IPv6 daemon stops cleanly"

# unix socket: created, mode 0660, removed or at least replaced at restart
sock=$T_DIR/run/mxguardd.sock
mkdir -p "$T_DIR/run"
d_conf "$T_DIR/unix.conf"
sed -i "s|inet:$D_PORT@127.0.0.1|unix:$sock|" "$T_DIR/unix.conf"
d_start "$T_DIR/unix.conf"; ok $? "mxguardd starts on a unix socket"
[ -S "$sock" ]; ok $? "socket file created"
t_is "$(stat -c %a "$sock")" 660 "socket file mode is 0660"
perl -MIO::Socket::UNIX -e 'exit(IO::Socket::UNIX->new(Peer => $ARGV[0]) ? 0 : 1)' "$sock"
ok $? "a client can connect to the unix socket"
kill -TERM "$D_PID"; wait "$D_PID"; t_is $? 0 "unix socket daemon stops cleanly"
[ ! -e "$sock" ]; ok $? "socket file removed at a clean stop"
d_start "$T_DIR/unix.conf"; ok $? "started again on the unix socket"
kill -9 "$D_PID"; wait "$D_PID" 2>/dev/null
[ -S "$sock" ]; ok $? "a killed daemon leaves its socket file behind"
rm -f "$D_PIDFILE"
d_start "$T_DIR/unix.conf"; ok $? "restart over the leftover socket file works"
perl -MIO::Socket::UNIX -e 'exit(IO::Socket::UNIX->new(Peer => $ARGV[0]) ? 0 : 1)' "$sock"
ok $? "and the new socket accepts connections"
d_stop; ok $? "and stops"
t_done
