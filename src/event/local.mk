# src/event/local.mk - event names, actions and their sinks (shared by mxguardd and mxguard-outbound)
libmxguard_a_SOURCES += \
	src/event/event.h src/event/event_int.h \
	src/event/event_conf.c src/event/event_bus.c src/event/event_sink.c
