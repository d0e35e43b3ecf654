/*
 * NAME
 *	domain.c - domain name normalisation for mail addresses
 * DESCRIPTION
 *	mail_domain_normalize (declared in addr.h): lower case, one trailing
 *	dot removed, LDH labels checked. A-labels are kept as they are;
 *	U-labels are refused because every lookup needs the A-label form.
 * STANDARDS
 *	RFC 1035 2.3.1 and 2.3.4 (labels, lengths), RFC 5321 4.1.2 (Domain),
 *	RFC 5890 2.3.2.1 (A-labels).
 */
#include "config.h"
#include "mail/addr.h"
#include "util/xmalloc.h"

#include <string.h>

/* label_check - one label: 1-63 octets of letters, digits, inner hyphens */
static int label_check(const char *p, size_t len, const char **why_r)
{
    if (len == 0) {
	*why_r = "invalid domain: empty label";
	return -1;
    }
    if (len > 63) {
	*why_r = "invalid domain: label longer than 63 octets";
	return -1;
    }
    if (p[0] == '-' || p[len - 1] == '-') {
	*why_r = "invalid domain: label begins or ends with a hyphen";
	return -1;
    }
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) p[i];

	if (c >= 0x80) {
	    *why_r = "invalid domain: non-ASCII label (U-label), A-label needed";
	    return -1;
	}
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	      || (c >= '0' && c <= '9') || c == '-')) {
	    *why_r = "invalid domain: character not allowed in a label";
	    return -1;
	}
    }
    return 0;
}

/* mail_domain_normalize - lower-cased, checked domain without trailing dot */
int mail_domain_normalize(const char *s, size_t len, char **domain_r, const char **why_r)
{
    char *out;

    *domain_r = NULL;
    if (len > 1 && s[len - 1] == '.')
	len--;
    if (len == 0) {
	*why_r = "invalid domain: empty";
	return -1;
    }
    if (len > 253) {
	*why_r = "invalid domain: longer than 253 octets";
	return -1;
    }
    for (size_t start = 0, i = 0; i <= len; i++) {
	if (i == len || s[i] == '.') {
	    if (label_check(s + start, i - start, why_r) < 0)
		return -1;
	    start = i + 1;
	}
    }
    out = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
	out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char) (s[i] - 'A' + 'a') : s[i];
    out[len] = 0;
    *domain_r = out;
    return 0;
}
