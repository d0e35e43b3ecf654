#!/bin/sh
# t/e2e/dcc_postfix.sh - DCC end to end: the bed's real Postfix, mxguardd, and
# t/tools/fake_dccifd.pl on a unix socket (DCC is not packaged in Debian).
# Greylisting (dccifd T: dcc = defer, the rule answers 451), a reject on
# fail (R), per-recipient removal on S (smfi_delrcpt: only the accepted
# recipient reaches the sink), the X-DCC header in the delivered message,
# and what Postfix's envelope looks like at dccifd.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl

SOCK=$T_DIR/dccifd
FLOG=$T_DIR/fake.log
perl "$top_srcdir/t/tools/fake_dccifd.pl" --unix "$SOCK" --log "$FLOG" 2>"$T_DIR/fake.err" &
t_on_exit "kill $!"
t_wait_file "$SOCK" 10 || t_bail "fake dccifd did not start: $(cat "$T_DIR/fake.err")"

cat >"$T_DIR/m.conf" <<EOF
milter: { socket = "inet:$D_PORT@127.0.0.1"; user = ""; pidfile = "$D_PIDFILE";
          authserv_id = "mx.dcc.test"; };
store: { lmdb = "$T_DIR/state.mdb"; };
spf: { enabled = false; };
dmarc: { enabled = false; };
dcc: { enabled = true; address = "$SOCK"; defer_ok = false; per_recipient = true;
       timeout_ms = 5000; };
rules: { data = (
  { if = { dcc = [ "defer" ]; }; then = "tempfail"; message = "451 4.7.1 greylisted by DCC, try later"; },
  { if = { dcc = [ "fail" ]; }; then = "reject"; message = "550 5.7.1 bulk mail (DCC \$dcc_result)"; } ); };
EOF
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"

swaks_reply() { sed -n 's/^<\*\* *//p' "$PF_LAST_SEND" | tail -n 1 | tr -d '\r'; }
sink_file() { grep -lx "Subject: $1" $(t_postfix_sink_files) /dev/null | head -n 1; }
N=0

# 1. A: delivered with the X-DCC header.
subj="dcc accept $$"
t_postfix_send --header "Subject: $subj" --add-header "X-Fake-DCC: A"
ok $? "answer A: the message is accepted"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "answer A: it is delivered"
f=$(sink_file "$subj")
grep -q '^X-DCC-Fake-Metrics: fake.example 1201; bulk Body=many Fuz1=many' "$f"
ok $? "the delivered message carries dccifd's X-DCC header"
grep -q '^	Fuz2=many result=A' "$f"
ok $? "the X-DCC header keeps dccifd's folding"
grep -q '^opts=header ip=127.0.0.1 name=localhost helo=client.bed.test sender=sender@bed.test rcpts=rcpt@remote.test|rcpt ' "$FLOG"
ok $? "dccifd got Postfix's client, HELO, sender and recipient (with its user name)"

# 2. T: greylisting through the rule dcc = defer -> tempfail.
t_postfix_send --header "Subject: dcc grey $$" --add-header "X-Fake-DCC: T"
[ $? -ne 0 ]; ok $? "answer T: the message is refused"
t_is "$(swaks_reply)" "451 4.7.1 greylisted by DCC, try later" "answer T: the client sees 451 4.7.1"

# 3. R: reject on fail.
t_postfix_send --header "Subject: dcc reject $$" --add-header "X-Fake-DCC: R"
[ $? -ne 0 ]; ok $? "answer R: the message is refused"
t_is "$(swaks_reply)" "550 5.7.1 bulk mail (DCC R)" "answer R: the client sees 550 5.7.1 with \$dcc_result"

# 4. S: the recipients dccifd rejected are removed; the other gets the message.
subj="dcc some $$"
t_postfix_send --to good@remote.test,bulk1@remote.test,grey1@remote.test \
	--header "Subject: $subj" --add-header "X-Fake-DCC: S"
ok $? "answer S: the message is accepted"
N=$((N + 1)); t_postfix_wait_delivered $N
ok $? "answer S: it is delivered"
f=$(sink_file "$subj")
t_is "$(grep '^X-Rcpt-Args:' "$f" | tr -d '\r' | sed 's/^X-Rcpt-Args: *//; s/ ORCPT=.*//' | tr '\n' ' ')" \
	"<good@remote.test> " "answer S: only the accepted recipient reaches the sink"
d_wait_log 'dcc: recipient bulk1@remote.test removed \(dccifd: R\)' 5
ok $? "answer S: the removal of bulk1 (R) is logged"
d_wait_log 'dcc: recipient grey1@remote.test removed \(dccifd: G\)' 5
ok $? "answer S: the removal of grey1 (G) is logged"

# 5. dccifd broken: defer (dcc.defer_ok = false) -> 451, not a pass.
t_postfix_send --header "Subject: dcc garbage $$" --add-header "X-Fake-DCC: garbage"
[ $? -ne 0 ]; ok $? "a garbage answer from dccifd: the message is refused"
t_is "$(swaks_reply)" "451 4.7.1 greylisted by DCC, try later" "a garbage answer is a defer (451), never a pass"
grep -q 'Sanitizer\|runtime error' "$D_LOG"
t_is "$?" 1 "no sanitizer report in mxguardd's log"
t_done
