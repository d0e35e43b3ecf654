# t/e2e/event.mk - event actions end to end through Postfix, mxguardd, redis-server
TESTS += t/e2e/event_postfix.sh
EXTRA_DIST += t/e2e/event_postfix.sh
EXTRA_DIST += t/bench/events.sh
