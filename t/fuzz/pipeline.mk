# t/fuzz/pipeline.mk - fuzz target of the message pipeline (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_pipeline_msg
t_fuzz_fuzz_pipeline_msg_SOURCES = t/fuzz/pipeline_msg.c
t_fuzz_fuzz_pipeline_msg_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_pipeline_msg_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
