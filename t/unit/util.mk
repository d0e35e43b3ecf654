# t/unit/util.mk - unit tests of src/util
check_PROGRAMS += t/unit/test_cidr
t_unit_test_cidr_SOURCES = t/unit/cidr.c
t_unit_test_cidr_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_cidr
