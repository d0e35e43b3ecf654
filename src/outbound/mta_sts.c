/*
 * NAME
 *	mta_sts.c - MTA-STS policy lookup and its cache in the store
 * DESCRIPTION
 *	See mta_sts.h. A cached entry is "ID\n" followed by the policy body
 *	as fetched, stored with the policy's max_age as its time to live, so
 *	the parser (mta_sts_parse.c) reads it back and the store expires it.
 */
#include "config.h"
#include "outbound/mta_sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"
#include "outbound/ehlo_cache.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* ob_sts_new - the MTA-STS settings of a config; the store opens on first use */
struct ob_sts *ob_sts_new(const struct conf *c)
{
    struct ob_sts *st = xcalloc(1, sizeof(*st));

    st->enforce_all = conf_bool(c, "outbound.mta_sts");
    st->ca_file = xstrdup(conf_str(c, "outbound.mta_sts_ca_file"));
    st->port = (int) conf_int(c, "outbound.mta_sts_port");
    st->timeout_ms = (long) conf_int(c, "outbound.mta_sts_timeout_s") * 1000;
    st->spec = ob_store_spec(c, &st->name);
    pthread_mutex_init(&st->lock, NULL);
    return st;
}

/* ob_sts_free - close the store */
void ob_sts_free(struct ob_sts **sp)
{
    struct ob_sts *st = *sp;

    if (st == NULL)
	return;
    store_close(&st->store);
    memset(st->spec, 0, strlen(st->spec));	/* may hold the Redis password */
    free(st->spec);
    free(st->name);
    free(st->ca_file);
    pthread_mutex_destroy(&st->lock);
    free(st);
    *sp = NULL;
}

/* ob_sts_enforce_all - outbound.mta_sts */
int ob_sts_enforce_all(const struct ob_sts *st)
{
    return st != NULL && st->enforce_all;
}

/* sts_store - the store, opened on first use; NULL: no cache */
static struct store *sts_store(struct ob_sts *st)
{
    const char *why = NULL;
    struct store *s;

    pthread_mutex_lock(&st->lock);
    if (st->store == NULL && !st->failed
	&& (st->store = store_open(st->spec, &why)) == NULL) {
	st->failed = 1;
	msg_warn("outbound: MTA-STS policy cache off: %s: %s", st->name, why);
    }
    s = st->store;
    pthread_mutex_unlock(&st->lock);
    return s;
}

/* sts_txt_id - the id of the one v=STSv1 TXT record; 1 found, 0 none, -1 temporary */
static int sts_txt_id(struct dns_resolver *dns, const char *domain, char *id_r)
{
    char name[300];
    struct dns_answer *a = NULL;
    int n = 0, st;

    snprintf(name, sizeof(name), "_mta-sts.%s", domain);
    st = dns_lookup(dns, name, DNS_T_TXT, NULL, &a);
    for (size_t i = 0; st == DNS_FOUND && i < a->count; i++) {
	const char *t = a->rrs[i].u.txt.text;
	size_t len = a->rrs[i].u.txt.len;

	if (len < 8 || memcmp(t, "v=STSv1;", 8) != 0)
	    continue;		/* not an MTA-STS record: discarded (3.1) */
	if (++n == 1 && ob_sts_txt_parse(t, len, id_r) < 0)
	    n = 99;		/* malformed: as if none */
    }
    dns_answer_free(&a);
    return st == DNS_TEMP ? -1 : n == 1;
}

/* sts_cached - the cached policy of domain; 1 found */
static int sts_cached(struct store *s, const char *key, struct ob_sts_policy *p)
{
    struct buf v = BUF_INIT;
    const char *why, *nl;
    int r = 0;

    if (s != NULL && store_get(s, key, &v) == 1 && (nl = memchr(v.data, '\n', v.len)) != NULL
	&& (size_t) (nl - v.data) < sizeof(p->id)
	&& ob_sts_policy_parse(nl + 1, v.len - (size_t) (nl + 1 - v.data), p, &why) == 0) {
	memcpy(p->id, v.data, (size_t) (nl - v.data));
	p->id[nl - v.data] = 0;
	r = 1;
    }
    buf_free(&v);
    return r;
}

/* sts_fresh - fetch, parse and cache the policy with id; 1 ok */
static int sts_fresh(struct ob_sts *st, struct store *s, struct dns_resolver *dns,
		     const char *domain, const char *key, const char *id, struct ob_sts_policy *p)
{
    struct buf body = BUF_INIT, why = BUF_INIT, val = BUF_INIT;
    const char *perr = NULL;
    int ok = 0;

    if (ob_sts_fetch(st, dns, domain, &body, &why) < 0) {
	msg_warn("outbound: MTA-STS %s: policy fetch failed: %s", domain, buf_str(&why));
    } else if (ob_sts_policy_parse(body.data ? body.data : "", body.len, p, &perr) < 0) {
	msg_warn("outbound: MTA-STS %s: invalid policy: %s", domain, perr);
    } else {
	snprintf(p->id, sizeof(p->id), "%s", id);
	buf_printf(&val, "%s\n", id);
	buf_append(&val, body.data, body.len);
	if (s != NULL && p->max_age > 0 && store_put(s, key, val.data, val.len, p->max_age) < 0)
	    msg_warn("outbound: MTA-STS %s: cannot cache the policy: %s", domain, store_error(s));
	msg_info("outbound: MTA-STS %s: policy id %s fetched: mode %s, max_age %ld, %zu mx",
		 domain, id, ob_sts_mode_name(p->mode), p->max_age, p->nmx);
	ok = 1;
    }
    buf_free(&body);
    buf_free(&why);
    buf_free(&val);
    return ok;
}

/* ob_sts_lookup - the policy of domain (RFC 8461 5.1); 1 found, 0 none */
int ob_sts_lookup(struct ob_sts *st, struct dns_resolver *dns, const char *domain,
		  struct ob_sts_policy *p)
{
    char id[33], key[300];
    struct store *s = sts_store(st);
    int txt = sts_txt_id(dns, domain, id), cached;

    snprintf(key, sizeof(key), "mta-sts:%s", domain);
    cached = sts_cached(s, key, p);
    if (txt == 1 && cached && strcmp(p->id, id) == 0)
	return 1;
    if (txt == 1 && sts_fresh(st, s, dns, domain, key, id, p))
	return 1;
    if (cached || (txt == 1 && sts_cached(s, key, p))) {
	msg_info("outbound: MTA-STS %s: using the cached policy id %s", domain, p->id);
	return 1;
    }
    memset(p, 0, sizeof(*p));
    return 0;
}
