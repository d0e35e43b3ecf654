# t/fuzz/metrics.mk - fuzz target of src/metrics (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_metrics_http
t_fuzz_fuzz_metrics_http_SOURCES = t/fuzz/metrics_http.c
t_fuzz_fuzz_metrics_http_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_metrics_http_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
