# t/e2e/dcc.mk - DCC end to end through Postfix and mxguardd, with the fake dccifd
TESTS += t/e2e/dcc_postfix.sh
EXTRA_DIST += t/e2e/dcc_postfix.sh
