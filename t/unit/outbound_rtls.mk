# t/unit/outbound_rtls.mk - REQUIRETLS tagging and MTA-STS parsers (owner: rtls)
check_PROGRAMS += t/unit/test_outbound_rtls
t_unit_test_outbound_rtls_SOURCES = t/unit/outbound_rtls.c
t_unit_test_outbound_rtls_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_outbound_rtls
