# t/fuzz/outbound_proxy.mk - fuzz target of the PROXY protocol parser (owner: outb2)
FUZZ_PROGS += t/fuzz/fuzz_outbound_proxy
t_fuzz_fuzz_outbound_proxy_SOURCES = t/fuzz/outbound_proxy.c
t_fuzz_fuzz_outbound_proxy_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_proxy_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
