/*
 * NAME
 *	buf - growable byte buffer, always NUL-terminated
 * SYNOPSIS
 *	struct buf b = BUF_INIT;
 *	void buf_append(struct buf *b, const void *data, size_t len);
 *	void buf_puts(struct buf *b, const char *s);
 *	void buf_putc(struct buf *b, int c);
 *	void buf_printf(struct buf *b, const char *fmt, ...);
 *	void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
 *	void buf_reset(struct buf *b);       length 0, keeps memory
 *	void buf_free(struct buf *b);        releases memory, back to BUF_INIT
 *	char *buf_steal(struct buf *b);      caller owns the string; b is reset
 *	void buf_quote(struct buf *b, const char *s, size_t max);
 *	                                     s in double quotes for error messages:
 *	                                     controls, '"' and '\\' as \xHH, at most
 *	                                     max bytes, "..." marks a cut
 * DESCRIPTION
 *	b->data is never NULL after the first append and always ends in NUL,
 *	so it can be used as a C string when the content has no NUL bytes.
 */
#ifndef MXG_UTIL_BUF_H
#define MXG_UTIL_BUF_H
#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
char *buf_steal(struct buf *b);
const char *buf_str(const struct buf *b);   /* "" when empty */
void buf_quote(struct buf *b, const char *s, size_t max);

#endif
