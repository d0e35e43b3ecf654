/*
 * NAME
 *	canon - DKIM canonicalization and hashing of headers and bodies
 * SYNOPSIS
 *	#include "crypto/crypto.h"
 *	void crypto_canon_header(int canon, const char *raw, size_t len,
 *			int final_crlf, struct buf *out);
 *	struct crypto_body *crypto_body_alloc(int canon, long long limit);
 *	void crypto_body_update(struct crypto_body *b, const char *data, size_t len);
 *	int crypto_body_final(struct crypto_body *b, unsigned char *md32);
 *	long long crypto_body_length(const struct crypto_body *b);
 *	void crypto_body_free(struct crypto_body **b);
 *	void crypto_canon_headers(const struct mail_hdrs *hdrs,
 *			char *const *names, size_t nnames, int canon,
 *			const char *sig_raw, size_t sig_len, struct buf *out);
 *	int crypto_hash_headers(const struct mail_hdrs *hdrs,
 *			char *const *names, size_t nnames, int canon,
 *			const char *sig_raw, size_t sig_len, unsigned char *md32);
 *	char *crypto_strip_b(const char *raw, size_t len, size_t *len_r);
 *	char *crypto_sig_strip_b(const struct crypto_sig *sig,
 *			const struct mail_hdr *h, size_t *len_r);
 * DESCRIPTION
 *	Header fields arrive raw (name ":" value, internal line ends CRLF
 *	or bare LF as received); both are line ends here. "simple" keeps the
 *	bytes (line ends rendered CRLF); "relaxed" lower-cases the name,
 *	unfolds, reduces white space runs to one space and removes it at
 *	the ends of the value and around the colon.
 *
 *	The body state machine keeps only what a chunk boundary can leave
 *	open (a CR, a white space run, a count of empty lines), so the body
 *	is hashed once as it streams, never buffered. Trailing empty lines
 *	are dropped; a non-empty body ends with one CRLF; an empty body is
 *	CRLF under simple and empty under relaxed (RFC 6376 3.4.3, 3.4.4
 *	and errata 3192). With limit >= 0 only that many canonicalized
 *	octets are hashed (l=); crypto_body_length reports the whole length.
 * DIAGNOSTICS
 *	crypto_body_final, crypto_hash_headers: 0 ok, -1 OpenSSL failure.
 *	crypto_strip_b: NULL when the field has no parsable b= tag.
 *	crypto_sig_strip_b (the b= offsets of sig, parsed from h->value,
 *	without a second parse): NULL when sig has no b=.
 * STANDARDS
 *	RFC 6376 3.4 (canonicalization), 3.5 (b= emptied), 3.7 (hashes),
 *	5.4.2 (header selection).
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <openssl/evp.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "crypto/crypto.h"
#include "util/xmalloc.h"
#include "util/msg.h"

struct crypto_body {
    int     canon;
    long long limit;			/* -1 none */
    long long emitted;			/* octets hashed */
    long long total;			/* canonical length, no limit */
    long long pending_crlf;		/* line ends not yet hashed */
    int     wsp_pending;		/* relaxed: white space run open */
    int     line_content;		/* current line has content */
    int     cr_pending;			/* last byte was CR */
    int     refs;			/* crypto_body_ref */
    int     finished, final_ok;		/* crypto_body_final ran: md32 */
    unsigned char md32[32];
    EVP_MD_CTX *md;
    size_t  outlen;
    char    out[16384];			/* canonical octets not yet hashed */
};

/*
 * relaxed_class - 0 content, 1 white space, 2 CR, 3 LF
 */
static const unsigned char relaxed_class[256] = {
    ['\t'] = 1, [' '] = 1, ['\r'] = 2, ['\n'] = 3,
};

struct canon_out {
    struct buf *b;
    size_t  n;
    char    tmp[1024];
};

/* canon_put - one octet, buffered (no call per octet) */
static inline void canon_put(struct canon_out *o, char c)
{
    if (o->n == sizeof(o->tmp)) {
	buf_append(o->b, o->tmp, o->n);
	o->n = 0;
    }
    o->tmp[o->n++] = c;
}

/* crypto_canon_header - append one canonicalized header field */
void crypto_canon_header(int canon, const char *raw, size_t len, int final_crlf,
			 struct buf *out)
{
    const char *colon = memchr(raw, ':', len);
    struct canon_out o;
    size_t  i, nlen;

    o.b = out;
    o.n = 0;
    if (canon == CRYPTO_CANON_SIMPLE || colon == NULL) {
	for (i = 0; i < len; i++) {
	    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
		canon_put(&o, '\r');
	    canon_put(&o, raw[i]);
	}
    } else {
	/* relaxed: at most len + 2 octets, written straight */
	char    stack[2048], *t = len + 3 <= sizeof(stack) ? stack : xmalloc(len + 3), *w = t;
	unsigned sp = 0, any = 0;

	nlen = (size_t) (colon - raw);
	while (nlen > 0 && (raw[nlen - 1] == ' ' || raw[nlen - 1] == '\t'))
	    nlen--;
	for (i = 0; i < nlen; i++)
	    *w++ = (char) tolower((unsigned char) raw[i]);
	*w++ = ':';
	for (i = (size_t) (colon - raw) + 1; i < len; i++) {
	    unsigned k = relaxed_class[(unsigned char) raw[i]];

	    if (k != 0) {		/* CR, LF vanish; white space is one space */
		sp |= k == 1;
		continue;
	    }
	    *w = ' ';
	    w += sp & any;
	    *w++ = raw[i];
	    sp = 0;
	    any = 1;
	}
	if (final_crlf) {
	    *w++ = '\r';
	    *w++ = '\n';
	}
	buf_append(out, t, (size_t) (w - t));
	if (t != stack)
	    free(t);
	return;
    }
    if (final_crlf) {
	canon_put(&o, '\r');
	canon_put(&o, '\n');
    }
    buf_append(out, o.tmp, o.n);
}

/* crypto_body_alloc - start hashing a body */
struct crypto_body *crypto_body_alloc(int canon, long long limit)
{
    struct crypto_body *b = xmalloc(sizeof(*b));

    /* all but the output buffer (16 KB, written before it is read) */
    memset(b, 0, offsetof(struct crypto_body, out));
    b->canon = canon;
    b->limit = limit;
    b->refs = 1;
    if ((b->md = EVP_MD_CTX_new()) == NULL
	|| EVP_DigestInit_ex(b->md, crypto_sha256(), NULL) != 1)
	msg_fatal("crypto: EVP_DigestInit_ex(sha256) failed");
    return b;
}

/* body_hash - hash canonical octets, honouring l= */
static void body_hash(struct crypto_body *b, const char *data, size_t len)
{
    b->total += (long long) len;
    if (b->limit >= 0) {
	if (b->emitted >= b->limit)
	    return;
	if ((long long) len > b->limit - b->emitted)
	    len = (size_t) (b->limit - b->emitted);
    }
    b->emitted += (long long) len;
    (void) EVP_DigestUpdate(b->md, data, len);
}

/* body_flush - hash the output buffer */
static void body_flush(struct crypto_body *b)
{
    if (b->outlen > 0)
	body_hash(b, b->out, b->outlen);
    b->outlen = 0;
}

/* body_emit - append canonical octets to the output buffer */
static void body_emit(struct crypto_body *b, const char *data, size_t len)
{
    if (len > sizeof(b->out) - b->outlen) {
	body_flush(b);
	if (len > sizeof(b->out)) {
	    body_hash(b, data, len);
	    return;
	}
    }
    memcpy(b->out + b->outlen, data, len);
    b->outlen += len;
}

/* body_lines - emit the line ends deferred until content follows */
static void body_lines(struct crypto_body *b)
{
    for (; b->pending_crlf > 0; b->pending_crlf--)
	body_emit(b, "\r\n", 2);
}

/* body_simple - simple: lines kept as they are, line ends deferred */
static void body_simple(struct crypto_body *b, const char *p, const char *end)
{
    const char *nl, *cend;

    if (b->cr_pending) {
	b->cr_pending = 0;
	if (*p == '\n') {
	    b->line_content = 0;
	    b->pending_crlf++;
	    p++;
	} else {
	    body_lines(b);
	    body_emit(b, "\r", 1);	/* a bare CR is content */
	    b->line_content = 1;
	}
    }
    while (p < end) {
	nl = memchr(p, '\n', (size_t) (end - p));
	cend = nl ? nl : end;
	if (cend > p && cend[-1] == '\r') {
	    cend--;
	    if (nl == NULL)
		b->cr_pending = 1;	/* a CRLF may straddle chunks */
	}
	if (cend > p) {
	    body_lines(b);
	    body_emit(b, p, (size_t) (cend - p));
	    b->line_content = 1;
	}
	if (nl == NULL)
	    break;
	b->line_content = 0;
	b->pending_crlf++;
	p = nl + 1;
    }
}

/* relaxed_first - before a line's first content octet: the deferred line ends */
static char *relaxed_first(struct crypto_body *b, char *o)
{
    b->outlen = (size_t) (o - b->out);
    body_lines(b);
    if (b->outlen > sizeof(b->out) - 2)	/* room for a space and an octet */
	body_flush(b);
    return b->out + b->outlen;
}

#ifdef __SSE2__
/*
 * relaxed_copy - inside a line, no white space run open: copy 16-octet
 * blocks unchanged up to the first octet relaxed changes (a tab, CR, LF,
 * or a space followed by white space or a line end); return where it is
 */
static const unsigned char *relaxed_copy(const unsigned char *p, const unsigned char *end,
					 char **op, const char *olim)
{
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    char   *o = *op;

    while (end - p >= 17 && olim - o >= 16) {
	__m128i v = _mm_loadu_si128((const __m128i *) (const void *) p);
	__m128i n = _mm_loadu_si128((const __m128i *) (const void *) (p + 1));
	__m128i eol = _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf));
	__m128i next = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(n, sp), _mm_cmpeq_epi8(n, tab)),
				    _mm_or_si128(_mm_cmpeq_epi8(n, cr), _mm_cmpeq_epi8(n, lf)));
	__m128i x = _mm_or_si128(_mm_or_si128(eol, _mm_cmpeq_epi8(v, tab)),
				 _mm_and_si128(_mm_cmpeq_epi8(v, sp), next));
	unsigned m = (unsigned) _mm_movemask_epi8(x);

	_mm_storeu_si128((__m128i *) (void *) o, v);
	if (m != 0) {
	    m = (unsigned) __builtin_ctz(m);
	    o += m;
	    p += m;
	    break;
	}
	o += 16;
	p += 16;
    }
    *op = o;
    return p;
}
#endif

/*
 * body_relaxed - relaxed, one pass over the chunk: white space runs
 * become one space before the next content octet and vanish at a line
 * end; line ends are counted and written only when content follows
 * (trailing empty lines vanish). Inside a line (after its first content
 * octet) a branch-free loop copies content and turns each white space
 * run into one space, up to the next CR or LF; the output buffer goes
 * to SHA-256 in 16 KB blocks. State lives in locals (stores through o
 * may alias *b).
 */
static void body_relaxed(struct crypto_body *b, const unsigned char *p,
			 const unsigned char *end)
{
    char   *o = b->out + b->outlen, *olim = b->out + sizeof(b->out) - 2;
    unsigned wsp = (unsigned) b->wsp_pending;
    int     content = b->line_content;
    unsigned char c;

    if (b->cr_pending) {		/* the chunk before ended in CR */
	b->cr_pending = 0;
	c = '\r';			/* bare CR, unless LF follows */
	if (*p == '\n') {
	    wsp = 0;
	    content = 0;
	    b->pending_crlf++;
	    p++;
	} else {
	    goto put;
	}
    }
    while (p < end) {
	if (content) {
	    const unsigned char *stop;

	    if (olim - o < 64) {
		b->outlen = (size_t) (o - b->out);
		body_flush(b);
		o = b->out;
	    }
#ifdef __SSE2__
	    if (!wsp) {
		p = relaxed_copy(p, end, &o, olim);
		if (olim - o < 64)
		    continue;		/* flushed above */
	    }
#endif
	    /* one input octet makes at most one output octet, plus one space */
	    stop = p + ((size_t) (end - p) < (size_t) (olim - o - 1) ?
			(size_t) (end - p) : (size_t) (olim - o - 1));
	    /*
	     * k is 0 (content) or 1 (white space): the space is written and
	     * kept only before content after a run, the octet kept only if
	     * content. Back to the block copy after such a space.
	     */
	    for (; p < stop; p++) {
		unsigned k = relaxed_class[*p], isc = k == 0, sp = wsp & isc;

		if (k >= 2)
		    break;
		*o = ' ';
		o += sp;
		*o = (char) *p;
		o += isc;
		wsp = k;
		if (sp) {
		    p++;
		    break;
		}
	    }
	    if (p == end)
		break;
	    if (relaxed_class[*p] < 2)
		continue;		/* buffer full, or block copy again */
	}
	c = *p++;
	switch (relaxed_class[c]) {
	case 1:
	    wsp = 1;
	    continue;
	case 3:
	    wsp = 0;
	    content = 0;
	    b->pending_crlf++;
	    continue;
	case 2:
	    if (p == end) {		/* a CRLF may straddle chunks */
		b->cr_pending = 1;
		continue;
	    }
	    if (*p == '\n') {
		wsp = 0;
		content = 0;
		b->pending_crlf++;
		p++;
		continue;
	    }
	    break;			/* a bare CR is content */
	default:
	    break;
	}
put:
	if (!content) {			/* a line's first content octet */
	    content = 1;
	    if (b->pending_crlf == 1) {	/* the usual case: one line end */
		*o++ = '\r';
		*o++ = '\n';
		b->pending_crlf = 0;
		if (o >= olim) {
		    b->outlen = (size_t) (o - b->out);
		    body_flush(b);
		    o = b->out;
		}
	    } else if (b->pending_crlf > 0) {
		o = relaxed_first(b, o);
	    }
	}
	if (wsp) {
	    *o++ = ' ';
	    wsp = 0;
	}
	*o++ = (char) c;
	if (o >= olim) {
	    b->outlen = (size_t) (o - b->out);
	    body_flush(b);
	    o = b->out;
	}
    }
    b->outlen = (size_t) (o - b->out);
    b->wsp_pending = (int) wsp;
    b->line_content = content;
}

/* crypto_body_update - canonicalize and hash one chunk of body */
void crypto_body_update(struct crypto_body *b, const char *data, size_t len)
{
    if (len == 0 || b->finished)
	return;
    if (b->canon == CRYPTO_CANON_SIMPLE)
	body_simple(b, data, data + len);
    else
	body_relaxed(b, (const unsigned char *) data,
		     (const unsigned char *) data + len);
}

/* crypto_body_final - finish the body and write its SHA-256 */
int crypto_body_final(struct crypto_body *b, unsigned char *md32)
{
    unsigned int n = 0;

    if (b->finished) {			/* shared: the first caller finished it */
	memcpy(md32, b->md32, 32);
	return b->final_ok;
    }
    b->finished = 1;
    b->final_ok = -1;
    if (b->cr_pending) {		/* a final bare CR is content */
	b->cr_pending = 0;
	body_lines(b);
	if (b->wsp_pending)
	    body_emit(b, " ", 1);
	body_emit(b, "\r", 1);
	b->line_content = 1;
    }
    if (b->line_content || (b->pending_crlf > 0 && b->total + (long long) b->outlen > 0))
	body_emit(b, "\r\n", 2);
    else if (b->total + (long long) b->outlen == 0 && b->canon == CRYPTO_CANON_SIMPLE)
	body_emit(b, "\r\n", 2);
    b->pending_crlf = 0;
    b->line_content = 0;
    body_flush(b);
    if (EVP_DigestFinal_ex(b->md, b->md32, &n) != 1 || n != 32)
	return -1;
    memcpy(md32, b->md32, 32);
    return b->final_ok = 0;
}

/* crypto_body_length - canonical body length (before any l= cut) */
long long crypto_body_length(const struct crypto_body *b)
{
    return b->total;
}

/* crypto_body_ref - one more owner of a body hash (shared hashes) */
struct crypto_body *crypto_body_ref(struct crypto_body *b)
{
    b->refs++;
    return b;
}

/* crypto_body_same - does a body hash have this canonicalization and l=? */
int crypto_body_same(const struct crypto_body *b, int canon, long long limit)
{
    return b->canon == canon && b->limit == limit;
}

/* crypto_body_free - drop a reference; the last one releases the state */
void crypto_body_free(struct crypto_body **bp)
{
    if (*bp == NULL)
	return;
    if (--(*bp)->refs > 0) {
	*bp = NULL;
	return;
    }
    EVP_MD_CTX_free((*bp)->md);
    xfreep(bp);
}

static EVP_MD *crypto_sha256_md;
static pthread_once_t crypto_sha256_once = PTHREAD_ONCE_INIT;

/* crypto_sha256_fetch - fetch SHA-256 once (an implicit fetch per use is slow) */
static void crypto_sha256_fetch(void)
{
    crypto_sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* crypto_sha256 - the SHA-256 implementation, fetched once per process */
const EVP_MD *crypto_sha256(void)
{
    pthread_once(&crypto_sha256_once, crypto_sha256_fetch);
    return crypto_sha256_md ? crypto_sha256_md : EVP_sha256();
}

/* crypto_canon_headers - the canonical h= fields bottom-up, then the signature */
void crypto_canon_headers(const struct mail_hdrs *hdrs, char *const *names,
			  size_t nnames, int canon, const char *sig_raw,
			  size_t sig_len, struct buf *out)
{
    size_t  k, j, nth;

    for (k = 0; k < nnames; k++) {
	const struct mail_hdr *h;

	for (nth = 0, j = 0; j < k; j++)
	    if (strcasecmp(names[j], names[k]) == 0)
		nth++;
	if ((h = mail_hdrs_find_last(hdrs, names[k], nth)) != NULL)
	    crypto_canon_header(canon, h->raw, h->raw_len, 1, out);
    }
    crypto_canon_header(canon, sig_raw, sig_len, 0, out);
}

/* crypto_hash_headers - hash the h= fields bottom-up, then the signature */
int crypto_hash_headers(const struct mail_hdrs *hdrs, char *const *names,
			size_t nnames, int canon, const char *sig_raw,
			size_t sig_len, unsigned char *md32)
{
    struct buf b = BUF_INIT;
    unsigned int n = 0;
    int     ret = -1;

    crypto_canon_headers(hdrs, names, nnames, canon, sig_raw, sig_len, &b);
    if (EVP_Digest(b.data, b.len, md32, &n, crypto_sha256(), NULL) == 1 && n == 32)
	ret = 0;
    buf_free(&b);
    return ret;
}

/* strip_range - copy of raw without the octets vs..ve */
static char *strip_range(const char *raw, size_t len, size_t vs, size_t ve, size_t *len_r)
{
    char   *out = xmalloc(len - (ve - vs) + 1);

    memcpy(out, raw, vs);
    memcpy(out + vs, raw + ve, len - ve);
    out[len - (ve - vs)] = 0;
    *len_r = len - (ve - vs);
    return out;
}

/* crypto_strip_b - copy of a signature field with the b= value emptied */
char *crypto_strip_b(const char *raw, size_t len, size_t *len_r)
{
    const char *colon = memchr(raw, ':', len);
    struct crypto_taglist tl;
    const struct crypto_tag *t;
    const char *why;
    size_t  off, vs, ve;

    if (colon == NULL)
	return NULL;
    off = (size_t) (colon - raw) + 1;
    if (crypto_taglist_parse(raw + off, len - off, &tl, &why) < 0
	|| (t = crypto_tag_get(&tl, "b")) == NULL) {
	crypto_taglist_free(&tl);
	return NULL;
    }
    vs = off + t->vstart;
    ve = off + t->vend;
    crypto_taglist_free(&tl);
    return strip_range(raw, len, vs, ve, len_r);
}

/* crypto_sig_strip_b - the same for the field h that sig was parsed from */
char *crypto_sig_strip_b(const struct crypto_sig *sig, const struct mail_hdr *h,
			 size_t *len_r)
{
    const struct crypto_tag *t = crypto_tag_get(&sig->tl, "b");
    size_t  off;

    if (t == NULL || h->value < h->raw || h->value > h->raw + h->raw_len)
	return NULL;
    off = (size_t) (h->value - h->raw);
    if (off + t->vend > h->raw_len || t->vstart > t->vend)
	return NULL;
    return strip_range(h->raw, h->raw_len, off + t->vstart, off + t->vend, len_r);
}
