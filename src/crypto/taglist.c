/*
 * NAME
 *	taglist - DKIM tag=value lists and base64
 * SYNOPSIS
 *	#include "crypto/crypto.h"
 *	int crypto_taglist_parse(const char *s, size_t len,
 *			struct crypto_taglist *tl, const char **why_r);
 *	const struct crypto_tag *crypto_tag_get(const struct crypto_taglist *tl,
 *			const char *name);
 *	void crypto_taglist_free(struct crypto_taglist *tl);
 *	int crypto_b64_decode(const char *s, size_t len, unsigned char **out_r,
 *			size_t *out_len_r);
 *	char *crypto_b64_encode(const unsigned char *data, size_t len);
 * DESCRIPTION
 *	crypto_taglist_parse reads a tag list as RFC 6376 3.2 defines it:
 *	tag names are ALPHA *(ALPHA / DIGIT / "_") (31 octets at most),
 *	values are VALCHARs separated by folding white space; a final ";"
 *	is allowed. Values are kept trimmed and NUL-terminated, with their
 *	offsets in the input (crypto_strip_b uses them). The input may hold
 *	any byte; a NUL, an 8-bit byte or a control character is an error.
 *
 *	crypto_b64_decode ignores white space (FWS inside b=, bh=, p=)
 *	and requires correct padding.
 * DIAGNOSTICS
 *	crypto_taglist_parse: 0 ok; -1 with *why_r ("duplicate tag", ...).
 *	The list is always in a state crypto_taglist_free accepts.
 *	crypto_b64_decode: 0 ok, -1 not base64.
 * STANDARDS
 *	RFC 6376 3.2 (tag lists), RFC 4648 4 (base64).
 */
#include <string.h>
#include <ctype.h>
#include "crypto/crypto.h"
#include "util/xmalloc.h"

#define IS_WSP(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
#define IS_VALCHAR(c)	((c) >= 0x21 && (c) <= 0x7e && (c) != ';')

/* tl_skip_fws - skip white space and line ends, return new position */
static size_t tl_skip_fws(const char *s, size_t len, size_t p)
{
    while (p < len && IS_WSP((unsigned char) s[p]))
	p++;
    return p;
}

/* tl_parse_spec - parse one tag-spec starting at p, up to ';' or end */
static int tl_parse_spec(const char *s, size_t len, size_t *pp,
			 struct crypto_tag *t, const char **why_r)
{
    size_t  p = tl_skip_fws(s, len, *pp), n = 0, vs, ve;

    if (p >= len || !isalpha((unsigned char) s[p]))
	return (*why_r = "tag name does not start with a letter", -1);
    while (p < len && (isalnum((unsigned char) s[p]) || s[p] == '_')) {
	if (n >= sizeof(t->name) - 1)
	    return (*why_r = "tag name too long", -1);
	t->name[n++] = s[p++];
    }
    t->name[n] = 0;
    p = tl_skip_fws(s, len, p);
    if (p >= len || s[p] != '=')
	return (*why_r = "tag without '='", -1);
    p = tl_skip_fws(s, len, p + 1);
    vs = ve = p;
    while (p < len && s[p] != ';') {
	unsigned char c = (unsigned char) s[p];

	if (IS_VALCHAR(c))
	    ve = p + 1;
	else if (!IS_WSP(c))
	    return (*why_r = "invalid character in tag value", -1);
	p++;
    }
    t->vstart = vs;
    t->vend = ve;
    t->value = xstrndup(s + vs, ve - vs);
    *pp = p;
    return 0;
}

/* crypto_taglist_parse - parse a tag list (RFC 6376 3.2) */
int crypto_taglist_parse(const char *s, size_t len, struct crypto_taglist *tl,
			 const char **why_r)
{
    size_t  p = 0, i;

    tl->count = 0;			/* only tags[0..count) are ever read */
    for (;;) {
	struct crypto_tag t;

	memset(&t, 0, sizeof(t));
	if (tl_skip_fws(s, len, p) >= len) {	/* end, or after a final ';' */
	    if (tl->count == 0)
		return (*why_r = "empty tag list", -1);
	    return 0;
	}
	if (tl->count >= CRYPTO_MAX_TAGS)
	    return (*why_r = "too many tags", -1);
	if (tl_parse_spec(s, len, &p, &t, why_r) < 0)
	    return -1;
	for (i = 0; i < tl->count; i++) {
	    if (strcmp(tl->tags[i].name, t.name) == 0) {
		free(t.value);
		return (*why_r = "duplicate tag", -1);
	    }
	}
	tl->tags[tl->count++] = t;
	if (p >= len)
	    return 0;
	p++;					/* ';' */
    }
}

/* crypto_tag_get - the tag named name (case-sensitive), or NULL */
const struct crypto_tag *crypto_tag_get(const struct crypto_taglist *tl,
					const char *name)
{
    size_t  i;

    for (i = 0; i < tl->count; i++)
	if (tl->tags[i].name[0] == name[0] && strcmp(tl->tags[i].name, name) == 0)
	    return &tl->tags[i];
    return NULL;
}

/* crypto_taglist_free - release the values */
void crypto_taglist_free(struct crypto_taglist *tl)
{
    size_t  i;

    for (i = 0; i < tl->count; i++)
	xfreep(&tl->tags[i].value);
    tl->count = 0;
}

/* b64_digit - value + 1 of each base64 digit, 0 for other octets */
static const unsigned char b64_digit[256] = {
    ['A'] = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    21, 22, 23, 24, 25, 26,
    ['a'] = 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
    45, 46, 47, 48, 49, 50, 51, 52,
    ['0'] = 53, 54, 55, 56, 57, 58, 59, 60, 61, 62,
    ['+'] = 63, ['/'] = 64,
};

/* b64_val - value of a base64 digit, -1 if none */
static inline int b64_val(int c)
{
    return (int) b64_digit[c & 0xff] - 1;
}

/* crypto_b64_decode - decode base64, ignoring white space */
int crypto_b64_decode(const char *s, size_t len, unsigned char **out_r,
		      size_t *out_len_r)
{
    unsigned char *out = xmalloc(len / 4 * 3 + 3);
    size_t  n = 0, digits = 0, pad = 0, i;
    unsigned int acc = 0;

    for (i = 0; i < len; i++) {
	int     c = (unsigned char) s[i], v;

	/* four plain digits at a group boundary: the usual case */
	while (digits % 4 == 0 && pad == 0 && len - i >= 4) {
	    unsigned a = b64_digit[(unsigned char) s[i]], b = b64_digit[(unsigned char) s[i + 1]],
		    c2 = b64_digit[(unsigned char) s[i + 2]], d = b64_digit[(unsigned char) s[i + 3]];

	    if (a == 0 || b == 0 || c2 == 0 || d == 0)
		break;
	    acc = ((a - 1) << 18) | ((b - 1) << 12) | ((c2 - 1) << 6) | (d - 1);
	    out[n++] = (unsigned char) (acc >> 16);
	    out[n++] = (unsigned char) (acc >> 8);
	    out[n++] = (unsigned char) acc;
	    acc = 0;
	    digits += 4;
	    i += 4;
	}
	if (i >= len)
	    break;
	c = (unsigned char) s[i];
	if (IS_WSP(c))
	    continue;
	if (c == '=') {
	    pad++;
	    continue;
	}
	if (pad || (v = b64_val(c)) < 0)
	    goto bad;
	acc = (acc << 6) | (unsigned) v;
	if (++digits % 4 == 0) {
	    out[n++] = (unsigned char) (acc >> 16);
	    out[n++] = (unsigned char) (acc >> 8);
	    out[n++] = (unsigned char) acc;
	    acc = 0;
	}
    }
    switch (digits % 4) {
    case 0:
	if (pad)
	    goto bad;
	break;
    case 2:
	if (pad != 2 && pad != 0)
	    goto bad;
	out[n++] = (unsigned char) (acc >> 4);
	break;
    case 3:
	if (pad != 1 && pad != 0)
	    goto bad;
	out[n++] = (unsigned char) (acc >> 10);
	out[n++] = (unsigned char) (acc >> 2);
	break;
    default:
	goto bad;
    }
    *out_r = out;
    *out_len_r = n;
    return 0;
bad:
    free(out);
    *out_r = NULL;
    *out_len_r = 0;
    return -1;
}

/* crypto_b64_encode - encode as one line of base64 with padding */
char *crypto_b64_encode(const unsigned char *data, size_t len)
{
    static const char dig[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char   *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
    size_t  i;

    for (i = 0; i + 2 < len; i += 3) {
	*o++ = dig[data[i] >> 2];
	*o++ = dig[((data[i] & 3) << 4) | (data[i + 1] >> 4)];
	*o++ = dig[((data[i + 1] & 15) << 2) | (data[i + 2] >> 6)];
	*o++ = dig[data[i + 2] & 63];
    }
    if (len - i == 1) {
	*o++ = dig[data[i] >> 2];
	*o++ = dig[(data[i] & 3) << 4];
	*o++ = '=';
	*o++ = '=';
    } else if (len - i == 2) {
	*o++ = dig[data[i] >> 2];
	*o++ = dig[((data[i] & 3) << 4) | (data[i + 1] >> 4)];
	*o++ = dig[(data[i + 1] & 15) << 2];
	*o++ = '=';
    }
    *o = 0;
    return out;
}
