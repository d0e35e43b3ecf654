# t/e2e/sendmail.mk - mxguardd behind a real Sendmail 8.17 (t/lib/sendmail.sh)
TESTS += t/e2e/sendmail_milter.sh
EXTRA_DIST += t/e2e/sendmail_milter.sh t/bench/sendmail_session.sh
EXTRA_DIST += contrib/sendmail/README contrib/sendmail/mxguard.mc \
	contrib/sendmail/fetch-test-sendmail.sh
# mxguard-outbound behind Sendmail (owner: outb2)
TESTS += t/e2e/sendmail_outbound.sh
EXTRA_DIST += t/e2e/sendmail_outbound.sh contrib/sendmail/mxguard-outbound.mc
