# t/unit/conf.mk - unit tests of src/conf and the mxguard CLI
check_PROGRAMS += t/unit/test_conf
t_unit_test_conf_SOURCES = t/unit/conf.c
t_unit_test_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_unit_test_conf_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_conf t/unit/config_test.sh t/unit/conf_man_coverage.sh
EXTRA_DIST += t/unit/config_test.sh t/unit/conf_man_coverage.sh contrib/mxguard.conf.example
