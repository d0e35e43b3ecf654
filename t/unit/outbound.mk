# t/unit/outbound.mk - unit tests of src/outbound
check_PROGRAMS += t/unit/test_outbound_parts
t_unit_test_outbound_parts_SOURCES = t/unit/outbound_parts.c
t_unit_test_outbound_parts_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_outbound_parts
TESTS += t/unit/daemon_outbound_cert.sh
EXTRA_DIST += t/unit/daemon_outbound_cert.sh
