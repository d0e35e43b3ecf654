# t/fuzz/outbound_pipe.mk - fuzz targets of the EHLO cache (owner: pipe)
FUZZ_PROGS += t/fuzz/fuzz_outbound_ehlo_cache
t_fuzz_fuzz_outbound_ehlo_cache_SOURCES = t/fuzz/outbound_ehlo_cache.c
t_fuzz_fuzz_outbound_ehlo_cache_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_ehlo_cache_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
FUZZ_PROGS += t/fuzz/fuzz_outbound_ahead
t_fuzz_fuzz_outbound_ahead_SOURCES = t/fuzz/outbound_ahead.c
t_fuzz_fuzz_outbound_ahead_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_ahead_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
