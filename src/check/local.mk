# src/check/local.mk - sources of src/check (one protocol each)
libmxguard_a_SOURCES += \
	src/check/spf.h src/check/spf_int.h \
	src/check/spf.c src/check/spf_dns.c src/check/spf_syntax.c src/check/spf_macro.c \
	src/check/spf_check.c \
	src/check/dcc.h src/check/dcc.c src/check/dcc_proto.c src/check/dcc_io.c \
	src/check/dkim_check.h src/check/dkim_check.c src/check/dkim_keys.c \
	src/check/dkim_sign.c src/check/arc_check.c
libmxguard_a_SOURCES += \
	src/check/dmarc.h src/check/dmarc_int.h src/check/dmarc_check.h \
	src/check/dmarc.c src/check/dmarc_psl.c src/check/dmarc_record.c \
	src/check/dmarc_arc.c src/check/dmarc_check.c src/check/dmarc_history.c
