#!/bin/sh
# daemon_miltertest.sh - a full milter conversation (negotiate, connect ..
# eom, a second message on the same connection, abort) against the real
# mxguardd with Debian's miltertest and its default config except SPF (off:
# no DNS here): negotiation turns off what no check or rule needs (HELO,
# quarantine; the body stays on: DKIM and ARC verification read it), every
# message gets Authentication-Results inserted, and the pipeline's summary
# line shows what the callbacks copied (queue id, sender, client, auth,
# recipients, size).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

command -v miltertest >/dev/null || t_bail "miltertest is missing: apt-get install miltertest"
d_conf "$T_DIR/m.conf"
d_start "$T_DIR/m.conf"
ok $? "mxguardd started on inet:$D_PORT@127.0.0.1"

# Each step in pcall: a step the milter declined at negotiation raises a Lua
# error (TESTBED.md); every result is printed as "R name ok|FAIL detail".
cat > "$T_DIR/conv.lua" <<LUA
local function r(name, cond, detail)
  print("R " .. name .. " " .. (cond and "ok" or "FAIL") .. " " .. (detail or ""))
end
local function step(name, f, want)
  local okc, err = pcall(f)
  local got = okc and mt.getreply(conn) or nil
  r(name, okc and (want == nil or got == want), okc and tostring(got) or tostring(err))
end
conn = mt.connect("inet:$D_PORT@127.0.0.1", 20, 0.1)
r("connect", conn ~= nil)
if conn == nil then os.exit(1) end
r("negotiated SMFIF_ADDHDRS", mt.test_action(conn, SMFIF_ADDHDRS))
r("negotiated SMFIF_CHGHDRS", mt.test_action(conn, SMFIF_CHGHDRS))
r("did not ask SMFIF_QUARANTINE (no rule quarantines)", not mt.test_action(conn, SMFIF_QUARANTINE))
r("did not ask SMFIF_CHGBODY", not mt.test_action(conn, SMFIF_CHGBODY))
r("turned off DATA step", mt.test_option(conn, SMFIP_NODATA))
r("turned off unknown-command step", mt.test_option(conn, SMFIP_NOUNKNOWN))
r("kept the body step (DKIM and ARC read it)", not mt.test_option(conn, SMFIP_NOBODY))
r("turned off the HELO step (nothing uses it)", mt.test_option(conn, SMFIP_NOHELO))
r("kept the header step (forged A-R removal)", not mt.test_option(conn, SMFIP_NOHDRS))
mt.macro(conn, SMFIC_CONNECT, "j", "mx.example.test", "{daemon_name}", "smtpd")
step("conninfo", function() assert(mt.conninfo(conn, "client.example.org", "192.0.2.7") == nil) end, SMFIR_CONTINUE)
mt.macro(conn, SMFIC_MAIL, "i", "4QUEUE1", "{auth_authen}", "alice")
step("mail", function() assert(mt.mailfrom(conn, "<sender@example.org>") == nil) end, SMFIR_CONTINUE)
step("rcpt 1", function() assert(mt.rcptto(conn, "<a@example.test>") == nil) end, SMFIR_CONTINUE)
step("rcpt 2", function() assert(mt.rcptto(conn, "<b@example.test>") == nil) end, SMFIR_CONTINUE)
step("header From", function() assert(mt.header(conn, "From", "sender@example.org") == nil) end)
step("header Subject", function() assert(mt.header(conn, "Subject", "hello") == nil) end)
step("eoh", function() assert(mt.eoh(conn) == nil) end, SMFIR_CONTINUE)
step("eom accepts", function() assert(mt.eom(conn) == nil) end, SMFIR_CONTINUE)
r("eom inserted Authentication-Results", mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"))
r("eom added no other header", not mt.eom_check(conn, MT_HDRADD, "X-Anything"))
mt.macro(conn, SMFIC_MAIL, "i", "4QUEUE2")
step("second mail", function() assert(mt.mailfrom(conn, "<>") == nil) end, SMFIR_CONTINUE)
step("second rcpt", function() assert(mt.rcptto(conn, "<c@example.test>") == nil) end, SMFIR_CONTINUE)
step("abort", function() assert(mt.abort(conn) == nil) end)
mt.macro(conn, SMFIC_MAIL, "i", "4QUEUE3")
step("third mail", function() assert(mt.mailfrom(conn, "<x@example.org>") == nil) end, SMFIR_CONTINUE)
step("third rcpt", function() assert(mt.rcptto(conn, "<d@example.test>") == nil) end, SMFIR_CONTINUE)
step("third header", function() assert(mt.header(conn, "X-Test", "3") == nil) end)
step("third eoh", function() assert(mt.eoh(conn) == nil) end, SMFIR_CONTINUE)
step("third eom accepts", function() assert(mt.eom(conn) == nil) end, SMFIR_CONTINUE)
step("disconnect", function() assert(mt.disconnect(conn) == nil) end)
LUA
miltertest -s "$T_DIR/conv.lua" > "$T_DIR/conv.out" 2>&1
ok $? "miltertest ran the conversation to the end"
n=0
while read -r tag name; do
	[ "$tag" = R ] || continue
	n=$((n + 1))
	case $name in
	*" ok"*) ok 0 "miltertest: ${name% ok*}" ;;
	*) ok 1 "miltertest: $name" ;;
	esac
done < "$T_DIR/conv.out"
t_is "$n" 29 "miltertest reported every step"
[ "$n" = 29 ] || t_diag "$(cat "$T_DIR/conv.out")"

# Sizes as the pipeline reports them (S=): From (4 + 18 + 4) + Subject
# (7 + 5 + 4) = 42 header bytes, plus 4 for the blank line and end of message,
# plus the 21-byte body miltertest sends at eom (the body step is on).
d_wait_log 'mxguardd: connect from client.example.org\[192.0.2.7\]'
ok $? "verbose log has the connect line with host name and address"
d_wait_log '4QUEUE1: mxguardd: <= sender@example.org H=client.example.org \[192.0.2.7\] A=alice R=a@example.test,b@example.test S=67 dkim=none arc_state=none verdict=accept'
ok $? "summary line: queue id macro, sender, client, {auth_authen}, 2 recipients, size 67"
grep -q '4QUEUE2: mxguardd: <=' "$D_LOG"
ok $((! $?)) "no summary line for the aborted message"
# One short header and the 21-byte body: S=35 as the pipeline counts it (the aborted message
# left nothing behind: its recipient and sender are absent).
d_wait_log '4QUEUE3: mxguardd: <= x@example.org H=client.example.org \[192.0.2.7\] R=d@example.test S=35 dkim=none arc_state=none verdict=accept'
ok $? "message after an abort starts fresh (1 recipient, no auth, size 35)"
d_alive
ok $? "mxguardd still running after the conversation"

# Reload with milter.max_message_size = 60: the header that passes it is
# logged once, the message is still accepted with its A-R, and the new
# limit applies without a restart.
d_conf "$T_DIR/m.conf" 'max_message_size = 60;'
kill -HUP "$D_PID"
d_wait_log "reload: configuration reloaded"; ok $? "reloaded with max_message_size = 60"
cat > "$T_DIR/big.lua" <<LUA
local function r(name, cond, detail)
  print("R " .. name .. " " .. (cond and "ok" or "FAIL") .. " " .. (detail or ""))
end
conn = mt.connect("inet:$D_PORT@127.0.0.1", 20, 0.1)
if conn == nil then r("connect", false); os.exit(1) end
mt.conninfo(conn, "big.example.org", "192.0.2.8")
mt.macro(conn, SMFIC_MAIL, "i", "4BIG")
mt.mailfrom(conn, "<big@example.org>")
mt.rcptto(conn, "<a@example.test>")
mt.header(conn, "Subject", string.rep("a", 40))
mt.header(conn, "X-More", string.rep("b", 40))
mt.eoh(conn)
r("end of headers continues", mt.getreply(conn) == SMFIR_CONTINUE, tostring(mt.getreply(conn)))
mt.eom(conn)
r("oversize message still accepted", mt.getreply(conn) == SMFIR_CONTINUE, tostring(mt.getreply(conn)))
r("oversize message still gets A-R", mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results"))
mt.disconnect(conn)
LUA
miltertest -s "$T_DIR/big.lua" > "$T_DIR/big.out" 2>&1
ok $? "miltertest ran the oversize conversation"
n=0
while read -r tag name; do
	[ "$tag" = R ] || continue
	n=$((n + 1))
	case $name in *" ok"*) ok 0 "oversize: ${name% ok*}" ;; *) ok 1 "oversize: $name" ;; esac
done < "$T_DIR/big.out"
t_is "$n" 3 "oversize conversation reported every step"
d_wait_log "4BIG: pipeline: message over milter.max_message_size \(60 bytes\)"
ok $? "the oversize message is logged with the limit"
t_is "$(grep -c '4BIG: pipeline: message over' "$D_LOG")" 1 "and only once"
d_stop
ok $? "mxguardd stops on SIGTERM"
t_done
