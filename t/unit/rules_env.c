/*
 * t/unit/rules_env.c - fact tables and lists for the rule engine's tests (see rules_env.h)
 */
#include "config.h"
#include "rules_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "policy/lists.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char *const spf_words[] = {"pass", "fail", "softfail", "neutral", "none",
    "permerror", "temperror", NULL};
static const char *const dmarc_words[] = {"accept", "reject", "quarantine", "none", "norecord",
    "nofrom", "temperror", "off", NULL};
static const char *const policy_words[] = {"none", "quarantine", "reject", NULL};
static const char *const dcc_words[] = {"accept", "fail", "defer", NULL};
static const char *const pfn_words[] = {"pass", "fail", "none", "temperror", "permerror", NULL};

static const struct fact_def spf_defs[] = {
    {"spf", FACT_WORD, FACT_STAGE_MAIL, spf_words, "SPF result"},
    {"spf_guess", FACT_WORD, FACT_STAGE_MAIL, spf_words, "best-guess SPF result"},
    {"spf_received", FACT_TEXT, FACT_STAGE_MAIL, NULL, "Received-SPF value"},
    {"spf_smtp_comment", FACT_TEXT, FACT_STAGE_MAIL, NULL, "SPF explanation"},
};
static const struct fact_def dmarc_defs[] = {
    {"dmarc_status", FACT_WORD, FACT_STAGE_DATA, dmarc_words, "DMARC status"},
    {"dmarc_domain_policy", FACT_WORD, FACT_STAGE_DATA, policy_words, "DMARC policy"},
    {"dmarc_used_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL, "From domain"},
    {"dkim", FACT_WORD, FACT_STAGE_DATA, pfn_words, "DKIM result"},
    {"arc_state", FACT_WORD, FACT_STAGE_DATA, pfn_words, "ARC chain state"},
};
static const struct fact_def dcc_defs[] = {
    {"dcc", FACT_WORD, FACT_STAGE_DATA, dcc_words, "DCC result"},
};
static const struct fact_table spf_table = {"spf", spf_defs, 4};
static const struct fact_table dmarc_table = {"dmarc", dmarc_defs, 5};
static const struct fact_table dcc_table = {"dcc", dcc_defs, 1};
const struct fact_table *const rt_tables[] = {&spf_table, &dmarc_table, &dcc_table, NULL};

#define RT_LISTS 5
static struct list *rt_lists[RT_LISTS];

/* rt_list_find - the test lists by name */
static struct list *rt_list_find(void *ctx, const char *name)
{
    for (size_t i = 0; i < RT_LISTS; i++)
	if (rt_lists[i] && strcmp(list_name(rt_lists[i]), name) == 0)
	    return rt_lists[i];
    return NULL;
}

/* rt_free_port - a loopback TCP port nobody listens on */
int rt_free_port(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0
	|| getsockname(fd, (struct sockaddr *) &sin, &len) < 0)
	msg_fatal("rt_free_port: %m");
    port = ntohs(sin.sin_port);
    close(fd);			/* bound, never listened: connections are refused */
    return port;
}

/* rt_inline - one inline list */
static struct list *rt_inline(const char *name, const char *const *items, size_t n)
{
    struct buf errs = BUF_INIT;
    struct list *l = list_new_inline(name, items, n, &errs);

    if (l == NULL)
	msg_fatal("rt_inline: %s", buf_str(&errs));
    buf_free(&errs);
    return l;
}

/* rt_env_init - the env with its lists */
void rt_env_init(struct rule_env *env)
{
    static const char *const ml[] = {"lists.example.org", ".lists.example.net"};
    static const char *const ips[] = {"192.0.2.0/24", "2001:db8::/32"};
    static const char *const local[] = {"example.com", ".example.net"};
    static const char *const senders[] = {"boss@example.com"};
    struct buf why = BUF_INIT;
    char *spec = xasprintf("redis:127.0.0.1:%d", rt_free_port());
    struct list_env lenv = {NULL, spec};

    rt_lists[0] = rt_inline("mailing_lists", ml, 2);
    rt_lists[1] = rt_inline("relay_ips", ips, 2);
    rt_lists[2] = rt_inline("local_domains", local, 2);
    rt_lists[3] = rt_inline("senders", senders, 1);
    if ((rt_lists[4] = list_open("dead", "redis:SISMEMBER dead $value", &lenv, &why)) == NULL)
	msg_fatal("rt_env_init: %s", buf_str(&why));
    buf_free(&why);
    free(spec);
    env->facts = rt_tables;
    env->list_find = rt_list_find;
    env->ctx = NULL;
    env->lookups = NULL;
}

/* rt_env_free - free the lists */
void rt_env_free(void)
{
    for (size_t i = 0; i < RT_LISTS; i++)
	list_free(&rt_lists[i]);
}

/* rt_parse - libconfig text -> ruleset of its rules group */
struct ruleset *rt_parse(const char *text, const struct rule_env *env, struct buf *errs)
{
    config_t cf;
    struct ruleset *rs;

    config_init(&cf);
    if (config_read_string(&cf, text) != CONFIG_TRUE)
	msg_fatal("rt_parse: libconfig: line %d: %s", config_error_line(&cf),
		  config_error_text(&cf));
    rs = ruleset_parse_group(config_lookup(&cf, "rules"), "test.conf", env, errs);
    config_destroy(&cf);
    return rs;
}
