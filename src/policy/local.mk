# src/policy/local.mk - sources of src/policy
libmxguard_a_SOURCES += \
	src/policy/lists.h src/policy/lists.c src/policy/list_entry.c \
	src/policy/list_redis.c src/policy/lists_int.h
include src/policy/rules.mk
