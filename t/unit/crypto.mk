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
check_PROGRAMS += t/unit/test_crypto_dns
t_unit_test_crypto_dns_SOURCES = t/unit/crypto_dns.c
t_unit_test_crypto_dns_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_unit_test_crypto_dns_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_crypto_dns
check_PROGRAMS += t/unit/test_arc_seal
t_unit_test_arc_seal_SOURCES = t/unit/arc_seal.c
t_unit_test_arc_seal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_unit_test_arc_seal_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_arc_seal
# dkim_bench: CPU per message of verify/seal beside raw crypto (make bench: t/bench/crypto.sh)
EXTRA_DIST += t/bench/crypto.sh
check_PROGRAMS += t/tools/dkim_bench
t_tools_dkim_bench_SOURCES = t/tools/dkim_bench.c
t_tools_dkim_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
t_tools_dkim_bench_LDADD = $(MXG_LIBS)
# DKIM/ARC check modules, mxguard sign/seal/check (keys by openssl, dkimpy cross-check)
TESTS += t/unit/dkim_cli.sh
EXTRA_DIST += t/unit/dkim_cli.sh
