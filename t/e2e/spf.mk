# t/e2e/spf.mk - SPF end to end through Postfix and mxguardd
TESTS += t/e2e/spf_postfix.sh
EXTRA_DIST += t/e2e/spf_postfix.sh
