#!/bin/sh
# t/e2e/sendmail_milter.sh - mxguardd behind a real Sendmail 8.17 (Debian's,
# extracted: t/lib/sendmail.sh) with INPUT_MAIL_FILTER and the macro lists
# of contrib/sendmail/mxguard.mc, over a unix socket (local:) and over
# inet: the Authentication-Results header reaches the delivered message, a
# reject rule's 550 text reaches the SMTP client, and the Sendmail macros
# arrive where mxguardd reads them: i (the queue id of the "<=" line),
# {auth_authen} (A= and the authenticated facts), {tls_version} (the
# tls_version fact a rule tests), j and {daemon_name} (the connect stage).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/sendmail.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

for tool in m4 unshare smtp-sink swaks saslpasswd2 openssl perl; do
	command -v "$tool" >/dev/null ||
		t_bail "$tool is missing (contrib/install-deps.sh test installs it)"
done
perl -MNet::SSLeay -e 1 2>/dev/null ||
	t_bail "swaks needs Net::SSLeay for STARTTLS (install libnet-ssleay-perl)"
AUTHSERV=mx.sendmail.test

# mconf FILE SOCKET - the daemon's config: a reject rule and a rule that
# shows the macro-fed facts in a header (SPF off: no system resolver)
mconf() {
	cat >"$1" <<EOF
milter: {
  socket = "$2";
  user = "";
  pidfile = "$D_PIDFILE";
  authserv_id = "$AUTHSERV";
};
log: { verbose = 2; };
spf: { enabled = false; };
dmarc: { enabled = false; };
rules: {
  mail = (
    { if = { sender_domains = [ "reject.bed.test" ]; }; then = "reject";
      message = "550 5.7.1 Sender domain \$sender_address_domain refused by Sendmail test"; }
  );
  data = (
    { if = { authenticated = true; tls_version = [ "TLSv1.3", "TLSv1.2" ]; }; then = "warn";
      add_header = "X-Sm-Macros: auth=\$authenticated_id tls=\$tls_version qid=\$queue_id"; }
  );
};
EOF
}
# sink_file SUBJECT - the sink's file holding the message with SUBJECT
sink_file() { grep -lx "Subject: $1" $(t_sendmail_sink_files) /dev/null | head -n 1; }
# swaks_reply - the server's refusal line swaks printed last ("<** ...")
swaks_reply() { sed -n 's/^<\*\* *//p' "$SM_LAST_SEND" | tail -n 1 | tr -d '\r'; }
# swaks_qid - the queue id from Sendmail's "250 2.0.0 QID Message accepted"
swaks_qid() { sed -n 's/^<[-~] *250 2\.0\.0 \([^ ]*\) Message accepted.*/\1/p' "$SM_LAST_SEND" | tr -d '\r'; }

# run_side KIND MILTER-SOCKET SENDMAIL-S= - the checks for one socket kind
run_side() {
	_kind=$1
	mconf "$T_DIR/$_kind.conf" "$2"
	d_start "$T_DIR/$_kind.conf" || t_bail "mxguardd on $2 did not start"
	t_sendmail_start "$3" tls auth || t_bail "sendmail with S=$3 did not start"
	N=0

	subj="ar $_kind $$"
	t_sendmail_send --header "Subject: $subj"
	ok $? "$_kind: a plain message passes Sendmail with the milter"
	qid=$(swaks_qid)
	N=$((N + 1)); t_sendmail_wait_delivered $N
	ok $? "$_kind: it is delivered to the sink"
	f=$(sink_file "$subj")
	grep -q "^Authentication-Results: $AUTHSERV;" "$f"
	ok $? "$_kind: the delivered message carries our Authentication-Results"
	d_wait_log "^.*$qid: mxguardd: <= sender@bed.test "
	ok $? "$_kind: macro i: the '<=' line starts with Sendmail's queue id $qid"

	t_sendmail_send --from someone@reject.bed.test --header "Subject: reject $_kind"
	[ $? -ne 0 ]; ok $? "$_kind: a sender in a rejected domain is refused"
	# Sendmail puts "<address>... " before a milter's text at MAIL/RCPT.
	t_is "$(swaks_reply)" \
		"550 5.7.1 <someone@reject.bed.test>... Sender domain reject.bed.test refused by Sendmail test" \
		"$_kind: the SMTP client sees the rule's 550 5.7.1 and text (after Sendmail's <address>...)"

	subj="macros $_kind $$"
	t_sendmail_send --tls --auth PLAIN --auth-user "$SM_AUTH_USER" \
		--auth-password "$SM_AUTH_PASS" --header "Subject: $subj"
	ok $? "$_kind: an authenticated message over STARTTLS passes"
	qid=$(swaks_qid)
	N=$((N + 1)); t_sendmail_wait_delivered $N
	ok $? "$_kind: it is delivered"
	f=$(sink_file "$subj")
	hdr=$(grep '^X-Sm-Macros:' "$f" | tr -d '\r')
	# The space after the colon is checked by nobody here: a rule's
	# add_header value is sent without one while SMFIP_HDR_LEADSPC is
	# negotiated, and Sendmail then writes "Name:value" (reported).
	case $hdr in
	"X-Sm-Macros:"*"auth=$SM_AUTH_USER tls=TLSv1."[23]" qid=$qid") r=0 ;;
	*) r=1 ;;
	esac
	ok $r "$_kind: {auth_authen}, {tls_version} and i feed the facts a rule uses (got: $hdr)"
	d_wait_log "$qid: mxguardd: <= sender@bed.test .* A=$SM_AUTH_USER "
	ok $? "$_kind: {auth_authen} shows as A=$SM_AUTH_USER on the '<=' line"
	d_wait_log "mxguardd: connect: proto=0x[0-9a-f]+ j=mx\.sm\.test daemon_name=MTA-test\$"
	ok $? "$_kind: j and {daemon_name} arrive at connect (mx.sm.test, MTA-test)"
	d_wait_log "mxguardd: helo: client\.bed\.test tls_version=TLSv1\.[23] cipher=[A-Z0-9_-]+\$"
	ok $? "$_kind: {tls_version} and {cipher} arrive at HELO after STARTTLS"

	t_sendmail_stop
	d_stop
	ok $? "$_kind: mxguardd stops on SIGTERM"
}

run_side unix "unix:$T_DIR/mxguardd.sock" "local:$T_DIR/mxguardd.sock"
run_side inet "inet:$D_PORT@127.0.0.1" "inet:$D_PORT@127.0.0.1"
t_done
