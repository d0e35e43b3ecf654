#!/bin/sh
# t/bench/inbound_full.sh - the full inbound scenario of `make bench` (issue
# 6): DKIM-signed mail whose domain has SPF and DMARC records, through
# mxguardd with SPF, DKIM verify, ARC verify and DMARC on, and through
# Debian's OpenDKIM (verify) + OpenDMARC chained as two milters, side by
# side in one run. Sourced by t/bench/run.sh (BENCH_ONLY part "full"),
# never run on its own.
#
# SYNOPSIS
#	BENCH_ONLY=full sh t/bench/run.sh
#	(run.sh calls full_zone before it starts the DNS bed, full_run in
#	its turn)
#
# DESCRIPTION
#	full_zone makes an RSA-2048 key (openssl, at run time) and the zone
#	full.example: A 127.0.0.1, "v=spf1 ip4:127.0.0.1 -all", DMARC
#	p=reject with adkim=s, aspf=s, and the key's record at
#	s1._domainkey; it signs one 2 KB message From: sender@full.example
#	with dkimpy (rsa-sha256, relaxed/relaxed).
#
#	full_run sends that message BENCH_MSGS times over BENCH_SESSIONS
#	sessions (smtp-source -F, MAIL FROM sender@full.example from
#	127.0.0.1) through run.sh's run(), once with OpenDKIM (Mode v,
#	loopback not internal) and OpenDMARC (SPFSelfValidate, trusting
#	OpenDKIM's Authentication-Results) as Postfix's two milters, whose
#	CPU is summed, and once with mxguardd (SPF, DKIM and ARC verify,
#	DMARC: the defaults, milter.trusted_hosts emptied). The warm-up
#	message must come out with dkim=pass and dmarc=pass from each side.
#	Printed: messages/s and milter CPU per message of each, and the
#	ratio of messages/s (target >= 1.6x, <= 0.35 ms CPU/msg).
# DIAGNOSTICS
#	Never fails; a side that cannot run says why.

# full_zone - the key, the zone full.example and the signed message (before t_dns_start)
full_zone() {
	FULL_OK=0
	/usr/bin/python3 -c 'import dkim' 2>/dev/null ||
		{ say "full: python3-dkim (dkimpy) is missing: no full inbound scenario"; return 0; }
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T_DIR/full.pem" 2>/dev/null ||
		{ say "full: openssl genpkey failed"; return 0; }
	chmod 600 "$T_DIR/full.pem"
	_rec="v=DKIM1; k=rsa; p=$(openssl pkey -in "$T_DIR/full.pem" -pubout -outform DER | base64 -w0)"
	t_dns_zone full.example <<EOZ
@	A	127.0.0.1
@	TXT	"v=spf1 ip4:127.0.0.1 -all"
_dmarc	TXT	"v=DMARC1; p=reject; adkim=s; aspf=s"
s1._domainkey	TXT	$(t_dns_txt "$_rec")
EOZ
	/usr/bin/python3 - "$T_DIR/full.pem" "$T_DIR/full.eml" <<'EOPY' || { say "full: signing failed"; return 0; }
import sys, dkim
body = "".join("line %04d of the full inbound benchmark message, some text to hash\r\n" % i
	for i in range(28))
msg = ("From: Sender <sender@full.example>\r\nTo: <rcpt@remote.test>\r\n"
	"Subject: full inbound bench\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
	"Message-ID: <full-bench@full.example>\r\nMIME-Version: 1.0\r\n"
	"Content-Type: text/plain\r\n\r\n" + body).encode()
key = open(sys.argv[1], "rb").read()
sig = dkim.sign(msg, b"s1", b"full.example", key, canonicalize=(b"relaxed", b"relaxed"),
	include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
# smtp-source -F appends CRLF to each line: write LF lines
open(sys.argv[2], "wb").write((sig + msg).replace(b"\r\n", b"\n"))
EOPY
	FULL_OK=1
}

# full_odkim PORT - start OpenDKIM (verify) on PORT; its pid in ODK_PID
full_odkim() {
	echo 192.0.2.254 >"$T_DIR/odk.internal"
	cat >"$T_DIR/opendkim.conf" <<EOC
Mode v
Socket inet:$1@127.0.0.1
AuthservID bench.example
PidFile $T_DIR/opendkim.pid
Syslog no
InternalHosts $T_DIR/odk.internal
UserID root
UMask 0000
EOC
	peer_start opendkim "$T_DIR/opendkim.pid" opendkim -f -x "$T_DIR/opendkim.conf" || return 1
	ODK_PID=$PEER_PID
}

# full_run - the pair, then mxguardd, on the signed message
full_run() {
	[ "${FULL_OK:-0}" = 1 ] || return 0
	say "full inbound: DKIM-signed (rsa-sha256 2048) mail from full.example, SPF and DMARC (p=reject) records"
	_src=$SRC_OPTS
	SRC_OPTS="-F $T_DIR/full.eml"
	SENDER=sender@full.example
	if ! command -v opendkim >/dev/null; then
		say "full: OpenDKIM is not installed (apt-get install opendkim): no reference figures"
	elif [ $HAVE_OD = 1 ] && full_odkim "$(t_free_port)"; then
		_kport=$(sed -n 's/^Socket inet:\([0-9]*\)@.*/\1/p' "$T_DIR/opendkim.conf")
		OD_SPF=true
		odstart "inet:$OD_PORT@127.0.0.1" &&
			run "OpenDKIM+OpenDMARC" "inet:127.0.0.1:$_kport, inet:127.0.0.1:$OD_PORT" \
				"$ODK_PID $OD_PID" '^Authentication-Results: bench.example; dmarc=pass'
		stop "$OD_PID"
		stop "$ODK_PID"
		OD_SPF=false
	fi
	mxconf "inet:$MX_PORT@127.0.0.1" "$T_DIR/mx/full.conf"
	if mxstart "$T_DIR/mx/full.conf"; then
		run "mxguardd full" "inet:127.0.0.1:$MX_PORT" "$MXS_PID" 'dmarc=pass'
		grep -q 'dkim=pass' "$T_DIR/warmup.mxguardd full" 2>/dev/null ||
			say "full: note: the warm-up's A-R from mxguardd lacks dkim=pass"
		stop "$MXS_PID"
	fi
	ratio "full inbound, mxguardd / OpenDKIM+OpenDMARC messages/s" "rate.mxguardd full" \
		"rate.OpenDKIM+OpenDMARC" "target >= 1.6x"
	say "target: mxguardd full <= 0.350 ms CPU/msg"
	SRC_OPTS=$_src
	SENDER=sender@bench.example
}
