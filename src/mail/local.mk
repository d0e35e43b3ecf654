# src/mail: mail formats (headers, messages, addresses, domains,
# Authentication-Results, DSN codes). Pure C over bytes; needs src/util only.
libmxguard_a_SOURCES += \
	src/mail/header.c src/mail/header.h \
	src/mail/msg.c src/mail/msg.h \
	src/mail/addr.c src/mail/addr_env.c src/mail/domain.c src/mail/addr.h \
	src/mail/authres.c src/mail/authres.h \
	src/mail/dsn.c src/mail/dsn.h
