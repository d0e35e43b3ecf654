# t/unit/daemon.mk - tests of mxguardd and mxguard-outbound (src/milter, src/outbound)
check_PROGRAMS += t/unit/test_milter_socket t/unit/test_milter_ctx t/unit/test_milter_callbacks
t_unit_test_milter_socket_SOURCES = t/unit/milter_socket.c
t_unit_test_milter_socket_LDADD = $(MXG_LIBS)
t_unit_test_milter_ctx_SOURCES = t/unit/milter_ctx.c
t_unit_test_milter_ctx_LDADD = $(MXG_LIBS)
t_unit_test_milter_callbacks_SOURCES = t/unit/milter_callbacks.c
t_unit_test_milter_callbacks_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_milter_socket t/unit/test_milter_ctx t/unit/test_milter_callbacks \
	t/unit/daemon_start.sh t/unit/daemon_signals.sh t/unit/daemon_privs.sh \
	t/unit/daemon_miltertest.sh t/unit/daemon_outbound.sh t/unit/daemon_man.sh \
	t/unit/milter_protocol.sh
EXTRA_DIST += t/unit/daemon_start.sh t/unit/daemon_signals.sh t/unit/daemon_privs.sh \
	t/unit/daemon_miltertest.sh t/unit/daemon_outbound.sh t/unit/daemon_man.sh \
	t/unit/daemon_lib.sh t/unit/daemon_sockopt.pl \
	t/unit/milter_protocol.sh t/unit/milter_raw.pl
