# t/e2e/outbound_requiretls.mk - REQUIRETLS (RFC 8689) and MTA-STS (RFC 8461)
# through mxguard-outbound, against smtp-server peers run by node (t/node:
# the vendored npm packages, so tests download nothing) and the DNSSEC bed
TESTS += t/e2e/outbound_requiretls.sh
EXTRA_DIST += t/e2e/outbound_requiretls.sh t/node
