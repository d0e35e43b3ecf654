#!/bin/sh
# t/unit/event_redis.sh - the redis event sink against a real redis-server,
# through `mxguard check` (the daemon's pipeline): XADD entries written with
# every argument expanded on its own (array and string forms), hostile
# sender addresses (CRLF, spaces, quotes, a command after CRLF) arriving as
# ONE argument each, $event_json as valid JSON, a sync GET on smtp:connect
# refusing the connection with its text, and a dead Redis never failing mail.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/redis.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
command -v perl >/dev/null || t_bail "perl is required (JSON::PP)"
t_redis_start || t_bail "redis-server did not start"
t_redis_cli set canary alive >/dev/null
t_redis_cli set "block:192.0.2.66" "554 5.7.1 you are on our block list" >/dev/null

cat >"$T_DIR/r.conf" <<EOF
milter: { authserv_id = "mx.test"; };
spf: { enabled = false; };
dmarc: { enabled = false; };
store: { lmdb = "$T_DIR/state.mdb"; redis = "127.0.0.1:$REDIS_PORT/0"; };
events: { actions = (
  { on = [ "msg:mail" ];
    redis = [ "XADD", "mxg:arr", "*", "sender", "\$sender_address", "ip", "\$sender_host_address",
              "event", "\$event_name" ]; },
  { on = [ "msg:rcpt" ]; redis = "XADD mxg:str * rcpt \$recipient from \$sender_address"; },
  { on = [ "msg:complete" ]; redis = "XADD mxg:json * json \$event_json"; },
  { on = [ "smtp:connect" ]; redis = "GET block:\$sender_host_address"; sync = true; timeout_ms = 1000; }
); };
EOF
printf 'From: a@example.org\r\nSubject: events\r\n\r\nbody\r\n' >"$T_DIR/m.eml"
check() {
	"$MXG" check -c "$T_DIR/r.conf" "$@" "$T_DIR/m.eml" >"$T_DIR/out" 2>"$T_DIR/err"; RC=$?
	cat "$T_DIR/err" >>"$T_DIR/all.err"
}
check --ip 192.0.2.10 --helo h.example --from plain@example.org --rcpt bob@example.com
t_is "$RC" 0 "a message with redis event actions is accepted"
# the async worker delivers before mxguard check exits (bounded drain)
t_is "$(t_redis_cli xlen mxg:arr)" 1 "msg:mail wrote one XADD entry (array form)"
t_is "$(t_redis_cli --raw xrange mxg:arr - + | sed 1d | tr '\n' '|')" \
	"sender|plain@example.org|ip|192.0.2.10|event|msg:mail|" \
	"the entry holds each expanded argument as one field or value"
t_is "$(t_redis_cli --raw xrange mxg:str - + | sed 1d | tr '\n' '|')" \
	"rcpt|bob@example.com|from|plain@example.org|" "string form: split at blanks in the config only"
t_redis_cli --raw xrange mxg:json - + | sed -n 3p >"$T_DIR/json"
perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
	exit !($j->{event_name} eq "msg:complete" && $j->{event_data} eq "accept"
	       && $j->{sender_address} eq "plain\@example.org" && $j->{recipients} eq "bob\@example.com")' \
	<"$T_DIR/json"
ok $? "\$event_json is one valid JSON object with the event and every fact"

# --- injection attempts: each must stay ONE argument ---
t_redis_cli del mxg:arr mxg:str >/dev/null
evil=$(printf '"evil x"\r\nFLUSHALL\r\n*1\r\n$4\r\nPING @example.org')
check --ip 192.0.2.10 --from "$evil" --rcpt 'bob@example.com'
t_is "$(t_redis_cli get canary)" "alive" "a sender with CRLF and a FLUSHALL inside runs no command"
t_is "$(t_redis_cli xlen mxg:arr)" 1 "the hostile sender gives exactly one XADD entry"
t_is "$(t_redis_cli --raw xrange mxg:arr - + | sed 1d | wc -l)" 6 \
	"the entry still has exactly 3 field/value pairs (no argument was added)"
got=$(t_redis_cli --raw xrange mxg:arr - + | sed -n 3p)
t_is "$got" '"evil x"  FLUSHALL  *1  $4  PING @example.org' \
	"the sender is one argument: quotes and blanks kept, CR and LF made spaces"
t_is "$(t_redis_cli --raw xrange mxg:str - + | sed -n 5p)" "$got" \
	"string form: the hostile value stays one argument too"
check --ip 192.0.2.10 --from 'a b c"@example.org' --rcpt 'bob@example.com'
t_is "$(t_redis_cli --raw xrange mxg:str - + | tail -n 1)" 'a b c"@example.org' \
	"a sender with spaces and a lone quote is one argument"

# --- forcing: a sync action's result on smtp:connect refuses the connection ---
check --ip 192.0.2.66 --from plain@example.org --rcpt bob@example.com
t_is "$(grep '^verdict:' "$T_DIR/out")" "verdict: reject 554 5.7.1 you are on our block list" \
	"a non-empty sync result on smtp:connect rejects with that text"
check --ip 192.0.2.67 --from plain@example.org --rcpt bob@example.com
t_is "$(grep '^verdict:' "$T_DIR/out")" "verdict: accept" "a nil sync result (no key) lets it pass"

# --- Redis gone: mail is not affected ---
t_redis_stop
check --ip 192.0.2.10 --from plain@example.org --rcpt bob@example.com
t_is "$RC" 0 "with Redis dead the message is still accepted"
grep -q 'event msg:mail: .*redis XADD' "$T_DIR/err"
ok $? "the failed delivery is logged with the action's FILE:LINE"
grep -q 'events: totals: .* failed' "$T_DIR/err"
ok $? "the failures are counted in the totals line"
grep -q 'Sanitizer\|runtime error' "$T_DIR/all.err"
t_is "$?" 1 "no sanitizer report in any run"
t_done
