# t/unit/pipeline.mk - tests of the message pipeline and `mxguard check`
check_PROGRAMS += t/unit/test_pipeline
t_unit_test_pipeline_SOURCES = t/unit/pipeline.c
t_unit_test_pipeline_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_pipeline t/unit/check_cli.sh
EXTRA_DIST += t/unit/check_cli.sh t/data/msg/README t/data/msg/plain.eml \
	t/data/msg/forged_ar.eml t/data/msg/subject_viagra.eml t/data/msg/lf_flagged.eml \
	t/data/msg/nul_bytes.eml t/data/msg/no_body.eml
