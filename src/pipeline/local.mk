# src/pipeline/local.mk - the message pipeline shared by mxguardd and `mxguard check`
libmxguard_a_SOURCES += \
	src/pipeline/pipeline.h src/pipeline/check.h src/pipeline/pipeline_int.h \
	src/pipeline/pipeline.c src/pipeline/conn.c src/pipeline/eom.c \
	src/pipeline/checks.c src/pipeline/feed.c src/pipeline/final.c src/pipeline/json.h src/pipeline/json.c
