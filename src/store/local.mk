# src/store/local.mk - sources of src/store
libmxguard_a_SOURCES += \
	src/store/store.c src/store/store.h src/store/store_int.h \
	src/store/store_lmdb.c src/store/store_redis.c
