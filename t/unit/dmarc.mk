# t/unit/dmarc.mk - tests of src/check/dmarc* (DMARC)
check_PROGRAMS += t/unit/test_dmarc
t_unit_test_dmarc_SOURCES = t/unit/dmarc.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_dmarc_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_dmarc
check_PROGRAMS += t/unit/test_dmarc_check
t_unit_test_dmarc_check_SOURCES = t/unit/dmarc_check.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_dmarc_check_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_dmarc_check
check_PROGRAMS += t/unit/test_dmarc_forensic
t_unit_test_dmarc_forensic_SOURCES = t/unit/dmarc_forensic.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_dmarc_forensic_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_dmarc_forensic
TESTS += t/unit/dmarc_psl_refresh.sh
EXTRA_DIST += t/unit/dmarc_psl_refresh.sh contrib/dmarc-psl-refresh.sh
