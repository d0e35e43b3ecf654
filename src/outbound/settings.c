/*
 * NAME
 *	settings.c - the shared, reference-counted view of one config snapshot
 * DESCRIPTION
 *	See outbound.h.
 */
#include "config.h"
#include "outbound/outbound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "dns/dns.h"
#include "event/event.h"
#include "outbound/conn_cache.h"
#include "outbound/events.h"
#include "outbound/mta_sts.h"
#include "outbound/pipe_connect.h"
#include "outbound/server_cert.h"
#include "outbound/tls_dane.h"
#include "outbound/tls_sess.h"
#include "policy/lists.h"
#include "util/xmalloc.h"

static const char *const level_names[OB_TLS_NLEVELS] = {
    "none", "may", "encrypt", "dane", "dane-only", "verify", "secure"
};

/* The named lists that set a destination's level, strongest first. */
static const char *const level_lists[OB_TLS_NLEVELS] = {
    "tls_none", "tls_may", "tls_encrypt", "tls_dane", "tls_dane_only", "tls_verify",
    "tls_secure"
};

/* ob_tls_level_name - the level's word */
const char *ob_tls_level_name(enum ob_tls_level l)
{
    return (unsigned) l < OB_TLS_NLEVELS ? level_names[l] : "?";
}

/* ob_tls_level_parse - a level from its word, -1 if unknown */
int ob_tls_level_parse(const char *name)
{
    for (int i = 0; i < OB_TLS_NLEVELS; i++)
	if (strcmp(level_names[i], name) == 0)
	    return i;
    return -1;
}

/* settings_is_spec - does a one-entry list name a source ("file:/x")? */
static int settings_is_spec(const char *s)
{
    static const char *const kinds[] = { "file:", "lmdb:", "redis:", "inline:" };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
	if (strncmp(s, kinds[i], strlen(kinds[i])) == 0)
	    return 1;
    return 0;
}

/* settings_list - one list: a source ("file:/x", ...) or inline entries */
static struct list *settings_list(struct ob_settings *s, const char *name,
				  const char *const *items, size_t n, struct buf *why_r)
{
    const char *redis = conf_str(s->conf, "store.redis");
    struct list_env env = { NULL, redis && *redis ? redis : NULL };

    if (n == 1 && settings_is_spec(items[0]))
	return list_open(name, items[0], &env, why_r);
    return list_new_inline(name, items, n, why_r);
}

/* settings_lists - open the tls_LEVEL lists that exist, and pipe_connect_hosts */
static int settings_lists(struct ob_settings *s, struct buf *why_r)
{
    const char *const *items;
    size_t n;

    for (int i = 0; i < OB_TLS_NLEVELS; i++) {
	if (!conf_named_list(s->conf, level_lists[i], &items, &n))
	    continue;
	if ((s->tls_lists[i] = settings_list(s, level_lists[i], items, n, why_r)) == NULL)
	    return -1;
    }
    n = conf_list(s->conf, "outbound.pipe_connect_hosts", &items);
    if (n > 0 && (s->pipe_hosts = settings_list(s, "outbound.pipe_connect_hosts", items, n,
						why_r)) == NULL)
	return -1;
    return 0;
}

/* settings_default_level - outbound.tls raised by outbound.dane */
static enum ob_tls_level settings_default_level(const struct conf *c)
{
    int l = ob_tls_level_parse(conf_str(c, "outbound.tls"));
    const char *dane = conf_str(c, "outbound.dane");

    if (l < 0)
	l = OB_TLS_MAY;
    if (strcmp(dane, "require") == 0 && l < OB_TLS_DANE_ONLY)
	l = OB_TLS_DANE_ONLY;
    else if (strcmp(dane, "try") == 0 && l >= OB_TLS_MAY && l < OB_TLS_DANE)
	l = OB_TLS_DANE;
    return (enum ob_tls_level) l;
}

/* ob_settings_new - everything sessions need, from one snapshot */
struct ob_settings *ob_settings_new(struct conf *c, int running, struct buf *why_r)
{
    struct ob_settings *s = xcalloc(1, sizeof(*s));
    const char *helo = conf_str(c, "outbound.helo_name"), *why = NULL;

    s->refs = 1;
    s->conf = conf_ref(c);
    if (*helo)
	snprintf(s->helo_name, sizeof(s->helo_name), "%s", helo);
    else if (gethostname(s->helo_name, sizeof(s->helo_name) - 1) < 0)
	snprintf(s->helo_name, sizeof(s->helo_name), "localhost");
    s->port = (int) conf_int(c, "outbound.port");
    s->relay_host = xstrdup(conf_str(c, "outbound.relay_host"));
    s->tls_default = settings_default_level(c);
    s->ocsp = strcmp(conf_str(c, "outbound.ocsp"), "require") == 0 ? 2
	: strcmp(conf_str(c, "outbound.ocsp"), "request") == 0;
    s->allowed = conf_cidrs(c, "outbound.allowed_clients", &s->nallowed);
    s->max_size = (unsigned long long) conf_int(c, "outbound.max_message_size");
    s->spool_mem = (size_t) conf_int(c, "outbound.spool_memory");
    s->tmpdir = xstrdup(conf_str(c, "outbound.spool_dir"));
    s->connect_timeout_ms = (int) conf_int(c, "outbound.connect_timeout_s") * 1000;
    s->cache = ob_cache_new(conf_int(c, "outbound.connection_cache_s") > 0 ? 200 : 0,
			    (int) conf_int(c, "outbound.connection_cache_s") * 1000);
    s->ehlo_cache = ob_pipe_cache_open(c);
    s->tls_sess = ob_tls_sess_new(200, 3600);
    s->requiretls = conf_bool(c, "outbound.requiretls");
    s->requiretls_header = s->requiretls && conf_bool(c, "outbound.requiretls_header");
    s->tls_required_no = conf_bool(c, "outbound.tls_required_header");
    (void) curl_global_init(CURL_GLOBAL_DEFAULT);	/* once; later calls are no-ops */
    s->sts = ob_sts_new(c);
    if ((s->dns = dns_resolver_from_conf(c, &why)) == NULL) {
	buf_printf(why_r, "dns: %s\n", why);
	goto bad;
    }
    if ((s->client_ctx = ob_tls_client_ctx(conf_str(c, "outbound.ca_file"), why_r)) == NULL)
	goto bad;
    s->server_ctx = ob_server_cert_ctx(c, s->helo_name, running, why_r);
    if (s->server_ctx == NULL || settings_lists(s, why_r) < 0)
	goto bad;
    {
	static const struct fact_table *const tables[] = { &fact_table_core, &ob_fact_table, NULL };
	size_t before = why_r->len;

	s->events = event_bus_new(c, tables, why_r);
	if (s->events == NULL && why_r->len > before)
	    goto bad;
    }
    return s;
  bad:
    ob_settings_unref(&s);
    return NULL;
}

/* ob_settings_ref - one more user */
struct ob_settings *ob_settings_ref(struct ob_settings *s)
{
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_SEQ_CST);
    return s;
}

/* ob_settings_unref - one user less; the last frees */
void ob_settings_unref(struct ob_settings **sp)
{
    struct ob_settings *s = *sp;

    *sp = NULL;
    if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_SEQ_CST) > 0)
	return;
    ob_cache_free(&s->cache);
    event_bus_free(&s->events);
    ob_ehlo_cache_free(&s->ehlo_cache);
    ob_sts_free(&s->sts);
    for (int i = 0; i < OB_TLS_NLEVELS; i++)
	list_free(&s->tls_lists[i]);
    list_free(&s->pipe_hosts);
    ob_tls_sess_free(&s->tls_sess);
    SSL_CTX_free(s->client_ctx);
    SSL_CTX_free(s->server_ctx);
    dns_resolver_free(&s->dns);
    free(s->relay_host);
    free(s->tmpdir);
    conf_unref(&s->conf);
    free(s);
}

/* ob_tls_level_for - the TLS level for mail to domain */
enum ob_tls_level ob_tls_level_for(struct ob_settings *s, const char *domain, int *temp_r)
{
    *temp_r = 0;
    for (int i = OB_TLS_NLEVELS - 1; i >= 0; i--) {
	struct buf result = BUF_INIT;
	int r;

	if (s->tls_lists[i] == NULL)
	    continue;
	r = list_lookup(s->tls_lists[i], domain, &result);
	buf_free(&result);
	if (r < 0)
	    *temp_r = 1;
	if (r != 0)
	    return (enum ob_tls_level) i;
    }
    return s->tls_default;
}
