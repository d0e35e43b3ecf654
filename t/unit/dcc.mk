# t/unit/dcc.mk - tests of src/check/dcc* (the dccifd client) with t/tools/fake_dccifd.pl
check_PROGRAMS += t/unit/test_dcc
t_unit_test_dcc_SOURCES = t/unit/dcc.c
t_unit_test_dcc_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_dcc t/unit/dcc_check.sh
EXTRA_DIST += t/unit/dcc_check.sh t/tools/fake_dccifd.pl
