/*
 * NAME
 *	requiretls.c - REQUIRETLS tagging and per-host rules
 * DESCRIPTION
 *	See requiretls.h.
 */
#include "config.h"
#include "outbound/requiretls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outbound/spool.h"
#include "outbound/trouble.h"

/* hdr_word - the one word of a header value: 1 when it is want (no case) */
static int hdr_word(const char *v, size_t len, const char *want)
{
    size_t i = 0, n = strlen(want), j;

    while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n'))
	i++;
    if (len - i < n || strncasecmp(v + i, want, n) != 0)
	return 0;
    for (j = i + n; j < len; j++) {
	if (v[j] == '(')	/* a trailing comment */
	    return 1;
	if (v[j] != ' ' && v[j] != '\t' && v[j] != '\r' && v[j] != '\n')
	    return 0;
    }
    return 1;
}

/* hdr_field - flag for one header field (name and unfolded-or-not value) */
static unsigned hdr_field(const char *f, size_t len)
{
    const char *colon = memchr(f, ':', len);
    size_t nlen, vlen;

    if (colon == NULL)
	return 0;
    nlen = (size_t) (colon - f);
    while (nlen > 0 && (f[nlen - 1] == ' ' || f[nlen - 1] == '\t'))
	nlen--;			/* "Name :" (obsolete syntax) */
    vlen = len - (size_t) (colon + 1 - f);
    if (nlen == 17 && strncasecmp(f, "Require-TLS-ESMTP", 17) == 0
	&& hdr_word(colon + 1, vlen, "yes"))
	return OB_RTLS_HDR_REQUIRE;
    if (nlen == 12 && strncasecmp(f, "TLS-Required", 12) == 0 && hdr_word(colon + 1, vlen, "no"))
	return OB_RTLS_HDR_NO;
    return 0;
}

/* ob_rtls_header_scan - OB_RTLS_HDR_* flags of a header section */
unsigned ob_rtls_header_scan(const char *hdr, size_t len)
{
    unsigned flags = 0;
    size_t i = 0;

    while (i < len) {
	size_t start = i, end;

	if (hdr[i] == '\n' || (hdr[i] == '\r' && i + 1 < len && hdr[i + 1] == '\n'))
	    break;		/* the empty line: end of the header */
	/* one field: this line and its continuation lines */
	for (;;) {
	    const char *nl = memchr(hdr + i, '\n', len - i);

	    i = nl ? (size_t) (nl - hdr) + 1 : len;
	    if (i >= len || (hdr[i] != ' ' && hdr[i] != '\t'))
		break;
	}
	end = i;
	flags |= hdr_field(hdr + start, end - start);
    }
    return flags;
}

/* ob_rtls_spool_scan - the flags of a spooled message's header */
unsigned ob_rtls_spool_scan(struct ob_spool *sp)
{
    char *buf = malloc(OB_RTLS_SCAN_MAX);
    size_t have = 0;
    unsigned flags;
    ssize_t n;

    if (buf == NULL)
	return 0;
    while (have < OB_RTLS_SCAN_MAX
	   && (n = ob_spool_pread(sp, buf + have, OB_RTLS_SCAN_MAX - have, have)) > 0)
	have += (size_t) n;
    flags = ob_rtls_header_scan(buf, have);
    free(buf);
    return flags;
}

/* ob_rtls_mode - the message's mode: REQUIRETLS wins over TLS-Required: No */
enum ob_rtls ob_rtls_mode(int mail_param, unsigned hdr_flags, int honour_require_header)
{
    if (mail_param || (honour_require_header && (hdr_flags & OB_RTLS_HDR_REQUIRE)))
	return OB_RTLS_REQUIRE;
    if (hdr_flags & OB_RTLS_HDR_NO)
	return OB_RTLS_NOTLS;
    return OB_RTLS_NORMAL;
}

/* ob_rtls_level - a destination's level in mode */
enum ob_tls_level ob_rtls_level(enum ob_rtls mode, enum ob_tls_level l)
{
    if (mode == OB_RTLS_NOTLS && l > OB_TLS_MAY)
	return OB_TLS_MAY;
    if (mode == OB_RTLS_REQUIRE && l < OB_TLS_DANE)
	return OB_TLS_DANE;
    return l;
}

/* ob_rtls_host_level - one REQUIRE host: DANE when usable, else PKIX with names */
enum ob_tls_level ob_rtls_host_level(enum ob_rtls mode, enum ob_tls_level l, int tlsa_usable)
{
    if (mode != OB_RTLS_REQUIRE || tlsa_usable || l >= OB_TLS_VERIFY)
	return l;
    return OB_TLS_VERIFY;
}

/* ob_rtls_trouble - a TLS failure of a REQUIRE delivery names its step */
int ob_rtls_trouble(enum ob_rtls mode, int t, const char *detail, char *out, size_t outlen)
{
    const char *step = NULL;

    if (mode == OB_RTLS_REQUIRE && t == OB_TR_TLS_MISSING)
	step = "STARTTLS not offered";
    else if (mode == OB_RTLS_REQUIRE && t == OB_TR_TLS_FAIL)
	step = "no authenticated TLS (DANE or PKIX with the host name)";
    else if (mode == OB_RTLS_REQUIRE && t == OB_TR_STS_MX)
	step = "MX host not in the MTA-STS policy";
    if (step == NULL) {
	snprintf(out, outlen, "%s", detail ? detail : "");
	return t;
    }
    snprintf(out, outlen, "%s%s%s", step, detail && *detail ? ": " : "", detail ? detail : "");
    return OB_TR_RTLS_TEMP;
}

/* ob_rtls_name - the mode for logs */
const char *ob_rtls_name(enum ob_rtls mode)
{
    return mode == OB_RTLS_REQUIRE ? "requiretls" : mode == OB_RTLS_NOTLS ? "tls-required-no"
	: "normal";
}
