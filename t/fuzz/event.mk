# t/fuzz/event.mk - fuzz targets of src/event (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_event_conf
t_fuzz_fuzz_event_conf_SOURCES = t/fuzz/event_conf.c
t_fuzz_fuzz_event_conf_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_event_conf_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
