/*
 * NAME
 *	cmd_keygen - `mxguard keygen`: a DKIM/ARC signing key and its DNS record
 * SYNOPSIS
 *	#include "cli/cli.h"
 *
 *	int cmd_keygen(int argc, char **argv);
 * DESCRIPTION
 *	mxguard keygen [--algorithm rsa|ed25519] [--bits N] [--out FILE]
 *		       DOMAIN SELECTOR
 *
 *	Makes a new private key (RSA, 2048 bits by default, 1024..8192;
 *	or Ed25519), writes it as PKCS#8 PEM to FILE (default
 *	SELECTOR.DOMAIN.pem in the current directory), created with mode
 *	0600 and never over an existing file, and prints the TXT record to
 *	publish, in zone-file syntax with strings of at most 255 octets:
 *	    SELECTOR._domainkey.DOMAIN. IN TXT ( "v=DKIM1; k=rsa; " "p=..." )
 *	p= is the DER SubjectPublicKeyInfo for RSA (RFC 6376 3.6.1) and
 *	the raw 32-octet public key for Ed25519 (RFC 8463 4.2). The key
 *	itself is never printed.
 * DIAGNOSTICS
 *	Exit 0 when the key was written; 1 when it could not be made or
 *	written (the file exists, a directory is not writable); 2 for a
 *	usage error.
 * STANDARDS
 *	RFC 6376 3.6.1, RFC 8463, RFC 8301 (at least 1024 bits).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "util/xmalloc.h"

static const char keygen_usage[] =
    "usage: mxguard keygen [--algorithm rsa|ed25519] [--bits N] [--out FILE] DOMAIN SELECTOR\n"
    "  writes a new private key (mode 0600, default SELECTOR.DOMAIN.pem) and\n"
    "  prints the SELECTOR._domainkey.DOMAIN TXT record to publish.\n";

/* keygen_make - a new RSA key of bits or an Ed25519 key; NULL on failure */
static EVP_PKEY *keygen_make(int ed25519, unsigned bits)
{
    if (ed25519)
	return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) bits);
}

/* keygen_public - base64 of the p= value for pkey; NULL on failure */
static char *keygen_public(EVP_PKEY *pkey, int ed25519)
{
    unsigned char raw[32], *der = NULL;
    size_t rawlen = sizeof(raw);
    char *b64;
    int len;

    if (ed25519) {
	if (EVP_PKEY_get_raw_public_key(pkey, raw, &rawlen) != 1)
	    return NULL;
	return crypto_b64_encode(raw, rawlen);
    }
    if ((len = i2d_PUBKEY(pkey, &der)) <= 0)
	return NULL;
    b64 = crypto_b64_encode(der, (size_t) len);
    OPENSSL_free(der);
    return b64;
}

/* keygen_write - the key as PEM into a new file of mode 0600; 0 or -1 with errno text */
static int keygen_write(EVP_PKEY *pkey, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    FILE *fp;
    int ok;

    if (fd < 0) {
	fprintf(stderr, "mxguard keygen: %s: %s\n", path, strerror(errno));
	return -1;
    }
    if ((fp = fdopen(fd, "w")) == NULL) {
	close(fd);
	unlink(path);
	fprintf(stderr, "mxguard keygen: %s: %s\n", path, strerror(errno));
	return -1;
    }
    ok = PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL) == 1;
    ok = (fclose(fp) == 0) && ok;
    if (!ok) {
	unlink(path);
	fprintf(stderr, "mxguard keygen: %s: cannot write the key\n", path);
	return -1;
    }
    return 0;
}

/* keygen_print - the TXT record, in strings of at most 255 octets */
static void keygen_print(const char *domain, const char *selector, int ed25519, const char *p)
{
    size_t len = strlen(p);

    printf("%s._domainkey.%s. IN TXT ( \"v=DKIM1; k=%s; \"", selector, domain,
	   ed25519 ? "ed25519" : "rsa");
    printf("\n\t\"p=%.*s\"", (int) (len < 253 ? len : 253), p);
    for (size_t off = 253; off < len; off += 255)
	printf("\n\t\"%.*s\"", (int) (len - off < 255 ? len - off : 255), p + off);
    printf(" )\n");
}

/* keygen_name_ok - a domain or selector: letters, digits, '-', '_' and dots */
static int keygen_name_ok(const char *s)
{
    if (*s == 0 || *s == '.' || strlen(s) > 253)
	return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
	== strlen(s) && strstr(s, "..") == NULL;
}

/* cmd_keygen - see the header */
int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
	{"algorithm", required_argument, NULL, 'a'}, {"bits", required_argument, NULL, 'b'},
	{"out", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}
    };
    const char *out = NULL, *alg = "rsa";
    unsigned long bits = 2048;
    char *path, *p, *end;
    EVP_PKEY *pkey;
    int c, ed25519, rc;

    while ((c = getopt_long(argc, argv, "a:b:o:h", opts, NULL)) != -1) {
	switch (c) {
	case 'a':
	    alg = optarg;
	    break;
	case 'b':
	    errno = 0;
	    bits = strtoul(optarg, &end, 10);
	    if (errno || *end || bits < 1024 || bits > 8192) {
		fprintf(stderr, "mxguard keygen: --bits: 1024..8192, not \"%s\"\n", optarg);
		return CLI_USAGE;
	    }
	    break;
	case 'o':
	    out = optarg;
	    break;
	case 'h':
	    fputs(keygen_usage, stdout);
	    return CLI_OK;
	default:
	    fputs(keygen_usage, stderr);
	    return CLI_USAGE;
	}
    }
    if (strcmp(alg, "rsa") != 0 && strcmp(alg, "ed25519") != 0) {
	fprintf(stderr, "mxguard keygen: --algorithm: rsa or ed25519, not \"%s\"\n", alg);
	return CLI_USAGE;
    }
    if (argc - optind != 2 || !keygen_name_ok(argv[optind]) || !keygen_name_ok(argv[optind + 1])) {
	fputs(keygen_usage, stderr);
	return CLI_USAGE;
    }
    ed25519 = strcmp(alg, "ed25519") == 0;
    if ((pkey = keygen_make(ed25519, (unsigned) bits)) == NULL
	|| (p = keygen_public(pkey, ed25519)) == NULL) {
	fprintf(stderr, "mxguard keygen: OpenSSL cannot make the key\n");
	EVP_PKEY_free(pkey);
	return CLI_FAIL;
    }
    path = out ? xstrdup(out) : xasprintf("%s.%s.pem", argv[optind + 1], argv[optind]);
    rc = keygen_write(pkey, path) == 0 ? CLI_OK : CLI_FAIL;
    if (rc == CLI_OK) {
	keygen_print(argv[optind], argv[optind + 1], ed25519, p);
	fprintf(stderr, "mxguard keygen: private key in %s (mode 0600)\n", path);
    }
    free(p);
    free(path);
    EVP_PKEY_free(pkey);
    return rc;
}
