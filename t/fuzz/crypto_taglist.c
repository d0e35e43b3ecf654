/*
 * t/fuzz/crypto_taglist.c - fuzz target: tag-list parser, DKIM-Signature /
 * ARC-Message-Signature / ARC-Seal parsing, ARC-Authentication-Results
 * instance, key records and base64. Checks invariants (tag values lie
 * inside the input, decoded base64 re-encodes to the same digits,
 * parsed instances are 1..50) and aborts when one breaks.
 */
#include "config.h"
#include "crypto/crypto.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_taglist - offsets and values agree with the input */
static void check_taglist(const char *s, size_t len)
{
    struct crypto_taglist tl;
    const char *why;
    size_t  i;

    if (crypto_taglist_parse(s, len, &tl, &why) == 0) {
	for (i = 0; i < tl.count; i++) {
	    const struct crypto_tag *t = &tl.tags[i];

	    if (t->vstart > t->vend || t->vend > len
		|| strlen(t->value) != t->vend - t->vstart
		|| memcmp(t->value, s + t->vstart, t->vend - t->vstart) != 0)
		abort();
	    if (crypto_tag_get(&tl, t->name) != t)
		abort();
	}
    }
    crypto_taglist_free(&tl);
}

/* check_b64 - decode, encode, decode again gives the same octets */
static void check_b64(const char *s, size_t len)
{
    unsigned char *out = NULL, *again = NULL;
    size_t  n, m;
    char   *enc;

    if (crypto_b64_decode(s, len, &out, &n) < 0)
	return;
    enc = crypto_b64_encode(out, n);
    if (crypto_b64_decode(enc, strlen(enc), &again, &m) < 0 || m != n
	|| memcmp(out, again, n) != 0)
	abort();
    free(enc);
    free(out);
    free(again);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *) data, *why;
    struct crypto_sig *sig = NULL;
    struct crypto_key *key = NULL;
    char   *stripped, *raw;
    size_t  slen;
    int     kind, inst;

    check_taglist(s, size);
    check_b64(s, size);
    for (kind = CRYPTO_SIG_DKIM; kind <= CRYPTO_SIG_AS; kind++) {
	if (crypto_sig_parse(kind, s, size, &sig, &why) == 0) {
	    if (kind != CRYPTO_SIG_DKIM && (sig->instance < 1 || sig->instance > 50))
		abort();
	    if (sig->d == NULL || sig->s == NULL || sig->b_len == 0)
		abort();
	    crypto_sig_free(&sig);
	}
	if (sig != NULL)
	    abort();
    }
    inst = crypto_aar_instance(s, size);
    if (inst != -1 && (inst < 1 || inst > 50))
	abort();
    if (crypto_key_parse(s, size, &key, &why) == 0)
	crypto_key_free(&key);
    raw = xmalloc(size + 4);
    memcpy(raw, "X: ", 3);
    memcpy(raw + 3, data, size);
    raw[size + 3] = 0;
    if ((stripped = crypto_strip_b(raw, size + 3, &slen)) != NULL) {
	if (slen > size + 3)
	    abort();
	free(stripped);
    }
    free(raw);
    return 0;
}
