#!/bin/sh
# t/e2e/event_postfix.sh - event actions end to end: the bed's real Postfix,
# mxguardd, a real redis-server and the fake dccifd. One scripted SMTP
# session fires every milter event of an accepted message exactly once with
# the right $event_data (log sink, read from mxguardd's log); rejected,
# tempfailed, discarded, quarantined messages and a DCC failure fire theirs;
# a redis sink writes XADD entries; a sync action on smtp:connect refuses the
# client with its text; and with Redis stopped (SIGSTOP: connections hang)
# 100 messages are all delivered while the events that cannot wait are
# dropped and counted (the Redis action waits up to 5 s per event, so its
# queue of 2 overflows whatever the speed of the machine; the log action is
# sync so that it never waits behind it). Timing is
# compared by `make bench`, t/bench/events.sh.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/redis.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink smtp-source swaks perl redis-server redis-cli
t_redis_start || t_bail "redis-server did not start"
t_redis_cli set "block:127.0.0.2" "554 5.7.1 no mail from 127.0.0.2 today" >/dev/null

SOCK=$T_DIR/dccifd
perl "$top_srcdir/t/tools/fake_dccifd.pl" --unix "$SOCK" --log "$T_DIR/fake.log" 2>"$T_DIR/fake.err" &
t_on_exit "kill $!"
t_wait_file "$SOCK" 10 || t_bail "fake dccifd did not start"

cat >"$T_DIR/m.conf" <<EOF
milter: { socket = "inet:$D_PORT@127.0.0.1"; user = ""; pidfile = "$D_PIDFILE";
          authserv_id = "mx.event.test"; };
spf: { enabled = false; };		# no system resolver in CI; these checks have their own tests
dmarc: { enabled = false; };
store: { lmdb = "$T_DIR/state.mdb"; redis = "127.0.0.1:$REDIS_PORT/0"; };
dcc: { enabled = true; address = "$SOCK"; defer_ok = true; };
rules: {
  mail = ( { if = { sender_domains = "reject.bed.test"; }; then = "reject";
             message = "550 5.7.1 not from \$sender_address_domain"; },
           { if = { sender_domains = "later.bed.test"; }; then = "tempfail";
             message = "451 4.7.1 later"; } );
  data = ( { if = { header = { name = "Subject"; regex = "^discard me"; }; }; then = "discard"; },
           { if = { header = { name = "Subject"; regex = "^hold me"; }; }; then = "quarantine";
             message = "held for events"; },
           { if = { dcc = [ "fail" ]; }; then = "reject"; message = "550 5.7.1 bulk"; } ); };
events: { queue_max = 2; actions = (
  { on = [ "*" ]; log = "E \$event_name [\$event_data] from=\$sender_address"; sync = true; },
  { on = [ "msg:complete" ];
    redis = [ "XADD", "mxg:done", "*", "from", "\$sender_address", "verdict", "\$event_data" ];
    timeout_ms = 5000; },
  { on = [ "smtp:connect" ]; redis = "GET block:\$sender_host_address"; sync = true;
    timeout_ms = 500; }
); };
EOF
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"
# t_postfix_start probes its SMTP port: that session fires connect and close
d_wait_log 'event tcp:close: ' 10 >/dev/null
SKIP=$(wc -l <"$D_LOG")
swaks_reply() { sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tail -n 1 | tr -d '\r'; }
# events - the event lines of mxguardd's log so far, "NAME [DATA]" (no pid, no sender)
events() { sed -n "$((SKIP + 1)),\$ s/.*: event [^ ]*: E \(.*\) from=.*/\1/p" "$D_LOG"; }
# nevents NAME - how many times NAME fired so far
nevents() { events | grep -c "^$1 \["; }
N=0

# 1. One accepted message: every event once, with its data, in order.
t_postfix_send --header "Subject: events one"
ok $? "an accepted message passes"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "and is delivered"
_i=0
while [ "$(events | grep -c '^tcp:close')" -lt 1 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
qid=$(sed -n 's/.*: \([0-9A-F]*\): mxguardd: <= sender@bed.test .*verdict=accept.*/\1/p' "$D_LOG" | head -n 1)
t_is "$(events | tr '\n' '|')" \
	"smtp:connect [127.0.0.1]|smtp:helo [client.bed.test]|msg:mail [sender@bed.test]|msg:rcpt [rcpt@remote.test]|msg:data [$qid]|msg:accept []|msg:complete [accept]|tcp:close []|" \
	"a session fires smtp:connect, smtp:helo, msg:mail, msg:rcpt, msg:data, msg:accept, msg:complete, tcp:close once each, with their data"
grep -q 'event msg:mail: E msg:mail \[sender@bed.test\] from=sender@bed.test' "$D_LOG"
ok $? "the usual variables expand in event templates (\$sender_address)"
t_is "$(t_redis_cli xlen mxg:done)" 1 "the redis sink wrote one XADD entry for msg:complete"
t_is "$(t_redis_cli --raw xrange mxg:done - + | sed 1d | tr '\n' '|')" \
	"from|sender@bed.test|verdict|accept|" "the entry holds the sender and the verdict"

# 2. The other verdicts and a check failure.
t_postfix_send --from x@reject.bed.test --header "Subject: events reject"
d_wait_log 'event msg:complete: E msg:complete \[reject\] from=x@reject.bed.test' 10
ok $? "a rejected sender fires msg:complete [reject]"
t_is "$(nevents msg:reject)" 1 "msg:reject fired once"
events | grep -qx 'msg:reject \[550 5.7.1 not from reject.bed.test\]'
ok $? "msg:reject carries the SMTP reply"
t_postfix_send --from x@later.bed.test --header "Subject: events later"
d_wait_log 'event msg:tempfail: E msg:tempfail \[451 4.7.1 later\]' 10
ok $? "a tempfailed sender fires msg:tempfail with the reply"
t_postfix_send --header "Subject: discard me"
d_wait_log 'event msg:discard: E msg:discard \[\]' 10
ok $? "a discarded message fires msg:discard"
t_postfix_send --header "Subject: hold me"
d_wait_log 'event msg:quarantine: E msg:quarantine \[held for events\]' 10
ok $? "a quarantined message fires msg:quarantine with the reason"
t_postfix_send --header "Subject: events dcc" --add-header "X-Fake-DCC: R"
d_wait_log 'event dcc:fail: E dcc:fail \[R\]' 10
ok $? "a DCC reject fires dcc:fail with the letter"
t_is "$(nevents dcc:fail)" 1 "dcc:fail fired once"

# 3. Forcing: a sync action's result on smtp:connect refuses the client.
t_postfix_send --xclient-addr 127.0.0.2 --xclient-name blocked.bed.test --header "Subject: blocked"
[ $? -ne 0 ]; ok $? "a client the sync smtp:connect action answers for is refused"
case $(swaks_reply) in 554\ *) r=0 ;; *) r=1 ;; esac
ok $r "the client gets 554 (Postfix answers a connect-stage reject with its own text)"
grep -q 'milter-reject: XCLIENT from blocked.bed.test\[127.0.0.2\]: 554 5.7.1 no mail from 127.0.0.2 today' "$PF_MAILLOG"
ok $? "Postfix logs the milter's reject with the action's result as its text"
grep -q 'event smtp:connect: .*: sync result: 554 5.7.1 no mail from 127.0.0.2 today' "$D_LOG"
ok $? "mxguardd logs the sync result that refused the connection"

# 4. Redis stopped (SIGSTOP: connections hang until timeout_ms): mail goes on.
before=$(t_postfix_count_sent)
kill -STOP "$REDIS_PID"
t_on_exit "kill -CONT $REDIS_PID"
smtp-source -m 100 -s 5 -f sender@bed.test -t rcpt@remote.test -S "Subject: redis stopped" \
	"127.0.0.1:$PF_PORT" >"$T_DIR/source.log" 2>&1
ok $? "smtp-source sent 100 messages with Redis stopped"
t_postfix_wait_delivered $((before + 100)) 120
ok $? "all 100 messages are delivered with Redis stopped (none lost)"
d_wait_log 'events: [0-9]+ event\(s\) dropped: queue full \(events.queue_max = 2\)' 10
ok $? "events that could not be queued are dropped, counted and logged"
kill -CONT "$REDIS_PID"
d_stop
ok $? "mxguardd stops"
dropped=$(sed -n 's/.*events: totals: .* \([0-9]*\) dropped.*/\1/p' "$D_LOG" | tail -n 1)
[ "${dropped:-0}" -gt 0 ]
ok $? "the totals line at the end counts the drops (${dropped:-none})"
grep -q 'Sanitizer\|runtime error' "$D_LOG"
t_is "$?" 1 "no sanitizer report in mxguardd's log"
t_done
