# t/fuzz/outbound_rtls.mk - fuzz targets of REQUIRETLS and MTA-STS (owner: rtls)
FUZZ_PROGS += t/fuzz/fuzz_outbound_rtls_header
t_fuzz_fuzz_outbound_rtls_header_SOURCES = t/fuzz/outbound_rtls_header.c
t_fuzz_fuzz_outbound_rtls_header_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_rtls_header_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
FUZZ_PROGS += t/fuzz/fuzz_outbound_sts_policy t/fuzz/fuzz_outbound_sts_txt
t_fuzz_fuzz_outbound_sts_policy_SOURCES = t/fuzz/outbound_sts_policy.c
t_fuzz_fuzz_outbound_sts_policy_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_sts_policy_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_outbound_sts_txt_SOURCES = t/fuzz/outbound_sts_txt.c
t_fuzz_fuzz_outbound_sts_txt_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_outbound_sts_txt_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
