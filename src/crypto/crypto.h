/*
 * NAME
 *	crypto - the DKIM/ARC core: tag lists, canonicalization, hashing,
 *	signature headers, key records, RSA/Ed25519 sign and verify
 * SYNOPSIS
 *	#include "crypto/crypto.h"
 *
 *	int crypto_taglist_parse(const char *s, size_t len,
 *			struct crypto_taglist *tl, const char **why_r);
 *	const struct crypto_tag *crypto_tag_get(const struct crypto_taglist *tl,
 *			const char *name);
 *	void crypto_taglist_free(struct crypto_taglist *tl);
 *	int crypto_b64_decode(const char *s, size_t len, unsigned char **out_r,
 *			size_t *out_len_r);
 *	char *crypto_b64_encode(const unsigned char *data, size_t len);
 *
 *	void crypto_canon_header(int canon, const char *raw, size_t len,
 *			int final_crlf, struct buf *out);
 *	struct crypto_body *crypto_body_alloc(int canon, long long limit);
 *	void crypto_body_update(struct crypto_body *b, const char *data, size_t len);
 *	int crypto_body_final(struct crypto_body *b, unsigned char *md32);
 *	long long crypto_body_length(const struct crypto_body *b);
 *	void crypto_body_free(struct crypto_body **b);
 *	struct crypto_body *crypto_body_ref(struct crypto_body *b);
 *	int crypto_body_same(const struct crypto_body *b, int canon, long long limit);
 *	const EVP_MD *crypto_sha256(void);
 *	(bodyset.c) crypto_bodyset_alloc, crypto_bodyset_get,
 *	crypto_bodyset_update, crypto_bodyset_count, crypto_bodyset_free
 *	void crypto_canon_headers(const struct mail_hdrs *hdrs,
 *			char *const *names, size_t nnames, int canon,
 *			const char *sig_raw, size_t sig_len, struct buf *out);
 *	int crypto_hash_headers(const struct mail_hdrs *hdrs,
 *			char *const *names, size_t nnames, int canon,
 *			const char *sig_raw, size_t sig_len, unsigned char *md32);
 *	char *crypto_strip_b(const char *raw, size_t len, size_t *len_r);
 *	char *crypto_sig_strip_b(const struct crypto_sig *sig,
 *			const struct mail_hdr *h, size_t *len_r);
 *
 *	int crypto_sig_parse(int kind, const char *value, size_t len,
 *			struct crypto_sig **sig_r, const char **why_r);
 *	void crypto_sig_free(struct crypto_sig **sig);
 *	int crypto_aar_instance(const char *value, size_t len);
 *
 *	int crypto_key_parse(const char *txt, size_t len, struct crypto_key **key_r,
 *			const char **why_r);
 *	void crypto_key_free(struct crypto_key **key);
 *	struct crypto_key *crypto_key_ref(struct crypto_key *key);
 *	int crypto_key_verify(struct crypto_key *key, int alg,
 *			const unsigned char *md32, const unsigned char *sig,
 *			size_t sig_len);
 *	int crypto_verify(int alg, EVP_PKEY *pkey, const unsigned char *md32,
 *			const unsigned char *sig, size_t sig_len);
 *	EVP_PKEY_CTX *crypto_verify_template(EVP_PKEY *pkey);
 *	int crypto_sign(int alg, EVP_PKEY *pkey, const unsigned char *md32,
 *			unsigned char **sig_r, size_t *sig_len_r);
 *	EVP_PKEY *crypto_privkey_load(const char *path, char **why_r);
 *	char *crypto_private_file(const char *path, size_t *len_r, char **why_r);
 *	void crypto_private_free(char *data);
 *	EVP_PKEY *crypto_privkey_pem(const char *pem, size_t len, char **why_r);
 *	EVP_PKEY *crypto_privkey_ed25519_seed(const unsigned char *seed, size_t len);
 *	int crypto_pkey_alg(EVP_PKEY *pkey);
 *	int crypto_pkey_bits_ok(EVP_PKEY *pkey, const char **why_r);
 * DESCRIPTION
 *	Everything here is a pure function over bytes, shared by DKIM
 *	verify/sign (dkim.h) and ARC verify/seal (arc.h).
 *
 *	A tag list (RFC 6376 3.2) keeps each tag's name and value (FWS
 *	trimmed at both ends, kept inside) and the offsets of the value in
 *	the input, so crypto_strip_b can empty b= byte-exactly.
 *
 *	Canonicalization (RFC 6376 3.4): crypto_canon_header appends one
 *	canonicalized field (raw = name ":" value, bare LF taken as CRLF).
 *	The body is hashed incrementally: crypto_body_update accepts chunks
 *	of any size (CRLF or bare LF line ends), crypto_body_final writes
 *	the SHA-256; limit >= 0 is the l= count of canonicalized octets.
 *	A body hash may be shared (crypto_body_ref; crypto_body_free drops
 *	one reference): crypto_body_final then computes the digest once and
 *	returns it to every owner. A body set (bodyset.c) gives one shared
 *	hash per (canonicalization, l=) of a message, so DKIM verification,
 *	ARC verification and our own signing hash the body once.
 *	crypto_canon_headers appends the header hash input of a signature
 *	and crypto_hash_headers returns its SHA-256: the fields selected
 *	bottom-up for each name of h= (a name listed more often than
 *	present selects nothing: over-signing, RFC 6376 5.4.2), then the
 *	signature field itself (b= emptied by the caller) without its final
 *	CRLF.
 *
 *	A parsed key record is shared by reference (crypto_key_ref, e.g. by
 *	the key cache and every verifier using it) and read-only but for
 *	its pool of RSA verify contexts: crypto_key_verify takes an idle
 *	context set up for PKCS#1 v1.5 with SHA-256 (or makes one with
 *	EVP_PKEY_CTX_dup of the template, crypto_verify_template), verifies,
 *	and puts it back, so a cached key verifies with no context setup
 *	(the setup cost a third of an RSA-2048 verify).
 *	Signatures: RSA-SHA256 (PKCS#1 v1.5 over the SHA-256) and
 *	Ed25519-SHA256 (PureEdDSA over the 32-byte SHA-256, RFC 8463 3).
 *	RSA keys below 1024 or above 8192 bits are refused.
 *
 *	crypto_privkey_load refuses a key file readable by group or other
 *	(and anything but a regular file); crypto_private_file is that
 *	check and read alone (at most 64 KiB, NUL-terminated), for other
 *	key formats; crypto_private_free cleanses and frees its buffer.
 *	Key material never reaches a log line or a reason.
 * DIAGNOSTICS
 *	Parsers: 0 ok, -1 with *why_r (static text). crypto_verify: 1 good,
 *	0 bad signature. crypto_sign: 0 ok, -1 failure. Loaders return NULL
 *	with *why_r allocated.
 * STANDARDS
 *	RFC 6376 3.2, 3.4, 3.5, 3.6.1, 5.4.2; RFC 8463; RFC 8617 4.1, 4.2.
 */
#ifndef MXG_CRYPTO_CRYPTO_H
#define MXG_CRYPTO_CRYPTO_H
#include <stddef.h>
#include <pthread.h>
#include <openssl/evp.h>
#include "util/buf.h"
#include "mail/header.h"

#define CRYPTO_MAX_TAGS		64
#define CRYPTO_RSA_MIN_BITS	1024
#define CRYPTO_RSA_MAX_BITS	8192
#define CRYPTO_MAX_HNAMES	128
#define CRYPTO_BODYSET_MAX	72

enum { CRYPTO_CANON_SIMPLE = 0, CRYPTO_CANON_RELAXED = 1 };
enum { CRYPTO_ALG_NONE = 0, CRYPTO_ALG_RSA_SHA256, CRYPTO_ALG_ED25519_SHA256,
       CRYPTO_ALG_RSA_SHA1 };
enum { CRYPTO_SIG_DKIM = 0, CRYPTO_SIG_AMS, CRYPTO_SIG_AS };

struct crypto_tag {
    char    name[32];		/* longer names are refused */
    char   *value;			/* trimmed, NUL-terminated */
    size_t  vstart, vend;		/* value offsets in the input */
};

struct crypto_taglist {
    size_t  count;
    struct crypto_tag tags[CRYPTO_MAX_TAGS];
};

struct crypto_sig {
    int     kind;			/* CRYPTO_SIG_* */
    int     alg;			/* CRYPTO_ALG_* */
    int     hcanon, bcanon;		/* CRYPTO_CANON_* */
    int     instance;			/* ARC i= (1..50), DKIM 0 */
    char   *d, *s, *i;			/* domain, selector, DKIM i= (or NULL) */
    char   *cv;				/* AS cv= */
    char  **h;				/* h= names (lower case) */
    size_t  nh;
    unsigned char *b, *bh;		/* decoded */
    size_t  b_len, bh_len;
    long long l;			/* -1 = none */
    long long t, x;			/* -1 = none */
    int     c_missing;			/* no c= (defaults applied) */
    struct crypto_taglist tl;
};

#define CRYPTO_KEY_POOL		8	/* idle RSA verify contexts kept per key */

struct crypto_key {
    int     refs;			/* crypto_key_ref; crypto_key_free drops one */
    char   *k;				/* "rsa" or "ed25519" */
    char   *h;				/* acceptable hashes or NULL */
    char   *t;				/* flags or NULL */
    char   *s;				/* service types or NULL */
    int     revoked;			/* empty p= */
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *vctx;			/* RSA: verify context template */
    pthread_mutex_t lock;		/* guards pool */
    size_t  npool;
    EVP_PKEY_CTX *pool[CRYPTO_KEY_POOL];	/* idle copies of vctx */
};

struct crypto_body;

int crypto_taglist_parse(const char *s, size_t len, struct crypto_taglist *tl,
			 const char **why_r);
const struct crypto_tag *crypto_tag_get(const struct crypto_taglist *tl,
					const char *name);
void crypto_taglist_free(struct crypto_taglist *tl);
int crypto_b64_decode(const char *s, size_t len, unsigned char **out_r,
		      size_t *out_len_r);
char *crypto_b64_encode(const unsigned char *data, size_t len);

void crypto_canon_header(int canon, const char *raw, size_t len, int final_crlf,
			 struct buf *out);
struct crypto_body *crypto_body_alloc(int canon, long long limit);
void crypto_body_update(struct crypto_body *b, const char *data, size_t len);
int crypto_body_final(struct crypto_body *b, unsigned char *md32);
long long crypto_body_length(const struct crypto_body *b);
void crypto_body_free(struct crypto_body **b);
struct crypto_body *crypto_body_ref(struct crypto_body *b);
int crypto_body_same(const struct crypto_body *b, int canon, long long limit);
const EVP_MD *crypto_sha256(void);

struct crypto_bodyset;
struct crypto_bodyset *crypto_bodyset_alloc(void);
struct crypto_body *crypto_bodyset_get(struct crypto_bodyset *set, int canon,
				       long long limit);
void crypto_bodyset_update(struct crypto_bodyset *set, const char *data, size_t len);
size_t crypto_bodyset_count(const struct crypto_bodyset *set);
void crypto_bodyset_free(struct crypto_bodyset **set);
void crypto_canon_headers(const struct mail_hdrs *hdrs, char *const *names,
			  size_t nnames, int canon, const char *sig_raw,
			  size_t sig_len, struct buf *out);
int crypto_hash_headers(const struct mail_hdrs *hdrs, char *const *names,
			size_t nnames, int canon, const char *sig_raw,
			size_t sig_len, unsigned char *md32);
char *crypto_strip_b(const char *raw, size_t len, size_t *len_r);
char *crypto_sig_strip_b(const struct crypto_sig *sig, const struct mail_hdr *h,
			 size_t *len_r);

int crypto_sig_parse(int kind, const char *value, size_t len,
		     struct crypto_sig **sig_r, const char **why_r);
void crypto_sig_free(struct crypto_sig **sig);
int crypto_aar_instance(const char *value, size_t len);

int crypto_key_parse(const char *txt, size_t len, struct crypto_key **key_r,
		     const char **why_r);
void crypto_key_free(struct crypto_key **key);
struct crypto_key *crypto_key_ref(struct crypto_key *key);
int crypto_key_verify(struct crypto_key *key, int alg, const unsigned char *md32,
		      const unsigned char *sig, size_t sig_len);
int crypto_verify(int alg, EVP_PKEY *pkey, const unsigned char *md32,
		  const unsigned char *sig, size_t sig_len);
EVP_PKEY_CTX *crypto_verify_template(EVP_PKEY *pkey);
int crypto_sign(int alg, EVP_PKEY *pkey, const unsigned char *md32,
		unsigned char **sig_r, size_t *sig_len_r);
EVP_PKEY *crypto_privkey_load(const char *path, char **why_r);
char *crypto_private_file(const char *path, size_t *len_r, char **why_r);
void crypto_private_free(char *data);
EVP_PKEY *crypto_privkey_pem(const char *pem, size_t len, char **why_r);
EVP_PKEY *crypto_privkey_ed25519_seed(const unsigned char *seed, size_t len);
int crypto_pkey_alg(EVP_PKEY *pkey);
int crypto_pkey_bits_ok(EVP_PKEY *pkey, const char **why_r);
const char *crypto_alg_name(int alg);
char *crypto_fold_tags(const char *name, const char *text, const char *eol);

#endif
