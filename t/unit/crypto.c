/*
 * NAME
 *	crypto - unit tests of src/crypto: tag lists, base64, canonicalization,
 *	body hashing in chunks and l=, key records and sizes, private key
 *	file permissions, the key cache and its shared keys (RSA verify
 *	context pool, threads), hostile ARC and DKIM input
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>
#include <openssl/rsa.h>
#include <openssl/pem.h>
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "mail/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"

/* body_hash_b64 - base64 SHA-256 of a canonicalized body fed in chunks */
static char *body_hash_b64(int canon, long long l, const char *body, size_t chunk)
{
    struct crypto_body *b = crypto_body_alloc(canon, l);
    unsigned char md[32];
    size_t  len = strlen(body), off;

    for (off = 0; off < len; off += chunk)
	crypto_body_update(b, body + off, len - off < chunk ? len - off : chunk);
    crypto_body_final(b, md);
    crypto_body_free(&b);
    return crypto_b64_encode(md, 32);
}

/* sha_b64 - base64 SHA-256 of a string */
static char *sha_b64(const char *s)
{
    unsigned char md[32];
    unsigned int n;

    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    return crypto_b64_encode(md, 32);
}

/* check_body - canonical body equals want, fed whole and byte by byte */
static void check_body(int canon, long long l, const char *body, const char *want,
		       const char *name)
{
    char   *w = sha_b64(want), *a = body_hash_b64(canon, l, body, 65536),
	   *b = body_hash_b64(canon, l, body, 1), *c = body_hash_b64(canon, l, body, 3);

    ok(strcmp(a, w) == 0 && strcmp(b, w) == 0 && strcmp(c, w) == 0, "%s", name);
    free(w);
    free(a);
    free(b);
    free(c);
}

/* long_lines - relaxed lines longer than the 16 KB output buffer */
static void long_lines(void)
{
    struct buf body = BUF_INIT, want = BUF_INIT;
    int     i, k;

    for (i = 0; i < 3; i++) {
	for (k = 0; k < 20000; k++) {
	    buf_putc(&body, (char) ('a' + k % 26));
	    buf_putc(&want, (char) ('a' + k % 26));
	    if (k % 700 == 0) {
		buf_puts(&body, k % 1400 ? " \t " : " ");
		buf_putc(&want, ' ');
	    }
	}
	buf_puts(&body, "  b\t \r\n");
	buf_puts(&want, " b\r\n");
    }
    buf_puts(&body, " \r\n\r\n");
    check_body(CRYPTO_CANON_RELAXED, -1, buf_str(&body), buf_str(&want),
	       "relaxed: 60 KB of 20000-octet lines (past the 16 KB output buffer), in any chunking");
    buf_free(&body);
    buf_free(&want);
}

static void test_taglist(void)
{
    struct crypto_taglist tl;
    const char *why = NULL;
    const struct crypto_tag *t;

    ok(crypto_taglist_parse(" a = 1 ;\r\n\tb=two  words ; ", 26, &tl, &why) == 0
       && tl.count == 2 && (t = crypto_tag_get(&tl, "b")) && strcmp(t->value, "two  words") == 0,
       "a tag list with FWS and a final ';' parses, values trimmed");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("a=1; a=2", 8, &tl, &why) < 0 && strcmp(why, "duplicate tag") == 0,
       "a duplicate tag is an error");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("1a=1", 4, &tl, &why) < 0, "a tag name starting with a digit is an error");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("a=1;;b=2", 8, &tl, &why) < 0, "an empty tag-spec is an error");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("a=x\0y", 5, &tl, &why) < 0, "a NUL in a value is an error");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("a=\xc3\xa9", 4, &tl, &why) < 0, "an 8-bit value is an error");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("  ", 2, &tl, &why) < 0, "an empty tag list is an error");
    crypto_taglist_free(&tl);
    ok(crypto_taglist_parse("a", 1, &tl, &why) < 0, "a tag without '=' is an error");
    crypto_taglist_free(&tl);
}

static void test_b64(void)
{
    unsigned char *out;
    size_t  n;
    char   *e;

    ok(crypto_b64_decode("aGVs\r\n bG8=", 11, &out, &n) == 0 && n == 5
       && memcmp(out, "hello", 5) == 0, "base64 with folding white space decodes");
    free(out);
    ok(crypto_b64_decode("aGVsbG8", 7, &out, &n) == 0 && n == 5, "base64 without padding decodes");
    free(out);
    ok(crypto_b64_decode("aGV=sbG8", 8, &out, &n) < 0, "base64 with data after padding is refused");
    ok(crypto_b64_decode("a", 1, &out, &n) < 0, "a lone base64 digit is refused");
    ok(crypto_b64_decode("aGV*", 4, &out, &n) < 0, "a non-base64 character is refused");
    e = crypto_b64_encode((const unsigned char *) "hello", 5);
    is_str(e, "aGVsbG8=", "base64 encoding pads");
    free(e);
}

static void test_canon(void)
{
    struct buf b = BUF_INIT;
    const char *h1 = "A: X", *h2 = "B : Y\t\r\n\tZ  ";

    /* RFC 6376 3.4.5 example */
    crypto_canon_header(CRYPTO_CANON_RELAXED, h1, strlen(h1), 1, &b);
    crypto_canon_header(CRYPTO_CANON_RELAXED, h2, strlen(h2), 1, &b);
    is_str(buf_str(&b), "a:X\r\nb:Y Z\r\n", "relaxed header canonicalization (RFC 6376 3.4.5)");
    buf_reset(&b);
    crypto_canon_header(CRYPTO_CANON_SIMPLE, h2, strlen(h2), 1, &b);
    is_str(buf_str(&b), "B : Y\t\r\n\tZ  \r\n", "simple header canonicalization keeps bytes");
    buf_reset(&b);
    crypto_canon_header(CRYPTO_CANON_SIMPLE, "A: x\n y", 7, 0, &b);
    is_str(buf_str(&b), "A: x\r\n y", "simple canonicalization renders a bare LF as CRLF");
    buf_free(&b);

    check_body(CRYPTO_CANON_RELAXED, -1, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n",
	       "relaxed body (RFC 6376 3.4.5), in any chunking");
    check_body(CRYPTO_CANON_SIMPLE, -1, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n",
	       "simple body drops trailing empty lines only");
    check_body(CRYPTO_CANON_SIMPLE, -1, "", "\r\n", "an empty body is CRLF under simple");
    check_body(CRYPTO_CANON_RELAXED, -1, "", "", "an empty body is empty under relaxed");
    check_body(CRYPTO_CANON_RELAXED, -1, "  \r\n\r\n", "", "a body of blank lines is empty under relaxed");
    check_body(CRYPTO_CANON_SIMPLE, -1, "\r\n\r\n", "\r\n", "a body of empty lines is CRLF under simple");
    check_body(CRYPTO_CANON_SIMPLE, -1, "abc", "abc\r\n", "a missing final CRLF is added");
    check_body(CRYPTO_CANON_SIMPLE, -1, "a\nb\n", "a\r\nb\r\n", "bare LF line ends count as CRLF");
    check_body(CRYPTO_CANON_SIMPLE, -1, "a\rb\r\n", "a\rb\r\n", "a bare CR is content");
    check_body(CRYPTO_CANON_SIMPLE, 5, "hello world\r\n", "hello", "l= limits the hashed octets");
    check_body(CRYPTO_CANON_RELAXED, 0, "x\r\n", "", "l=0 hashes nothing");
    check_body(CRYPTO_CANON_RELAXED, -1, "a\rb \r\t\r\n", "a\rb \r\r\n",
	       "relaxed: a bare CR is content, white space before it one space");
    long_lines();
}

/* fake_rsa_pub - a syntactically valid RSA public key of any size */
static char *fake_rsa_pub(int bits)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *n = BN_new(), *e = BN_new();
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params;
    unsigned char *der = NULL;
    char   *b64, *rec;
    int     len;

    BN_set_bit(n, bits - 1);
    BN_set_bit(n, 0);
    BN_set_word(e, 65537);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_fromdata_init(ctx);
    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
    len = i2d_PUBKEY(pkey, &der);
    b64 = crypto_b64_encode(der, (size_t) len);
    rec = xasprintf("v=DKIM1; k=rsa; p=%s", b64);
    free(b64);
    OPENSSL_free(der);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return rec;
}

static void test_keys(void)
{
    struct crypto_key *k = NULL;
    const char *why = NULL;
    char   *rec;
    int     st;

    ok(crypto_key_parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
			66, &k, &why) == 0 && k->pkey != NULL,
       "an Ed25519 key record parses");
    crypto_key_free(&k);
    ok(crypto_key_parse("v=DKIM1; p=", 11, &k, &why) == 0 && k->revoked,
       "an empty p= is a revoked key");
    crypto_key_free(&k);
    ok(crypto_key_parse("k=rsa; v=DKIM1; p=", 18, &k, &why) < 0, "v= not first is refused");
    ok(crypto_key_parse("v=DKIM1; k=dsa; p=AAAA", 22, &k, &why) < 0, "an unknown k= is refused");
    ok(crypto_key_parse("v=DKIM1; k=rsa", 14, &k, &why) < 0, "a record without p= is refused");
    ok(crypto_key_parse("v=DKIM1; k=ed25519; p=AAAA", 26, &k, &why) < 0,
       "a short Ed25519 key is refused");
    rec = fake_rsa_pub(512);
    st = crypto_key_parse(rec, strlen(rec), &k, &why);
    ok(st < 0 && strstr(why, "1024"), "a 512-bit RSA key is refused (%s)", why);
    free(rec);
    rec = fake_rsa_pub(16384);
    st = crypto_key_parse(rec, strlen(rec), &k, &why);
    ok(st < 0 && strstr(why, "8192"), "a 16384-bit RSA key is refused (%s)", why);
    free(rec);
    rec = fake_rsa_pub(2048);
    ok(crypto_key_parse(rec, strlen(rec), &k, &why) == 0, "a 2048-bit RSA key is accepted");
    crypto_key_free(&k);
    free(rec);
}

static void test_privkey_file(void)
{
    char    path[] = "/tmp/mxguard-crypto-key.XXXXXX", *why = NULL;
    EVP_PKEY *gen = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *pkey;
    BIO    *bio;
    int     fd = mkstemp(path);

    bio = BIO_new_fd(fd, BIO_NOCLOSE);
    PEM_write_bio_PrivateKey(bio, gen, NULL, NULL, 0, NULL, NULL);
    BIO_free(bio);
    close(fd);
    chmod(path, 0640);
    pkey = crypto_privkey_load(path, &why);
    ok(pkey == NULL && why && strstr(why, "group or other") && strstr(why, "0640"),
       "a key file readable by its group is refused: %s", why ? why : "");
    free(why);
    why = NULL;
    chmod(path, 0604);
    pkey = crypto_privkey_load(path, &why);
    ok(pkey == NULL, "a key file readable by others is refused");
    free(why);
    why = NULL;
    chmod(path, 0600);
    pkey = crypto_privkey_load(path, &why);
    ok(pkey != NULL && EVP_PKEY_eq(pkey, gen) == 1, "a mode 0600 key file loads");
    EVP_PKEY_free(pkey);
    unlink(path);
    pkey = crypto_privkey_load(path, &why);
    ok(pkey == NULL && strstr(why, "no such file"), "a missing key file is a clear error");
    free(why);
    why = NULL;
    pkey = crypto_privkey_pem("garbage", 7, &why);
    ok(pkey == NULL && why && strstr(why, "garbage") == NULL,
       "a bad key is refused without echoing its content");
    free(why);
    EVP_PKEY_free(gen);
}

static int fetch_count;

/* fetch_one - a key fetch that counts its calls */
static int fetch_one(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    fetch_count++;
    if (strcmp(name, "brisbane._domainkey.football.example.com") == 0) {
	*txt_r = xstrdup(ctx);
	return 1;
    }
    if (strstr(name, "servfail")) {
	*why_r = "SERVFAIL";
	return -1;
    }
    *why_r = "NXDOMAIN";
    return 0;
}

static void test_keycache(void)
{
    struct crypto_keysrc src = {fetch_one, (void *) "v=DKIM1; k=ed25519; "
	"p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", NULL, 0};
    struct crypto_key *k = NULL;
    const char *why;
    int     st1, st2;

    src.cache = crypto_keycache_alloc(16, 3600);
    st1 = crypto_keysrc_get(&src, "football.example.com", "brisbane", &k, &why);
    crypto_key_free(&k);
    st2 = crypto_keysrc_get(&src, "football.example.com", "brisbane", &k, &why);
    ok(st1 == 1 && st2 == 1 && k && k->pkey && fetch_count == 1,
       "the key cache answers the second lookup without a fetch");
    crypto_key_free(&k);
    ok(crypto_keysrc_get(&src, "servfail.example", "s", &k, &why) == -1,
       "a temporary DNS failure stays temporary");
    ok(crypto_keysrc_get(&src, "nx.example", "s", &k, &why) == 0
       && strcmp(why, "key not found") == 0, "a missing key is 'key not found'");
    crypto_keycache_free(&src.cache);
}

struct pool_job {
    struct crypto_key *key;
    const unsigned char *md, *sig;
    size_t  sig_len;
    int     good;
};

/* pool_worker - 50 verifies through the shared key's context pool */
static void *pool_worker(void *arg)
{
    struct pool_job *j = arg;
    int     i;

    for (i = 0; i < 50; i++)
	j->good += crypto_key_verify(j->key, CRYPTO_ALG_RSA_SHA256, j->md, j->sig, j->sig_len);
    return NULL;
}

static void test_key_pool(void)
{
    EVP_PKEY *priv = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    unsigned char md[32], bad[32], *der = NULL, *sig = NULL;
    struct crypto_keysrc src = {fetch_one, NULL, NULL, 0};
    struct crypto_key *k1 = NULL, *k2 = NULL;
    struct pool_job job[4];
    pthread_t th[4];
    size_t  sig_len = 0;
    const char *why;
    char   *b64, *rec;
    int     len = i2d_PUBKEY(priv, &der), i, all = 1;

    b64 = crypto_b64_encode(der, (size_t) len);
    rec = xasprintf("v=DKIM1; k=rsa; p=%s", b64);
    memset(md, 7, sizeof(md));
    memset(bad, 8, sizeof(bad));
    crypto_sign(CRYPTO_ALG_RSA_SHA256, priv, md, &sig, &sig_len);
    src.ctx = rec;
    src.cache = crypto_keycache_alloc(16, 3600);
    crypto_keysrc_get(&src, "football.example.com", "brisbane", &k1, &why);
    crypto_keysrc_get(&src, "football.example.com", "brisbane", &k2, &why);
    ok(k1 != NULL && k1 == k2, "the key cache hands out the same parsed key, not a copy");
    ok(crypto_key_verify(k1, CRYPTO_ALG_RSA_SHA256, md, sig, sig_len) == 1
       && crypto_key_verify(k1, CRYPTO_ALG_RSA_SHA256, bad, sig, sig_len) == 0
       && crypto_key_verify(k2, CRYPTO_ALG_RSA_SHA256, md, sig, sig_len) == 1
       && k1->npool == 1,
       "a pooled RSA context verifies again after a bad signature (one context kept)");
    for (i = 0; i < 4; i++) {
	job[i] = (struct pool_job) {k1, md, sig, sig_len, 0};
	pthread_create(&th[i], NULL, pool_worker, &job[i]);
    }
    for (i = 0; i < 4; i++) {
	pthread_join(th[i], NULL);
	all &= job[i].good == 50;
    }
    ok(all && k1->npool >= 1 && k1->npool <= CRYPTO_KEY_POOL,
       "four threads verify with one cached key at once: all 200 pass, the pool stays bounded");
    crypto_key_free(&k1);
    crypto_keycache_free(&src.cache);
    ok(k1 == NULL && crypto_key_verify(k2, CRYPTO_ALG_RSA_SHA256, md, sig, sig_len) == 1,
       "a key outlives the cache while a verifier holds it");
    crypto_key_free(&k2);
    OPENSSL_free(der);
    EVP_PKEY_free(priv);
    free(sig);
    free(b64);
    free(rec);
}

/* verify_arc - ARC state of a message text, with no keys at all */
static int verify_arc(const char *text, const char **reason_r)
{
    struct crypto_keysrc src = {fetch_one, (void *) "v=DKIM1; p=", NULL, 0};
    struct mail_msg *m = NULL;
    struct arc_result res;
    struct arc_verify *v;
    const char *why;
    int     state;

    if (mail_msg_read_buf(text, strlen(text), &m, &why) < 0)
	return -1;
    v = arc_verify_start(m->hdrs);
    arc_verify_body(v, m->body, m->body_len);
    arc_verify_end(v, &src, &res);
    state = res.state;
    *reason_r = res.reason ? res.reason : "";
    arc_result_clear(&res);
    arc_verify_free(&v);
    mail_msg_free(&m);
    return state;
}

static void test_hostile(void)
{
    struct buf b = BUF_INIT;
    const char *reason;
    struct crypto_sig *sig = NULL;
    const char *why;
    char   *big;
    int     i, st;

    for (i = 1; i <= 51; i++)
	buf_printf(&b, "ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AAAA\r\n"
		   "ARC-Message-Signature: i=%d; a=rsa-sha256; d=x.example; s=s; h=from; "
		   "bh=AAAA; b=AAAA\r\nARC-Authentication-Results: i=%d; x.example; none\r\n",
		   i, i, i);
    buf_puts(&b, "From: a@x.example\r\n\r\nbody\r\n");
    st = verify_arc(b.data, &reason);
    ok(st == ARC_FAIL, "51 ARC sets fail (%s)", reason);
    buf_reset(&b);
    buf_puts(&b, "ARC-Authentication-Results: i=1; x.example; none\r\n"
	     "ARC-Authentication-Results: i=1; x.example; none\r\nFrom: a@x\r\n\r\n");
    st = verify_arc(b.data, &reason);
    ok(st == ARC_FAIL && strstr(reason, "duplicate"), "a duplicate ARC instance fails (%s)",
       reason);
    buf_reset(&b);
    buf_puts(&b, "ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AAAA\r\n"
	     "From: a@x\r\n\r\n");
    st = verify_arc(b.data, &reason);
    ok(st == ARC_FAIL && strstr(reason, "incomplete"), "a chain with a gap fails (%s)", reason);
    ok(verify_arc("From: a@x\r\n\r\nbody\r\n", &reason) == ARC_NONE, "no ARC fields is none");
    ok(verify_arc("ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x; s=\0; b=AAAA\r\n\r\n", &reason)
       == ARC_FAIL, "an ARC-Seal with a NUL fails");
    big = xmalloc(8200 + 64);
    strcpy(big, "v=1; a=rsa-sha256; d=x.example; s=s; h=from; bh=AAAA; b=");
    memset(big + strlen(big), 'A', 8192);
    big[56 + 8192] = 0;
    ok(crypto_sig_parse(CRYPTO_SIG_DKIM, big, strlen(big), &sig, &why) == 0
       && sig->b_len == 6144, "an 8 KB b= value parses without harm");
    crypto_sig_free(&sig);
    free(big);
    ok(crypto_sig_parse(CRYPTO_SIG_DKIM, "v=1; a=rsa-sha256; d=x; s=s; h=to; bh=AAAA; b=AAAA",
			50, &sig, &why) < 0 && strstr(why, "From"),
       "a DKIM signature not covering From is refused");
    ok(crypto_sig_parse(CRYPTO_SIG_DKIM, "v=1; a=rsa-sha256; d=x.example; s=s; h=from; "
			"bh=AAAA; b=AAAA; i=@evil.example", 81, &sig, &why) < 0,
       "a DKIM i= outside d= is refused");
    ok(crypto_sig_parse(CRYPTO_SIG_AS, "i=1; a=rsa-sha256; cv=none; d=x; s=s; b=AAAA; h=from",
			52, &sig, &why) < 0, "an ARC-Seal with h= is refused");
    ok(crypto_sig_parse(CRYPTO_SIG_AMS, "i=0; a=rsa-sha256; d=x; s=s; h=from; bh=AAAA; b=AAAA",
			51, &sig, &why) < 0, "an ARC instance 0 is refused");
    buf_free(&b);
}

static char *dkim_key_txt;

/* fetch_dkim - the one test key for every name */
static int fetch_dkim(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    (void) ctx;
    (void) name;
    (void) why_r;
    *txt_r = xstrdup(dkim_key_txt);
    return 1;
}

/* dkim_l_header - a DKIM-Signature with l= signed over hdrs */
static char *dkim_l_header(struct mail_hdrs *hdrs, EVP_PKEY *key, const char *body,
			   long long l)
{
    char   *bh = body_hash_b64(CRYPTO_CANON_RELAXED, l, body, 65536), *raw, *b64, *full;
    char   *names[] = {"from"};

    raw = xasprintf("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=x.example;"
		    " s=s; h=from; l=%lld; bh=%s; b=", l, bh);
    b64 = crypto_sign_field(hdrs, names, 1, CRYPTO_CANON_RELAXED, key, raw, strlen(raw));
    full = xasprintf("%s%s\r\n", raw, b64);
    free(bh);
    free(raw);
    free(b64);
    return full;
}

static void test_dkim_results(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    struct crypto_keysrc src = {fetch_dkim, NULL, NULL, 0};
    struct dkim_verify_opts vo = {1700000000, 0};
    const char *body = "Hello world.\r\nMore text.\r\n", *why;
    const struct dkim_result *res;
    struct mail_msg *m = NULL;
    struct dkim_verify *v;
    unsigned char raw[32];
    size_t  rawlen = sizeof(raw), n;
    char   *b64, *hdr, *text;
    struct mail_hdrs *hdrs = mail_hdrs_alloc(0, 0);

    EVP_PKEY_get_raw_public_key(key, raw, &rawlen);
    b64 = crypto_b64_encode(raw, rawlen);
    dkim_key_txt = xasprintf("v=DKIM1; k=ed25519; p=%s", b64);
    mail_hdrs_add(hdrs, "From", " a@x.example", &why);
    hdr = dkim_l_header(hdrs, key, body, 12);
    text = xasprintf("%s"
		     "DKIM-Signature: v=1; a=rsa-sha1; d=x.example; s=s; h=from; bh=AAAA; b=AAAA\r\n"
		     "DKIM-Signature: v=1; a=ed25519-sha256; d=x.example; s=s; h=from; t=1600000000;"
		     " x=1600000100; bh=AAAA; b=AAAA\r\n"
		     "DKIM-Signature: v=1; a=ed25519-sha256; d=x.example; s=s; h=from; b=AAAA\r\n"
		     "From: a@x.example\r\n\r\n%s", hdr, body);
    if (mail_msg_read_buf(text, strlen(text), &m, &why) == 0) {
	v = dkim_verify_start(m->hdrs, &vo);
	dkim_verify_body(v, m->body, m->body_len);
	n = dkim_verify_end(v, &src, &res);
	ok(n == 4, "four DKIM signatures give four results");
	ok(n == 4 && res[0].result == DKIM_PASS && res[0].l == 12 && res[0].body_len == 26
	   && res[0].reason && strstr(res[0].reason, "l="),
	   "an l= signature passes and reports that it covers part of the body");
	ok(n == 4 && res[1].result == DKIM_POLICY && strstr(res[1].reason, "rsa-sha1"),
	   "rsa-sha1 is reported as policy, not checked");
	ok(n == 4 && res[2].result == DKIM_FAIL && strcmp(res[2].reason, "signature expired") == 0,
	   "an expired signature fails with reason 'signature expired'");
	ok(n == 4 && res[3].result == DKIM_PERMERROR && res[3].d == NULL,
	   "a signature missing bh= is permerror");
	dkim_verify_free(&v);
	mail_msg_free(&m);
    } else {
	ok(0, "the DKIM test message parses");
    }
    free(text);
    text = xstrdup("");
    for (n = 0; n < 40; n++) {
	char   *t2 = xasprintf("%sDKIM-Signature: v=1; a=ed25519-sha256; d=x.example; s=s;"
			       " h=from; bh=AAAA; b=AAAA\r\n", text);

	free(text);
	text = t2;
    }
    free(hdr);
    hdr = xasprintf("%sFrom: a@x.example\r\n\r\n%s", text, body);
    if (mail_msg_read_buf(hdr, strlen(hdr), &m, &why) == 0) {
	v = dkim_verify_start(m->hdrs, &vo);
	dkim_verify_body(v, m->body, m->body_len);
	n = dkim_verify_end(v, &src, &res);
	ok(n == DKIM_MAX_SIGS + 1 && res[n - 1].result == DKIM_PERMERROR
	   && strcmp(res[n - 1].reason, "too many signatures") == 0 && res[0].result == DKIM_FAIL,
	   "40 signatures: %d checked, then one 'too many signatures' result", DKIM_MAX_SIGS);
	dkim_verify_free(&v);
	mail_msg_free(&m);
    } else {
	ok(0, "the 40-signature message parses");
    }
    free(text);
    free(hdr);
    free(b64);
    free(dkim_key_txt);
    mail_hdrs_free(&hdrs);
    EVP_PKEY_free(key);
}

int     main(void)
{
    test_taglist();
    test_b64();
    test_canon();
    test_keys();
    test_privkey_file();
    test_keycache();
    test_key_pool();
    test_hostile();
    test_dkim_results();
    return done_testing();
}
