# t/unit/rules.mk - unit tests of facts, verdicts, templates and the rule engine
check_PROGRAMS += t/unit/test_rules_parse
t_unit_test_rules_parse_SOURCES = t/unit/rules_parse.c t/unit/rules_env.c t/unit/rules_env.h
t_unit_test_rules_parse_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_rules_parse
check_PROGRAMS += t/unit/test_rules_eval
t_unit_test_rules_eval_SOURCES = t/unit/rules_eval.c t/unit/rules_env.c t/unit/rules_env.h
t_unit_test_rules_eval_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_rules_eval
check_PROGRAMS += t/unit/test_facts t/unit/test_verdict t/unit/test_expand
t_unit_test_facts_SOURCES = t/unit/facts.c
t_unit_test_facts_LDADD = $(MXG_LIBS)
t_unit_test_verdict_SOURCES = t/unit/verdict.c
t_unit_test_verdict_LDADD = $(MXG_LIBS)
t_unit_test_expand_SOURCES = t/unit/expand.c
t_unit_test_expand_LDADD = $(MXG_LIBS)
TESTS += t/unit/test_facts t/unit/test_verdict t/unit/test_expand
