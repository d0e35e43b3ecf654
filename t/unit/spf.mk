# t/unit/spf.mk - tests of src/check/spf* (SPF) and the RFC 7208 suite
TESTS += t/unit/spf_suite.sh
EXTRA_DIST += t/unit/spf_suite.sh t/tools/spf_suite.py t/tools/spf_suite_bed.sh \
	t/tools/spf_suite.known
