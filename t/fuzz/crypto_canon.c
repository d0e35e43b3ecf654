/*
 * t/fuzz/crypto_canon.c - fuzz target: header and body canonicalization.
 * The first octet picks the canonicalization, an l= limit and a chunk
 * size; the rest is a header field and a body. Checks invariants: the
 * body hash does not depend on how the body is cut into chunks, relaxed
 * header values hold no CR/LF except the final CRLF and no double
 * space, the l= length never exceeds the whole canonical length, and
 * the streaming body hash equals that of a plain reference
 * canonicalizer (whole buffer, line by line, RFC 6376 3.4.3/3.4.4).
 */
#include "config.h"
#include "crypto/crypto.h"
#include "util/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* hash_chunks - body hash fed chunk octets at a time */
static long long hash_chunks(int canon, long long l, const char *b, size_t len,
			     size_t chunk, unsigned char *md)
{
    struct crypto_body *h = crypto_body_alloc(canon, l);
    size_t  off;
    long long total;

    for (off = 0; off < len; off += chunk)
	crypto_body_update(h, b + off, len - off < chunk ? len - off : chunk);
    if (crypto_body_final(h, md) < 0)
	abort();
    total = crypto_body_length(h);
    crypto_body_free(&h);
    return total;
}

/* ref_body - RFC 6376 3.4.3/3.4.4 over the whole body, the obvious way */
static void ref_body(int canon, const char *b, size_t len, struct buf *out)
{
    size_t  i = 0, s, e, k, start, keep = 0;

    while (i < len) {
	for (s = i, e = i; e < len && b[e] != '\n'; e++)
	    ;
	i = e < len ? e + 1 : e;
	if (e < len && e > s && b[e - 1] == '\r')
	    e--;			/* CRLF; a lone trailing CR stays content */
	start = out->len;
	if (canon == CRYPTO_CANON_SIMPLE) {
	    buf_append(out, b + s, e - s);
	} else {
	    int     wsp = 0;

	    for (k = s; k < e; k++) {
		if (b[k] == ' ' || b[k] == '\t') {
		    wsp = 1;
		    continue;
		}
		if (wsp)
		    buf_putc(out, ' ');
		wsp = 0;
		buf_putc(out, b[k]);
	    }
	}
	buf_append(out, "\r\n", 2);
	if (out->len > start + 2)
	    keep = out->len;		/* trailing empty lines are dropped */
    }
    out->len = keep;
    if (keep == 0 && canon == CRYPTO_CANON_SIMPLE)
	buf_append(out, "\r\n", 2);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char md1[32], md2[32];
    struct buf out = BUF_INIT;
    const char *s = (const char *) data + 1, *nl;
    size_t  len, hlen, i;
    int     canon;
    long long l, t1, t2;

    if (size < 1)
	return 0;
    canon = data[0] & 1;
    l = (data[0] & 2) ? (long long) (data[0] >> 2) : -1;
    len = size - 1;
    nl = memchr(s, 0, len);		/* NUL splits header from body */
    hlen = nl ? (size_t) (nl - s) : len;

    crypto_canon_header(canon, s, hlen, 1, &out);
    if (canon == CRYPTO_CANON_RELAXED && memchr(s, ':', hlen) != NULL) {
	for (i = (size_t) ((char *) memchr(out.data, ':', out.len) - out.data);
	     i + 2 < out.len; i++)
	    if (out.data[i] == '\r' || out.data[i] == '\n'
		|| (out.data[i] == ' ' && out.data[i + 1] == ' '))
		abort();
    }
    if (out.len < 2 || memcmp(out.data + out.len - 2, "\r\n", 2) != 0)
	abort();
    buf_free(&out);

    t1 = hash_chunks(canon, l, s, len, len ? len : 1, md1);
    t2 = hash_chunks(canon, l, s, len, 1 + (data[0] % 7), md2);
    if (t1 != t2 || memcmp(md1, md2, 32) != 0)
	abort();
    ref_body(canon, s, len, &out);
    if (t1 != (long long) out.len)
	abort();
    if (l >= 0 && (size_t) l < out.len)
	out.len = (size_t) l;
    if (EVP_Digest(out.data ? out.data : "", out.len, md2, NULL, EVP_sha256(), NULL) != 1
	|| memcmp(md1, md2, 32) != 0)
	abort();
    buf_free(&out);
    return 0;
}
