# src/dmarc/local.mk - DMARC aggregate and failure reports (the check itself is src/check/dmarc*)
libmxguard_a_SOURCES += src/dmarc/report.h src/dmarc/report.c src/dmarc/report_send.c \
	src/dmarc/forensic.h src/dmarc/forensic.c src/dmarc/forensic_send.c
