/*
 * NAME
 *	storetool - drive the store and list interfaces from a script (tests)
 * SYNOPSIS
 *	storetool STORE-SPEC|-  < commands
 * DESCRIPTION
 *	Reads one command per line from stdin and answers one line each on
 *	stdout (flushed), so a test can talk to one long-lived process
 *	through pipes, e.g. across a Redis restart:
 *	  get KEY              found VALUE | absent | temporary REASON
 *	  put KEY TTL VALUE    ok | error REASON
 *	  append KEY VALUE     ok | error REASON
 *	  del KEY              ok | error REASON
 *	  scan PREFIX          KEY=VALUE lines, then "end N"
 *	  expire               expired N | error REASON
 *	  list NAME SPEC       ok | error REASON   (the list for "lookup"; a
 *	                       redis: list uses the Redis store given as
 *	                       STORE-SPEC)
 *	  lookup VALUE         match RESULT | nomatch | temporary
 *	  threads N OPS        N threads each put, get and append OPS keys
 *	                       concurrently on the one store, then every
 *	                       value is read back: "threads failures=F missing=M"
 *	VALUE runs to the end of the line; \r \n \t \\ and \xHH escapes are
 *	decoded (to send CRLF and spaces inside one value).
 * DIAGNOSTICS
 *	Exit 0 at end of input, 1 if STORE-SPEC cannot be opened (reason on
 *	stderr), 2 for usage errors.
 */
#include "config.h"
#include "policy/lists.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* unescape - decode \r \n \t \\ \xHH in place */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
	if (*s != '\\' || s[1] == 0) {
	    *o++ = *s;
	    continue;
	}
	s++;
	if (*s == 'r')
	    *o++ = '\r';
	else if (*s == 'n')
	    *o++ = '\n';
	else if (*s == 't')
	    *o++ = '\t';
	else if (*s == 'x' && s[1] && s[2]) {
	    char hex[3] = { s[1], s[2], 0 };
	    *o++ = (char) strtol(hex, NULL, 16);
	    s += 2;
	} else
	    *o++ = *s;
    }
    *o = 0;
}

/* word - split off the first space-separated word of *p */
static char *word(char **p)
{
    char *w = *p, *sp = strchr(w, ' ');
    if (sp) {
	*sp = 0;
	*p = sp + 1;
    } else {
	*p = w + strlen(w);
    }
    return w;
}

static int print_kv(void *ctx, const char *key, const void *val, size_t len)
{
    (*(int *) ctx)++;
    printf("%s=%.*s\n", key, (int) len, (const char *) val);
    return 0;
}

struct worker {
    struct store *s;
    int id, ops, failures;
};

/* work - one thread of "threads": put, get a neighbour's key, append */
static void *work(void *arg)
{
    struct worker *w = arg;
    struct buf b = BUF_INIT;
    char key[64], val[64];

    for (int i = 0; i < w->ops; i++) {
	snprintf(key, sizeof(key), "thr:%d:%d", w->id, i);
	snprintf(val, sizeof(val), "v%d.%d", w->id, i);
	if (store_put(w->s, key, val, strlen(val), 0) < 0)
	    w->failures++;
	snprintf(key, sizeof(key), "thr:%d:%d", w->id ^ 1, i);
	if (store_get(w->s, key, &b) < 0)
	    w->failures++;
	if (store_append(w->s, "thr:log", "x", 1) < 0)
	    w->failures++;
    }
    buf_free(&b);
    return NULL;
}

/* threads - the "threads N OPS" command */
static void threads(struct store *s, int n, int ops)
{
    pthread_t *th = xcalloc((size_t) n, sizeof(*th));
    struct worker *w = xcalloc((size_t) n, sizeof(*w));
    struct buf b = BUF_INIT;
    char key[64], val[64];
    int failures = 0, missing = 0;

    store_delete(s, "thr:log");
    for (int i = 0; i < n; i++) {
	w[i] = (struct worker) { s, i, ops, 0 };
	pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < n; i++) {
	pthread_join(th[i], NULL);
	failures += w[i].failures;
    }
    for (int t = 0; t < n; t++) {
	for (int i = 0; i < ops; i++) {
	    snprintf(key, sizeof(key), "thr:%d:%d", t, i);
	    snprintf(val, sizeof(val), "v%d.%d", t, i);
	    if (store_get(s, key, &b) != 1 || strcmp(buf_str(&b), val) != 0)
		missing++;
	}
    }
    if (store_get(s, "thr:log", &b) != 1 || b.len != (size_t) n * (size_t) ops)
	missing++;
    printf("threads failures=%d missing=%d\n", failures, missing);
    buf_free(&b);
    free(th);
    free(w);
}

/* run - one command line */
static void run(struct store *s, struct list **lp, char *line)
{
    char *cmd = word(&line);
    struct buf b = BUF_INIT;
    int rc;

    if (strcmp(cmd, "get") == 0 && s) {
	rc = store_get(s, line, &b);
	if (rc > 0)
	    printf("found %s\n", buf_str(&b));
	else
	    printf(rc == 0 ? "absent\n" : "temporary %s\n", store_error(s));
    } else if (strcmp(cmd, "put") == 0 && s) {
	char *key = word(&line);
	long ttl = atol(word(&line));
	unescape(line);
	rc = store_put(s, key, line, strlen(line), ttl);
	printf(rc == 0 ? "ok\n" : "error %s\n", store_error(s));
    } else if (strcmp(cmd, "append") == 0 && s) {
	char *key = word(&line);
	unescape(line);
	rc = store_append(s, key, line, strlen(line));
	printf(rc == 0 ? "ok\n" : "error %s\n", store_error(s));
    } else if (strcmp(cmd, "del") == 0 && s) {
	rc = store_delete(s, line);
	printf(rc == 0 ? "ok\n" : "error %s\n", store_error(s));
    } else if (strcmp(cmd, "scan") == 0 && s) {
	int n = 0;
	rc = store_scan(s, line, print_kv, &n);
	if (rc == 0)
	    printf("end %d\n", n);
	else
	    printf("error %s\n", store_error(s));
    } else if (strcmp(cmd, "expire") == 0 && s) {
	rc = store_expire(s);
	if (rc >= 0)
	    printf("expired %d\n", rc);
	else
	    printf("error %s\n", store_error(s));
    } else if (strcmp(cmd, "threads") == 0 && s) {
	int n = atoi(word(&line));
	int ops = atoi(line);
	if (n > 0 && n <= 64 && ops > 0)
	    threads(s, n, ops);
	else
	    printf("error threads N(1..64) OPS\n");
    } else if (strcmp(cmd, "list") == 0) {
	char *name = word(&line);
	struct list_env env = { s && strcmp(store_kind(s), "redis") == 0 ? s : NULL, NULL };
	list_free(lp);
	*lp = list_open(name, line, &env, &b);
	printf(*lp ? "ok\n" : "error %s", buf_str(&b));
    } else if (strcmp(cmd, "lookup") == 0 && *lp) {
	unescape(line);
	rc = list_lookup(*lp, line, &b);
	printf(rc > 0 ? "match %s\n" : rc == 0 ? "nomatch\n" : "temporary\n", buf_str(&b));
    } else {
	printf("error unknown command or no store/list: %s\n", cmd);
    }
    fflush(stdout);
    buf_free(&b);
}

int main(int argc, char **argv)
{
    struct store *s = NULL;
    struct list *l = NULL;
    const char *why;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    msg_open("storetool", MSG_STDERR, 0);
    if (argc != 2) {
	fprintf(stderr, "usage: storetool STORE-SPEC|- < commands\n");
	return 2;
    }
    if (strcmp(argv[1], "-") != 0 && (s = store_open(argv[1], &why)) == NULL) {
	fprintf(stderr, "storetool: %s\n", why);
	return 1;
    }
    while ((n = getline(&line, &cap, stdin)) > 0) {
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
	    line[--n] = 0;
	if (n > 0)
	    run(s, &l, line);
    }
    free(line);
    list_free(&l);
    store_close(&s);
    return 0;
}
