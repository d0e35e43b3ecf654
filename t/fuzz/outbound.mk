# t/fuzz/outbound.mk - fuzz targets of src/outbound (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_outbound_reply
t_fuzz_fuzz_outbound_reply_SOURCES = t/fuzz/outbound_reply.c
t_fuzz_fuzz_outbound_reply_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_reply_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
FUZZ_PROGS += t/fuzz/fuzz_outbound_dsn_relayed
t_fuzz_fuzz_outbound_dsn_relayed_SOURCES = t/fuzz/outbound_dsn_relayed.c
t_fuzz_fuzz_outbound_dsn_relayed_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_dsn_relayed_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
