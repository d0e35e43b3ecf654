# t/unit/lists.mk - unit tests of src/policy/lists (redis: lists run a real redis-server)
check_PROGRAMS += t/unit/test_lists
t_unit_test_lists_SOURCES = t/unit/lists.c
t_unit_test_lists_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_lists t/unit/lists_redis.sh
EXTRA_DIST += t/unit/lists_redis.sh
