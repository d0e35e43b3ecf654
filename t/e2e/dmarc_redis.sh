#!/bin/sh
# t/e2e/dmarc_redis.sh - DMARC history of a fleet: two mxguardd (each the milter of
# its own real Postfix) append history records to one real Redis at the same
# time. Each message leaves exactly one whole line (no line lost, doubled or
# interleaved), and the lines of both hosts are there.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/redis.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl nsd unbound redis-server redis-cli
N=15			# messages per host

t_dns_zone fleet.test <<'EOF'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
_dmarc	TXT	"v=DMARC1; p=none; rua=mailto:agg@fleet.test"
EOF
t_dns_zone relay.test <<'EOF'
@	TXT	"v=spf1 ip4:192.0.2.0/24 -all"
EOF
t_dns_start || t_bail "the DNS bed did not start"
t_redis_start

# host NAME - config, mxguardd and Postfix of one MX host; sets HOST_<NAME>_* 
host() {
	D_PORT=$(t_free_port); D_LOG=$T_DIR/$1.log; D_PIDFILE=$T_DIR/$1.pid
	cat >"$T_DIR/$1.conf" <<EOF
milter: { socket = "inet:$D_PORT@127.0.0.1"; user = ""; pidfile = "$D_PIDFILE";
          authserv_id = "$1.fleet.test"; };
store: { lmdb = "$T_DIR/$1.mdb"; redis = "127.0.0.1:$REDIS_PORT/0"; };
$(t_dns_conf 1000)
EOF
	d_start "$T_DIR/$1.conf" || t_bail "mxguardd $1 did not start"
	t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix of $1 did not start"
	eval "HOST_${1}_PF_DIR=\$PF_DIR HOST_${1}_PF_PORT=\$PF_PORT HOST_${1}_PF_SINK_DIR=\$PF_SINK_DIR"
	eval "HOST_${1}_PF_MAILLOG=\$PF_MAILLOG HOST_${1}_LOG=\$D_LOG HOST_${1}_PID=\$D_PID"
}
# use NAME - point the PF_* variables at host NAME's Postfix
use() {
	eval "PF_DIR=\$HOST_${1}_PF_DIR PF_PORT=\$HOST_${1}_PF_PORT PF_SINK_DIR=\$HOST_${1}_PF_SINK_DIR"
	eval "PF_MAILLOG=\$HOST_${1}_PF_MAILLOG"
}
host a
host b

# burst NAME IP - N messages to host NAME from client IP, one session each
burst() {
	use "$1"
	_i=0
	while [ $_i -lt $N ]; do
		swaks --server "127.0.0.1:$PF_PORT" --helo client.relay.test \
			--xclient-addr "$2" --from "bounce@relay.test" --to rcpt@remote.test \
			--header "From: <news@fleet.test>" --header "Subject: fleet $1 $_i" \
			--timeout 60 >"$T_DIR/swaks.$1.$_i" 2>&1 || echo "$1 $_i refused" >>"$T_DIR/refused"
		_i=$((_i + 1))
	done
}
burst a 192.0.2.11 &
pa=$!
burst b 192.0.2.12 &
pb=$!
wait $pa; wait $pb
t_is "$(cat "$T_DIR/refused" 2>/dev/null)" "" "both hosts accepted their $N messages, sent at the same time"
use a; t_postfix_wait_delivered $N; ok $? "host a delivered $N"
use b; t_postfix_wait_delivered $N; ok $? "host b delivered $N"

key="dmarc:rec:$(date -u +%Y-%m-%d):fleet.test"
i=0
while [ $i -lt 50 ]; do
	t_redis_cli --raw get "$key" >"$T_DIR/hist"
	[ "$(grep -c . "$T_DIR/hist")" -ge $((2 * N)) ] && break
	sleep 0.2; i=$((i + 1))
done
t_is "$(grep -c . "$T_DIR/hist")" $((2 * N)) "Redis holds $((2 * N)) history lines under $key"
t_is "$(grep -c "^2	[0-9]*	192.0.2.11	fleet.test	relay.test	fleet.test	none	" "$T_DIR/hist")" $N \
	"$N lines from host a (client 192.0.2.11)"
t_is "$(grep -c "^2	[0-9]*	192.0.2.12	fleet.test	relay.test	fleet.test	none	" "$T_DIR/hist")" $N \
	"$N lines from host b (client 192.0.2.12)"
t_is "$(awk -F '\t' 'NF && NF != 26' "$T_DIR/hist" | wc -l)" 0 "every line is whole: 26 tab-separated fields (history line version 2)"
t_is "$(t_redis_cli --raw keys 'dmarc:rec:*' | wc -l)" 1 "one key per day and policy domain"
t_done
