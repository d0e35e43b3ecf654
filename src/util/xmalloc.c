/*
 * xmalloc.c - allocators that die on out-of-memory instead of returning NULL.
 */
#include "config.h"
#include "util/xmalloc.h"
#include "util/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t len)
{
    void *p = malloc(len ? len : 1);
    if (p == NULL)
	msg_fatal("out of memory allocating %zu bytes", len);
    return p;
}

void *xcalloc(size_t n, size_t len)
{
    void *p = calloc(n ? n : 1, len ? len : 1);
    if (p == NULL)
	msg_fatal("out of memory allocating %zu x %zu bytes", n, len);
    return p;
}

void *xrealloc(void *ptr, size_t len)
{
    void *p = realloc(ptr, len ? len : 1);
    if (p == NULL)
	msg_fatal("out of memory reallocating %zu bytes", len);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = 0;
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;
    va_start(ap, fmt);
    if (vasprintf(&p, fmt, ap) < 0)
	msg_fatal("out of memory formatting a string");
    va_end(ap);
    return p;
}

void xfreep(void *pp)
{
    void **p = pp;
    free(*p);
    *p = NULL;
}
