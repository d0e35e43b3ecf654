# t/unit/outbound_proxy.mk - the PROXY protocol parser and the daemon with it (owner: outb2)
check_PROGRAMS += t/unit/test_outbound_proxy
t_unit_test_outbound_proxy_SOURCES = t/unit/outbound_proxy.c
t_unit_test_outbound_proxy_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_outbound_proxy t/unit/daemon_outbound_proxy.sh
EXTRA_DIST += t/unit/daemon_outbound_proxy.sh
