# t/fuzz/dns.mk - fuzz targets of src/dns (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_dns_reply
t_fuzz_fuzz_dns_reply_SOURCES = t/fuzz/dns_reply.c
t_fuzz_fuzz_dns_reply_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_dns_reply_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
