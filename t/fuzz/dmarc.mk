# t/fuzz/dmarc.mk - fuzz targets of src/check/dmarc* (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_dmarc_record t/fuzz/fuzz_dmarc_from
t_fuzz_fuzz_dmarc_record_SOURCES = t/fuzz/dmarc_record.c
t_fuzz_fuzz_dmarc_record_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_dmarc_record_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_dmarc_from_SOURCES = t/fuzz/dmarc_from.c
t_fuzz_fuzz_dmarc_from_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_dmarc_from_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
FUZZ_PROGS += t/fuzz/fuzz_dmarc_forensic
t_fuzz_fuzz_dmarc_forensic_SOURCES = t/fuzz/dmarc_forensic.c
t_fuzz_fuzz_dmarc_forensic_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_dmarc_forensic_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
FUZZ_PROGS += t/fuzz/fuzz_dmarc_report
t_fuzz_fuzz_dmarc_report_SOURCES = t/fuzz/dmarc_report.c
t_fuzz_fuzz_dmarc_report_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_dmarc_report_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
