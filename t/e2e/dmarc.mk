# t/e2e/dmarc.mk - DMARC end to end: the corpus with real DNS, Postfix
TESTS += t/e2e/dmarc_corpus.sh t/e2e/dmarc_postfix.sh t/e2e/dmarc_redis.sh t/e2e/dmarc_report.sh \
	t/e2e/dmarc_forensic.sh
EXTRA_DIST += t/e2e/dmarc_corpus.sh t/e2e/dmarc_postfix.sh t/e2e/dmarc_redis.sh t/e2e/dmarc_report.sh \
	t/e2e/dmarc_forensic.sh \
	contrib/dmarc-report.cron contrib/systemd/mxguard-dmarc-report.service \
	contrib/systemd/mxguard-dmarc-report.timer
