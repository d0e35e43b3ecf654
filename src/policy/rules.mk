# src/policy/rules.mk - facts, verdicts, $variable templates and the rule engine
libmxguard_a_SOURCES += \
	src/policy/facts.h src/policy/facts.c \
	src/policy/verdict.h src/policy/verdict.c \
	src/policy/expand.h src/policy/expand.c \
	src/policy/rules.h src/policy/rules_int.h \
	src/policy/rule_parse.c src/policy/rule_cond.c src/policy/rule_eval.c \
	src/policy/rule_lookup.c
