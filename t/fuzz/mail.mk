# t/fuzz/mail.mk - fuzz targets of src/mail (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_mail_header t/fuzz/fuzz_mail_addr t/fuzz/fuzz_mail_authres
t_fuzz_fuzz_mail_header_SOURCES = t/fuzz/mail_header.c
t_fuzz_fuzz_mail_header_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_mail_header_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_mail_addr_SOURCES = t/fuzz/mail_addr.c
t_fuzz_fuzz_mail_addr_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_mail_addr_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_mail_authres_SOURCES = t/fuzz/mail_authres.c
t_fuzz_fuzz_mail_authres_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_mail_authres_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
