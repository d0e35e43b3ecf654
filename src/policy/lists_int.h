/*
 * NAME
 *	lists_int - what lists.c shares with list_redis.c (not public)
 */
#ifndef MXG_POLICY_LISTS_INT_H
#define MXG_POLICY_LISTS_INT_H
#include <pthread.h>
#include <sys/stat.h>
#include "policy/lists.h"

enum list_kind { LIST_K_INLINE, LIST_K_FILE, LIST_K_LMDB, LIST_K_REDIS };

/* An immutable, reference-counted set of parsed entries. */
struct list_entries {
    struct list_entry *v;
    size_t n;
    int refs;			/* guarded by the owning list's lock */
};

/* What identifies one version of a list file. */
struct list_filesig {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct timespec ctime;
};

struct list {
    char *name;
    enum list_kind kind;
    pthread_mutex_t lock;	/* guards entries swap, refs and file state */
    struct list_entries *entries;
    /* file: lists */
    char *path;
    struct list_filesig sig;	/* of the content in use */
    struct list_filesig bad_sig;	/* of content that failed to load */
    int have_bad;
    int bad_errno;		/* last stat() errno that was logged */
    time_t last_check;
    time_t (*now)(void *ctx);
    void *now_ctx;
    /* lmdb: and redis: lists */
    struct store *store;
    int own_store;
    int argc;			/* redis: command template */
    char **argv;
    int has_value;
};

int list_entries_match(const struct list_entries *es, const struct list_value *v,
		       struct buf *result_r);
void list_entry_format(const struct list_entry *e, struct buf *out);
int list_redis_init(struct list *l, const char *cmd, const struct list_env *env,
		    struct buf *why_r);
int list_redis_lookup(struct list *l, const struct list_value *v, struct buf *result_r);
void list_redis_free(struct list *l);

#endif
