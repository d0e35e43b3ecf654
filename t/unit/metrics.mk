# t/unit/metrics.mk - tests of src/metrics and mxguard status
check_PROGRAMS += t/unit/test_metrics
t_unit_test_metrics_SOURCES = t/unit/metrics.c
t_unit_test_metrics_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_metrics t/e2e/metrics_postfix.sh t/e2e/metrics_outbound.sh
EXTRA_DIST += t/e2e/metrics_postfix.sh t/e2e/metrics_outbound.sh
