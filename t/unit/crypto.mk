# t/unit/crypto.mk - tests of src/crypto (DKIM/ARC core) and the conformance suites
check_PROGRAMS += t/tools/arc_suite
t_tools_arc_suite_SOURCES = t/tools/arc_suite.c
t_tools_arc_suite_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_tools_arc_suite_LDADD = $(MXG_LIBS)
TESTS += t/unit/arc_suite.sh
EXTRA_DIST += t/unit/arc_suite.sh t/tools/arc_suite_conv.py
