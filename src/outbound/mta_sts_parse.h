/*
 * NAME
 *	mta_sts_parse - MTA-STS (RFC 8461) TXT records, policies, MX patterns
 * SYNOPSIS
 *	#include "outbound/mta_sts_parse.h"
 *
 *	int ob_sts_txt_parse(const char *txt, size_t len, char *id_r);
 *	int ob_sts_policy_parse(const char *text, size_t len,
 *				struct ob_sts_policy *p, const char **why_r);
 *	int ob_sts_mx_match(const struct ob_sts_policy *p, const char *host);
 *	const char *ob_sts_mode_name(enum ob_sts_mode m);
 * DESCRIPTION
 *	ob_sts_txt_parse() checks one _mta-sts TXT record (RFC 8461 3.1):
 *	"v=STSv1" first, then ";"-separated fields with optional blanks:
 *	id=1*32(ALPHA / DIGIT) (required, the first one counts) and
 *	extensions NAME=VALUE (NAME: letter or digit then up to 31 of
 *	letters, digits, "_-.", VALUE: printable ASCII without ";" and "="),
 *	ignored; a final ";" is allowed. The id goes to id_r (33 bytes).
 *
 *	ob_sts_policy_parse() reads a policy body (RFC 8461 3.2): lines
 *	"key: value" ended by LF or CRLF, blanks around the value ignored;
 *	version (STSv1), mode (enforce, testing, none) and max_age (at most
 *	10 digits, clamped to 31557600 s) are required, the first of each
 *	counts; mx (one or more, OB_STS_MAX_MX kept) is required unless the
 *	mode is none, each a host name or "*." and a host name; unknown keys
 *	are ignored. Input over OB_STS_POLICY_MAX bytes is refused.
 *
 *	ob_sts_mx_match() is RFC 8461 4.1: a host name (case-insensitive,
 *	a trailing dot ignored) matches a pattern equal to it, or "*.REST"
 *	when the host is exactly one label followed by ".REST".
 * DIAGNOSTICS
 *	ob_sts_txt_parse: 0 valid, -1 not an MTA-STS record or malformed.
 *	ob_sts_policy_parse: 0 valid, -1 with a static reason in *why_r.
 *	ob_sts_mx_match: 1 match, 0 none.
 * STANDARDS
 *	RFC 8461 3.1, 3.2, 4.1 (MTA-STS).
 */
#ifndef MXG_OUTBOUND_MTA_STS_PARSE_H
#define MXG_OUTBOUND_MTA_STS_PARSE_H

#include <stddef.h>

#define OB_STS_MAX_MX		16
#define OB_STS_POLICY_MAX	65536
#define OB_STS_MAX_AGE		31557600L

enum ob_sts_mode { OB_STS_NONE, OB_STS_TESTING, OB_STS_ENFORCE };

struct ob_sts_policy {
    char id[33];		/* from the TXT record that led to it */
    enum ob_sts_mode mode;
    long max_age;
    size_t nmx;
    char mx[OB_STS_MAX_MX][256];
};

int ob_sts_txt_parse(const char *txt, size_t len, char *id_r);
int ob_sts_policy_parse(const char *text, size_t len, struct ob_sts_policy *p,
			const char **why_r);
int ob_sts_mx_match(const struct ob_sts_policy *p, const char *host);
const char *ob_sts_mode_name(enum ob_sts_mode m);

#endif
