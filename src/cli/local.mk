# src/cli/local.mk - sources of src/cli: the mxguard command
bin_PROGRAMS += src/mxguard
src_mxguard_SOURCES = \
	src/cli/main.c src/cli/cli.h \
	src/cli/cmd_config_test.c src/cli/cmd_check.c \
	src/cli/cmd_spf.c src/cli/cmd_sign.c src/cli/cmd_seal.c src/cli/cmd_status.c \
	src/cli/cmd_dmarc_report.c src/cli/cmd_keygen.c src/cli/cmd_tlsa.c
src_mxguard_LDADD = $(MXG_LIBS)
