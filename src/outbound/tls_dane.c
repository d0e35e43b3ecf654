/*
 * NAME
 *	tls_dane.c - OpenSSL contexts, TLSA lookups, DANE and CA verification
 * DESCRIPTION
 *	See tls_dane.h. All DANE matching is OpenSSL's (SSL_dane_*): this file
 *	only chooses the records and reads the verdict.
 */
#include "config.h"
#include "outbound/tls_dane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "dns/dns.h"
#include "util/xmalloc.h"

/* ob_tls_err - append OpenSSL's last error to why */
void ob_tls_err(struct buf *why, const char *what)
{
    char text[160];
    unsigned long e = ERR_get_error();

    ERR_error_string_n(e, text, sizeof(text));
    buf_printf(why, "%s: %s", what, e ? text : "unknown error");
    ERR_clear_error();
}

/* ob_tls_client_ctx - the context for all next-hop connections */
SSL_CTX *ob_tls_client_ctx(const char *ca_file, struct buf *why_r)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL) {
	ob_tls_err(why_r, "SSL_CTX_new");
	return NULL;
    }
    if (SSL_CTX_dane_enable(ctx) <= 0) {
	ob_tls_err(why_r, "SSL_CTX_dane_enable");
	SSL_CTX_free(ctx);
	return NULL;
    }
    if (ca_file != NULL && *ca_file) {
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
	    ob_tls_err(why_r, ca_file);
	    SSL_CTX_free(ctx);
	    return NULL;
	}
    } else {
	(void) SSL_CTX_set_default_verify_paths(ctx);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return ctx;
}

/* ob_tlsa_free - release TLSA records */
void ob_tlsa_free(struct ob_tlsa *t)
{
    for (size_t i = 0; i < t->count; i++)
	free(t->rrs[i].data);
    free(t->rrs);
    t->rrs = NULL;
    t->count = 0;
}

/* tlsa_usable - may this record take part in SMTP DANE (RFC 7672 3.1)? */
static int tlsa_usable(const struct dns_rr *rr)
{
    if (rr->u.tlsa.usage != 2 && rr->u.tlsa.usage != 3)
	return 0;
    if (rr->u.tlsa.selector > 1 || rr->u.tlsa.mtype > 2)
	return 0;
    if (rr->u.tlsa.mtype == 1 && rr->u.tlsa.len != 32)
	return 0;
    if (rr->u.tlsa.mtype == 2 && rr->u.tlsa.len != 64)
	return 0;
    return rr->u.tlsa.len > 0;
}

/* ob_dane_lookup - the DANE state of one host */
int ob_dane_lookup(struct dns_resolver *dns, const char *host, int port, struct ob_tlsa *t,
		   struct buf *why_r)
{
    struct dns_answer *a = NULL;
    char name[300];
    int st;

    memset(t, 0, sizeof(*t));
    snprintf(name, sizeof(name), "_%d._tcp.%s", port, host);
    st = dns_lookup(dns, name, DNS_T_TLSA, NULL, &a);
    if (st == DNS_TEMP || st == DNS_PERM) {
	buf_printf(why_r, "TLSA lookup of %s: %s", name, a->reason ? a->reason : "failed");
	t->state = OB_DANE_FAIL;
    } else if (st == DNS_NOTFOUND || !a->secure) {
	t->state = OB_DANE_NONE;
    } else {
	t->rrs = xcalloc(a->count, sizeof(*t->rrs));
	for (size_t i = 0; i < a->count; i++) {
	    const struct dns_rr *rr = &a->rrs[i];
	    struct ob_tlsa_rr *o = &t->rrs[t->count];

	    if (!tlsa_usable(rr))
		continue;
	    o->usage = rr->u.tlsa.usage;
	    o->selector = rr->u.tlsa.selector;
	    o->mtype = rr->u.tlsa.mtype;
	    o->data = xmalloc(rr->u.tlsa.len);
	    memcpy(o->data, rr->u.tlsa.data, rr->u.tlsa.len);
	    o->len = rr->u.tlsa.len;
	    t->count++;
	}
	t->state = t->count > 0 ? OB_DANE_USABLE : OB_DANE_UNUSABLE;
    }
    dns_answer_free(&a);
    return t->state;
}

/* ob_tls_client_new - an SSL for one next-hop connection */
SSL *ob_tls_client_new(SSL_CTX *ctx, const char *host, const char *domain,
		       enum ob_tls_level level, const struct ob_tlsa *t, int ocsp)
{
    SSL *ssl = SSL_new(ctx);

    if (ssl == NULL)
	return NULL;
    if (ocsp > 0)
	(void) SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
    (void) SSL_set_tlsext_host_name(ssl, host);
    if (t != NULL && t->state == OB_DANE_USABLE) {
	if (SSL_dane_enable(ssl, host) <= 0)
	    goto bad;
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	for (size_t i = 0; i < t->count; i++)
	    (void) SSL_dane_tlsa_add(ssl, t->rrs[i].usage, t->rrs[i].selector,
				     t->rrs[i].mtype, t->rrs[i].data, t->rrs[i].len);
    } else if (level >= OB_TLS_VERIFY) {
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (SSL_set1_host(ssl, host) != 1)
	    goto bad;
	if (level == OB_TLS_SECURE && domain != NULL && SSL_add1_host(ssl, domain) != 1)
	    goto bad;
    }
    return ssl;
  bad:
    SSL_free(ssl);
    ERR_clear_error();
    return NULL;
}

/* tls_info - protocol, cipher and peer name of a finished handshake */
static void tls_info(SSL *ssl, struct ob_tls_info *info)
{
    X509 *peer = SSL_get1_peer_certificate(ssl);

    memset(info, 0, sizeof(*info));
    snprintf(info->protocol, sizeof(info->protocol), "%s", SSL_get_version(ssl));
    snprintf(info->cipher, sizeof(info->cipher), "%s", SSL_get_cipher_name(ssl));
    if (peer != NULL) {
	X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
				  info->peer_cn, sizeof(info->peer_cn));
	X509_free(peer);
    }
    snprintf(info->cv, sizeof(info->cv), "no");
}

/* ob_tls_peer_check - does the finished handshake meet the level? */
int ob_tls_peer_check(SSL *ssl, enum ob_tls_level level, const struct ob_tlsa *t,
		      struct ob_tls_info *info, struct buf *why_r)
{
    long vr = SSL_get_verify_result(ssl);
    X509 *peer = SSL_get0_peer_certificate(ssl);

    tls_info(ssl, info);
    if (t != NULL && t->state == OB_DANE_USABLE) {
	uint8_t usage, selector, mtype;
	int depth = SSL_get0_dane_authority(ssl, NULL, NULL);

	if (peer == NULL || vr != X509_V_OK || depth < 0) {
	    buf_printf(why_r, "DANE verification failed: %s",
		       peer == NULL ? "no server certificate"
		       : vr != X509_V_OK ? X509_verify_cert_error_string(vr)
		       : "no TLSA record matched");
	    return -1;
	}
	if (SSL_get0_dane_tlsa(ssl, &usage, &selector, &mtype, NULL, NULL) >= 0)
	    info->usage_mask |= 1u << usage;
	info->dane = info->verified = 1;
	snprintf(info->cv, sizeof(info->cv), "dane");
	return 0;
    }
    if (peer != NULL && vr == X509_V_OK && level >= OB_TLS_VERIFY) {
	info->verified = 1;
	snprintf(info->cv, sizeof(info->cv), "yes");
    }
    if (level >= OB_TLS_VERIFY && !info->verified) {
	buf_printf(why_r, "server certificate not verified: %s",
		   peer == NULL ? "no certificate" : X509_verify_cert_error_string(vr));
	return -1;
    }
    if (level == OB_TLS_DANE_ONLY) {
	buf_printf(why_r, "dane-only: no usable TLSA records");
	return -1;
    }
    return 0;
}

/* ocsp_status - verify the stapled response and find the leaf's status */
static const char *ocsp_status(SSL *ssl, const unsigned char *der, long len)
{
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    X509 *leaf = SSL_get0_peer_certificate(ssl), *issuer = NULL;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &der, len);
    OCSP_BASICRESP *bs = NULL;
    OCSP_CERTID *id = NULL;
    ASN1_GENERALIZEDTIME *thisupd, *nextupd;
    const char *st = "invalid";
    int status, reason;

    for (int i = 0; chain != NULL && leaf != NULL && i < sk_X509_num(chain); i++)
	if (X509_check_issued(sk_X509_value(chain, i), leaf) == X509_V_OK)
	    issuer = sk_X509_value(chain, i);
    if (resp == NULL || issuer == NULL
	|| OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL
	|| (bs = OCSP_response_get1_basic(resp)) == NULL
	|| OCSP_basic_verify(bs, chain, SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
			     OCSP_TRUSTOTHER) <= 0
	|| (id = OCSP_cert_to_id(NULL, leaf, issuer)) == NULL
	|| OCSP_resp_find_status(bs, id, &status, &reason, NULL, &thisupd, &nextupd) != 1
	|| OCSP_check_validity(thisupd, nextupd, 300, -1) != 1)
	goto out;
    st = status == V_OCSP_CERTSTATUS_GOOD ? "good"
	: status == V_OCSP_CERTSTATUS_REVOKED ? "revoked" : "unknown";
  out:
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    ERR_clear_error();
    return st;
}

/* ob_tls_ocsp_check - the stapled OCSP status; -1 when required and not good */
int ob_tls_ocsp_check(SSL *ssl, int ocsp, struct ob_tls_info *info, struct buf *why_r)
{
    const unsigned char *der = NULL;
    long len;

    if (ocsp <= 0)
	return 0;
    len = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
    snprintf(info->ocsp, sizeof(info->ocsp), "%s",
	     der == NULL || len <= 0 ? "none" : ocsp_status(ssl, der, len));
    if (ocsp >= 2 && strcmp(info->ocsp, "good") != 0) {
	buf_printf(why_r, "OCSP stapling required, status %s", info->ocsp);
	return -1;
    }
    return 0;
}
