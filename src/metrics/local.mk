# src/metrics/local.mk - counters, histograms and the Prometheus listener
libmxguard_a_SOURCES += \
	src/metrics/metrics.h src/metrics/metrics.c \
	src/metrics/metrics_mail.c src/metrics/metrics_outbound.c \
	src/metrics/metrics_http.c
