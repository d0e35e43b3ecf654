/*
 * buf.c - growable NUL-terminated byte buffer. See buf.h.
 */
#include "config.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* buf_reserve - make room for len more bytes plus the NUL */
static void buf_reserve(struct buf *b, size_t len)
{
    size_t need = b->len + len + 1;
    if (need <= b->cap)
	return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
	cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len)
	memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
}

void buf_puts(struct buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(struct buf *b, int c)
{
    char ch = (char) c;
    buf_append(b, &ch, 1);
}

/* buf_vprintf - append formatted text (va_list form) */
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list again;
    char small[256];
    int n;

    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0) {
	va_end(again);
	return;
    }
    if ((size_t) n < sizeof(small)) {
	buf_append(b, small, (size_t) n);
	va_end(again);
	return;
    }
    buf_reserve(b, (size_t) n);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, again);
    va_end(again);
    b->len += (size_t) n;
}

/* buf_printf - append formatted text */
void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
	b->data[0] = 0;
}

void buf_free(struct buf *b)
{
    xfreep(&b->data);
    b->len = b->cap = 0;
}

char *buf_steal(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *buf_str(const struct buf *b) { return b->data ? b->data : ""; }

/* buf_quote - append s quoted for an error line: hostile text cannot forge lines */
void buf_quote(struct buf *b, const char *s, size_t max)
{
    size_t i;

    buf_putc(b, '"');
    for (i = 0; s[i] && i < max; i++) {
	unsigned char ch = (unsigned char) s[i];
	if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
	    buf_printf(b, "\\x%02x", ch);
	else
	    buf_putc(b, (char) ch);
    }
    buf_puts(b, s[i] ? "...\"" : "\"");
}
