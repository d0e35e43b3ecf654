# src/milter/local.mk - mxguardd and the daemon helpers it shares with
# mxguard-outbound (options, config loading, pidfile, privilege drop).
libmxguard_a_SOURCES += \
	src/milter/daemon.c src/milter/daemon.h \
	src/milter/privs.c src/milter/privs.h \
	src/milter/socket.c src/milter/socket.h \
	src/milter/ctx.c src/milter/ctx.h \
	src/milter/callbacks.c src/milter/callbacks.h \
	src/milter/apply.c src/milter/apply.h \
	src/milter/live.c src/milter/live.h \
	src/milter/signals.c src/milter/signals.h

sbin_PROGRAMS += src/mxguardd
src_mxguardd_SOURCES = src/milter/main.c
src_mxguardd_LDADD = $(MXG_LIBS)

EXTRA_DIST += contrib/postfix/main.cf.snippet
