#!/bin/sh
# daemon_outbound_cert.sh - the STARTTLS certificate mxguard-outbound offers
# the MTA: made at the first start into outbound.state_dir (key mode 0600),
# the same one offered after a restart and a reload, a new one when the
# helo name changes; -t writes nothing; a key file readable by group or
# other (kept or configured) stops the start; an unusable state_dir gives
# a certificate for the run, with a warning.
. "$top_srcdir/t/lib/common.sh"

B=$(t_bin mxguard-outbound) || t_bail "mxguard-outbound is not built"
t_need openssl
SD=$T_DIR/state
mkdir -m 700 "$SD"

# conf FILE STATE_DIR [KEYS] - an outbound config on port $P
conf() {
	cat >"$1" <<CONF
outbound: {
  listen = [ "lmtp:127.0.0.1:$P" ];
  allowed_clients = [ "127.0.0.1" ];
  user = "";
  helo_name = "out.bed.test";
  state_dir = "$2";
  ${3:-}
};
store: { lmdb = "$T_DIR/state.mdb"; };
CONF
}

# start CONF - run the proxy in the foreground; PID, log in $T_DIR/run.log.
# It listens before it builds its settings: wait for its "starting" line.
start() {
	"$B" -f -c "$1" >"$T_DIR/run.log" 2>&1 &
	PID=$!
	t_on_exit "kill $PID 2>/dev/null"
	_i=0
	until grep -q "mxguard-outbound: starting" "$T_DIR/run.log" || [ $_i -ge 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	t_wait_port "$P" 10
}

stop() { kill "$PID"; wait "$PID" 2>/dev/null; }

# offered - SHA-256 fingerprint of the certificate offered after LHLO + STARTTLS
offered() {
	openssl s_client -connect "127.0.0.1:$P" -starttls lmtp -name mta.bed.test </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

# kept - fingerprint of the certificate file in the state dir
kept() { openssl x509 -in "$SD/starttls-cert.pem" -noout -fingerprint -sha256 2>/dev/null; }

mode() { stat -c %a "$1"; }

P=$(t_free_port)
conf "$T_DIR/run.conf" "$SD"

"$B" -t -c "$T_DIR/run.conf" >/dev/null 2>&1; t_is $? 0 "-t accepts the config"
t_is "$(ls "$SD")" "" "-t writes no certificate into state_dir"

start "$T_DIR/run.conf"; ok $? "first start"
t_is "$(mode "$SD/starttls-key.pem")" 600 "the key is made with mode 0600"
t_is "$(stat -c %u "$SD/starttls-key.pem")" "$(id -u)" "owned by the user the proxy runs as"
openssl x509 -in "$SD/starttls-cert.pem" -noout -subject -ext subjectAltName 2>/dev/null |
	grep -q "DNS:out.bed.test"; ok $? "the certificate names the helo name"
grep -q "new STARTTLS certificate for out.bed.test" "$T_DIR/run.log"; ok $? "its making is logged"
first=$(kept)
t_is "$(offered)" "$first" "STARTTLS offers the kept certificate"
kill -HUP "$PID"
i=0; until grep -q "reloaded" "$T_DIR/run.log" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
t_is "$(offered)" "$first" "after SIGHUP: the same certificate"
stop

start "$T_DIR/run.conf"; ok $? "second start"
t_is "$(offered)" "$first" "after a restart: the same certificate"
t_is "$(kept)" "$first" "the files are reused, not rewritten"
grep -q "new STARTTLS certificate" "$T_DIR/run.log"; t_is $? 1 "nothing new is logged"
stop

sed 's/out.bed.test/renamed.bed.test/' "$T_DIR/run.conf" >"$T_DIR/renamed.conf"
start "$T_DIR/renamed.conf"; ok $? "start with another helo name"
grep -q "STARTTLS certificate in $SD replaced: it names another host" "$T_DIR/run.log"
ok $? "the certificate for the old name is replaced, with the reason"
[ "$(offered)" = "$(kept)" ] && [ "$(kept)" != "$first" ]; ok $? "the new one is kept and offered"
stop

chmod 640 "$SD/starttls-key.pem"
before=$(kept)
"$B" -f -c "$T_DIR/renamed.conf" >"$T_DIR/run.log" 2>&1; t_is $? 1 "a kept key readable by group: the start fails"
grep -q "starttls-key.pem is accessible by group or other (mode 0640): refused" "$T_DIR/run.log"
ok $? "with a clear error"
t_is "$(kept)" "$before" "and the pair is left as it was"
"$B" -t -c "$T_DIR/renamed.conf" >/dev/null 2>&1; t_is $? 1 "-t reports it too"
chmod 600 "$SD/starttls-key.pem"

# Configured files: the key must be private too.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=conf.bed.test \
	-keyout "$T_DIR/conf.key" -out "$T_DIR/conf.pem" >/dev/null 2>&1
chmod 644 "$T_DIR/conf.key"
conf "$T_DIR/files.conf" "$SD" "tls_cert_file = \"$T_DIR/conf.pem\"; tls_key_file = \"$T_DIR/conf.key\";"
"$B" -t -c "$T_DIR/files.conf" >"$T_DIR/t.out" 2>&1; t_is $? 1 "tls_key_file readable by other: refused"
grep -q "conf.key is accessible by group or other (mode 0644): refused" "$T_DIR/t.out"; ok $? "with the reason"
chmod 600 "$T_DIR/conf.key"
start "$T_DIR/files.conf"; ok $? "tls_key_file with mode 0600: starts"
t_is "$(offered)" "$(openssl x509 -in "$T_DIR/conf.pem" -noout -fingerprint -sha256)" \
	"STARTTLS offers the configured certificate"
stop

# A state_dir others may write to is not used for a key.
mkdir -m 777 "$T_DIR/open"
conf "$T_DIR/open.conf" "$T_DIR/open"
start "$T_DIR/open.conf"; ok $? "a state_dir writable by other: still starts"
grep -q "state_dir $T_DIR/open: writable by group or other: the STARTTLS certificate is made for this run only" \
	"$T_DIR/run.log"; ok $? "with a warning"
t_is "$(ls "$T_DIR/open")" "" "and nothing written there"
[ -n "$(offered)" ]; ok $? "STARTTLS works with the certificate of the run"
stop
t_done
