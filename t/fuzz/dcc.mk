# t/fuzz/dcc.mk - fuzz targets of src/check/dcc* (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_dcc_reply
t_fuzz_fuzz_dcc_reply_SOURCES = t/fuzz/dcc_reply.c
t_fuzz_fuzz_dcc_reply_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_dcc_reply_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
