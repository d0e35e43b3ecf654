# t/tools/local.mk - helper programs used by tests
check_PROGRAMS += t/tools/dnsq
t_tools_dnsq_SOURCES = t/tools/dnsq.c
t_tools_dnsq_LDADD = $(MXG_LIBS)
