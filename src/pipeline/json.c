/*
 * NAME
 *	json.c - JSON string escaping (see json.h)
 * SYNOPSIS
 *	#include "pipeline/json.h"
 * DESCRIPTION
 *	The UTF-8 check follows RFC 3629's table of well-formed byte
 *	sequences, so what passes is exactly what a strict JSON parser
 *	accepts.
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	RFC 8259 7, RFC 3629 3 and 4.
 */
#include "config.h"
#include <string.h>
#include "pipeline/json.h"

/* json_utf8_len - length of a well-formed UTF-8 sequence at s, 0 if none */
static size_t json_utf8_len(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;

    if (c >= 0xC2 && c <= 0xDF)
	n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
	n = 3;
	if (c == 0xE0)
	    lo = 0xA0;		/* no overlong forms */
	else if (c == 0xED)
	    hi = 0x9F;		/* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
	n = 4;
	if (c == 0xF0)
	    lo = 0x90;
	else if (c == 0xF4)
	    hi = 0x8F;		/* nothing over U+10FFFF */
    } else
	return 0;
    if (left < n || s[1] < lo || s[1] > hi)
	return 0;
    for (size_t i = 2; i < n; i++)
	if (s[i] < 0x80 || s[i] > 0xBF)
	    return 0;
    return n;
}

/* pipeline_json_str - s as a JSON string */
void pipeline_json_str(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;

    buf_putc(out, '"');
    for (size_t i = 0; i < len;) {
	unsigned char c = p[i];
	size_t n;

	if (c == '"' || c == '\\') {
	    buf_putc(out, '\\');
	    buf_putc(out, c);
	    i++;
	} else if (c == '\n' || c == '\r' || c == '\t') {
	    buf_puts(out, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
	    i++;
	} else if (c < 0x20 || c == 0x7f) {
	    buf_printf(out, "\\u%04x", c);
	    i++;
	} else if (c < 0x80) {
	    buf_putc(out, c);
	    i++;
	} else if ((n = json_utf8_len(p + i, len - i)) > 0) {
	    buf_append(out, p + i, n);
	    i += n;
	} else {
	    buf_puts(out, "\\ufffd");
	    i++;
	}
    }
    buf_putc(out, '"');
}

/* pipeline_json_cstr - a C string as JSON; NULL as null */
void pipeline_json_cstr(struct buf *out, const char *s)
{
    if (s == NULL)
	buf_puts(out, "null");
    else
	pipeline_json_str(out, s, strlen(s));
}
