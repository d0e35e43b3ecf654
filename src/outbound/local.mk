# src/outbound/local.mk - mxguard-outbound: the synchronous outbound proxy.
# Its parts live in libmxguard.a so unit tests and fuzz targets link them;
# option handling, config loading and privilege drop come from src/milter.
libmxguard_a_SOURCES += \
	src/outbound/io.c src/outbound/io.h \
	src/outbound/reply.c src/outbound/reply.h \
	src/outbound/spool.c src/outbound/spool.h \
	src/outbound/route.c src/outbound/route.h \
	src/outbound/tls_dane.c src/outbound/tls_dane.h \
	src/outbound/tls_sess.c src/outbound/tls_sess.h \
	src/outbound/server_cert.c src/outbound/server_cert.h \
	src/outbound/trouble.c src/outbound/trouble.h \
	src/outbound/settings.c src/outbound/outbound.h \
	src/outbound/session_out.c src/outbound/session_out.h \
	src/outbound/conn_cache.c src/outbound/conn_cache.h \
	src/outbound/events.c src/outbound/events.h \
	src/outbound/ehlo_cache.c src/outbound/ehlo_cache.h \
	src/outbound/pipe_connect.c src/outbound/pipe_connect.h \
	src/outbound/txn.c src/outbound/txn.h \
	src/outbound/ahead.c src/outbound/ahead.h \
	src/outbound/dsn_relayed.c src/outbound/dsn_relayed.h \
	src/outbound/session_in.c src/outbound/session_in.h \
	src/outbound/listen.c src/outbound/listen.h \
	src/outbound/proxy_proto.c src/outbound/proxy_proto.h \
	src/outbound/requiretls.c src/outbound/requiretls.h \
	src/outbound/mta_sts_parse.c src/outbound/mta_sts_parse.h \
	src/outbound/mta_sts.c src/outbound/mta_sts.h src/outbound/mta_sts_fetch.c

sbin_PROGRAMS += src/mxguard-outbound
src_mxguard_outbound_SOURCES = src/outbound/main.c
src_mxguard_outbound_LDADD = $(MXG_LIBS)
EXTRA_DIST += contrib/postfix/outbound.main.cf contrib/postfix/outbound.master.cf
