# src/conf/local.mk - sources of src/conf
libmxguard_a_SOURCES += \
	src/conf/conf.c src/conf/conf.h \
	src/conf/conf_impl.h \
	src/conf/conf_keys.c \
	src/conf/conf_check.c \
	src/conf/conf_load.c src/conf/conf_load.h \
	src/conf/conf_dump.c
EXTRA_DIST += src/conf/mkman.sh
