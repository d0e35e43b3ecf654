#!/bin/sh
# t/unit/store_redis.sh - the Redis store against a real redis-server:
# round trips, db selection, TTL, scan, unix socket, AUTH (good, bad, none,
# and the password never shown), a dead server gives "temporary" (-1, never
# "absent"), and the same process recovers after the server restarts.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/redis.sh"

ST=$(t_bin storetool) || t_bail "storetool not built"
# st1 SPEC COMMAND - one command in a fresh storetool; its stderr (a
# sanitizer report, say) becomes part of the answer, so it fails the test.
st1() { printf '%s\n' "$2" | "$ST" "$1" 2>&1; }

t_redis_start
SPEC="redis:127.0.0.1:$REDIS_PORT/1"

t_is "$(st1 "$SPEC" 'put k1 0 hello world')" "ok" "put stores a value"
t_is "$(st1 "$SPEC" 'get k1')" "found hello world" "get returns the value put (another process)"
t_is "$(t_redis_cli -n 1 get k1)" "hello world" "the value is in the selected database 1"
t_is "$(t_redis_cli -n 0 exists k1)" "0" "and not in database 0"
t_is "$(st1 "$SPEC" 'get nosuch')" "absent" "a missing key is absent (0)"
st1 "$SPEC" 'put k1 0 second' >/dev/null
t_is "$(st1 "$SPEC" 'get k1')" "found second" "put overwrites"
t_is "$(printf 'append log a\nappend log b\nget log\n' | "$ST" "$SPEC" | tail -1)" "found ab" \
	"append adds at the end"
t_is "$(st1 "$SPEC" 'del k1'; st1 "$SPEC" 'get k1')" "ok
absent" "delete removes the key"
st1 "$SPEC" 'put ttlkey 100 v' >/dev/null
ttl=$(t_redis_cli -n 1 ttl ttlkey)
t_ok "put with ttl sets a Redis expiry (TTL $ttl)" [ "$ttl" -gt 0 ] && [ "$ttl" -le 100 ]
t_is "$(t_redis_cli -n 1 ttl log)" "-1" "put without ttl sets no expiry"
printf 'put p:a 0 1\nput p:b 0 2\nput p*x 0 3\nput q:a 0 4\n' | "$ST" "$SPEC" >/dev/null
t_is "$(st1 "$SPEC" 'scan p:' | sort)" "end 2
p:a=1
p:b=2" "scan finds exactly the keys with the prefix"
t_is "$(st1 "$SPEC" 'scan p*' | sort)" "end 1
p*x=3" "scan treats glob characters in the prefix literally"
t_is "$(st1 "$SPEC" 'expire')" "expired 0" "expire is a no-op for Redis (it expires keys itself)"
t_is "$(st1 "redis:unix:$REDIS_SOCK/1" 'get p:a')" "found 1" "a unix socket spec with a db works"
t_is "$(st1 "$SPEC" 'threads 8 500')" "threads failures=0 missing=0" \
	"8 threads x 500 put/get/append share the connection pool: nothing fails or is lost"
t_is "$(st1 "redis:[::1]:$REDIS_PORT/1" 'get p:a' | cut -c1-9)" "temporary" \
	"a server not listening on ::1 is temporary, not absent"
# A server that accepts but does not answer: the command timeout applies.
t_redis_cli client pause 3000 all >/dev/null
out=$(st1 "$SPEC?timeout_ms=300" 'get p:a')
case $out in temporary*) r=0 ;; *) r=1 ;; esac
ok $r "a command that times out is temporary ($out)"
i=0
while [ $i -lt 100 ] && [ "$(st1 "$SPEC" 'get p:a')" != "found 1" ]; do sleep 0.1; i=$((i + 1)); done
t_is "$(st1 "$SPEC" 'get p:a')" "found 1" "the server answers again after the pause"
out=$("$ST" "redis:127.0.0.1:notaport" </dev/null 2>&1); rc=$?
t_is "$rc:$out" "1:storetool: redis: bad port" "a bad spec is refused at open"
out=$("$ST" "redis:127.0.0.1:$REDIS_PORT?colour=red" </dev/null 2>&1); rc=$?
t_is "$rc" "1" "an unknown option is refused at open ($out)"

# AUTH
t_redis_start 's3cret pass&word'
t_is "$(st1 "redis:127.0.0.1:$REDIS_PORT?password=s3cret pass&word" 'put a 0 b')" "ok" \
	"the right password (with a space and '&') is accepted"
t_is "$(st1 "redis:127.0.0.1:$REDIS_PORT/0?timeout_ms=500&password=s3cret pass&word" 'get a')" \
	"found b" "options before the password are parsed"
out=$(st1 "redis:127.0.0.1:$REDIS_PORT?password=WrongHorse" 'get a')
case $out in "temporary redis: 127.0.0.1:$REDIS_PORT/0: AUTH failed"*) r=0 ;; *) r=1 ;; esac
ok $r "a wrong password is a temporary failure that says AUTH failed ($out)"
case $out in *WrongHorse*) r=1 ;; *) r=0 ;; esac
ok $r "the error does not show the password"
out=$(st1 "redis:127.0.0.1:$REDIS_PORT" 'get a')
case $out in temporary*NOAUTH*) r=0 ;; *) r=1 ;; esac
ok $r "no password against a server that needs one is temporary ($out)"

# A dead server, then recovery in the same process.
t_redis_start
SPEC="redis:127.0.0.1:$REDIS_PORT/0?connect_timeout_ms=500&timeout_ms=1000"
t_storetool_open "$SPEC"
t_is "$(t_st 'put live 0 yes')" "ok" "long-lived client writes"
t_is "$(t_st 'get live')" "found yes" "and reads"
t_ok "redis-server stopped" t_redis_stop
out=$(t_st 'get live')
case $out in temporary*) r=0 ;; *) r=1 ;; esac
ok $r "get from a dead server is temporary (-1), never absent ($out)"
out=$(t_st 'get live')
case $out in temporary*) r=0 ;; *) r=1 ;; esac
ok $r "while the server is down, calls keep failing as temporary ($out)"
t_is "$(t_st 'put x 0 y' | cut -c1-5)" "error" "put to a dead server is an error"
t_ok "redis-server restarted on the same port" t_redis_restart
i=0; out=
while [ $i -lt 100 ]; do
	out=$(t_st 'put back 0 again')
	[ "$out" = ok ] && break
	sleep 0.1; i=$((i + 1))
done
t_is "$out" "ok" "the client reconnects after the restart (backoff ends)"
t_is "$(t_st 'get back')" "found again" "and reads again"
t_is "$(t_st 'get live')" "absent" "the restarted (empty) server answers absent, not temporary"
t_is "$(t_st 'threads 4 20')" "threads failures=0 missing=0" "4 threads leave several pooled connections"
t_ok "redis-server stopped again" t_redis_stop
t_ok "and restarted again" t_redis_restart
t_is "$(t_st 'put fast 0 path')" "ok" \
	"pooled connections closed by a restart are replaced at once (no error)"
t_redis_cli shutdown nosave >/dev/null 2>&1
t_is "$(st1 "redis:127.0.0.1:$(t_free_port)" 'get k' | cut -c1-9)" "temporary" \
	"a closed port is temporary"
t_ok "storetool exits cleanly (no sanitizer report, no leak)" t_storetool_close
t_done
