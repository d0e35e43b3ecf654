# t/unit/event.mk - tests of src/event (event actions, sinks, queue)
check_PROGRAMS += t/unit/test_event
t_unit_test_event_SOURCES = t/unit/event.c
t_unit_test_event_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_event t/unit/event_redis.sh
EXTRA_DIST += t/unit/event_redis.sh
