/*
 * t/fuzz/mail_authres.c - fuzz target: Authentication-Results authserv-id
 * parsing of hostile input, and build round trips with fuzzed values.
 * The input is split at '|' into id, comment, reason and property
 * values. Checks: no built line exceeds 998 octets, and a plain id
 * written by mail_ar_build is read back and recognised as ours.
 */
#include "config.h"
#include "mail/authres.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* max_line - longest line of s, line ends excluded */
static size_t max_line(const char *s)
{
    size_t max = 0;

    while (*s) {
	size_t n = strcspn(s, "\r\n");

	if (n > max)
	    max = n;
	s += n;
	s += strspn(s, "\r\n");
    }
    return max;
}

/* plain - no control characters, short enough not to be cut */
static int plain(const char *s)
{
    for (const char *p = s; *p; p++)
	if ((unsigned char) *p < 32 || *p == 127)
	    return 0;
    return *s && strlen(s) < 100;
}

/* LLVMFuzzerTestOneInput - one fuzz input through the checks above */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xstrndup((const char *) data, size), *f[6] = { 0 }, *p = in, *id, *hdr;
    struct mail_ar_result r[2];
    const char *why;

    if (mail_ar_parse_id((const char *) data, size, &id, NULL) == 0) {
	if (!mail_ar_claims_id((const char *) data, size, id))
	    abort();
	free(id);
    }
    (void) mail_ar_claims_id((const char *) data, size, "mx.example.com");
    for (int i = 0; i < 6; i++) {
	f[i] = p ? p : (char *) "";
	if (p && (p = strchr(p, '|')) != NULL)
	    *p++ = 0;
    }
    memset(r, 0, sizeof(r));
    r[0] = (struct mail_ar_result) { "dmarc", "fail", f[1], f[2], 2,
	{ { "header", "from", f[3] }, { "policy", "dmarc", f[4] } } };
    r[1] = (struct mail_ar_result) { "spf", "pass", NULL, f[5], 1,
	{ { "smtp", "mailfrom", f[3] } } };
    if (mail_ar_build(f[0], r, 2, "\r\n", &hdr, &why) != 0)
	abort();
    if (max_line(hdr) > 998)
	abort();
    if (plain(f[0])) {
	if (mail_ar_parse_id(hdr, strlen(hdr), &id, NULL) != 0 || strcmp(id, f[0]) != 0)
	    abort();
	if (!mail_ar_claims_id(hdr, strlen(hdr), f[0]))
	    abort();
	free(id);
    }
    free(hdr);
    free(in);
    return 0;
}
