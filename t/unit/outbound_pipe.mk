# t/unit/outbound_pipe.mk - EHLO cache and pipe-connect (owner: pipe)
check_PROGRAMS += t/unit/test_outbound_pipe
t_unit_test_outbound_pipe_SOURCES = t/unit/outbound_pipe.c
t_unit_test_outbound_pipe_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_outbound_pipe
