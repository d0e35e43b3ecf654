/*
 * NAME
 *	key - DKIM key records, private keys, RSA and Ed25519 sign/verify
 * SYNOPSIS
 *	#include "crypto/crypto.h"
 *	int crypto_key_parse(const char *txt, size_t len, struct crypto_key **key_r,
 *			const char **why_r);
 *	void crypto_key_free(struct crypto_key **key);
 *	struct crypto_key *crypto_key_ref(struct crypto_key *key);
 *	int crypto_key_verify(struct crypto_key *key, int alg,
 *			const unsigned char *md32, const unsigned char *sig,
 *			size_t sig_len);
 *	int crypto_verify(int alg, EVP_PKEY *pkey, const unsigned char *md32,
 *			const unsigned char *sig, size_t sig_len);
 *	int crypto_sign(int alg, EVP_PKEY *pkey, const unsigned char *md32,
 *			unsigned char **sig_r, size_t *sig_len_r);
 *	EVP_PKEY *crypto_privkey_load(const char *path, char **why_r);
 *	EVP_PKEY *crypto_privkey_pem(const char *pem, size_t len, char **why_r);
 *	EVP_PKEY *crypto_privkey_ed25519_seed(const unsigned char *seed, size_t len);
 *	int crypto_pkey_alg(EVP_PKEY *pkey);
 *	int crypto_pkey_bits_ok(EVP_PKEY *pkey, const char **why_r);
 * DESCRIPTION
 *	crypto_key_parse reads a key record (RFC 6376 3.6.1): v=DKIM1 (first
 *	if present), k= (rsa default, ed25519), p= (base64 of a
 *	SubjectPublicKeyInfo or RSAPublicKey for rsa, the 32 raw octets for
 *	ed25519, RFC 8463 4.2), h=, s=, t=. An empty p= is a revoked key
 *	(key->revoked, no pkey). RSA keys outside 1024..8192 bits are
 *	refused: small ones are forgeable, huge ones are a CPU attack.
 *
 *	A key record is shared by reference counts (atomic: the key cache
 *	hands it to several threads). crypto_key_verify verifies with one
 *	of the key's idle RSA contexts (a mutex guards the pool; at most
 *	CRYPTO_KEY_POOL are kept, one per concurrent verifier is made from
 *	the template), so no context is set up per signature.
 *
 *	Both algorithms sign the SHA-256 of the canonicalized headers:
 *	RSA as PKCS#1 v1.5 with a SHA-256 DigestInfo, Ed25519 as PureEdDSA
 *	over those 32 octets (RFC 8463 3).
 *
 *	crypto_privkey_load reads a PEM private key (or a base64 Ed25519
 *	seed, RFC 8463's form) from a regular file that is not accessible by
 *	group or other; the buffer holding the key is cleansed.
 * DIAGNOSTICS
 *	crypto_key_parse: 0 ok, -1 with *why_r. crypto_verify,
 *	crypto_key_verify: 1 good, 0 bad. crypto_sign: 0 ok, -1 failure. crypto_privkey_*: NULL with
 *	*why_r allocated (never holding key material).
 * STANDARDS
 *	RFC 6376 3.3, 3.6.1; RFC 8301 (key sizes, no rsa-sha1); RFC 8463.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>
#include "crypto/crypto.h"
#include "util/xmalloc.h"

#define KEY_FILE_MAX	(64 * 1024)

/* key_pkey_from_p - build the public key of a p= value */
static EVP_PKEY *key_pkey_from_p(const char *k, const unsigned char *der,
				 size_t len, const char **why_r)
{
    const unsigned char *p = der;
    EVP_PKEY *pkey = NULL;

    if (strcasecmp(k, "ed25519") == 0) {
	if (len != 32)
	    return (*why_r = "ed25519 key is not 32 octets", NULL);
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
    } else {
	pkey = d2i_PUBKEY(NULL, &p, (long) len);
	if (pkey == NULL) {
	    p = der;
	    pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long) len);
	}
	if (pkey != NULL && EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
	    EVP_PKEY_free(pkey);
	    return (*why_r = "key type does not match k=", NULL);
	}
    }
    if (pkey == NULL)
	return (*why_r = "p= is not a public key", NULL);
    if (crypto_pkey_bits_ok(pkey, why_r) < 0) {
	EVP_PKEY_free(pkey);
	return NULL;
    }
    return pkey;
}

/* crypto_key_parse - parse a DKIM key record */
int crypto_key_parse(const char *txt, size_t len, struct crypto_key **key_r,
		     const char **why_r)
{
    struct crypto_taglist tl;
    const struct crypto_tag *t;
    struct crypto_key *key;
    unsigned char *der = NULL;
    size_t  der_len = 0;

    *key_r = NULL;
    if (crypto_taglist_parse(txt, len, &tl, why_r) < 0) {
	crypto_taglist_free(&tl);
	return -1;
    }
    key = xcalloc(1, sizeof(*key));
    key->refs = 1;
    pthread_mutex_init(&key->lock, NULL);
    if ((t = crypto_tag_get(&tl, "v")) != NULL
	&& (t != &tl.tags[0] || strcmp(t->value, "DKIM1") != 0)) {
	*why_r = "bad v= in key record";
	goto bad;
    }
    t = crypto_tag_get(&tl, "k");
    key->k = xstrdup(t ? t->value : "rsa");
    if (strcasecmp(key->k, "rsa") != 0 && strcasecmp(key->k, "ed25519") != 0) {
	*why_r = "unknown key type";
	goto bad;
    }
    if ((t = crypto_tag_get(&tl, "h")) != NULL)
	key->h = xstrdup(t->value);
    if ((t = crypto_tag_get(&tl, "s")) != NULL)
	key->s = xstrdup(t->value);
    if ((t = crypto_tag_get(&tl, "t")) != NULL)
	key->t = xstrdup(t->value);
    if ((t = crypto_tag_get(&tl, "p")) == NULL) {
	*why_r = "key record without p=";
	goto bad;
    }
    if (*t->value == 0) {
	key->revoked = 1;
    } else if (crypto_b64_decode(t->value, strlen(t->value), &der, &der_len) < 0) {
	*why_r = "p= is not base64";
	goto bad;
    } else if ((key->pkey = key_pkey_from_p(key->k, der, der_len, why_r)) == NULL) {
	goto bad;
    }
    key->vctx = crypto_verify_template(key->pkey);
    free(der);
    crypto_taglist_free(&tl);
    *key_r = key;
    return 0;
bad:
    free(der);
    crypto_taglist_free(&tl);
    crypto_key_free(&key);
    return -1;
}

/* crypto_key_free - release a key record */
void crypto_key_free(struct crypto_key **keyp)
{
    struct crypto_key *key = *keyp;
    size_t  k;

    if (key == NULL)
	return;
    *keyp = NULL;
    if (__atomic_sub_fetch(&key->refs, 1, __ATOMIC_ACQ_REL) > 0)
	return;
    for (k = 0; k < key->npool; k++)
	EVP_PKEY_CTX_free(key->pool[k]);
    pthread_mutex_destroy(&key->lock);
    EVP_PKEY_CTX_free(key->vctx);
    EVP_PKEY_free(key->pkey);
    free(key->k);
    free(key->h);
    free(key->s);
    free(key->t);
    free(key);
}

/* crypto_key_ref - one more owner of a key record */
struct crypto_key *crypto_key_ref(struct crypto_key *key)
{
    __atomic_add_fetch(&key->refs, 1, __ATOMIC_RELAXED);
    return key;
}

/* crypto_key_verify - verify with the key, RSA through an idle pooled context */
int crypto_key_verify(struct crypto_key *key, int alg, const unsigned char *md32,
		      const unsigned char *sig, size_t sig_len)
{
    EVP_PKEY_CTX *ctx = NULL;
    int     good;

    if (key->vctx == NULL || alg != CRYPTO_ALG_RSA_SHA256)
	return crypto_verify(alg, key->pkey, md32, sig, sig_len);
    pthread_mutex_lock(&key->lock);
    if (key->npool > 0)
	ctx = key->pool[--key->npool];
    else				/* the template is read under the lock too */
	ctx = EVP_PKEY_CTX_dup(key->vctx);
    pthread_mutex_unlock(&key->lock);
    if (ctx == NULL)
	return crypto_verify(alg, key->pkey, md32, sig, sig_len);
    good = EVP_PKEY_verify(ctx, sig, sig_len, md32, 32) == 1;
    pthread_mutex_lock(&key->lock);
    if (key->npool < CRYPTO_KEY_POOL) {
	key->pool[key->npool++] = ctx;
	ctx = NULL;
    }
    pthread_mutex_unlock(&key->lock);
    EVP_PKEY_CTX_free(ctx);
    return good;
}

/* crypto_pkey_alg - the signing algorithm of a key */
int crypto_pkey_alg(EVP_PKEY *pkey)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
	return CRYPTO_ALG_RSA_SHA256;
    case EVP_PKEY_ED25519:
	return CRYPTO_ALG_ED25519_SHA256;
    default:
	return CRYPTO_ALG_NONE;
    }
}

/* crypto_pkey_bits_ok - refuse RSA keys outside 1024..8192 bits */
int crypto_pkey_bits_ok(EVP_PKEY *pkey, const char **why_r)
{
    int     bits = EVP_PKEY_get_bits(pkey);

    if (crypto_pkey_alg(pkey) == CRYPTO_ALG_NONE)
	return (*why_r = "unsupported key type", -1);
    if (crypto_pkey_alg(pkey) == CRYPTO_ALG_RSA_SHA256) {
	if (bits < CRYPTO_RSA_MIN_BITS)
	    return (*why_r = "RSA key shorter than 1024 bits", -1);
	if (bits > CRYPTO_RSA_MAX_BITS)
	    return (*why_r = "RSA key longer than 8192 bits", -1);
    }
    return 0;
}

/* crypto_verify_template - an RSA verify context ready for EVP_PKEY_CTX_dup, or NULL */
EVP_PKEY_CTX *crypto_verify_template(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *pctx;

    if (pkey == NULL || crypto_pkey_alg(pkey) != CRYPTO_ALG_RSA_SHA256
	|| (pctx = EVP_PKEY_CTX_new(pkey, NULL)) == NULL)
	return NULL;
    if (EVP_PKEY_verify_init(pctx) != 1
	|| EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1
	|| EVP_PKEY_CTX_set_signature_md(pctx, crypto_sha256()) != 1) {
	EVP_PKEY_CTX_free(pctx);
	return NULL;
    }
    return pctx;
}

/* crypto_verify - check a signature over the 32-octet header hash */
int crypto_verify(int alg, EVP_PKEY *pkey, const unsigned char *md32,
		  const unsigned char *sig, size_t sig_len)
{
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = NULL;
    int     good = 0;

    if (alg != crypto_pkey_alg(pkey))
	return 0;
    if (alg == CRYPTO_ALG_RSA_SHA256) {
	if ((pctx = EVP_PKEY_CTX_new(pkey, NULL)) != NULL
	    && EVP_PKEY_verify_init(pctx) == 1
	    && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
	    && EVP_PKEY_CTX_set_signature_md(pctx, crypto_sha256()) == 1)
	    good = EVP_PKEY_verify(pctx, sig, sig_len, md32, 32) == 1;
	EVP_PKEY_CTX_free(pctx);
    } else if (alg == CRYPTO_ALG_ED25519_SHA256) {
	if ((mctx = EVP_MD_CTX_new()) != NULL
	    && EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, pkey) == 1)
	    good = EVP_DigestVerify(mctx, sig, sig_len, md32, 32) == 1;
	EVP_MD_CTX_free(mctx);
    }
    return good;
}

/* crypto_sign - sign the 32-octet header hash */
int crypto_sign(int alg, EVP_PKEY *pkey, const unsigned char *md32,
		unsigned char **sig_r, size_t *sig_len_r)
{
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = NULL;
    size_t  len = (size_t) EVP_PKEY_get_size(pkey);
    unsigned char *sig = xmalloc(len + 1);
    int     ret = -1;

    if (alg != crypto_pkey_alg(pkey)) {
	free(sig);
	return -1;
    }
    if (alg == CRYPTO_ALG_RSA_SHA256) {
	if ((pctx = EVP_PKEY_CTX_new(pkey, NULL)) != NULL
	    && EVP_PKEY_sign_init(pctx) == 1
	    && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
	    && EVP_PKEY_CTX_set_signature_md(pctx, crypto_sha256()) == 1
	    && EVP_PKEY_sign(pctx, sig, &len, md32, 32) == 1)
	    ret = 0;
	EVP_PKEY_CTX_free(pctx);
    } else {
	if ((mctx = EVP_MD_CTX_new()) != NULL
	    && EVP_DigestSignInit(mctx, NULL, NULL, NULL, pkey) == 1
	    && EVP_DigestSign(mctx, sig, &len, md32, 32) == 1)
	    ret = 0;
	EVP_MD_CTX_free(mctx);
    }
    if (ret < 0) {
	free(sig);
	return -1;
    }
    *sig_r = sig;
    *sig_len_r = len;
    return 0;
}

/* crypto_privkey_ed25519_seed - an Ed25519 private key from its seed */
EVP_PKEY *crypto_privkey_ed25519_seed(const unsigned char *seed, size_t len)
{
    if (len != 32)
	return NULL;
    return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, len);
}

/* crypto_privkey_pem - a private key from PEM text or a base64 seed */
EVP_PKEY *crypto_privkey_pem(const char *pem, size_t len, char **why_r)
{
    BIO    *bio = BIO_new_mem_buf(pem, (int) len);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    unsigned char *seed = NULL;
    size_t  seed_len = 0;
    const char *why;

    BIO_free(bio);
    if (pkey == NULL && memchr(pem, '-', len) == NULL
	&& crypto_b64_decode(pem, len, &seed, &seed_len) == 0) {
	pkey = crypto_privkey_ed25519_seed(seed, seed_len);
	OPENSSL_cleanse(seed, seed_len);
    }
    free(seed);
    if (pkey == NULL) {
	*why_r = xstrdup("not a PEM private key or an Ed25519 seed");
	return NULL;
    }
    if (crypto_pkey_bits_ok(pkey, &why) < 0) {
	*why_r = xstrdup(why);
	EVP_PKEY_free(pkey);
	return NULL;
    }
    return pkey;
}

/* crypto_private_file - the contents of a file kept private (group/other: refused) */
char *crypto_private_file(const char *path, size_t *len_r, char **why_r)
{
    struct stat st;
    char   *data;
    ssize_t n;
    size_t  len = 0;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
	*why_r = xasprintf("key file %s: %s", path,
			   errno == ENOENT ? "no such file" :
			   errno == EACCES ? "permission denied" : "cannot open");
	return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
	close(fd);
	*why_r = xasprintf("key file %s: not a regular file", path);
	return NULL;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
	close(fd);
	*why_r = xasprintf("key file %s is accessible by group or other "
			   "(mode %04o): refused, chmod 600 it", path,
			   (unsigned) (st.st_mode & 07777));
	return NULL;
    }
    data = xmalloc(KEY_FILE_MAX + 1);
    while (len < KEY_FILE_MAX && (n = read(fd, data + len, KEY_FILE_MAX - len)) > 0)
	len += (size_t) n;
    close(fd);
    data[len] = 0;
    *len_r = len;
    return data;
}

/* crypto_private_free - cleanse and free what crypto_private_file returned */
void crypto_private_free(char *data)
{
    if (data != NULL)
	OPENSSL_cleanse(data, KEY_FILE_MAX + 1);
    free(data);
}

/* crypto_privkey_load - read a private key file kept private */
EVP_PKEY *crypto_privkey_load(const char *path, char **why_r)
{
    char   *data, *why = NULL;
    size_t  len = 0;
    EVP_PKEY *pkey;

    if ((data = crypto_private_file(path, &len, why_r)) == NULL)
	return NULL;
    pkey = crypto_privkey_pem(data, len, &why);
    crypto_private_free(data);
    if (pkey == NULL) {
	*why_r = xasprintf("key file %s: %s", path, why);
	free(why);
    }
    return pkey;
}
