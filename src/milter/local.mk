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

# mxguardd links libmilter statically: session.c replaces the archive's
# worker.o (its worker pool), which is then never linked, and wraps poll(), read() and writev()
# (see there why); --as-needed drops the shared libmilter that MXG_LIBS
# names for the other programs.
sbin_PROGRAMS += src/mxguardd
src_mxguardd_SOURCES = src/milter/main.c src/milter/session.c src/milter/session.h
src_mxguardd_LDADD = libmxguard.a $(MILTER_STATIC_LIBS) $(MXG_LIBS)
src_mxguardd_LDFLAGS = $(AM_LDFLAGS) -Wl,--as-needed -Wl,--wrap=poll -Wl,--wrap=read \
	-Wl,--wrap=writev

EXTRA_DIST += contrib/postfix/main.cf.snippet
