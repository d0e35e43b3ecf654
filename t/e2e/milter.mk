# t/e2e/milter.mk - mxguardd end to end through the bed's real Postfix
TESTS += t/e2e/milter_postfix.sh
EXTRA_DIST += t/e2e/milter_postfix.sh
EXTRA_DIST += t/bench/run.sh t/bench/conns.pl t/bench/inbound_full.sh
