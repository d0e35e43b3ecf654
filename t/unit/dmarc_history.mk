# t/unit/dmarc_history.mk - the DMARC history writer (src/check/dmarc_history.c) and the batch mode of util/workq it uses
check_PROGRAMS += t/unit/test_dmarc_history
t_unit_test_dmarc_history_SOURCES = t/unit/dmarc_history.c
t_unit_test_dmarc_history_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_dmarc_history
check_PROGRAMS += t/unit/test_workq_batch
t_unit_test_workq_batch_SOURCES = t/unit/workq_batch.c
t_unit_test_workq_batch_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_workq_batch
