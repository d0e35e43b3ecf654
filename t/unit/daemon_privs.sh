#!/bin/sh
# daemon_privs.sh - started as root, mxguardd drops to milter.user after
# binding: every thread runs as that user, the unix socket belongs to it and
# to milter.group, and the milter still works.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

[ "$(id -u)" = 0 ] || t_bail "this test must run as root (CI runs as root)"
getent passwd nobody > /dev/null || t_bail "user nobody is missing"
nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)

# pidfile in a directory the run user may write, so it can remove it
mkdir -p "$T_DIR/run"; chown nobody "$T_DIR/run"
D_PIDFILE=$T_DIR/run/mxguardd.pid
d_conf "$T_DIR/m.conf"
sed -i 's/user = "";/user = "nobody";/' "$T_DIR/m.conf"
d_start "$T_DIR/m.conf"; ok $? "mxguardd started as root with milter.user = nobody"
t_wait_port "$D_PORT" 10; ok $? "listening"
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$D_PID/status")
t_is "$uids" "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" "real, effective, saved and fs uid are nobody's"
gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$D_PID/status")
t_is "$gids" "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" "all gids are nobody's group"
bad=0; n=0
for s in /proc/$D_PID/task/*/status; do
	n=$((n + 1))
	awk '/^Uid:/ { exit ($2 == 0 || $3 == 0 || $4 == 0) }' "$s" || bad=$((bad + 1))
done
t_is "$bad" 0 "none of the $n threads runs as root"
grep -q "^CapEff:[[:space:]]*0*$" "/proc/$D_PID/status"; ok $? "no effective capabilities left"
grep -q "starting: .*user nobody" "$D_LOG"; ok $? "startup line names the run user"
grep -q "cannot inspect /proc/self/task" "$D_LOG"; ok $((! $?)) "after the drop it still sees libmilter's signal thread start"
kill -TERM "$D_PID"; wait "$D_PID"; t_is $? 0 "unprivileged daemon stops cleanly"

# SIGHUP the moment the pidfile exists, as nobody (see daemon_signals.sh)
bad=0; i=0
while [ $i -lt 10 ]; do
	d_start "$T_DIR/m.conf" || bad=$((bad + 1))
	kill -HUP "$D_PID"
	d_wait_log "reload: configuration reloaded" 10 > /dev/null || bad=$((bad + 1))
	kill -TERM "$D_PID"; wait "$D_PID" || bad=$((bad + 1))
	i=$((i + 1))
done
t_is "$bad" 0 "unprivileged: SIGHUP right after startup reloads, 10 times out of 10"
[ ! -e "$D_PIDFILE" ]; ok $? "and removes its pidfile"

# unix socket: owned by the run user and milter.group, mode 0660
getent group mail > /dev/null || t_bail "group mail is missing"
sock=$T_DIR/run/mxguardd.sock
d_conf "$T_DIR/u.conf" 'group = "mail";'
sed -i -e 's/user = "";/user = "nobody";/' -e "s|inet:$D_PORT@127.0.0.1|unix:$sock|" "$T_DIR/u.conf"
d_start "$T_DIR/u.conf"; ok $? "started on a unix socket with milter.group = mail"
t_is "$(stat -c '%U:%G %a' "$sock")" "nobody:mail 660" "socket is nobody:mail, mode 0660"
gid=$(awk '/^Gid:/ { print $3 }' "/proc/$D_PID/status")
t_is "$gid" "$(getent group mail | cut -d: -f3)" "process group is milter.group"
d_stop; ok $? "stopped"
[ ! -e "$sock" ]; ok $? "the unprivileged daemon removed its socket file"

# The default milter.user is "mxguard" (the quick start creates it). Prove
# the default works without touching the system's users: a private mount
# namespace where /etc/passwd and /etc/group have an mxguard entry.
command -v unshare > /dev/null || t_bail "unshare is missing (util-linux)"
cp /etc/passwd "$T_DIR/passwd"; cp /etc/group "$T_DIR/group"
if ! grep -q '^mxguard:' "$T_DIR/passwd"; then
	echo "mxguard:x:64999:64999::/nonexistent:/usr/sbin/nologin" >> "$T_DIR/passwd"
	grep -q '^mxguard:' "$T_DIR/group" || echo "mxguard:x:64999:" >> "$T_DIR/group"
fi
mx_uid=$(awk -F: '$1 == "mxguard" { print $3 }' "$T_DIR/passwd")
mkdir -p "$T_DIR/mxrun"; chown "$mx_uid" "$T_DIR/mxrun"
D_PIDFILE=$T_DIR/mxrun/mxguardd.pid
cat > "$T_DIR/default-user.conf" <<CONF
milter: { socket = "inet:$D_PORT@127.0.0.1"; pidfile = "$D_PIDFILE"; };
log: { verbose = 1; };
store: { lmdb = "$T_DIR/mxrun/state.mdb"; };
CONF
: > "$D_LOG"
unshare -m sh -c 'mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/group" /etc/group &&
	exec "$2" -f -c "$1/default-user.conf"' sh "$T_DIR" "$D_BIN" >> "$D_LOG" 2>&1 &
D_PID=$!
t_on_exit "kill -9 $D_PID"
t_wait_file "$D_PIDFILE" 10; ok $? "started as root with the default milter.user (mxguard)"
t_wait_port "$D_PORT" 10; ok $? "listening"
t_is "$(awk '/^Uid:/ { print $2, $3, $4 }' "/proc/$D_PID/status")" "$mx_uid $mx_uid $mx_uid" \
	"runs as the mxguard user by default"
grep -q "starting: .*user mxguard" "$D_LOG"; ok $? "startup line names user mxguard"
d_stop; ok $? "stopped"
t_done
