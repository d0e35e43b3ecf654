# t/e2e/outbound_pipe.mk - pipe-connect against Exim 4.96 (owner: pipe)
TESTS += t/e2e/outbound_pipe_exim.sh
EXTRA_DIST += t/e2e/outbound_pipe_exim.sh t/lib/exim.sh contrib/exim/fetch-test-exim.sh \
	t/bench/pipe_connect.sh t/bench/delay_relay.py
