#!/bin/sh
# t/unit/lists_redis.sh - redis: lists against a real redis-server: SMEMBERS
# (members as entries: CIDR, wildcard, negation), SISMEMBER/HGET/GET with
# $value, $value stays one argument (no injection through spaces or CRLF),
# an error reply and a dead server are "temporary" (never "no match"), and
# the same process recovers after the server restarts.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/redis.sh"

ST=$(t_bin storetool) || t_bail "storetool not built"
t_redis_start
SPEC="redis:127.0.0.1:$REDIS_PORT/0?connect_timeout_ms=500&timeout_ms=1000"
t_redis_cli sadd relay_from_ips 192.0.2.1 10.0.0.0/8 '!10.9.9.9' 2001:db8::/32 >/dev/null
t_redis_cli sadd domains example.com '*.wild.example' >/dev/null
t_redis_cli hset user@example.com domain example.com >/dev/null
t_redis_cli set allowed '*.example.net' >/dev/null
t_redis_cli set 'k:a b' yes >/dev/null
t_redis_cli set notaset x >/dev/null

t_storetool_open "$SPEC"
t_is "$(t_st 'list relay redis:SMEMBERS relay_from_ips')" "ok" "an SMEMBERS list opens"
t_is "$(t_st 'lookup 192.0.2.1')" "match 192.0.2.1" "SMEMBERS: a member matches"
t_is "$(t_st 'lookup 10.1.2.3')" "match 10.0.0.0/8" "SMEMBERS: a CIDR member matches addresses inside"
t_is "$(t_st 'lookup 10.9.9.9')" "nomatch" "SMEMBERS: a negated member means no match"
t_is "$(t_st 'lookup 2001:DB8::5')" "match 2001:db8::/32" "SMEMBERS: IPv6 network member"
t_is "$(t_st 'lookup 198.51.100.1')" "nomatch" "SMEMBERS: a non-member does not match"

t_is "$(t_st 'list d redis:SISMEMBER domains $value')" "ok" "a SISMEMBER list opens"
t_is "$(t_st 'lookup Example.COM.')" "match 1" "SISMEMBER: a member matches (value normalized)"
t_is "$(t_st 'lookup other.org')" "nomatch" "SISMEMBER: a non-member does not match"
t_is "$(t_st 'lookup x.wild.example')" "nomatch" "SISMEMBER is exact (no wildcards)"

t_is "$(t_st 'list h redis:HGET $value domain')" "ok" "an HGET list opens"
t_is "$(t_st 'lookup user@example.com')" "match example.com" "HGET: an existing field matches, value returned"
t_is "$(t_st 'lookup nobody@example.com')" "nomatch" "HGET: nil is no match"

t_is "$(t_st 'list g redis:GET allowed')" "ok" "a GET list (no \$value) opens"
t_is "$(t_st 'lookup a.example.net')" "match *.example.net" "GET without \$value: the string is an entry"
t_is "$(t_st 'lookup example.net')" "nomatch" "GET without \$value: the entry's rules apply"

t_is "$(t_st 'list k redis:GET k:$value')" "ok" "a GET list with \$value inside an argument opens"
t_is "$(t_st 'lookup a b')" "match yes" "a value with a space stays one argument"
t_is "$(t_st 'lookup zz')" "nomatch" "a missing key is no match"

t_is "$(t_st 'list inj redis:SISMEMBER domains $value')" "ok" "list for the injection test"
t_is "$(t_st 'lookup x\r\nSET injected 1\r\nSISMEMBER domains example.com')" "nomatch" \
	"a value with CRLF and commands is one argument: no match"
t_is "$(t_redis_cli exists injected)" "0" "and no command was injected"
t_is "$(t_st 'lookup example.com\r\n')" "nomatch" "a value with a trailing CRLF is not the member"

t_is "$(t_st 'list e redis:SMEMBERS notaset')" "ok" "a list on a key of the wrong type opens"
t_is "$(t_st 'lookup x')" "temporary" "an error reply (WRONGTYPE) is temporary, not no match"

t_is "$(t_st 'list relay redis:SMEMBERS relay_from_ips')" "ok" "back to the SMEMBERS list"
t_ok "redis-server stopped" t_redis_stop
t_is "$(t_st 'lookup 192.0.2.1')" "temporary" "a dead server is temporary for a member"
t_is "$(t_st 'lookup 198.51.100.1')" "temporary" "and for a non-member (never a silent no match)"
t_ok "redis-server restarted" t_redis_restart
t_redis_cli sadd relay_from_ips 192.0.2.1 >/dev/null
i=0; out=
while [ $i -lt 100 ]; do
	out=$(t_st 'lookup 192.0.2.1')
	[ "$out" != temporary ] && break
	sleep 0.1; i=$((i + 1))
done
t_is "$out" "match 192.0.2.1" "the list works again after the server restarted"
t_is "$(t_st 'lookup 198.51.100.1')" "nomatch" "and answers no match again"

out=$(printf 'list r redis:GET x\n' | "$ST" - 2>&1)
t_is "$out" "error list r: redis: list but no Redis server configured (store.redis)" \
	"a redis: list without a Redis store is a configuration error"
t_ok "storetool exits cleanly (no sanitizer report, no leak)" t_storetool_close
t_done
