#!/bin/sh
# t/e2e/bed_postfix.sh - a private Postfix delivers to smtp-sink, without and
# with mxguardd as its milter; with the milter down, mail is refused with 4xx.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"

t_need postfix postconf postqueue smtp-sink swaks
MXGUARDD=$(t_bin mxguardd) || t_bail "mxguardd is not built"

# sink_has_subject SUBJECT - the sink holds exactly one message with SUBJECT
sink_has_subject() {
	[ "$(grep -lx "Subject: $1" $(t_postfix_sink_files) /dev/null | wc -l)" -eq 1 ]
}
# alive PID - the process exists and is not a zombie
alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^[ZX]'; }
# qid_of - Postfix's queue id of the message swaks sent last
qid_of() {
	sed -n 's/.*postfix\/cleanup\[[0-9]*\]: \([0-9A-F]*\): message-id=.*/\1/p' "$PF_MAILLOG" | tail -n 1
}

# 1. No milter.
t_postfix_start || t_bail "postfix did not start"
ok 0 "a private Postfix instance starts on 127.0.0.1:$PF_PORT"
subj="bed plain $$"
t_postfix_send --header "Subject: $subj"
ok $? "swaks submits a message to the instance"
t_postfix_wait_delivered 1
ok $? "the message reaches smtp-sink"
sink_has_subject "$subj"
ok $? "the sink holds the message with its subject"
grep -q '^X-Rcpt-Args: <rcpt@remote.test>' $(t_postfix_sink_files) /dev/null
ok $? "the sink saw the envelope recipient"
grep -q "relay=127.0.0.1\[127.0.0.1\]:$PF_SINK_PORT, .*status=sent" "$PF_MAILLOG"
ok $? "Postfix relayed to [127.0.0.1]:$PF_SINK_PORT without DNS"
! grep -qi 'milter' "$PF_MAILLOG"
ok $? "no milter was contacted by the instance without one"

# XCLIENT plays a remote client: allowed to the relay domain only.
subj="bed xclient $$"
t_postfix_send --xclient-addr 192.0.2.10 --xclient-name mail.example.test \
	--header "Subject: $subj"
ok $? "a client played with XCLIENT (192.0.2.10) sends to the relay domain"
t_postfix_wait_delivered 2
ok $? "its message reaches smtp-sink"
f=$(grep -lx "Subject: $subj" $(t_postfix_sink_files) /dev/null | head -n 1)
grep -q '^Received: from client.bed.test (mail.example.test \[192.0.2.10\])' "$f"
ok $? "Postfix recorded the XCLIENT address as the client"
t_postfix_send --xclient-addr 192.0.2.10 --xclient-name mail.example.test \
	--to someone@elsewhere.example --header "Subject: relay attempt"
[ $? -ne 0 ] && grep -Eq '^<\*\* +554 5\.7\.1 .*Relay access denied' "$PF_LAST_SEND"
r=$?
ok $r "the same client may not relay to another domain (554 5.7.1)"
[ $r -eq 0 ] || t_diag "swaks transcript:" "$(tail -n 8 "$PF_LAST_SEND")"
PLAIN_SINK=$PF_SINK_DIR

# 2. mxguardd as the milter.
MPORT=$(t_free_port)
cat >"$T_DIR/mxguard.conf" <<EOF
milter: { socket = "inet:$MPORT@127.0.0.1"; user = ""; };
log: { verbose = 1; };
spf: { enabled = false; };
dmarc: { enabled = false; };
EOF
"$MXGUARDD" -f -c "$T_DIR/mxguard.conf" </dev/null >"$T_DIR/mxguardd.log" 2>&1 &
MPID=$!
t_on_exit "kill $MPID"
t_wait_port "$MPORT" 10 && kill -0 "$MPID" 2>/dev/null
r=$?
ok $r "mxguardd listens on inet:$MPORT@127.0.0.1"
[ $r -eq 0 ] || t_diag "mxguardd log:" "$(cat "$T_DIR/mxguardd.log")"

t_postfix_start "inet:127.0.0.1:$MPORT" || t_bail "postfix with the milter did not start"
ok 0 "a second instance with smtpd_milters = inet:127.0.0.1:$MPORT starts"
subj="bed milter $$"
t_postfix_send --header "Subject: $subj"
ok $? "swaks submits a message through the milter"
t_postfix_wait_delivered 1
ok $? "the message passes the milter and reaches smtp-sink"
sink_has_subject "$subj"
ok $? "the sink holds the milter-passed message with its subject"
qid=$(qid_of)
[ -n "$qid" ] && grep -q "$qid: mxguardd: <= sender@bed.test H=localhost \[127.0.0.1\] R=rcpt@remote.test .* verdict=accept" "$T_DIR/mxguardd.log"
r=$?
ok $r "mxguardd's summary line (<=) carries Postfix's queue id ($qid), client, sender, recipient, verdict"
[ $r -eq 0 ] || t_diag "mxguardd log:" "$(tail -n 20 "$T_DIR/mxguardd.log")"
grep -q 'mxguardd: connect from localhost\[127.0.0.1\]' "$T_DIR/mxguardd.log"
ok $? "mxguardd saw the SMTP client's connection"
t_postfix_send --xclient-addr 192.0.2.10 --xclient-name mail.example.test \
	--header "Subject: bed milter xclient $$"
ok $? "an XCLIENT-played client sends through the milter"
t_postfix_wait_delivered 2
ok $? "that message passes the milter too"
grep -q 'mxguardd: connect from mail.example.test\[192.0.2.10\]' "$T_DIR/mxguardd.log"
ok $? "mxguardd sees the XCLIENT address as the SMTP client"
[ "$(ls "$PLAIN_SINK" | wc -l)" -eq 2 ]
ok $? "the first instance's sink still holds only its own messages"

# 3. Milter down: milter_default_action = tempfail refuses the mail.
kill "$MPID"
i=0
while alive "$MPID" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
! alive "$MPID"
ok $? "mxguardd stops on SIGTERM"
! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$T_DIR/mxguardd.log"
r=$?
ok $r "mxguardd's log holds no sanitizer report"
[ $r -eq 0 ] || t_diag "$(grep -E -A12 'Sanitizer|runtime error:' "$T_DIR/mxguardd.log" | head -n 40)"
subj="bed milter down $$"
t_postfix_send --header "Subject: $subj"
r=$?
[ $r -ne 0 ]
ok $? "swaks fails when the milter is down (exit $r)"
grep -Eq '^<\*\* +4[0-9][0-9][ -]' "$PF_LAST_SEND"
r=$?
ok $r "the refusal is a temporary 4xx reply"
[ $r -eq 0 ] || t_diag "swaks transcript:" "$(tail -n 15 "$PF_LAST_SEND")"
grep -q "warning: connect to Milter service inet:127.0.0.1:$MPORT" "$PF_MAILLOG"
ok $? "Postfix logged that it could not reach the milter"
postqueue -c "$PF_DIR/etc" -p >"$T_DIR/queue.txt" 2>&1
grep -q 'Mail queue is empty' "$T_DIR/queue.txt" && ! sink_has_subject "$subj"
ok $? "the refused message is neither queued nor delivered"

# 4. The recommended setup: a unix socket that Postfix's smtpd (user postfix)
# may open through the socket's group.
SOCK=$T_DIR/milter/mxguardd.sock
mkdir -p "$T_DIR/milter"
cat >"$T_DIR/mxguard-unix.conf" <<EOF
milter: { socket = "unix:$SOCK"; user = ""; group = "postfix"; };
log: { verbose = 1; };
spf: { enabled = false; };
dmarc: { enabled = false; };
EOF
"$MXGUARDD" -f -c "$T_DIR/mxguard-unix.conf" </dev/null >"$T_DIR/mxguardd-unix.log" 2>&1 &
UPID=$!
t_on_exit "kill $UPID"
t_wait_file "$SOCK" 10 && [ -S "$SOCK" ]
r=$?
ok $r "mxguardd listens on unix:$SOCK"
[ $r -eq 0 ] || t_diag "mxguardd log:" "$(cat "$T_DIR/mxguardd-unix.log")"
t_is "$(stat -c '%a %G' "$SOCK" 2>&1)" "660 postfix" "the unix socket is mode 0660, group postfix"
t_postfix_start "unix:$SOCK" || t_bail "postfix with the unix milter did not start"
subj="bed milter unix $$"
t_postfix_send --header "Subject: $subj"
ok $? "swaks submits a message through the unix-socket milter"
t_postfix_wait_delivered 1
ok $? "the message passes the unix-socket milter and reaches smtp-sink"
sink_has_subject "$subj"
ok $? "the sink holds it with its subject"
qid=$(qid_of)
[ -n "$qid" ] && grep -q "$qid: mxguardd: <= sender@bed.test H=localhost \[127.0.0.1\] R=rcpt@remote.test .* verdict=accept" "$T_DIR/mxguardd-unix.log"
ok $? "mxguardd on the unix socket logged its summary line (<=) under Postfix's queue id ($qid)"

t_done
