#!/bin/sh
# t/e2e/metrics_outbound.sh - mxguard-outbound's metrics listener scraped
# with curl after LMTP transactions through the proxy to real next hops
# (the bed's Postfix as MX, one listener with STARTTLS, one without, and a
# dead address): deliveries by status and by TLS level reached equal the
# recipients sent, connection reuse agrees with the proxy's own log
# (conn_use=), and the counters of both daemons (DNS, start time) are
# there, mxguardd's message counters are not.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

for tool in curl postfix swaks perl nsd unbound openssl; do
	command -v "$tool" >/dev/null ||
		t_bail "$tool is missing (contrib/install-deps.sh test installs it)"
done
N=3			# LMTP transactions, one recipient in each domain
MX_PORT=$(t_free_port) && M_PORT=$(t_free_port) || t_bail "no free port"
URL=http://127.0.0.1:$M_PORT/metrics

t_dns_zone plain.test <<'EOF'
@	MX	10 mx
mx	A	127.0.0.21
EOF
t_dns_zone tls.test <<'EOF'
@	MX	10 mx
mx	A	127.0.0.22
EOF
t_dns_zone dead.test <<'EOF'
@	MX	10 mx
mx	A	127.0.0.23
EOF
t_dns_start || t_bail "dns bed did not start"
t_ca_new ca && t_cert_new ca mx.tls.test || t_bail "no certificate"
t_mx_start || t_bail "no MX"
t_mx_listener 127.0.0.21
t_mx_listener 127.0.0.22 mx.tls.test
t_mx_reload || t_bail "MX listeners"
OB_FLAGS=""
t_outbound_start "$(t_dns_conf)" "metrics: { listen = \"127.0.0.1:$M_PORT\"; };" ||
	t_bail "mxguard-outbound did not start"
t_wait_port "$M_PORT" 10
ok $? "mxguard-outbound serves metrics on 127.0.0.1:$M_PORT"

s() { awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' "$T_DIR/scrape"; }
curl -sf -o "$T_DIR/scrape" "$URL"
t_is "$(s 'mxguard_outbound_deliveries_total{status="sent"}')" 0 "before any mail: 0 sent"
t_is "$(s 'mxguard_messages_total{verdict="accept"}')" absent "mxguardd's message counters are not shown"

i=0
while [ $i -lt $N ]; do
	i=$((i + 1))
	swaks --protocol LMTP --server "127.0.0.1:$OB_PORT" --helo mta.bed.test \
		--from "s$i@bed.test" --to "p$i@plain.test,t$i@tls.test,d$i@dead.test" \
		--header "Subject: ob $i" >"$T_DIR/swaks.$i" 2>&1
	t_mx_wait_got "t$i@tls.test" && t_mx_wait_got "p$i@plain.test"
	ok $? "transaction $i: the MX got the plain.test and tls.test recipients"
	grep -q '^<\*\* *451[ -]4\.4\.1 ' "$T_DIR/swaks.$i"
	ok $? "transaction $i: the dead.test recipient was answered 451 4.4.1"
done

curl -sf -o "$T_DIR/scrape" "$URL"
ok $? "curl GET /metrics succeeds"
t_is "$(s 'mxguard_outbound_deliveries_total{status="sent"}')" $((2 * N)) \
	"sent = $((2 * N)) (plain.test and tls.test recipients)"
t_is "$(s 'mxguard_outbound_deliveries_total{status="deferred"}')" $N "deferred = $N (dead.test)"
t_is "$(s 'mxguard_outbound_deliveries_total{status="bounced"}')" 0 "bounced = 0"
t_is "$(s 'mxguard_outbound_tls_total{level="encrypted"}')" $N \
	"TLS encrypted (unverified certificate) = $N (tls.test)"
t_is "$(s 'mxguard_outbound_tls_total{level="none"}')" $((2 * N)) \
	"no TLS = $((2 * N)) (plain.test, and dead.test never connected)"
t_is "$(s 'mxguard_outbound_tls_total{level="dane"}')" 0 "no DANE here"
t_is "$(grep -c 'to=<[^>]*>, relay=.*, conn_use=' "$OB_LOG")" \
	"$(s mxguard_outbound_connection_reuse_total)" \
	"connection reuse = the delivery lines with conn_use= in the proxy's log"
[ "$(s mxguard_outbound_connection_reuse_total)" -gt 0 ]
ok $? "connections were reused (the comparison above is not 0 = 0)"
q=$(s mxguard_dns_queries_total)
[ "$q" -ge 1 ] 2>/dev/null
ok $? "the MX lookups show as DNS queries ($q)"
[ "$(s mxguard_start_time_seconds)" != absent ]
ok $? "the start time is shown"
"$(t_bin mxguard)" status --listen "127.0.0.1:$M_PORT" >"$T_DIR/status.out" 2>&1
grep -Eq "^outbound deliveries +sent=$((2 * N)) deferred=$N bounced=0\$" "$T_DIR/status.out"
ok $? "mxguard status prints the outbound deliveries"
grep -Eq "^outbound tls +dane=0 verified=0 encrypted=$N none=$((2 * N))\$" "$T_DIR/status.out"
ok $? "mxguard status prints the TLS levels"
! grep -q '^milter connections' "$T_DIR/status.out"
ok $? "mxguard status leaves out the milter lines for the proxy"
t_diag "$(cat "$T_DIR/status.out")"
t_done
