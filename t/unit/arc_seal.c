/*
 * NAME
 *	arc_seal - sealing round trips: seal, verify, seal again, tamper
 * DESCRIPTION
 *	Keys are made at test time (RSA 2048 and Ed25519) and published
 *	through the key fetch callback. Proves: a sealed message verifies as
 *	pass; a second hop's seal keeps the chain passing with arc_domains
 *	in chain order and arc_oldest_pass 1; a changed body breaks the
 *	chain; a failed chain is sealed with cv=fail and then never extended;
 *	the AAR gathers every A-R field with our authserv-id in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "crypto/arc.h"
#include "mail/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"

static char *txt_hop1, *txt_hop2;

/* pub_record - the DKIM key record of a key pair */
static char *pub_record(EVP_PKEY *pkey)
{
    unsigned char *der = NULL, raw[32];
    size_t  rawlen = sizeof(raw);
    char   *b64, *rec;
    int     len;

    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
	EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen);
	b64 = crypto_b64_encode(raw, rawlen);
	rec = xasprintf("v=DKIM1; k=ed25519; p=%s", b64);
    } else {
	len = i2d_PUBKEY(pkey, &der);
	b64 = crypto_b64_encode(der, (size_t) len);
	rec = xasprintf("v=DKIM1; k=rsa; p=%s", b64);
	OPENSSL_free(der);
    }
    free(b64);
    return rec;
}

/* fetch - hop1 and hop2 selectors */
static int fetch(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    (void) ctx;
    if (strcmp(name, "arc1._domainkey.hop1.example") == 0)
	return (*txt_r = xstrdup(txt_hop1), 1);
    if (strcmp(name, "arc2._domainkey.hop2.example") == 0)
	return (*txt_r = xstrdup(txt_hop2), 1);
    *why_r = "NXDOMAIN";
    return 0;
}

/* verify - chain state of a message text */
static void verify(const char *text, struct arc_result *res)
{
    struct crypto_keysrc src = {fetch, NULL, NULL, 0};
    struct mail_msg *m = NULL;
    struct arc_verify *v;
    const char *why;

    memset(res, 0, sizeof(*res));
    res->state = -1;
    if (mail_msg_read_buf(text, strlen(text), &m, &why) < 0)
	return;
    v = arc_verify_start(m->hdrs);
    arc_verify_body(v, m->body, m->body_len);
    arc_verify_end(v, &src, res);
    arc_verify_free(&v);
    mail_msg_free(&m);
}

/* seal - verify, then seal text as hop; returns the new text or NULL */
static char *seal(const char *text, const char *domain, const char *sel, EVP_PKEY *key,
		  struct arc_seal_out *out_r, const char **why_r)
{
    struct arc_seal_opts o = {"mx.hop.example", domain, sel, key,
	"from:to:subject:date", 1700000000, 1700086400, "\r\n"};
    struct mail_msg *m = NULL;
    struct arc_result chain;
    char   *res = NULL;

    verify(text, &chain);
    if (mail_msg_read_buf(text, strlen(text), &m, why_r) == 0
	&& arc_seal(m->hdrs, m->body, m->body_len, &chain, &o, out_r, why_r) == 0)
	res = xasprintf("ARC-Seal:%s\r\nARC-Message-Signature:%s\r\n"
			"ARC-Authentication-Results:%s\r\n%s", out_r->as, out_r->ams,
			out_r->aar, text);
    arc_result_clear(&chain);
    mail_msg_free(&m);
    return res;
}

int     main(void)
{
    EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    const char *msg = "Authentication-Results: mx.hop.example; spf=pass\r\n"
	"  smtp.mailfrom=a@origin.example\r\n"
	"Authentication-Results: other.example; dkim=fail\r\n"
	"Authentication-Results: mx.hop.example; dkim=pass header.d=origin.example;\r\n"
	"\tdmarc=pass\r\n"
	"From: A <a@origin.example>\r\nTo: b@list.example\r\nSubject: hi\r\n"
	"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\nHello,\r\n\r\nworld.\r\n\r\n";
    struct arc_seal_out o1, o2, o3, o4;
    struct arc_result r;
    const char *why = NULL;
    char   *s1, *s2, *bad, *s3, *s4;

    txt_hop1 = pub_record(k1);
    txt_hop2 = pub_record(k2);

    s1 = seal(msg, "hop1.example", "arc1", k1, &o1, &why);
    ok(s1 != NULL && o1.instance == 1, "the first hop seals instance 1");
    if (s1 == NULL)
	return done_testing();
    ok(strstr(o1.as, "cv=none") && strstr(o1.ams, "x=1700086400") && strstr(o1.ams, "t=1700000000"),
       "instance 1 says cv=none; t= and x= are written");
    ok(strcmp(o1.aar, " i=1; mx.hop.example;\r\n spf=pass smtp.mailfrom=a@origin.example;\r\n"
	      " dkim=pass header.d=origin.example;\r\n dmarc=pass") == 0,
       "the AAR gathers our A-R results in order, one per line");
    verify(s1, &r);
    ok(r.state == ARC_PASS && r.count == 1 && r.oldest_pass == 1,
       "a sealed message verifies as pass (%s)", r.reason ? r.reason : "pass");
    arc_result_clear(&r);

    s2 = seal(s1, "hop2.example", "arc2", k2, &o2, &why);
    ok(s2 != NULL && o2.instance == 2 && strstr(o2.as, "cv=pass") && strstr(o2.as, "a=ed25519-sha256"),
       "the second hop seals instance 2 with cv=pass and Ed25519");
    verify(s2, &r);
    ok(r.state == ARC_PASS && r.count == 2 && r.domains && strcmp(r.domains, "hop1.example:hop2.example") == 0
       && r.oldest_pass == 1, "two sets pass; arc_domains in chain order; oldest pass 1 (%s)",
       r.reason ? r.reason : "pass");
    arc_result_clear(&r);

    bad = xstrdup(s2);
    *strstr(bad, "world.") = 'W';
    verify(bad, &r);
    ok(r.state == ARC_FAIL && strcmp(r.reason, "body hash mismatch") == 0,
       "a changed body breaks the chain (%s)", r.reason ? r.reason : "");
    arc_result_clear(&r);

    s3 = seal(bad, "hop1.example", "arc1", k1, &o3, &why);
    ok(s3 != NULL && strstr(o3.as, "cv=fail") && o3.instance == 3,
       "a failed chain is sealed with cv=fail");
    verify(s3, &r);
    ok(r.state == ARC_FAIL, "a chain sealed as failed verifies as fail");
    arc_result_clear(&r);
    why = NULL;
    s4 = seal(s3, "hop2.example", "arc2", k2, &o4, &why);
    ok(s4 == NULL && why && strstr(why, "failed"), "a chain sealed as failed is never extended (%s)",
       why ? why : "");

    arc_seal_out_clear(&o1);
    arc_seal_out_clear(&o2);
    arc_seal_out_clear(&o3);
    arc_seal_out_clear(&o4);
    free(s4);
    free(s1);
    free(s2);
    free(s3);
    free(bad);
    free(txt_hop1);
    free(txt_hop2);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
    return done_testing();
}
