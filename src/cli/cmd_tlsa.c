/*
 * NAME
 *	cmd_tlsa - `mxguard tlsa`: the TLSA record for a certificate (DANE)
 * SYNOPSIS
 *	#include "cli/cli.h"
 *
 *	int cmd_tlsa(int argc, char **argv);
 * DESCRIPTION
 *	mxguard tlsa [--usage 3|2] [--selector 1|0] [--mtype 1|2|0]
 *		     [--port 25] HOST CERTFILE
 *
 *	Reads the first certificate of the PEM file CERTFILE and prints the
 *	TLSA record to publish for an SMTP server HOST:
 *	    _25._tcp.HOST. IN TLSA 3 1 1 HEX
 *	The defaults are RFC 7672's recommendation: usage 3 (DANE-EE) with
 *	the server's own certificate, selector 1 (the SubjectPublicKeyInfo,
 *	which survives a renewal with the same key), matching type 1
 *	(SHA-256). For usage 2 (DANE-TA) give the issuing CA's
 *	certificate. Usages 0 and 1 are refused: SMTP ignores them
 *	(RFC 7672 3.1.3).
 * DIAGNOSTICS
 *	Exit 0 with the record; 1 when the file holds no certificate; 2 for
 *	a usage error.
 * STANDARDS
 *	RFC 6698, RFC 7671, RFC 7672.
 */
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"

static const char tlsa_usage[] =
    "usage: mxguard tlsa [--usage 3|2] [--selector 1|0] [--mtype 1|2|0] [--port 25] HOST CERTFILE\n"
    "  prints the TLSA record _PORT._tcp.HOST for the first certificate of CERTFILE\n"
    "  (default 3 1 1: DANE-EE, public key, SHA-256; usage 2 with the CA's certificate).\n";

/* tlsa_number - an option value out of lo..hi; -1 when it is not */
static long tlsa_number(const char *s, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    return errno || *s == 0 || *end || v < lo || v > hi ? -1 : v;
}

/* tlsa_data - the selected DER (certificate or SPKI); its length, or -1 */
static int tlsa_data(X509 *x, long selector, unsigned char **der_r)
{
    *der_r = NULL;
    return selector == 0 ? i2d_X509(x, der_r) : i2d_PUBKEY(X509_get0_pubkey(x), der_r);
}

/* tlsa_print - the record with the association data as hex */
static int tlsa_print(const char *host, long port, long usage, long selector, long mtype, X509 *x)
{
    unsigned char *der, md[EVP_MAX_MD_SIZE];
    const unsigned char *data = md;
    unsigned mdlen = 0;
    int len = tlsa_data(x, selector, &der);
    size_t n;

    if (len <= 0)
	return -1;
    if (mtype == 0) {
	data = der;
	n = (size_t) len;
    } else {
	if (EVP_Digest(der, (size_t) len, md, &mdlen, mtype == 1 ? EVP_sha256() : EVP_sha512(),
		       NULL) != 1) {
	    OPENSSL_free(der);
	    return -1;
	}
	n = mdlen;
    }
    printf("_%ld._tcp.%s%s IN TLSA %ld %ld %ld ", port, host,
	   host[strlen(host) - 1] == '.' ? "" : ".", usage, selector, mtype);
    for (size_t i = 0; i < n; i++)
	printf("%02x", data[i]);
    printf("\n");
    OPENSSL_free(der);
    return 0;
}

/* cmd_tlsa - see the header */
int cmd_tlsa(int argc, char **argv)
{
    static const struct option opts[] = {
	{"usage", required_argument, NULL, 'u'}, {"selector", required_argument, NULL, 's'},
	{"mtype", required_argument, NULL, 'm'}, {"port", required_argument, NULL, 'p'},
	{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}
    };
    long usage = 3, selector = 1, mtype = 1, port = 25, *dst;
    long lo, hi;
    FILE *fp;
    X509 *x;
    int c, rc;

    while ((c = getopt_long(argc, argv, "u:s:m:p:h", opts, NULL)) != -1) {
	switch (c) {
	case 'u': dst = &usage; lo = 2; hi = 3; break;
	case 's': dst = &selector; lo = 0; hi = 1; break;
	case 'm': dst = &mtype; lo = 0; hi = 2; break;
	case 'p': dst = &port; lo = 1; hi = 65535; break;
	case 'h':
	    fputs(tlsa_usage, stdout);
	    return CLI_OK;
	default:
	    fputs(tlsa_usage, stderr);
	    return CLI_USAGE;
	}
	if ((*dst = tlsa_number(optarg, lo, hi)) < 0) {
	    fprintf(stderr, "mxguard tlsa: --%s: %ld..%ld, not \"%s\"%s\n", opts[c == 'u' ? 0 :
		    c == 's' ? 1 : c == 'm' ? 2 : 3].name, lo, hi, optarg,
		    c == 'u' ? " (SMTP uses DANE-TA 2 and DANE-EE 3 only)" : "");
	    return CLI_USAGE;
	}
    }
    if (argc - optind != 2 || argv[optind][0] == 0) {
	fputs(tlsa_usage, stderr);
	return CLI_USAGE;
    }
    if ((fp = fopen(argv[optind + 1], "r")) == NULL) {
	fprintf(stderr, "mxguard tlsa: %s: %s\n", argv[optind + 1], strerror(errno));
	return CLI_FAIL;
    }
    x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    if (x == NULL) {
	fprintf(stderr, "mxguard tlsa: %s: no PEM certificate\n", argv[optind + 1]);
	return CLI_FAIL;
    }
    rc = tlsa_print(argv[optind], port, usage, selector, mtype, x) == 0 ? CLI_OK : CLI_FAIL;
    if (rc != CLI_OK)
	fprintf(stderr, "mxguard tlsa: %s: cannot encode the certificate\n", argv[optind + 1]);
    X509_free(x);
    return rc;
}
