# t/e2e/dkim.mk - DKIM and ARC end to end through Postfix and mxguardd
TESTS += t/e2e/dkim_postfix.sh
EXTRA_DIST += t/e2e/dkim_postfix.sh
