# t/unit/dns.mk - unit tests of src/dns (dns_double.c: the scripted server)
check_PROGRAMS += t/unit/test_dns_lookup t/unit/test_dns_reply t/unit/test_dns_static
t_unit_test_dns_lookup_SOURCES = t/unit/dns_lookup.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_dns_lookup_LDADD = $(MXG_LIBS)
t_unit_test_dns_reply_SOURCES = t/unit/dns_reply.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_dns_reply_LDADD = $(MXG_LIBS)
t_unit_test_dns_static_SOURCES = t/unit/dns_static.c t/unit/dns_double.c t/unit/dns_double.h
t_unit_test_dns_static_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_dns_lookup t/unit/test_dns_reply t/unit/test_dns_static
