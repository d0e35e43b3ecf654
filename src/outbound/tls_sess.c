/*
 * NAME
 *	tls_sess.c - the client TLS session cache
 * DESCRIPTION
 *	See tls_sess.h. An array under one mutex with linear scans: a proxy
 *	talks to a few hundred next hops at a time at most.
 */
#include "config.h"
#include "outbound/tls_sess.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#include "util/xmalloc.h"

struct sess_entry {
    char *key;
    SSL_SESSION *sess;
    struct ob_tls_info info;
    time_t expires;
};

struct ob_tls_sess {
    pthread_mutex_t lock;
    size_t max, n;
    long ttl_s;
    struct sess_entry *e;
};

/* ob_tls_sess_new - an empty cache */
struct ob_tls_sess *ob_tls_sess_new(size_t max, long ttl_s)
{
    struct ob_tls_sess *c = xcalloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->max = max ? max : 1;
    c->ttl_s = ttl_s;
    c->e = xcalloc(c->max, sizeof(*c->e));
    return c;
}

/* sess_remove - drop entry i (lock held) */
static void sess_remove(struct ob_tls_sess *c, size_t i)
{
    free(c->e[i].key);
    SSL_SESSION_free(c->e[i].sess);
    c->e[i] = c->e[--c->n];
}

/* sess_find - the live entry for key, expired ones removed (lock held); -1 none */
static long sess_find(struct ob_tls_sess *c, const char *key)
{
    time_t now = time(NULL);

    for (size_t i = 0; i < c->n;) {
	if (c->e[i].expires <= now) {
	    sess_remove(c, i);
	    continue;
	}
	if (strcmp(c->e[i].key, key) == 0)
	    return (long) i;
	i++;
    }
    return -1;
}

/* ob_tls_sess_key - destination and policy, as one string */
void ob_tls_sess_key(struct buf *key, const char *host, const char *addr, int port, int level,
		     const struct ob_tlsa *t, int mode)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    buf_printf(key, "%s|%s|%d|L%d|M%d|D%d|", host, addr, port, level, mode,
	       t ? (int) t->state : 0);
    if (t != NULL && t->count > 0 && ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
	for (size_t i = 0; i < t->count; i++) {
	    unsigned char h[3] = { t->rrs[i].usage, t->rrs[i].selector, t->rrs[i].mtype };

	    (void) EVP_DigestUpdate(ctx, h, sizeof(h));
	    (void) EVP_DigestUpdate(ctx, t->rrs[i].data, t->rrs[i].len);
	}
	(void) EVP_DigestFinal_ex(ctx, md, &mdlen);
    }
    EVP_MD_CTX_free(ctx);
    for (unsigned int i = 0; i < mdlen; i++)
	buf_printf(key, "%02x", md[i]);
}

/* ob_tls_sess_get - a session for key (a reference), with its check results */
SSL_SESSION *ob_tls_sess_get(struct ob_tls_sess *c, const char *key, struct ob_tls_info *info_r)
{
    SSL_SESSION *s = NULL;
    long i;

    if (c == NULL)
	return NULL;
    pthread_mutex_lock(&c->lock);
    if ((i = sess_find(c, key)) >= 0) {
	s = c->e[i].sess;
	SSL_SESSION_up_ref(s);
	*info_r = c->e[i].info;
    }
    pthread_mutex_unlock(&c->lock);
    return s;
}

/* ob_tls_sess_put - remember the session of a fully checked connection */
void ob_tls_sess_put(struct ob_tls_sess *c, const char *key, SSL *ssl,
		     const struct ob_tls_info *info)
{
    SSL_SESSION *s = SSL_get1_session(ssl);
    long ttl, i;
    size_t oldest = 0;

    if (c == NULL || s == NULL || !SSL_SESSION_is_resumable(s)) {
	SSL_SESSION_free(s);
	return;
    }
    ttl = SSL_SESSION_get_timeout(s);
    if (ttl <= 0 || ttl > c->ttl_s)
	ttl = c->ttl_s;
    pthread_mutex_lock(&c->lock);
    if ((i = sess_find(c, key)) >= 0)
	sess_remove(c, (size_t) i);
    if (c->n == c->max) {
	for (size_t j = 1; j < c->n; j++)
	    if (c->e[j].expires < c->e[oldest].expires)
		oldest = j;
	sess_remove(c, oldest);
    }
    c->e[c->n].key = xstrdup(key);
    c->e[c->n].sess = s;
    c->e[c->n].info = *info;
    c->e[c->n].expires = time(NULL) + ttl;
    c->n++;
    pthread_mutex_unlock(&c->lock);
}

/* ob_tls_sess_free - release everything */
void ob_tls_sess_free(struct ob_tls_sess **cp)
{
    struct ob_tls_sess *c = *cp;

    if (c == NULL)
	return;
    while (c->n > 0)
	sess_remove(c, 0);
    pthread_mutex_destroy(&c->lock);
    free(c->e);
    free(c);
    *cp = NULL;
}
