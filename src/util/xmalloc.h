/*
 * NAME
 *	xmalloc - allocators that never return NULL
 * SYNOPSIS
 *	void *xmalloc(size_t), *xcalloc(size_t, size_t), *xrealloc(void *, size_t);
 *	char *xstrdup(const char *), *xstrndup(const char *, size_t);
 *	char *xasprintf(const char *fmt, ...);
 *	void xfreep(void *pp)  - free *(void **)pp and set it to NULL
 * DIAGNOSTICS
 *	Out of memory is msg_fatal (DESIGN.md section 3).
 */
#ifndef MXG_UTIL_XMALLOC_H
#define MXG_UTIL_XMALLOC_H
#include <stddef.h>

void *xmalloc(size_t len);
void *xcalloc(size_t n, size_t len);
void *xrealloc(void *ptr, size_t len);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xfreep(void *pp);

#endif
