/*
 * NAME
 *	sig - parse DKIM-Signature, ARC-Message-Signature, ARC-Seal and the
 *	instance of ARC-Authentication-Results
 * SYNOPSIS
 *	#include "crypto/crypto.h"
 *	int crypto_sig_parse(int kind, const char *value, size_t len,
 *			struct crypto_sig **sig_r, const char **why_r);
 *	void crypto_sig_free(struct crypto_sig **sig);
 *	int crypto_aar_instance(const char *value, size_t len);
 *	const char *crypto_alg_name(int alg);
 * DESCRIPTION
 *	crypto_sig_parse reads the value of a signature field of the given
 *	kind (CRYPTO_SIG_DKIM, _AMS, _AS), checks the required tags and
 *	their syntax, and decodes b= and bh=. The required tags are
 *	v a b bh d h s (DKIM, v=1), i a b bh d h s (AMS), i a b cv d s (AS;
 *	h= is forbidden there, RFC 8617 4.1.3). Missing c= means
 *	simple/simple for DKIM (RFC 6376 3.5); for an AMS it means
 *	relaxed/relaxed, as dkimpy reads it (c_missing is set so callers can
 *	report it). A DKIM i= must be in d= or a subdomain (RFC 6376 3.5).
 *	An AMS h= may be empty or hold empty names (they select nothing),
 *	as the ARC test suite expects; a DKIM h= must name From.
 *
 *	crypto_aar_instance reads the leading "i=N;" of an
 *	ARC-Authentication-Results value (RFC 8617 4.1.1).
 * DIAGNOSTICS
 *	crypto_sig_parse: 0 ok; -1 with *why_r (static text) and *sig_r NULL.
 *	crypto_aar_instance: the instance 1..50, or -1.
 * STANDARDS
 *	RFC 6376 3.5; RFC 8617 4.1.1-4.1.3; RFC 8463 (ed25519-sha256).
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <stdlib.h>
#include "crypto/crypto.h"
#include "util/xmalloc.h"

#define ARC_MAX_INSTANCE	50

/* crypto_alg_name - the a= name of an algorithm */
const char *crypto_alg_name(int alg)
{
    switch (alg) {
    case CRYPTO_ALG_RSA_SHA256:
	return "rsa-sha256";
    case CRYPTO_ALG_ED25519_SHA256:
	return "ed25519-sha256";
    case CRYPTO_ALG_RSA_SHA1:
	return "rsa-sha1";
    default:
	return "none";
    }
}

/* sig_number - parse a decimal of at most maxdig digits, -1 if bad */
static long long sig_number(const char *s, size_t maxdig)
{
    size_t  n = strlen(s), i;
    long long v = 0;

    if (n == 0 || n > maxdig)
	return -1;
    for (i = 0; i < n; i++) {
	if (!isdigit((unsigned char) s[i]))
	    return -1;
	v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* sig_alg - map a= to CRYPTO_ALG_* */
static int sig_alg(const char *a)
{
    if (strcmp(a, "rsa-sha256") == 0)
	return CRYPTO_ALG_RSA_SHA256;
    if (strcmp(a, "ed25519-sha256") == 0)
	return CRYPTO_ALG_ED25519_SHA256;
    if (strcmp(a, "rsa-sha1") == 0)
	return CRYPTO_ALG_RSA_SHA1;
    return CRYPTO_ALG_NONE;
}

/* sig_canon - parse c= (header[/body]) */
static int sig_canon(const char *c, int *h_r, int *b_r)
{
    const char *slash = strchr(c, '/');
    size_t  hl = slash ? (size_t) (slash - c) : strlen(c);

    if (hl == 6 && strncasecmp(c, "simple", 6) == 0)
	*h_r = CRYPTO_CANON_SIMPLE;
    else if (hl == 7 && strncasecmp(c, "relaxed", 7) == 0)
	*h_r = CRYPTO_CANON_RELAXED;
    else
	return -1;
    *b_r = CRYPTO_CANON_SIMPLE;
    if (slash == NULL)
	return 0;
    if (strcasecmp(slash + 1, "simple") == 0)
	*b_r = CRYPTO_CANON_SIMPLE;
    else if (strcasecmp(slash + 1, "relaxed") == 0)
	*b_r = CRYPTO_CANON_RELAXED;
    else
	return -1;
    return 0;
}

/* sig_hlist - split h= into lower-case names (ARC: empty names skipped) */
static int sig_hlist(struct crypto_sig *sig, const char *h)
{
    int     lenient = sig->kind == CRYPTO_SIG_AMS;

    const char *p = h, *e;

    sig->h = xcalloc(CRYPTO_MAX_HNAMES, sizeof(char *));
    for (;;) {
	const char *s, *t;
	char   *name;
	size_t  i;

	e = strchr(p, ':');
	if (e == NULL)
	    e = p + strlen(p);
	for (s = p; s < e && isspace((unsigned char) *s); s++)
	     /* void */ ;
	for (t = e; t > s && isspace((unsigned char) t[-1]); t--)
	     /* void */ ;
	if (t == s && lenient)
	    goto next;
	if (t == s || sig->nh >= CRYPTO_MAX_HNAMES)
	    return -1;
	name = xstrndup(s, (size_t) (t - s));
	for (i = 0; name[i]; i++) {
	    if (!(name[i] > 0x20 && name[i] < 0x7f) || name[i] == ':') {
		free(name);
		return -1;
	    }
	    name[i] = (char) tolower((unsigned char) name[i]);
	}
	sig->h[sig->nh++] = name;
next:
	if (*e == 0)
	    return 0;
	p = e + 1;
    }
}

/* sig_i_in_d - DKIM: the domain of i= is d= or below it */
static int sig_i_in_d(const char *i, const char *d)
{
    const char *at = strrchr(i, '@');
    size_t  il, dl = strlen(d);

    if (at == NULL)
	return 0;
    at++;
    il = strlen(at);
    if (il == dl)
	return strcasecmp(at, d) == 0;
    return il > dl && at[il - dl - 1] == '.' && strcasecmp(at + il - dl, d) == 0;
}

/* sig_check - the kind-specific checks, tags already parsed */
static int sig_check(struct crypto_sig *sig, const char **why_r)
{
    static const char *const req[3][8] = {
	{"v", "a", "b", "bh", "d", "h", "s", NULL},
	{"i", "a", "b", "bh", "d", "h", "s", NULL},
	{"i", "a", "b", "cv", "d", "s", NULL},
    };
    const struct crypto_tag *t;
    size_t  k;

    for (k = 0; req[sig->kind][k]; k++)
	if (crypto_tag_get(&sig->tl, req[sig->kind][k]) == NULL)
	    return (*why_r = "required tag missing", -1);
    if (sig->kind == CRYPTO_SIG_DKIM
	&& strcmp(crypto_tag_get(&sig->tl, "v")->value, "1") != 0)
	return (*why_r = "unsupported version", -1);
    if (sig->kind == CRYPTO_SIG_AS && crypto_tag_get(&sig->tl, "h"))
	return (*why_r = "h= tag in ARC-Seal", -1);
    if (sig->kind != CRYPTO_SIG_DKIM) {
	long long i = sig_number(crypto_tag_get(&sig->tl, "i")->value, 2);

	if (i < 1 || i > ARC_MAX_INSTANCE)
	    return (*why_r = "bad instance", -1);
	sig->instance = (int) i;
    }
    if ((sig->alg = sig_alg(crypto_tag_get(&sig->tl, "a")->value)) == CRYPTO_ALG_NONE)
	return (*why_r = "unknown algorithm", -1);
    sig->d = xstrdup(crypto_tag_get(&sig->tl, "d")->value);
    sig->s = xstrdup(crypto_tag_get(&sig->tl, "s")->value);
    if (*sig->d == 0 || *sig->s == 0)
	return (*why_r = "empty d= or s=", -1);
    if (crypto_b64_decode(crypto_tag_get(&sig->tl, "b")->value,
			  strlen(crypto_tag_get(&sig->tl, "b")->value),
			  &sig->b, &sig->b_len) < 0 || sig->b_len == 0)
	return (*why_r = "bad b= value", -1);
    if ((t = crypto_tag_get(&sig->tl, "bh")) != NULL
	&& (crypto_b64_decode(t->value, strlen(t->value), &sig->bh, &sig->bh_len) < 0
	    || sig->bh_len == 0))
	return (*why_r = "bad bh= value", -1);
    if ((t = crypto_tag_get(&sig->tl, "h")) != NULL && sig_hlist(sig, t->value) < 0)
	return (*why_r = "bad h= list", -1);
    if (sig->kind == CRYPTO_SIG_DKIM) {
	for (k = 0; k < sig->nh; k++)
	    if (strcmp(sig->h[k], "from") == 0)
		break;
	if (k == sig->nh)
	    return (*why_r = "From field not signed", -1);
    }
    return 0;
}

/* sig_optional - c= l= t= x= cv= i= (DKIM) */
static int sig_optional(struct crypto_sig *sig, const char **why_r)
{
    const struct crypto_tag *t;

    sig->hcanon = sig->bcanon = CRYPTO_CANON_SIMPLE;
    if ((t = crypto_tag_get(&sig->tl, "c")) != NULL) {
	if (sig_canon(t->value, &sig->hcanon, &sig->bcanon) < 0)
	    return (*why_r = "bad c= value", -1);
    } else if (sig->kind == CRYPTO_SIG_AMS) {
	sig->c_missing = 1;
	sig->hcanon = sig->bcanon = CRYPTO_CANON_RELAXED;
    }
    sig->l = sig->t = sig->x = -1;
    if ((t = crypto_tag_get(&sig->tl, "l")) != NULL
	&& (sig->l = sig_number(t->value, 17)) < 0)
	return (*why_r = "bad l= value", -1);
    if ((t = crypto_tag_get(&sig->tl, "t")) != NULL
	&& (sig->t = sig_number(t->value, 12)) < 0)
	return (*why_r = "bad t= value", -1);
    if ((t = crypto_tag_get(&sig->tl, "x")) != NULL
	&& (sig->x = sig_number(t->value, 12)) < 0)
	return (*why_r = "bad x= value", -1);
    if (sig->t >= 0 && sig->x >= 0 && sig->x < sig->t)
	return (*why_r = "x= before t=", -1);
    if ((t = crypto_tag_get(&sig->tl, "cv")) != NULL) {
	if (strcasecmp(t->value, "none") && strcasecmp(t->value, "pass")
	    && strcasecmp(t->value, "fail"))
	    return (*why_r = "bad cv= value", -1);
	sig->cv = xstrdup(t->value);
	for (char *p = sig->cv; *p; p++)
	    *p = (char) tolower((unsigned char) *p);
    }
    if (sig->kind == CRYPTO_SIG_DKIM) {
	if ((t = crypto_tag_get(&sig->tl, "i")) != NULL) {
	    if (!sig_i_in_d(t->value, sig->d))
		return (*why_r = "i= not within d=", -1);
	    sig->i = xstrdup(t->value);
	}
    }
    return 0;
}

/* crypto_sig_parse - parse and check a signature field value */
int crypto_sig_parse(int kind, const char *value, size_t len,
		     struct crypto_sig **sig_r, const char **why_r)
{
    struct crypto_sig *sig = xcalloc(1, sizeof(*sig));

    *sig_r = NULL;
    sig->kind = kind;
    if (crypto_taglist_parse(value, len, &sig->tl, why_r) < 0
	|| sig_check(sig, why_r) < 0 || sig_optional(sig, why_r) < 0) {
	crypto_sig_free(&sig);
	return -1;
    }
    *sig_r = sig;
    return 0;
}

/* crypto_sig_free - release a parsed signature */
void crypto_sig_free(struct crypto_sig **sigp)
{
    struct crypto_sig *sig = *sigp;
    size_t  k;

    if (sig == NULL)
	return;
    crypto_taglist_free(&sig->tl);
    for (k = 0; k < sig->nh; k++)
	free(sig->h[k]);
    free(sig->h);
    free(sig->d);
    free(sig->s);
    free(sig->i);
    free(sig->cv);
    free(sig->b);
    free(sig->bh);
    xfreep(sigp);
}

/* crypto_aar_instance - the i= that starts an ARC-Authentication-Results */
int crypto_aar_instance(const char *v, size_t len)
{
    size_t  p = 0;
    int     n = 0, digits = 0;

#define SKIP() while (p < len && (v[p] == ' ' || v[p] == '\t' || v[p] == '\r' || v[p] == '\n')) p++
    SKIP();
    if (p >= len || v[p] != 'i')
	return -1;
    p++;
    SKIP();
    if (p >= len || v[p] != '=')
	return -1;
    p++;
    SKIP();
    while (p < len && isdigit((unsigned char) v[p]) && digits < 3) {
	n = n * 10 + (v[p++] - '0');
	digits++;
    }
    SKIP();
#undef SKIP
    if (digits == 0 || p >= len || v[p] != ';' || n < 1 || n > ARC_MAX_INSTANCE)
	return -1;
    return n;
}
