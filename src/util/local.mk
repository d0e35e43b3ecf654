# src/util: generic C that knows nothing of mail.
libmxguard_a_SOURCES += \
	src/util/msg.c src/util/msg.h \
	src/util/xmalloc.c src/util/xmalloc.h \
	src/util/buf.c src/util/buf.h \
	src/util/cidr.c src/util/cidr.h \
	src/util/workq.c src/util/workq.h
