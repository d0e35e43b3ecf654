/*
 * NAME
 *	rules_env.h - a rule environment for the rule engine's unit tests
 * SYNOPSIS
 *	#include "rules_env.h"
 *	void rt_env_init(struct rule_env *env);
 *	void rt_env_free(void);
 *	struct ruleset *rt_parse(const char *text, const struct rule_env *env,
 *				 struct buf *errs);
 *	extern const struct fact_table *const rt_tables[];
 * DESCRIPTION
 *	rt_tables stands in for the check modules' fact tables (spf,
 *	spf_guess, dkim, dmarc_status, dmarc_domain_policy, arc_state, dcc
 *	and their variables) until they exist. rt_env_init makes an env
 *	whose list_find knows real lists: "mailing_lists"
 *	(lists.example.org, .lists.example.net), "relay_ips"
 *	(192.0.2.0/24, 2001:db8::/32), "local_domains" (example.com,
 *	.example.net), "senders" (boss@example.com) and "dead": a redis:
 *	list whose server does not listen (every lookup is a temporary
 *	failure). rt_parse reads text with libconfig and parses its
 *	"rules" group as file "test.conf" (all five stages, whatever the
 *	config key table holds today).
 */
#ifndef T_UNIT_RULES_ENV_H
#define T_UNIT_RULES_ENV_H
#include "policy/rules.h"

extern const struct fact_table *const rt_tables[];

void rt_env_init(struct rule_env *env);
void rt_env_free(void);
struct ruleset *rt_parse(const char *text, const struct rule_env *env, struct buf *errs);
int rt_free_port(void);

#endif
