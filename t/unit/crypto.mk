# t/unit/crypto.mk - tests of src/crypto (DKIM/ARC core) and the conformance suites
check_PROGRAMS += t/tools/arc_suite
t_tools_arc_suite_SOURCES = t/tools/arc_suite.c
t_tools_arc_suite_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_tools_arc_suite_LDADD = $(MXG_LIBS)
TESTS += t/unit/arc_suite.sh
EXTRA_DIST += t/unit/arc_suite.sh t/tools/arc_suite_conv.py
check_PROGRAMS += t/unit/test_crypto t/unit/test_dkim_rfc8463
t_unit_test_crypto_SOURCES = t/unit/crypto.c
t_unit_test_crypto_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_unit_test_crypto_LDADD = $(MXG_LIBS)
t_unit_test_dkim_rfc8463_SOURCES = t/unit/dkim_rfc8463.c
t_unit_test_dkim_rfc8463_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_unit_test_dkim_rfc8463_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_crypto t/unit/test_dkim_rfc8463
