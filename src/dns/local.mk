# src/dns/local.mk - sources of src/dns (the one resolver)
libmxguard_a_SOURCES += \
	src/dns/dns.h src/dns/dns_int.h \
	src/dns/dns.c src/dns/dns_reply.c src/dns/dns_send.c \
	src/dns/dns_cache.c src/dns/dns_static.c src/dns/dns_conf.c
