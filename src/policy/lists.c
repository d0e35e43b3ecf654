/*
 * NAME
 *	lists.c - named lists: inline, file (with reload), LMDB, Redis
 * SYNOPSIS
 *	See lists.h.
 * DESCRIPTION
 *	Inline and file lists hold a reference-counted snapshot of parsed
 *	entries. A lookup takes a reference under the list's mutex, matches
 *	without the lock, and drops it; a reload builds a new snapshot and
 *	swaps it in, so readers never see a half-loaded list. A file is
 *	checked with stat() at most once per second (the list's clock), and
 *	a version that cannot be read or parsed is logged once and ignored:
 *	the old content stays in use. lmdb: lists delegate to the store;
 *	redis: lists to list_redis.c.
 * DIAGNOSTICS
 *	See lists.h. Reload failures are msg_warn lines
 *	"list NAME: PATH: ...; keeping the old content".
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "policy/lists_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* list_entries_unref - drop a snapshot reference (caller holds the lock) */
static void list_entries_unref(struct list_entries **esp)
{
    struct list_entries *es = *esp;

    *esp = NULL;
    if (es == NULL || --es->refs > 0)
	return;
    for (size_t i = 0; i < es->n; i++)
	list_entry_clear(&es->v[i]);
    free(es->v);
    free(es);
}

/* list_entries_add - parse one entry into es, or explain why not */
static int list_entries_add(struct list_entries *es, size_t *cap, const char *text,
			    const char *where, struct buf *errors_r)
{
    const char *why;
    struct list_entry e;

    if (list_entry_parse(text, &e, &why) < 0) {
	buf_printf(errors_r, "%s: \"%s\": %s\n", where, text, why);
	return -1;
    }
    if (es->n == *cap) {
	*cap = *cap ? *cap * 2 : 16;
	es->v = xrealloc(es->v, *cap * sizeof(*es->v));
    }
    es->v[es->n++] = e;
    return 0;
}

/* list_alloc - an empty list of the given kind */
static struct list *list_alloc(const char *name, enum list_kind kind)
{
    struct list *l = xcalloc(1, sizeof(*l));

    l->name = xstrdup(name);
    l->kind = kind;
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

/* list_now - the list's clock (time(NULL) unless a test set one) */
static time_t list_now(struct list *l)
{
    return l->now ? l->now(l->now_ctx) : time(NULL);
}

/* list_set_clock - install a clock for the once-per-second file check */
void list_set_clock(struct list *l, time_t (*now)(void *ctx), void *ctx)
{
    l->now = now;
    l->now_ctx = ctx;
    l->last_check = list_now(l);
}

/* list_name - the list's name */
const char *list_name(const struct list *l)
{
    return l->name;
}

/* list_new_inline - a list from config strings; NULL if any entry is bad */
struct list *list_new_inline(const char *name, const char *const *items, size_t n,
			     struct buf *errors_r)
{
    struct list_entries *es = xcalloc(1, sizeof(*es));
    size_t cap = 0;
    int bad = 0;
    char *where = xasprintf("list %s", name);

    es->refs = 1;
    for (size_t i = 0; i < n; i++)
	bad |= list_entries_add(es, &cap, items[i], where, errors_r) < 0;
    free(where);
    if (bad) {
	list_entries_unref(&es);
	return NULL;
    }
    struct list *l = list_alloc(name, LIST_K_INLINE);
    l->entries = es;
    return l;
}

/* list_sig_of - the identity of one version of a file */
static void list_sig_of(const struct stat *st, struct list_filesig *sig)
{
    memset(sig, 0, sizeof(*sig));
    sig->dev = st->st_dev;
    sig->ino = st->st_ino;
    sig->size = st->st_size;
    sig->mtime = st->st_mtim;
    sig->ctime = st->st_ctim;
}

/* list_sig_eq - same file version? */
static int list_sig_eq(const struct list_filesig *a, const struct list_filesig *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size
	&& a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec
	&& a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* list_file_read - parse a whole file; NULL with reasons in errors_r */
static struct list_entries *list_file_read(const char *name, const char *path,
					   struct list_filesig *sig_r, struct buf *errors_r)
{
    FILE *fp = fopen(path, "re");
    struct list_entries *es;
    struct stat st;
    char *line = NULL, *where;
    size_t linecap = 0, cap = 0, lineno = 0;
    int bad = 0;

    if (fp == NULL || fstat(fileno(fp), &st) < 0) {
	buf_printf(errors_r, "list %s: %s: %s\n", name, path, strerror(errno));
	if (fp)
	    fclose(fp);
	return NULL;
    }
    list_sig_of(&st, sig_r);
    es = xcalloc(1, sizeof(*es));
    es->refs = 1;
    errno = 0;
    while (getline(&line, &linecap, fp) >= 0) {
	char *p = line + strspn(line, " \t");
	lineno++;
	p[strcspn(p, "#\r\n")] = 0;
	if (p[strspn(p, " \t")] == 0)
	    continue;
	where = xasprintf("list %s: %s:%zu", name, path, lineno);
	bad |= list_entries_add(es, &cap, p, where, errors_r) < 0;
	free(where);
    }
    if (ferror(fp)) {
	buf_printf(errors_r, "list %s: %s: read: %s\n", name, path, strerror(errno));
	bad = 1;
    }
    free(line);
    fclose(fp);
    if (bad)
	list_entries_unref(&es);
    return es;
}

/* list_file_check - reload a changed file (caller holds l->lock) */
static void list_file_check(struct list *l)
{
    struct list_filesig sig;
    struct list_entries *es;
    struct buf errors = BUF_INIT;
    struct stat st;
    time_t now = list_now(l);

    if (now >= l->last_check && now - l->last_check < 1)
	return;
    l->last_check = now;
    if (stat(l->path, &st) < 0) {
	if (errno != l->bad_errno)
	    msg_warn("list %s: %s: %s; keeping the old content", l->name, l->path,
		     strerror(errno));
	l->bad_errno = errno;
	return;
    }
    l->bad_errno = 0;
    list_sig_of(&st, &sig);
    if (list_sig_eq(&sig, &l->sig) || (l->have_bad && list_sig_eq(&sig, &l->bad_sig)))
	return;
    if ((es = list_file_read(l->name, l->path, &sig, &errors)) == NULL) {
	/* Strip the last newline: one log line per reason. */
	for (char *line = errors.data, *nl; line && *line; line = nl + 1) {
	    if ((nl = strchr(line, '\n')) == NULL)
		break;
	    *nl = 0;
	    msg_warn("%s; keeping the old content", line);
	}
	l->bad_sig = sig;
	l->have_bad = 1;
    } else {
	msg_info("list %s: %s: reloaded, %zu entries", l->name, l->path, es->n);
	list_entries_unref(&l->entries);
	l->entries = es;
	l->sig = sig;
	l->have_bad = 0;
    }
    buf_free(&errors);
}

/* list_open_file - a file: list; the file must be readable now */
static struct list *list_open_file(const char *name, const char *path, struct buf *why_r)
{
    struct list_filesig sig;
    struct list_entries *es;

    if (*path != '/') {
	buf_printf(why_r, "list %s: file path must be absolute: %s\n", name, path);
	return NULL;
    }
    if ((es = list_file_read(name, path, &sig, why_r)) == NULL)
	return NULL;
    struct list *l = list_alloc(name, LIST_K_FILE);
    l->entries = es;
    l->path = xstrdup(path);
    l->sig = sig;
    l->last_check = list_now(l);
    return l;
}

/* list_open_inline_spec - "inline:a,b,c" */
static struct list *list_open_inline_spec(const char *name, const char *items, struct buf *why_r)
{
    char *copy = xstrdup(items), *save = NULL;
    const char **v = NULL;
    size_t n = 0;

    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
	v = xrealloc(v, (n + 1) * sizeof(*v));
	v[n++] = t;
    }
    struct list *l = list_new_inline(name, v, n, why_r);
    free(v);
    free(copy);
    return l;
}

/* list_open_lmdb - an lmdb: list over an existing store file */
static struct list *list_open_lmdb(const char *name, const char *spec, struct buf *why_r)
{
    const char *path = spec + 5, *why;
    struct stat st;
    struct store *s;

    if (stat(path, &st) < 0) {
	buf_printf(why_r, "list %s: %s: %s\n", name, path, strerror(errno));
	return NULL;
    }
    if ((s = store_open(spec, &why)) == NULL) {
	buf_printf(why_r, "list %s: %s: %s\n", name, path, why);
	return NULL;
    }
    struct list *l = list_alloc(name, LIST_K_LMDB);
    l->store = s;
    l->own_store = 1;
    return l;
}

/* list_open - a list from its spec (see lists.h); NULL with reasons */
struct list *list_open(const char *name, const char *spec, const struct list_env *env,
		       struct buf *why_r)
{
    if (strncmp(spec, "file:", 5) == 0)
	return list_open_file(name, spec + 5, why_r);
    if (strncmp(spec, "inline:", 7) == 0)
	return list_open_inline_spec(name, spec + 7, why_r);
    if (strncmp(spec, "lmdb:", 5) == 0)
	return list_open_lmdb(name, spec, why_r);
    if (strncmp(spec, "redis:", 6) == 0) {
	struct list *l = list_alloc(name, LIST_K_REDIS);
	if (list_redis_init(l, spec + 6, env, why_r) < 0)
	    list_free(&l);
	return l;
    }
    buf_printf(why_r, "list %s: spec must start with file:, lmdb:, redis: or inline:\n", name);
    return NULL;
}

/* list_new - list_open without an environment; details go to the log */
struct list *list_new(const char *name, const char *spec, const char **why_r)
{
    struct buf why = BUF_INIT;
    struct list *l = list_open(name, spec, NULL, &why);

    if (l == NULL) {
	while (why.len && why.data[why.len - 1] == '\n')
	    why.data[--why.len] = 0;
	msg_warn("%s", buf_str(&why));
	*why_r = "bad list (details in the log)";
    }
    buf_free(&why);
    return l;
}

/* list_free - release a list; the pointer is set to NULL */
void list_free(struct list **lp)
{
    struct list *l = *lp;

    if (l == NULL)
	return;
    list_entries_unref(&l->entries);
    list_redis_free(l);
    if (l->own_store)
	store_close(&l->store);
    pthread_mutex_destroy(&l->lock);
    free(l->path);
    free(l->name);
    free(l);
    *lp = NULL;
}

/* list_entry_format - an entry as it would be written in a list */
void list_entry_format(const struct list_entry *e, struct buf *out)
{
    char net[64];

    if (e->negate)
	buf_putc(out, '!');
    switch (e->kind) {
    case LIST_E_CIDR:
	cidr_format(&e->net, net, sizeof(net));
	buf_puts(out, net);
	break;
    case LIST_E_SUBDOMAINS:
	buf_printf(out, "*.%s", e->text);
	break;
    case LIST_E_DOMAIN_TREE:
	buf_printf(out, ".%s", e->text);
	break;
    default:
	buf_puts(out, e->text);
	break;
    }
}

/* list_entries_match - first matching entry wins; negated means 0 */
int list_entries_match(const struct list_entries *es, const struct list_value *v,
		       struct buf *result_r)
{
    for (size_t i = 0; i < es->n; i++) {
	if (list_entry_match(&es->v[i], v)) {
	    if (es->v[i].negate)
		return 0;
	    if (result_r)
		list_entry_format(&es->v[i], result_r);
	    return 1;
	}
    }
    return 0;
}

/* list_lookup_entries - match against the current snapshot */
static int list_lookup_entries(struct list *l, const struct list_value *v, struct buf *result_r)
{
    struct list_entries *es;
    int rc;

    pthread_mutex_lock(&l->lock);
    if (l->kind == LIST_K_FILE)
	list_file_check(l);
    es = l->entries;
    es->refs++;
    pthread_mutex_unlock(&l->lock);
    rc = list_entries_match(es, v, result_r);
    pthread_mutex_lock(&l->lock);
    list_entries_unref(&es);
    pthread_mutex_unlock(&l->lock);
    return rc;
}

/* list_lookup_lmdb - the value as a key, then ".parent" keys (Postfix style) */
static int list_lookup_lmdb(struct list *l, const struct list_value *v, struct buf *result_r)
{
    struct buf tmp = BUF_INIT;
    struct buf *out = result_r ? result_r : &tmp;
    const char *key = v->text;
    int rc;

    while ((rc = store_get(l->store, key, out)) == 0 && !v->is_addr) {
	/* "a.b.example" -> ".b.example" -> ".example"; stop after the last dot */
	const char *dot = strchr(key + 1, '.');
	if (dot == NULL || dot[1] == 0)
	    break;
	key = dot;
    }
    if (rc < 0)
	msg_warn("list %s: %s", l->name, store_error(l->store));
    buf_free(&tmp);
    return rc;
}

/* list_lookup - 1 match, 0 no match, -1 temporary failure */
int list_lookup(struct list *l, const char *value, struct buf *result_r)
{
    struct list_value v;
    int rc;

    if (result_r)
	buf_reset(result_r);
    if (list_value_init(&v, value) < 0) {
	list_value_clear(&v);
	return 0;
    }
    switch (l->kind) {
    case LIST_K_LMDB:
	rc = list_lookup_lmdb(l, &v, result_r);
	break;
    case LIST_K_REDIS:
	rc = list_redis_lookup(l, &v, result_r);
	break;
    default:
	rc = list_lookup_entries(l, &v, result_r);
	break;
    }
    list_value_clear(&v);
    return rc;
}
