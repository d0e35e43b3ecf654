/*
 * NAME
 *	server_cert.c - the STARTTLS certificate offered to the MTA
 * DESCRIPTION
 *	See server_cert.h. Key files are read by crypto_private_file (the
 *	group/other check); everything else is OpenSSL's PEM code.
 */
#include "config.h"
#include "outbound/server_cert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "outbound/tls_dane.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define CERT_DAYS	3650		/* lifetime of a made certificate */
#define CERT_RENEW_S	(30L * 86400)	/* replaced when it expires sooner */

/* cert_make - a fresh EC P-256 key and a self-signed certificate for name */
static int cert_make(const char *name, EVP_PKEY **pkey_r, X509 **x_r, struct buf *why_r)
{
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *subj;
    X509_EXTENSION *ext = NULL;
    char *san;
    int ok = 0;

    if (name == NULL || *name == 0)
	name = "localhost";
    if (pkey == NULL || x == NULL)
	goto out;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long) time(NULL));
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), CERT_DAYS * 86400L);
    X509_set_pubkey(x, pkey);
    subj = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *) name, -1,
			       -1, 0);
    X509_set_issuer_name(x, subj);
    san = xasprintf("DNS:%s", name);
    ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);
    free(san);
    if (ext != NULL)		/* a name that is no DNS name keeps just the CN */
	X509_add_ext(x, ext, -1);
    ERR_clear_error();
    ok = X509_sign(x, pkey, EVP_sha256()) > 0;
  out:
    X509_EXTENSION_free(ext);
    if (!ok) {
	ob_tls_err(why_r, "self-signed certificate");
	X509_free(x);
	EVP_PKEY_free(pkey);
	return -1;
    }
    *pkey_r = pkey;
    *x_r = x;
    return 0;
}

/* cert_ctx - a server context with pkey and x (not taken over) */
static SSL_CTX *cert_ctx(EVP_PKEY *pkey, X509 *x, struct buf *why_r)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (ctx == NULL) {
	ob_tls_err(why_r, "SSL_CTX_new");
	return NULL;
    }
    if (SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, pkey) != 1
	|| SSL_CTX_check_private_key(ctx) != 1) {
	ob_tls_err(why_r, "STARTTLS certificate");
	SSL_CTX_free(ctx);
	return NULL;
    }
    return ctx;
}

/* cert_memory_ctx - a context with a certificate made for this run */
static SSL_CTX *cert_memory_ctx(const char *name, struct buf *why_r)
{
    EVP_PKEY *pkey;
    X509 *x;
    SSL_CTX *ctx;

    if (cert_make(name, &pkey, &x, why_r) < 0)
	return NULL;
    ctx = cert_ctx(pkey, x, why_r);
    X509_free(x);
    EVP_PKEY_free(pkey);
    return ctx;
}

/* cert_load_key - a PEM private key from a file kept private; NULL with why_r */
static EVP_PKEY *cert_load_key(const char *path, struct buf *why_r)
{
    char *why = NULL, *data;
    size_t len;
    EVP_PKEY *pkey = NULL;
    BIO *bio;

    if ((data = crypto_private_file(path, &len, &why)) == NULL) {
	buf_printf(why_r, "outbound: STARTTLS %s", why);
	free(why);
	return NULL;
    }
    if ((bio = BIO_new_mem_buf(data, (int) len)) != NULL)
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    crypto_private_free(data);
    ERR_clear_error();
    if (pkey == NULL)
	buf_printf(why_r, "outbound: STARTTLS key file %s: no PEM private key", path);
    return pkey;
}

/* ob_tls_server_ctx - files given: those; none: made in memory */
SSL_CTX *ob_tls_server_ctx(const char *cert, const char *key, const char *name,
			   struct buf *why_r)
{
    SSL_CTX *ctx;
    EVP_PKEY *pkey;

    if (cert == NULL || *cert == 0)
	return cert_memory_ctx(name, why_r);
    if ((pkey = cert_load_key(key != NULL && *key ? key : cert, why_r)) == NULL)
	return NULL;
    if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
	ob_tls_err(why_r, "SSL_CTX_new");
    } else if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
	ob_tls_err(why_r, cert);
	SSL_CTX_free(ctx);
	ctx = NULL;
    } else if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
	ob_tls_err(why_r, key != NULL && *key ? key : cert);
	SSL_CTX_free(ctx);
	ctx = NULL;
    }
    EVP_PKEY_free(pkey);
    return ctx;
}

/* cert_load_x509 - the certificate in path, or NULL */
static X509 *cert_load_x509(const char *path)
{
    FILE *fp = fopen(path, "re");
    X509 *x;

    if (fp == NULL)
	return NULL;
    x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    ERR_clear_error();
    return x;
}

/* cert_still_fits - does the kept pair still serve name? NULL or the reason it does not */
static const char *cert_still_fits(EVP_PKEY *pkey, X509 *x, const char *name)
{
    time_t soon = time(NULL) + CERT_RENEW_S;

    if (x == NULL)
	return "no readable certificate";
    if (X509_check_private_key(x, pkey) != 1) {
	ERR_clear_error();
	return "the key does not match the certificate";
    }
    if (X509_cmp_time(X509_get0_notAfter(x), &soon) <= 0)
	return "it expires within 30 days";
    if (X509_check_host(x, name && *name ? name : "localhost", 0, 0, NULL) != 1)
	return "it names another host";
    return NULL;
}

/* cert_write - PEM into path.tmp (mode), then renamed to path; 0 or -1 with why_r */
static int cert_write(const char *path, mode_t mode, EVP_PKEY *pkey, X509 *x, struct buf *why_r)
{
    char *tmp = xasprintf("%s.tmp", path);
    int fd, ok = 0;
    FILE *fp;

    (void) unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
	buf_printf(why_r, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
	    close(fd);
	free(tmp);
	return -1;
    }
    ok = pkey != NULL ? PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL) == 1
	: PEM_write_X509(fp, x) == 1;
    ok = fflush(fp) == 0 && ok && fsync(fd) == 0;
    if (fclose(fp) != 0)
	ok = 0;
    if (ok && rename(tmp, path) < 0)
	ok = 0;
    if (!ok) {
	buf_printf(why_r, "%s: %s", path, errno ? strerror(errno) : "cannot write");
	(void) unlink(tmp);
    }
    ERR_clear_error();
    free(tmp);
    return ok ? 0 : -1;
}

/* cert_dir_usable - may the state directory hold our key? NULL or why not */
static const char *cert_dir_usable(const char *dir)
{
    struct stat st;

    if (*dir == 0)
	return "outbound.state_dir is empty";
    if (stat(dir, &st) < 0)
	return strerror(errno);
    if (!S_ISDIR(st.st_mode))
	return "not a directory";
    if (st.st_mode & (S_IWGRP | S_IWOTH))
	return "writable by group or other";
    if (access(dir, W_OK) < 0)
	return strerror(errno);
    return NULL;
}

/* cert_state_ctx - the pair kept in dir: loaded, or made and written; NULL: fall back or error */
static SSL_CTX *cert_state_ctx(const char *dir, const char *name, int may_write, int *fatal_r,
			       struct buf *why_r)
{
    char *kpath = xasprintf("%s/%s", dir, OB_STARTTLS_KEY);
    char *cpath = xasprintf("%s/%s", dir, OB_STARTTLS_CERT);
    EVP_PKEY *pkey = NULL;
    X509 *x = NULL;
    SSL_CTX *ctx = NULL;
    struct buf why = BUF_INIT;
    const char *unfit = "no certificate yet";

    if (access(kpath, F_OK) == 0) {
	if ((pkey = cert_load_key(kpath, &why)) == NULL) {
	    struct stat st;

	    /* a key others can read is refused, never silently replaced */
	    if (stat(kpath, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		buf_printf(why_r, "%s", buf_str(&why));
		*fatal_r = 1;
		goto out;
	    }
	    unfit = buf_str(&why);
	} else {
	    x = cert_load_x509(cpath);
	    if ((unfit = cert_still_fits(pkey, x, name)) == NULL) {
		ctx = cert_ctx(pkey, x, why_r);
		*fatal_r = ctx == NULL;
		goto out;
	    }
	}
    }
    if (!may_write)
	goto out;
    EVP_PKEY_free(pkey);
    X509_free(x);
    pkey = NULL;
    x = NULL;
    if (cert_make(name, &pkey, &x, why_r) < 0) {
	*fatal_r = 1;
	goto out;
    }
    if (strcmp(unfit, "no certificate yet") != 0)
	msg_info("outbound: STARTTLS certificate in %s replaced: %s", dir, unfit);
    buf_reset(&why);
    if (cert_write(kpath, 0600, pkey, NULL, &why) < 0 || cert_write(cpath, 0644, NULL, x, &why) < 0) {
	msg_warn("outbound: cannot keep the STARTTLS certificate: %s; using one made for this run",
		 buf_str(&why));
    } else {
	msg_info("outbound: new STARTTLS certificate for %s in %s", name, cpath);
    }
    ctx = cert_ctx(pkey, x, why_r);
    *fatal_r = ctx == NULL;
  out:
    EVP_PKEY_free(pkey);
    X509_free(x);
    buf_free(&why);
    free(kpath);
    free(cpath);
    return ctx;
}

/* ob_server_cert_ctx - configured files, else the kept pair, else one for this run */
SSL_CTX *ob_server_cert_ctx(const struct conf *c, const char *name, int may_write,
			    struct buf *why_r)
{
    const char *cert = conf_str(c, "outbound.tls_cert_file");
    const char *dir = conf_str(c, "outbound.state_dir"), *why;
    SSL_CTX *ctx;
    int fatal = 0;

    if (*cert)
	return ob_tls_server_ctx(cert, conf_str(c, "outbound.tls_key_file"), name, why_r);
    if ((why = cert_dir_usable(dir)) != NULL) {
	if (may_write)
	    msg_warn("outbound: state_dir %s: %s: the STARTTLS certificate is made for this run "
		     "only", *dir ? dir : "\"\"", why);
	return cert_memory_ctx(name, why_r);
    }
    if ((ctx = cert_state_ctx(dir, name, may_write, &fatal, why_r)) != NULL || fatal)
	return ctx;
    return cert_memory_ctx(name, why_r);	/* -t before the first start */
}
