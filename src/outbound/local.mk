# src/outbound/local.mk - mxguard-outbound (a skeleton for now; its option
# handling and config loading come from src/milter/daemon.c).
sbin_PROGRAMS += src/mxguard-outbound
src_mxguard_outbound_SOURCES = src/outbound/main.c
src_mxguard_outbound_LDADD = $(MXG_LIBS)
