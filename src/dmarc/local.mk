# src/dmarc/local.mk - DMARC aggregate reports (the check itself is src/check/dmarc*)
libmxguard_a_SOURCES += src/dmarc/report.h src/dmarc/report.c src/dmarc/report_send.c
