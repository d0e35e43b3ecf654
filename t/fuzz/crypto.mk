# t/fuzz/crypto.mk - fuzz targets of src/crypto (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_crypto_taglist t/fuzz/fuzz_crypto_canon t/fuzz/fuzz_crypto_arc \
	t/fuzz/fuzz_crypto_dkim
t_fuzz_fuzz_crypto_taglist_SOURCES = t/fuzz/crypto_taglist.c
t_fuzz_fuzz_crypto_taglist_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_crypto_taglist_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_crypto_canon_SOURCES = t/fuzz/crypto_canon.c
t_fuzz_fuzz_crypto_canon_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_crypto_canon_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_crypto_arc_SOURCES = t/fuzz/crypto_arc.c
t_fuzz_fuzz_crypto_arc_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_crypto_arc_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_crypto_dkim_SOURCES = t/fuzz/crypto_dkim.c
t_fuzz_fuzz_crypto_dkim_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_crypto_dkim_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
