/*
 * NAME
 *	addr_env.c - RFC 5321 envelope paths (MAIL FROM, RCPT TO)
 * DESCRIPTION
 *	mail_addr_envelope_parse, declared in addr.h. The SMTP grammar has no
 *	comments or folding, so this is a direct scan: "<" [A-d-l ":"]
 *	Mailbox ">" or the null path "<>". Brackets may be missing, as
 *	Postfix accepts with strict_rfc821_envelopes = no.
 * STANDARDS
 *	RFC 5321 4.1.2 (Path, Reverse-path, Mailbox, Local-part, Domain,
 *	address-literal), RFC 6531 (UTF-8 local-parts).
 */
#include "config.h"
#include "mail/addr.h"
#include "util/xmalloc.h"

#include <string.h>

#define ENV_ATEXT "!#$%&'*+-/=?^_`{|}~."

/* env_local_end - end of a Dot-string or Quoted-string local-part, 0 if invalid */
static size_t env_local_end(const char *s, size_t len)
{
    size_t i = 0;

    if (len > 0 && s[0] == '"') {
	for (i = 1; i < len; i++) {
	    unsigned char c = (unsigned char) s[i];

	    if (c == '\\' && i + 1 < len && s[i + 1] >= 32 && s[i + 1] < 127)
		i++;
	    else if (c == '"')
		return i + 1;
	    else if (c < 32 || c == 127 || c == '\\')
		return 0;
	}
	return 0;
    }
    while (i < len) {
	unsigned char c = (unsigned char) s[i];

	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	      || c >= 0x80 || strchr(ENV_ATEXT, c) != NULL) || c == 0)
	    break;
	i++;
    }
    return i;
}

/* env_route_end - length of an "@a,@b:" source route, 0 if invalid */
static size_t env_route_end(const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t end, start = 0;
    char *dom;
    const char *why;

    if (colon == NULL)
	return 0;
    end = (size_t) (colon - s);
    while (start < end) {			/* each hop: "@" domain */
	const char *comma = memchr(s + start, ',', end - start);
	size_t hop_end = comma ? (size_t) (comma - s) : end;

	if (s[start] != '@'
	    || mail_domain_normalize(s + start + 1, hop_end - start - 1, &dom, &why) < 0)
	    return 0;
	xfreep(&dom);
	start = hop_end + 1;
    }
    return end + 1;
}

/* env_domain - "[literal]" or a domain name */
static int env_domain(const char *s, size_t len, struct mail_mailbox *mb, const char **why_r)
{
    if (len > 0 && s[0] == '[') {
	for (size_t i = 1; i + 1 < len; i++) {
	    unsigned char c = (unsigned char) s[i];

	    if (c <= 32 || c >= 127 || c == '[' || c == ']' || c == '\\') {
		*why_r = "invalid address literal";
		return -1;
	    }
	}
	if (len < 3 || s[len - 1] != ']') {
	    *why_r = "invalid address literal";
	    return -1;
	}
	mb->domain = xstrndup(s, len);
	mb->literal = 1;
	return 0;
    }
    return mail_domain_normalize(s, len, &mb->domain, why_r);
}

/* mail_addr_envelope_parse - parse an SMTP path into local-part and domain */
int mail_addr_envelope_parse(const char *s, struct mail_mailbox *mb_r, const char **why_r)
{
    size_t len = strlen(s), n;

    memset(mb_r, 0, sizeof(*mb_r));
    while (len > 0 && (*s == ' ' || *s == '\t'))
	s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
	len--;
    if (len > 0 && s[0] == '<') {
	if (len < 2 || s[len - 1] != '>') {
	    *why_r = "unterminated angle address";
	    return -1;
	}
	s++, len -= 2;
	if (len == 0) {				/* null reverse-path */
	    mb_r->local = xstrdup("");
	    return 0;
	}
    } else if (len == 0) {
	*why_r = "empty address";
	return -1;
    }
    if (s[0] == '@') {
	if ((n = env_route_end(s, len)) == 0) {
	    *why_r = "invalid source route";
	    return -1;
	}
	s += n, len -= n;
    }
    n = env_local_end(s, len);
    if (n == 0 || (n < len && s[n] != '@')) {
	*why_r = "invalid local-part";
	return -1;
    }
    mb_r->local = xstrndup(s, n);
    if (n < len && env_domain(s + n + 1, len - n - 1, mb_r, why_r) < 0) {
	mail_mailbox_clear(mb_r);
	return -1;
    }
    return 0;
}
