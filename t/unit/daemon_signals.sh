#!/bin/sh
# daemon_signals.sh - SIGHUP reloads (a bad file keeps the old config and
# logs every error; libmilter must not treat SIGHUP as stop), SIGTERM and
# SIGINT stop cleanly.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

conf=$T_DIR/m.conf
d_conf "$conf"
d_start "$conf"; ok $? "mxguardd started"
t_wait_port "$D_PORT" 10; ok $? "listening"

# a broken file: the daemon keeps running and logs each error
cat > "$conf" <<CONF
milter: {
  socket = "inet:$D_PORT@127.0.0.1";
  user = "";
  pidfile = "$D_PIDFILE";
  wrong_key = true;
  backlog = "many";
};
CONF
kill -HUP "$D_PID"
d_wait_log "reload failed: keeping the configuration from $conf"; ok $? "SIGHUP with a broken config: reload failed is logged"
grep -q "reload: $conf:5: milter.wrong_key: unknown key" "$D_LOG"; ok $? "first error line logged with file:line"
grep -q "reload: $conf:6: milter.backlog:" "$D_LOG"; ok $? "second error line logged too"
d_alive; ok $? "still running after a failed reload"
t_wait_port "$D_PORT" 5; ok $? "still accepting connections after a failed reload"

# a good, changed file
d_conf "$conf" 'timeout_s = 60; max_message_size = 1000;'
kill -HUP "$D_PID"
d_wait_log "reload: configuration reloaded from $conf"; ok $? "SIGHUP with a good config: reload logged"
grep -q "reload: milter.timeout_s changed: takes effect after a restart" "$D_LOG"
ok $? "a startup-only key that changed is reported"

# many SIGHUPs: each must reach our handler, never libmilter's stop
i=0; while [ $i -lt 20 ]; do kill -HUP "$D_PID"; i=$((i + 1)); sleep 0.02; done
sleep 0.3
d_alive; ok $? "alive after 20 SIGHUPs (libmilter did not take one as stop)"
t_wait_port "$D_PORT" 5; ok $? "still listening after 20 SIGHUPs"
grep -q "stopping on signal" "$D_LOG"; ok $((! $?)) "no stop logged for SIGHUP"

kill -TERM "$D_PID"; wait "$D_PID"; t_is $? 0 "SIGTERM: clean exit 0"
grep -q "stopping on signal TERM" "$D_LOG"; ok $? "SIGTERM logged"
[ ! -e "$D_PIDFILE" ]; ok $? "pidfile removed after SIGTERM"

# SIGHUP the moment the pidfile exists, 15 times: libmilter's own signal
# thread is just starting then, the case src/milter/signals.h guards.
d_conf "$conf"
bad=0; i=0
while [ $i -lt 15 ]; do
	d_start "$conf" || bad=$((bad + 1))
	kill -HUP "$D_PID"
	d_wait_log "reload: configuration reloaded" 10 > /dev/null || bad=$((bad + 1))
	d_alive || bad=$((bad + 1))
	kill -TERM "$D_PID"; wait "$D_PID" || bad=$((bad + 1))
	i=$((i + 1))
done
t_is "$bad" 0 "SIGHUP right after startup reloads, 15 times out of 15"

d_start "$conf"; ok $? "started again"
kill -INT "$D_PID"; wait "$D_PID"; t_is $? 0 "SIGINT: clean exit 0"
grep -q "stopping on signal INT" "$D_LOG"; ok $? "SIGINT logged"
t_done
