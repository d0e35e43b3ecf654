# t/lib/redis.sh - a private, real redis-server for tests (source after common.sh)
#
#   t_redis_start [PASSWORD]
#	start redis-server on a free loopback port (t_free_port) and a unix
#	socket, with a private directory, no persistence (--save '',
#	--appendonly no), optionally requiring PASSWORD; wait until PING
#	answers; register its stop with t_on_exit. Sets:
#	  REDIS_PORT  REDIS_SOCK (unix socket path)  REDIS_DIR  REDIS_PID
#	Several instances may run: each call sets the variables anew.
#   t_redis_stop [DIR]     kill the instance (default $REDIS_DIR), wait for it
#   t_redis_restart [DIR]  start it again with the same port, socket, password
#   t_redis_cli ARGS...    redis-cli against $REDIS_PORT (with the password)
#   t_storetool_open SPEC  start t/tools/storetool SPEC as a coprocess
#   t_st COMMAND           send it one command line, print its one-line answer
#   t_storetool_close      end its input; succeed when it exited 0 with no
#	                   sanitizer report (its stderr is shown otherwise)
#	(storetool keeps one store open across commands, e.g. across a
#	Redis restart; see t/tools/storetool.c for the commands)
# A missing redis-server is a failure (Bail out!), never a silent skip.

# t_redis_launch DIR - start (or restart) the instance described in DIR
t_redis_launch() {
	_rd=$1
	_rport=$(cat "$_rd/port")
	set -- --port "$_rport" --bind 127.0.0.1 --dir "$_rd" --save '' --appendonly no \
		--unixsocket "$_rd/redis.sock" --unixsocketperm 700 --daemonize no \
		--logfile "$_rd/redis.log"
	[ -s "$_rd/password" ] && set -- "$@" --requirepass "$(cat "$_rd/password")"
	# 8>&- 9<&-: never hold the storetool coprocess pipes (see t_storetool_open).
	redis-server "$@" </dev/null >/dev/null 2>&1 8>&- 9<&- &
	echo $! >"$_rd/pid"
	REDIS_PID=$!
	_ri=0
	while [ $_ri -lt 100 ]; do
		[ "$(t_redis_cli_at "$_rd" ping 2>/dev/null)" = PONG ] && return 0
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.1; _ri=$((_ri + 1))
	done
	echo "# redis-server did not answer PING on port $_rport; its log:"
	sed 's/^/# /' "$_rd/redis.log" 2>/dev/null | tail -20
	return 1
}

t_redis_start() {
	command -v redis-server >/dev/null 2>&1 || t_bail "redis-server is not installed (apt-get install redis-server)"
	command -v redis-cli >/dev/null 2>&1 || t_bail "redis-cli is not installed (apt-get install redis-tools)"
	_rtry=0
	while :; do
		REDIS_PORT=$(t_free_port) || t_bail "no free port"
		REDIS_DIR="$T_DIR/redis-$REDIS_PORT"
		mkdir -p "$REDIS_DIR"
		echo "$REDIS_PORT" >"$REDIS_DIR/port"
		printf '%s' "${1:-}" >"$REDIS_DIR/password"
		# The stop reads the pid file at exit, so it also stops a restarted server.
		t_on_exit "kill \$(cat '$REDIS_DIR/pid') 2>/dev/null"
		t_redis_launch "$REDIS_DIR" && break
		_rtry=$((_rtry + 1))
		# Another test may have taken the port between t_free_port and bind.
		[ $_rtry -lt 3 ] || t_bail "redis-server does not start"
	done
	REDIS_SOCK="$REDIS_DIR/redis.sock"
	export REDIS_PORT REDIS_SOCK REDIS_DIR
}

t_redis_stop() {
	_rd=${1:-$REDIS_DIR}
	_rpid=$(cat "$_rd/pid")
	kill "$_rpid" 2>/dev/null
	# wait reaps our own child (a zombie still answers kill -0); poll for others.
	wait "$_rpid" 2>/dev/null
	_ri=0
	while kill -0 "$_rpid" 2>/dev/null && [ $_ri -lt 100 ]; do sleep 0.1; _ri=$((_ri + 1)); done
	! kill -0 "$_rpid" 2>/dev/null
}

t_redis_restart() {
	t_redis_launch "${1:-$REDIS_DIR}"
}

# t_redis_cli_at DIR ARGS... - redis-cli for the instance in DIR
t_redis_cli_at() {
	_rcd=$1; shift
	if [ -s "$_rcd/password" ]; then
		REDISCLI_AUTH=$(cat "$_rcd/password") redis-cli -p "$(cat "$_rcd/port")" "$@"
	else
		redis-cli -p "$(cat "$_rcd/port")" "$@"
	fi
}

t_redis_cli() { t_redis_cli_at "$REDIS_DIR" "$@"; }

t_storetool_open() {
	_st_bin=$(t_bin storetool) || t_bail "storetool not built"
	rm -f "$T_DIR/st.in" "$T_DIR/st.out"
	mkfifo "$T_DIR/st.in" "$T_DIR/st.out"
	"$_st_bin" "$1" <"$T_DIR/st.in" >"$T_DIR/st.out" 2>>"$T_DIR/st.err" &
	ST_PID=$!
	t_on_exit "kill $ST_PID 2>/dev/null"
	exec 8>"$T_DIR/st.in" 9<"$T_DIR/st.out"
}

t_st() {
	printf '%s\n' "$1" >&8
	IFS= read -r _st_reply <&9
	printf '%s\n' "$_st_reply"
}

t_storetool_close() {
	exec 8>&- 9<&-
	# Never hang: if storetool does not see end of input in 10 s, kill it.
	_sti=0
	while kill -0 "$ST_PID" 2>/dev/null && [ "$(ps -o stat= -p "$ST_PID")" != Z ] &&
		[ $_sti -lt 100 ]; do
		sleep 0.1; _sti=$((_sti + 1))
	done
	[ $_sti -lt 100 ] || { echo "# storetool did not exit at end of input"; kill "$ST_PID"; }
	wait "$ST_PID"
	_st_rc=$?
	if [ $_st_rc -ne 0 ] || grep -q Sanitizer "$T_DIR/st.err" 2>/dev/null; then
		sed 's/^/# /' "$T_DIR/st.err" | head -40
		return 1
	fi
	return 0
}
