# t/unit/store.mk - unit tests of src/store (Redis ones run a real redis-server)
check_PROGRAMS += t/unit/test_store_lmdb t/tools/storetool
t_unit_test_store_lmdb_SOURCES = t/unit/store_lmdb.c
t_unit_test_store_lmdb_LDADD = $(MXG_LIBS)
t_tools_storetool_SOURCES = t/tools/storetool.c
t_tools_storetool_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_store_lmdb t/unit/store_redis.sh
EXTRA_DIST += t/unit/store_redis.sh t/lib/redis.sh
