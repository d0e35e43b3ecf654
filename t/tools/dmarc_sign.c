/*
 * NAME
 *	dmarc_sign - sign a test message with DKIM (for the DMARC corpus)
 * SYNOPSIS
 *	t/tools/dmarc_sign KEYFILE DOMAIN SELECTOR < MESSAGE > SIGNED
 * DESCRIPTION
 *	Reads a message (CRLF or LF line ends), signs From, To, Subject,
 *	Date and Message-ID with the key (relaxed/relaxed, src/crypto's
 *	dkim_sign) and writes the message with the DKIM-Signature field on
 *	top, CRLF line ends. The DMARC corpus test signs its messages at
 *	run time with keys made by openssl, so nothing expires.
 * DIAGNOSTICS
 *	Exit 0, or 1 with a message on stderr.
 * STANDARDS
 *	RFC 6376 5.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/dkim.h"
#include "mail/header.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* crlf - the text with every line end as CRLF */
static void crlf(const char *s, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
	if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
	    buf_putc(out, '\r');
	buf_putc(out, s[i]);
    }
}

int main(int argc, char **argv)
{
    struct buf in = BUF_INIT, msg = BUF_INIT;
    char    chunk[8192], *sig = NULL, *why2 = NULL;
    size_t  n, consumed = 0;
    const char *why = NULL;
    struct mail_hdrs *h = mail_hdrs_alloc(1000, 1 << 20);
    EVP_PKEY *key;
    struct dkim_sign_opts o = {0};

    if (argc != 4) {
	fprintf(stderr, "usage: dmarc_sign KEYFILE DOMAIN SELECTOR < MESSAGE\n");
	return 1;
    }
    if ((key = crypto_privkey_load(argv[1], &why2)) == NULL) {
	fprintf(stderr, "dmarc_sign: %s: %s\n", argv[1], why2);
	return 1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
	buf_append(&in, chunk, n);
    crlf(buf_str(&in), in.len, &msg);
    if (mail_hdrs_parse(h, buf_str(&msg), msg.len, &consumed, &why) != 0) {
	fprintf(stderr, "dmarc_sign: %s\n", why);
	return 1;
    }
    o.domain = argv[2];
    o.selector = argv[3];
    o.pkey = key;
    o.headers = "from:to:subject:date:message-id";
    o.hcanon = o.bcanon = CRYPTO_CANON_RELAXED;
    o.t = o.x = -1;
    o.eol = "\r\n";
    if (dkim_sign(h, msg.data + consumed, msg.len - consumed, &o, &sig, &why) != 0) {
	fprintf(stderr, "dmarc_sign: %s\n", why);
	return 1;
    }
    printf("DKIM-Signature:%s\r\n", sig);
    fwrite(msg.data, 1, msg.len, stdout);
    free(sig);
    EVP_PKEY_free(key);
    mail_hdrs_free(&h);
    buf_free(&in);
    buf_free(&msg);
    return 0;
}
