# t/tools/local.mk - helper programs used by tests
check_PROGRAMS += t/tools/dnsq
t_tools_dnsq_SOURCES = t/tools/dnsq.c
t_tools_dnsq_LDADD = $(MXG_LIBS)
check_PROGRAMS += t/tools/dmarc_sign
t_tools_dmarc_sign_SOURCES = t/tools/dmarc_sign.c
t_tools_dmarc_sign_LDADD = $(MXG_LIBS)
