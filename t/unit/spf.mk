# t/unit/spf.mk - tests of src/check/spf* (SPF) and the RFC 7208 suite
check_PROGRAMS += t/unit/test_spf
t_unit_test_spf_SOURCES = t/unit/spf.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_spf_LDADD = $(MXG_LIBS)
check_PROGRAMS += t/unit/test_spf_check
t_unit_test_spf_check_SOURCES = t/unit/spf_check.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_spf_check_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_spf t/unit/test_spf_check t/unit/spf_cli.sh t/unit/spf_suite.sh
EXTRA_DIST += t/unit/spf_suite.sh t/unit/spf_cli.sh t/tools/spf_suite.py t/tools/spf_suite_bed.sh \
	t/tools/spf_suite.known
