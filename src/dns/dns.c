/*
 * NAME
 *	dns - the resolver object and dns_lookup()
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	struct dns_resolver *dns_resolver_new(const struct dns_config *cfg,
 *					      const char **why_r);
 *	struct dns_resolver *dns_resolver_open(const struct dns_config *cfg,
 *					       char **why_r);
 *	void dns_resolver_free(struct dns_resolver **rp);
 *	int dns_lookup(struct dns_resolver *r, const char *name,
 *		       enum dns_type type, struct dns_budget *budget,
 *		       struct dns_answer **answer_r);
 * DESCRIPTION
 *	A resolver is shared by threads. Each thread that looks something
 *	up gets its own glibc res_state (res_ninit, options RES_USE_EDNS0,
 *	and RES_USE_DNSSEC | RES_TRUSTAD when dnssec is on), kept under a
 *	pthread key owned by the resolver; res_nmkquery builds the query,
 *	we add the EDNS0 OPT record (DO=1) and the AD bit (RFC 6840 5.7),
 *	pick a random ID with getrandom(), and send it ourselves
 *	(dns_send.c). The servers come from the config, or from resolv.conf
 *	(IPv4 and IPv6) when none is configured.
 *
 *	dns_lookup: each step answers (name, type) from the static file,
 *	then the cache, then the network, and is charged to the budget.
 *	When a NOERROR reply ends in a CNAME without the target's records,
 *	the target is asked next (at most 8 steps). The final answer is
 *	secure only when every step was.
 *
 *	dns_resolver_open() reports errors (including every FILE:LINE of
 *	the static file) in a malloc'ed *why_r; dns_resolver_new() logs the
 *	details with msg_error and gives a fixed summary.
 * DIAGNOSTICS
 *	See dns.h. dns_resolver_new/open: NULL on a bad configuration.
 */
#include "config.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <sys/random.h>
#include "util/msg.h"
#include "util/xmalloc.h"
#include "dns/dns_int.h"

#define DNS_MAX_SERVERS 16

/* Counters for metrics: one relaxed atomic add each, no lock. */
static unsigned long long dns_stat_v[DNS_STAT_COUNT];

struct tstate {				/* one thread's resolver state */
    struct __res_state res;
    struct dns_resolver *owner;
    struct tstate *prev, *next;
};

struct dns_resolver {
    struct dns_server servers[DNS_MAX_SERVERS];
    size_t nservers;
    int timeout_ms, retries, dnssec;
    struct dns_cache *cache;
    struct dns_static *statics;
    pthread_key_t key;
    pthread_mutex_t lock;		/* guards states */
    struct tstate *states;
};

/* tstate_free - res_nclose and free one thread's state; lock held */
static void tstate_free(struct tstate *ts)
{
    struct dns_resolver *r = ts->owner;

    if (ts->prev)
	ts->prev->next = ts->next;
    else
	r->states = ts->next;
    if (ts->next)
	ts->next->prev = ts->prev;
    res_nclose(&ts->res);
    free(ts);
}

/* tstate_exit - pthread key destructor: a thread ends */
static void tstate_exit(void *arg)
{
    struct tstate *ts = arg;
    struct dns_resolver *r = ts->owner;

    pthread_mutex_lock(&r->lock);
    tstate_free(ts);
    pthread_mutex_unlock(&r->lock);
}

/* thread_state - this thread's res_state, initialized on first use */
static res_state thread_state(struct dns_resolver *r)
{
    struct tstate *ts = pthread_getspecific(r->key);

    if (ts != NULL)
	return &ts->res;
    ts = xcalloc(1, sizeof(*ts));
    if (res_ninit(&ts->res) < 0) {
	free(ts);
	return NULL;
    }
    ts->res.options |= RES_USE_EDNS0 | RES_RECURSE;
    if (r->dnssec)
	ts->res.options |= RES_USE_DNSSEC | RES_TRUSTAD;
    ts->owner = r;
    pthread_mutex_lock(&r->lock);
    ts->next = r->states;
    if (r->states)
	r->states->prev = ts;
    r->states = ts;
    pthread_mutex_unlock(&r->lock);
    pthread_setspecific(r->key, ts);
    return &ts->res;
}

/* servers_from_resolv_conf - the name servers glibc read (v4 and v6) */
static void servers_from_resolv_conf(struct dns_resolver *r, struct __res_state *res)
{
    for (int i = 0; i < res->nscount && r->nservers < DNS_MAX_SERVERS; i++) {
	if (res->nsaddr_list[i].sin_family == AF_INET)
	    dns_server_from_sockaddr((struct sockaddr *) &res->nsaddr_list[i],
				     &r->servers[r->nservers++]);
	else if (i < MAXNS && res->_u._ext.nsaddrs[i] != NULL
		 && res->_u._ext.nsaddrs[i]->sin6_family == AF_INET6)
	    dns_server_from_sockaddr((struct sockaddr *) res->_u._ext.nsaddrs[i],
				     &r->servers[r->nservers++]);
    }
}

/* dns_resolver_open - a resolver for cfg; NULL with a malloc'ed reason */
struct dns_resolver *dns_resolver_open(const struct dns_config *cfg, char **why_r)
{
    struct dns_resolver *r = xcalloc(1, sizeof(*r));
    struct __res_state res;
    const char *why;

    *why_r = NULL;
    if (cfg->nservers > DNS_MAX_SERVERS) {
	*why_r = xasprintf("dns.servers: more than %d servers", DNS_MAX_SERVERS);
	goto bad;
    }
    for (size_t i = 0; i < cfg->nservers; i++) {
	if (dns_server_parse(cfg->servers[i], &r->servers[i], &why) < 0) {
	    *why_r = xasprintf("dns.servers: \"%s\": %s", cfg->servers[i], why);
	    goto bad;
	}
    }
    r->nservers = cfg->nservers;
    memset(&res, 0, sizeof(res));
    if (res_ninit(&res) < 0) {
	*why_r = xasprintf("res_ninit failed");
	goto bad;
    }
    if (r->nservers == 0)
	servers_from_resolv_conf(r, &res);
    r->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : res.retrans * 1000;
    r->retries = cfg->retries >= 0 ? cfg->retries : (res.retry > 1 ? res.retry - 1 : 0);
    res_nclose(&res);
    if (r->nservers == 0) {
	*why_r = xasprintf("no DNS server (dns.servers and resolv.conf are empty)");
	goto bad;
    }
    r->dnssec = cfg->dnssec;
    if (cfg->static_file != NULL && *cfg->static_file
	&& (r->statics = dns_static_load(cfg->static_file, why_r)) == NULL)
	goto bad;
    r->cache = cfg->cache_size > 0 ? dns_cache_new(cfg->cache_size) : NULL;
    pthread_mutex_init(&r->lock, NULL);
    if (pthread_key_create(&r->key, tstate_exit) != 0)
	msg_fatal("dns: pthread_key_create failed");
    return r;
  bad:
    free(r);
    return NULL;
}

/* dns_resolver_new - like dns_resolver_open, details go to the log */
struct dns_resolver *dns_resolver_new(const struct dns_config *cfg, const char **why_r)
{
    char *why;
    struct dns_resolver *r = dns_resolver_open(cfg, &why);

    if (r == NULL) {
	for (char *line = why, *nl; line != NULL; line = nl) {	/* one log line each */
	    if ((nl = strchr(line, '\n')) != NULL)
		*nl++ = 0;
	    msg_error("dns: configuration: %s", line);
	}
	*why_r = "bad DNS configuration (details logged)";
	free(why);
    }
    return r;
}

/* dns_resolver_free - free the resolver and every thread state */
void dns_resolver_free(struct dns_resolver **rp)
{
    struct dns_resolver *r = *rp;

    if (r == NULL)
	return;
    pthread_setspecific(r->key, NULL);
    pthread_key_delete(r->key);		/* no destructor runs after this */
    pthread_mutex_lock(&r->lock);
    while (r->states)
	tstate_free(r->states);
    pthread_mutex_unlock(&r->lock);
    pthread_mutex_destroy(&r->lock);
    dns_cache_free(&r->cache);
    dns_static_free(&r->statics);
    free(r);
    *rp = NULL;
}

/* make_query - res_nmkquery + random ID + AD + OPT(DO); length or -1 */
static int make_query(struct dns_resolver *r, res_state st, const char *name,
		      enum dns_type type, unsigned char *buf, size_t bufsz)
{
    unsigned char id[2];
    int n = res_nmkquery(st, ns_o_query, name, ns_c_in, (int) type, NULL, 0, NULL,
			 buf, (int) bufsz - 11);

    if (n < 12)
	return -1;
    if (getrandom(id, sizeof(id), 0) != sizeof(id))
	msg_fatal("dns: getrandom failed");
    buf[0] = id[0];
    buf[1] = id[1];
    buf[2] |= 0x01;			/* RD */
    buf[3] = r->dnssec ? 0x20 : 0;	/* AD: tell us what you validated */
    static const unsigned char opt[11] = {0, 0, 41, DNS_UDP_PAYLOAD >> 8, DNS_UDP_PAYLOAD & 0xff,
	0, 0, 0x80, 0, 0, 0};
    memcpy(buf + n, opt, sizeof(opt));
    if (!r->dnssec)
	buf[n + 7] = 0;			/* no DO */
    buf[10] = 0;
    buf[11] = 1;			/* ARCOUNT */
    return n + (int) sizeof(opt);
}

/* network - ask the servers about (name, type) */
static struct dns_answer *network(struct dns_resolver *r, const char *name, enum dns_type type,
				  long long deadline_ms)
{
    unsigned char q[NS_PACKETSZ + 16], *reply;
    size_t rlen;
    const char *server = "?";
    char why[256];
    struct dns_answer *a;
    res_state st = thread_state(r);
    int qlen;

    if (st == NULL) {
	a = dns_answer_new(DNS_TEMP);
	dns_answer_reason(a, "res_ninit failed");
	return a;
    }
    if ((qlen = make_query(r, st, name, type, q, sizeof(q))) < 0) {
	a = dns_answer_new(DNS_PERM);
	dns_answer_reason(a, "cannot make a query for \"%s\"", name);
	return a;
    }
    if (dns_exchange(r->servers, r->nservers, r->timeout_ms, r->retries, deadline_ms,
		     q, (size_t) qlen, name, type, &reply, &rlen, &server, why, sizeof(why)) < 0) {
	a = dns_answer_new(DNS_TEMP);
	dns_answer_reason(a, "%s", why);
	return a;
    }
    dns_reply_parse(reply, rlen, name, type, &a);
    free(reply);
    if (a->reason != NULL) {
	char *old = a->reason;
	a->reason = NULL;
	dns_answer_reason(a, "%s from %s", old, server);
	free(old);
    }
    if (!r->dnssec)
	a->secure = 0;
    if (msg_verbose())
	msg_debug("dns: %s/%s: %s secure=%d count=%zu ttl=%u%s%s", name, dns_type_name(type),
		  dns_status_name(a->status), a->secure, a->count, a->ttl,
		  a->reason ? " " : "", a->reason ? a->reason : "");
    dns_cache_put(r->cache, name, type, a);
    return a;
}

/* dns_stat_inc - count one event for dns_stats_get */
void dns_stat_inc(enum dns_stat which)
{
    __atomic_fetch_add(&dns_stat_v[which], 1, __ATOMIC_RELAXED);
}

/* dns_stats_get - a copy of the process-wide DNS counters */
void dns_stats_get(struct dns_stats *s)
{
    s->lookups = __atomic_load_n(&dns_stat_v[DNS_STAT_LOOKUPS], __ATOMIC_RELAXED);
    s->cache_hits = __atomic_load_n(&dns_stat_v[DNS_STAT_CACHE_HITS], __ATOMIC_RELAXED);
    s->queries = __atomic_load_n(&dns_stat_v[DNS_STAT_QUERIES], __ATOMIC_RELAXED);
    s->errors = __atomic_load_n(&dns_stat_v[DNS_STAT_ERRORS], __ATOMIC_RELAXED);
    s->timeouts = __atomic_load_n(&dns_stat_v[DNS_STAT_TIMEOUTS], __ATOMIC_RELAXED);
}

/* step - one (name, type): static file, cache, then network */
static struct dns_answer *step(struct dns_resolver *r, const char *name, enum dns_type type,
			       long long deadline_ms)
{
    struct dns_answer *a;

    dns_stat_inc(DNS_STAT_LOOKUPS);
    if ((a = dns_static_lookup(r->statics, name, type)) != NULL)
	return a;
    if ((a = dns_cache_get(r->cache, name, type)) != NULL) {
	dns_stat_inc(DNS_STAT_CACHE_HITS);
	return a;
    }
    dns_stat_inc(DNS_STAT_QUERIES);
    a = network(r, name, type, deadline_ms);
    if (a->status == DNS_TEMP || a->status == DNS_PERM)
	dns_stat_inc(DNS_STAT_ERRORS);
    return a;
}

/* budget_charge - NULL when a query may go, else the failing answer */
static struct dns_answer *budget_charge(struct dns_budget *b)
{
    struct dns_answer *a = NULL;

    if (b == NULL)
	return NULL;
    if (b->deadline_ms > 0 && dns_now_ms() >= b->deadline_ms) {
	a = dns_answer_new(DNS_TEMP);
	dns_answer_reason(a, "time budget exhausted");
    } else if (b->queries_left == 0) {
	a = dns_answer_new(DNS_PERM);
	dns_answer_reason(a, "lookup budget exhausted");
    } else if (b->queries_left > 0) {
	b->queries_left--;
    }
    return a;
}

/* lookup - resolve name/type; blanks: a blank in name is a label byte */
static int lookup(struct dns_resolver *r, const char *name, enum dns_type type,
		  struct dns_budget *budget, struct dns_answer **answer_r, int blanks)
{
    char cur[DNS_NAME_MAX];
    struct dns_answer *a;
    int secure = 1;
    uint32_t ttl = 0x7fffffff;

    cur[0] = 0;
    if ((blanks ? dns_name_norm_blanks(name, cur, sizeof(cur))
	 : dns_name_norm(name, cur, sizeof(cur))) < 0) {
	a = dns_answer_new(DNS_PERM);
	dns_answer_reason(a, "bad name");
	goto done;
    }
    for (int hops = 0;; hops++) {
	if ((a = budget_charge(budget)) != NULL)
	    break;
	a = step(r, cur, type, budget ? budget->deadline_ms : 0);
	if (a->status != DNS_NOTFOUND || a->nxdomain || type == DNS_T_CNAME
	    || a->canonical == NULL || strcmp(a->canonical, cur) == 0)
	    break;
	/* NODATA at the end of a CNAME chain: ask for the target itself */
	if (hops == DNS_CNAME_MAX) {
	    a->status = DNS_PERM;
	    dns_answer_reason(a, "CNAME chain longer than %d (loop?)", DNS_CNAME_MAX);
	    break;
	}
	secure &= a->secure;
	if (a->ttl < ttl)
	    ttl = a->ttl;
	snprintf(cur, sizeof(cur), "%s", a->canonical);
	dns_answer_free(&a);
    }
    a->secure = a->secure && secure;
    if (a->ttl > ttl)
	a->ttl = ttl;
  done:
    if (a->canonical == NULL)
	a->canonical = xstrdup(cur);
    *answer_r = a;
    return a->status;
}

/* dns_lookup - resolve name/type via static file, cache and network */
int dns_lookup(struct dns_resolver *r, const char *name, enum dns_type type,
	       struct dns_budget *budget, struct dns_answer **answer_r)
{
    return lookup(r, name, type, budget, answer_r, 0);
}

/* dns_lookup_blanks - dns_lookup of a name whose blanks are label bytes (SPF macros) */
int dns_lookup_blanks(struct dns_resolver *r, const char *name, enum dns_type type,
		      struct dns_budget *budget, struct dns_answer **answer_r)
{
    return lookup(r, name, type, budget, answer_r, 1);
}
