# t/unit/mail.mk - unit tests of src/mail
check_PROGRAMS += t/unit/test_mail_header t/unit/test_mail_addr \
	t/unit/test_mail_authres t/unit/test_mail_dsn
t_unit_test_mail_header_SOURCES = t/unit/mail_header.c
t_unit_test_mail_header_LDADD = $(MXG_LIBS)
t_unit_test_mail_addr_SOURCES = t/unit/mail_addr.c
t_unit_test_mail_addr_LDADD = $(MXG_LIBS)
t_unit_test_mail_authres_SOURCES = t/unit/mail_authres.c
t_unit_test_mail_authres_LDADD = $(MXG_LIBS)
t_unit_test_mail_dsn_SOURCES = t/unit/mail_dsn.c
t_unit_test_mail_dsn_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_mail_header t/unit/test_mail_addr \
	t/unit/test_mail_authres t/unit/test_mail_dsn
