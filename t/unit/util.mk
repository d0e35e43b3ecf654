# t/unit/util.mk - unit tests of src/util
check_PROGRAMS += t/unit/test_cidr
t_unit_test_cidr_SOURCES = t/unit/cidr.c
t_unit_test_cidr_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_cidr
check_PROGRAMS += t/unit/test_buf_msg
t_unit_test_buf_msg_SOURCES = t/unit/buf_msg.c
t_unit_test_buf_msg_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_buf_msg
