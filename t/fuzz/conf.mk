# t/fuzz/conf.mk - fuzz targets of src/conf (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_conf_value
t_fuzz_fuzz_conf_value_SOURCES = t/fuzz/conf_value.c
t_fuzz_fuzz_conf_value_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_conf_value_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
