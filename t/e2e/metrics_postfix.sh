#!/bin/sh
# t/e2e/metrics_postfix.sh - mxguardd's metrics listener scraped with a
# real HTTP client (curl) after messages went through the bed's real
# Postfix and DNS: messages by verdict, DKIM and ARC results and hook
# latencies equal what was sent exactly (the messages are DKIM-signed with
# mxguard sign, the key is in the DNS bed), DNS queries moved, no milter
# connection stays in flight, events dropped by a full queue are counted; the listener answers only GET/HEAD /metrics,
# refuses an oversized request, and `mxguard status` prints the same
# numbers.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

for tool in curl postfix smtp-sink swaks perl nsd unbound openssl base64; do
	command -v "$tool" >/dev/null ||
		t_bail "$tool is missing (contrib/install-deps.sh test installs it)"
done
N_PASS=7		# messages accepted, DKIM pass, ARC none
N_REJ=2			# messages refused at MAIL by a rule (no end of message)
M_PORT=$(t_free_port)
URL=http://127.0.0.1:$M_PORT/metrics

MXGUARD=$(t_bin mxguard)
openssl genpkey -algorithm ed25519 -out "$T_DIR/k.pem" 2>/dev/null && chmod 600 "$T_DIR/k.pem" ||
	t_bail "openssl cannot make an Ed25519 key"
pub=$(openssl pkey -in "$T_DIR/k.pem" -pubout -outform DER | tail -c 32 | base64)
t_dns_zone metricsbed.test <<EOF
@	TXT	"v=spf1 ip4:127.0.0.0/8 -all"
sel._domainkey	TXT	"v=DKIM1; k=ed25519; p=$pub"
EOF
t_dns_start || t_bail "the DNS bed did not start"

cat >"$T_DIR/m.conf" <<EOF
milter: { socket = "inet:$D_PORT@127.0.0.1"; user = ""; pidfile = "$D_PIDFILE"; };
metrics: { listen = "127.0.0.1:$M_PORT"; };
store: { lmdb = "$T_DIR/state.mdb"; };
dns: { servers = [ "127.0.0.1:$DNS_PORT" ]; timeout_ms = 2000; cache_size = 100; };
spf: { helo = false; };
# A queue of one event and a worker that takes 3 s per event: the events
# of 9 messages in a few seconds overflow it, and the drops are counted.
events: { queue_max = 1;
  actions = ( { on = [ "msg:complete" ]; exec = "$T_DIR/slow.sh"; timeout_ms = 5000; } ); };
rules: {
  mail = (
    { if = { sender_domains = [ "reject.metricsbed.test" ]; }; then = "reject";
      message = "550 5.7.1 not here"; }
  );
};
EOF
printf '#!/bin/sh\ncat >/dev/null\nsleep 3\n' >"$T_DIR/slow.sh" && chmod 755 "$T_DIR/slow.sh"
d_start "$T_DIR/m.conf" || t_bail "mxguardd did not start"
d_wait_log "metrics: listening on http://127.0.0.1:$M_PORT/metrics"
ok $? "mxguardd logs its metrics listener"

# metric NAME{LABELS} - the value of one sample in a fresh scrape
metric() {
	curl -sf "$URL" | awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }'
}

t_is "$(metric 'mxguard_messages_total{verdict="accept"}')" 0 "before any mail: 0 accepted"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"
# t_postfix_start's probe of the SMTP port was an SMTP session too, whose
# milter connection smtpd opens and closes on its own time: wait for it
# to be over (at most 10 s), then count from there.
for _ in $(seq 1 100); do
	[ "$(metric mxguard_milter_connections_total)" -ge 1 ] &&
		[ "$(metric mxguard_milter_connections)" = 0 ] && break
	sleep 0.1
done
C0=$(metric mxguard_milter_connections_total)

printf 'dkim: { sign = ( { domain = "metricsbed.test"; selector = "sel"; key = "%s";
  algorithm = "ed25519-sha256"; } ); };\n' "$T_DIR/k.pem" >"$T_DIR/sign.conf"
i=0
while [ $i -lt $N_PASS ]; do
	i=$((i + 1))
	printf 'From: u%s@metricsbed.test\r\nTo: rcpt@remote.test\r\nSubject: m%s\r\n\r\nbody %s\r\n' \
		$i $i $i >"$T_DIR/msg.$i"
	"$MXGUARD" sign -c "$T_DIR/sign.conf" "$T_DIR/msg.$i" >"$T_DIR/signed.$i" ||
		t_bail "mxguard sign failed"
	t_postfix_send --from "u$i@metricsbed.test" --data "$T_DIR/signed.$i" ||
		t_diag "send $i failed: $(tail -n 3 "$PF_LAST_SEND")"
done
i=0
while [ $i -lt $N_REJ ]; do
	i=$((i + 1))
	t_postfix_send --from "r$i@reject.metricsbed.test" --header "Subject: r$i"
done
t_postfix_wait_delivered $N_PASS
ok $? "$N_PASS messages delivered through Postfix and mxguardd"

curl -sf -o "$T_DIR/scrape" -D "$T_DIR/scrape.hdr" "$URL"
ok $? "curl GET /metrics succeeds"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T_DIR/scrape.hdr"
ok $? "the answer is the Prometheus text format 0.0.4"
s() { awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' "$T_DIR/scrape"; }
t_is "$(s 'mxguard_messages_total{verdict="accept"}')" $N_PASS "messages accepted = $N_PASS sent"
t_is "$(s 'mxguard_messages_total{verdict="reject"}')" $N_REJ "messages rejected = $N_REJ refused"
t_is "$(s 'mxguard_messages_total{verdict="tempfail"}')" 0 "no tempfail"
t_is "$(s 'mxguard_check_results_total{check="dkim",result="pass"}')" $N_PASS \
	"dkim pass = $N_PASS signed messages"
t_is "$(s 'mxguard_check_results_total{check="arc_state",result="none"}')" $N_PASS \
	"arc_state none = $N_PASS (no ARC sets)"
t_is "$(grep -c '^mxguard_check_results_total{check="dkim"' "$T_DIR/scrape")" 1 \
	"no other dkim result word"
t_is "$(s 'mxguard_check_duration_seconds_count{check="dkim",stage="eom"}')" $N_PASS \
	"the dkim latency histogram counts one end-of-message hook per accepted message"
t_is "$(s 'mxguard_check_duration_seconds_bucket{check="dkim",stage="eom",le="+Inf"}')" \
	$N_PASS "its +Inf bucket equals its count"
q=$(s mxguard_dns_queries_total) h=$(s mxguard_dns_cache_hits_total) l=$(s mxguard_dns_lookups_total)
[ "$q" -ge 1 ] 2>/dev/null
ok $? "DNS: queries were sent for the DKIM key ($q)"
t_is "$l" $((q + h)) "DNS lookups = queries sent + cache hits ($q + $h)"
t_is "$(s mxguard_dns_errors_total)" 0 "no DNS errors"
t_is "$(s mxguard_dns_timeouts_total)" 0 "no DNS timeouts"
awk -v q="$q" -v h="$h" -v r="$(s mxguard_dns_cache_hit_ratio)" \
	'BEGIN { exit !((r - h / (h + q)) ^ 2 < 1e-12) }'
ok $? "the cache hit ratio is hits / (hits + queries)"
t_is "$(( $(s mxguard_milter_connections_total) - C0 ))" $((N_PASS + N_REJ)) \
	"one milter connection per SMTP session"
# Postfix closes its milter connection when the SMTP session ends.
inflight=absent
for _ in $(seq 1 50); do
	inflight=$(metric mxguard_milter_connections)
	[ "$inflight" = 0 ] && break
	sleep 0.1
done
t_is "$inflight" 0 "no milter connection stays in flight"
t_is "$(s mxguard_store_errors_total)" 0 "no store errors"
drops=$(s mxguard_event_drops_total)
[ "$drops" -ge 1 ] 2>/dev/null
ok $? "events dropped by the full queue are counted ($drops)"
depth=absent
for _ in $(seq 1 150); do
	depth=$(metric mxguard_event_queue_depth)
	[ "$depth" = 0 ] && break
	sleep 0.1
done
t_is "$depth" 0 "the event queue depth returns to 0 once the worker caught up"

# The listener refuses everything but GET/HEAD /metrics.
t_is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$M_PORT/")" 404 "GET / is 404"
t_is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL")" 405 "POST /metrics is 405"
t_is "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL")" 200 "HEAD /metrics is 200"
big=$(head -c 5000 /dev/zero | tr '\0' 'a')
t_is "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL")" 413 \
	"a request over 4096 bytes is refused with 413"
t_is "$(metric 'mxguard_messages_total{verdict="accept"}')" $N_PASS "and the listener still serves"

# mxguard status: the same numbers on the console.
"$MXGUARD" status -c "$T_DIR/m.conf" >"$T_DIR/status.out" 2>&1
ok $? "mxguard status exits 0"
grep -Eq "^messages +accept=$N_PASS reject=$N_REJ tempfail=0 discard=0 quarantine=0\$" "$T_DIR/status.out"
ok $? "mxguard status prints messages by verdict"
grep -Eq "^dkim +(.* )?pass=$N_PASS( |\$)" "$T_DIR/status.out"
ok $? "mxguard status prints the dkim results"
grep -Eq "^milter connections +0 in flight, $((N_PASS + N_REJ + C0)) opened\$" "$T_DIR/status.out"
ok $? "mxguard status prints the milter connections"
"$MXGUARD" status --raw --listen "127.0.0.1:$M_PORT" | grep -qx 'mxguard_store_errors_total 0'
ok $? "mxguard status --raw --listen prints the exposition text"
printf 'milter: { socket = "inet:1@127.0.0.1"; };\n' >"$T_DIR/off.conf"
"$MXGUARD" status -c "$T_DIR/off.conf" >"$T_DIR/off.out" 2>&1
[ $? -eq 1 ] && grep -q 'metrics.listen is off' "$T_DIR/off.out"
ok $? "without metrics.listen, mxguard status says so and exits 1"
t_diag "$(cat "$T_DIR/status.out")"

d_stop
ok $? "mxguardd stops with the listener running"
t_done
