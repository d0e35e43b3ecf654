# t/e2e/outbound.mk - mxguard-outbound end to end (real Postfix both sides,
# nsd + unbound DNSSEC bed, certificates made at test time)
TESTS += t/e2e/outbound_dane.sh t/e2e/outbound_failures.sh t/e2e/outbound_sessions.sh \
	t/e2e/outbound_ocsp.sh t/e2e/outbound_dsn_relayed.sh
EXTRA_DIST += t/e2e/outbound_dane.sh t/e2e/outbound_failures.sh t/e2e/outbound_sessions.sh t/e2e/outbound_ocsp.sh t/e2e/outbound_dsn_relayed.sh \
	t/bench/outbound.sh
