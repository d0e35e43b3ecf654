# t/fuzz/rules.mk - fuzz targets of the rule engine (append to FUZZ_PROGS)
FUZZ_PROGS += t/fuzz/fuzz_rule_expand t/fuzz/fuzz_rule_parse
t_fuzz_fuzz_rule_expand_SOURCES = t/fuzz/rule_expand.c
t_fuzz_fuzz_rule_expand_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_rule_expand_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
t_fuzz_fuzz_rule_parse_SOURCES = t/fuzz/rule_parse.c
t_fuzz_fuzz_rule_parse_LDADD = $(MXG_FUZZ_LIBS) $(MXG_LIBS)
t_fuzz_fuzz_rule_parse_LDFLAGS = $(AM_LDFLAGS) $(MXG_FUZZ_LINK)
