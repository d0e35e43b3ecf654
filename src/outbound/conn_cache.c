/*
 * NAME
 *	conn_cache.c - the idle next-hop connection cache
 * DESCRIPTION
 *	See conn_cache.h. A small array under one mutex: the cache holds at
 *	most a few hundred entries and every operation is a linear scan.
 */
#include "config.h"
#include "outbound/conn_cache.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "outbound/session_out.h"
#include "util/xmalloc.h"

struct ob_cache {
    pthread_mutex_t lock;
    size_t max, n;
    int idle_ms;
    struct ob_out **outs;
    long long *since;
};

/* ob_cache_new - an empty cache; max 0 disables it */
struct ob_cache *ob_cache_new(size_t max, int idle_ms)
{
    struct ob_cache *c = xcalloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->max = max;
    c->idle_ms = idle_ms;
    c->outs = xcalloc(max ? max : 1, sizeof(*c->outs));
    c->since = xcalloc(max ? max : 1, sizeof(*c->since));
    return c;
}

/* cache_drop - close and free entry i (lock held), collect it in *gone */
static void cache_remove(struct ob_cache *c, size_t i)
{
    c->n--;
    c->outs[i] = c->outs[c->n];
    c->since[i] = c->since[c->n];
}

/* cache_expire - take out idle entries; they are closed outside the lock */
static size_t cache_expire(struct ob_cache *c, struct ob_out **gone, size_t room)
{
    long long now = ob_now_ms();
    size_t n = 0;

    for (size_t i = 0; i < c->n && n < room;) {
	if (now - c->since[i] > c->idle_ms) {
	    gone[n++] = c->outs[i];
	    cache_remove(c, i);
	} else {
	    i++;
	}
    }
    return n;
}

/* cache_close - QUIT and free conversations taken out of the cache */
static void cache_close(struct ob_out **gone, size_t n)
{
    for (size_t i = 0; i < n; i++) {
	ob_out_quit(gone[i]);
	ob_out_free(&gone[i]);
    }
}

/* ob_cache_put - keep an idle conversation; 1 kept, 0 not */
int ob_cache_put(struct ob_cache *c, struct ob_out *o)
{
    struct ob_out *gone[8];
    size_t ngone;
    int kept = 0;

    if (c == NULL || c->max == 0)
	return 0;
    pthread_mutex_lock(&c->lock);
    ngone = cache_expire(c, gone, 8);
    if (c->n < c->max) {
	c->outs[c->n] = o;
	c->since[c->n] = ob_now_ms();
	c->n++;
	kept = 1;
    }
    pthread_mutex_unlock(&c->lock);
    cache_close(gone, ngone);
    return kept;
}

/* cache_alive - no EOF and no unsolicited data waiting on the connection */
static int cache_alive(struct ob_out *o)
{
    struct pollfd p = {.fd = o->io.fd, .events = POLLIN };

    return o->connected && !ob_io_pending(&o->io) && poll(&p, 1, 0) == 0;
}

/* ob_cache_take - an idle conversation for key, or NULL */
struct ob_out *ob_cache_take(struct ob_cache *c, const char *key, int rtls)
{
    struct ob_out *gone[9], *found = NULL;
    size_t ngone;

    if (c == NULL || c->max == 0)
	return NULL;
    pthread_mutex_lock(&c->lock);
    ngone = cache_expire(c, gone, 8);
    for (size_t i = 0; i < c->n; i++) {
	if (strcmp(c->outs[i]->domain, key) == 0 && (int) c->outs[i]->rtls == rtls) {
	    found = c->outs[i];
	    cache_remove(c, i);
	    break;
	}
    }
    pthread_mutex_unlock(&c->lock);
    if (found != NULL && !cache_alive(found)) {
	gone[ngone++] = found;
	found = NULL;
    }
    cache_close(gone, ngone);
    return found;
}

/* ob_cache_free - close everything */
void ob_cache_free(struct ob_cache **cp)
{
    struct ob_cache *c = *cp;

    if (c == NULL)
	return;
    for (size_t i = 0; i < c->n; i++) {
	ob_out_quit(c->outs[i]);
	ob_out_free(&c->outs[i]);
    }
    pthread_mutex_destroy(&c->lock);
    free(c->outs);
    free(c->since);
    free(c);
    *cp = NULL;
}
