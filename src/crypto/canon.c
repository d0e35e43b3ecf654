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
 *	int crypto_hash_headers(const struct mail_hdrs *hdrs,
 *			char *const *names, size_t nnames, int canon,
 *			const char *sig_raw, size_t sig_len, unsigned char *md32);
 *	char *crypto_strip_b(const char *raw, size_t len, size_t *len_r);
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
 * STANDARDS
 *	RFC 6376 3.4 (canonicalization), 3.5 (b= emptied), 3.7 (hashes),
 *	5.4.2 (header selection).
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <openssl/evp.h>
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
    unsigned char out[8192];
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
    int     wsp = 0, any = 0;

    o.b = out;
    o.n = 0;
    if (canon == CRYPTO_CANON_SIMPLE || colon == NULL) {
	for (i = 0; i < len; i++) {
	    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
		canon_put(&o, '\r');
	    canon_put(&o, raw[i]);
	}
    } else {
	nlen = (size_t) (colon - raw);
	while (nlen > 0 && (raw[nlen - 1] == ' ' || raw[nlen - 1] == '\t'))
	    nlen--;
	for (i = 0; i < nlen; i++)
	    canon_put(&o, (char) tolower((unsigned char) raw[i]));
	canon_put(&o, ':');
	for (i = (size_t) (colon - raw) + 1; i < len; i++) {
	    char    c = raw[i];

	    if (c == '\r' || c == '\n')
		continue;
	    if (c == ' ' || c == '\t') {
		wsp = 1;
		continue;
	    }
	    if (wsp && any)
		canon_put(&o, ' ');
	    wsp = 0;
	    any = 1;
	    canon_put(&o, c);
	}
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
    struct crypto_body *b = xcalloc(1, sizeof(*b));

    b->canon = canon;
    b->limit = limit;
    b->refs = 1;
    if ((b->md = EVP_MD_CTX_new()) == NULL
	|| EVP_DigestInit_ex(b->md, crypto_sha256(), NULL) != 1)
	msg_fatal("crypto: EVP_DigestInit_ex(sha256) failed");
    return b;
}

/* body_flush - hand the output buffer to the digest */
static void body_flush(struct crypto_body *b)
{
    if (b->outlen > 0)
	(void) EVP_DigestUpdate(b->md, b->out, b->outlen);
    b->outlen = 0;
}

/* body_emit - hash canonical octets, honouring l= */
static void body_emit(struct crypto_body *b, const char *data, size_t len)
{
    b->total += (long long) len;
    if (b->limit >= 0) {
	if (b->emitted >= b->limit)
	    return;
	if ((long long) len > b->limit - b->emitted)
	    len = (size_t) (b->limit - b->emitted);
    }
    b->emitted += (long long) len;
    if (len > sizeof(b->out) - b->outlen) {
	body_flush(b);
	if (len > sizeof(b->out)) {
	    (void) EVP_DigestUpdate(b->md, data, len);
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

/* body_run - the content of one line (or of its part in this chunk) */
static void body_run(struct crypto_body *b, const char *s, size_t n)
{
    char    tmp[2048];
    size_t  i, t = 0;
    int     wsp = b->wsp_pending, content = 0;

    if (b->canon == CRYPTO_CANON_SIMPLE) {
	body_lines(b);
	body_emit(b, s, n);
	b->line_content = 1;
	return;
    }
    /*
     * relaxed: white space runs become one space, none at the line end.
     * State is kept in locals: stores to tmp may alias the struct.
     */
    for (i = 0; i < n; i++) {
	char    c = s[i];

	if (c == ' ' || c == '\t') {
	    wsp = 1;
	    continue;
	}
	if (!content) {			/* deferred line ends go before the first octet */
	    content = 1;
	    if (b->pending_crlf > 0)
		body_lines(b);
	}
	if (wsp) {
	    tmp[t++] = ' ';
	    wsp = 0;
	}
	tmp[t++] = c;
	if (t >= sizeof(tmp) - 2) {
	    body_emit(b, tmp, t);
	    t = 0;
	}
    }
    if (t > 0)
	body_emit(b, tmp, t);
    b->wsp_pending = wsp;
    if (content)
	b->line_content = 1;
}

/* body_line_end - a line end: deferred until content follows */
static void body_line_end(struct crypto_body *b)
{
    b->wsp_pending = 0;
    b->line_content = 0;
    b->pending_crlf++;
}

/* crypto_body_update - canonicalize and hash one chunk of body */
void crypto_body_update(struct crypto_body *b, const char *data, size_t len)
{
    const char *p = data, *end = data + len, *nl, *cend;

    if (len == 0 || b->finished)
	return;
    if (b->cr_pending) {
	b->cr_pending = 0;
	if (*p == '\n') {
	    body_line_end(b);
	    p++;
	} else {
	    body_run(b, "\r", 1);	/* a bare CR is content */
	}
    }
    /* line by line: memchr finds the line ends, runs are hashed whole */
    while (p < end) {
	nl = memchr(p, '\n', (size_t) (end - p));
	cend = nl ? nl : end;
	if (cend > p && cend[-1] == '\r') {
	    cend--;
	    if (nl == NULL)
		b->cr_pending = 1;	/* a CRLF may straddle chunks */
	}
	if (cend > p)
	    body_run(b, p, (size_t) (cend - p));
	if (nl == NULL)
	    break;
	body_line_end(b);
	p = nl + 1;
    }
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
    if (b->cr_pending) {
	b->cr_pending = 0;
	body_run(b, "\r", 1);
    }
    if (b->line_content || (b->pending_crlf > 0 && b->total > 0))
	body_emit(b, "\r\n", 2);
    else if (b->total == 0 && b->canon == CRYPTO_CANON_SIMPLE)
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

/* crypto_hash_headers - hash the h= fields bottom-up, then the signature */
int crypto_hash_headers(const struct mail_hdrs *hdrs, char *const *names,
			size_t nnames, int canon, const char *sig_raw,
			size_t sig_len, unsigned char *md32)
{
    struct buf b = BUF_INIT;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    size_t  k, j, nth;
    int     ret = -1;

    for (k = 0; k < nnames; k++) {
	const struct mail_hdr *h;

	for (nth = 0, j = 0; j < k; j++)
	    if (strcasecmp(names[j], names[k]) == 0)
		nth++;
	if ((h = mail_hdrs_find_last(hdrs, names[k], nth)) != NULL)
	    crypto_canon_header(canon, h->raw, h->raw_len, 1, &b);
    }
    crypto_canon_header(canon, sig_raw, sig_len, 0, &b);
    if (md != NULL && EVP_DigestInit_ex(md, crypto_sha256(), NULL) == 1
	&& EVP_DigestUpdate(md, b.data, b.len) == 1
	&& EVP_DigestFinal_ex(md, md32, &n) == 1 && n == 32)
	ret = 0;
    EVP_MD_CTX_free(md);
    buf_free(&b);
    return ret;
}

/* crypto_strip_b - copy of a signature field with the b= value emptied */
char *crypto_strip_b(const char *raw, size_t len, size_t *len_r)
{
    const char *colon = memchr(raw, ':', len);
    struct crypto_taglist tl;
    const struct crypto_tag *t;
    const char *why;
    size_t  off, vs, ve;
    char   *out;

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
    out = xmalloc(len - (ve - vs) + 1);
    memcpy(out, raw, vs);
    memcpy(out + vs, raw + ve, len - ve);
    out[len - (ve - vs)] = 0;
    *len_r = len - (ve - vs);
    return out;
}
