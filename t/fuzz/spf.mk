# t/fuzz/spf.mk - fuzz targets of src/check/spf* (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_spf_record
t_fuzz_fuzz_spf_record_SOURCES = t/fuzz/spf_record.c
t_fuzz_fuzz_spf_record_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_spf_record_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
