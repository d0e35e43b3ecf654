/*
 * NAME
 *	dns_reply - parse a DNS reply into a dns_answer (pure, no network)
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	int dns_reply_parse(const unsigned char *msg, size_t len,
 *			    const char *qname, enum dns_type qtype,
 *			    struct dns_answer **answer_r);
 *	void dns_answer_free(struct dns_answer **ap);
 *	const char *dns_type_name(enum dns_type t);
 *	int dns_type_parse(const char *name);
 *	const char *dns_status_name(enum dns_status s);
 *	int dns_reverse_name(int family, const unsigned char *addr,
 *			     char *out, size_t outlen);
 * DESCRIPTION
 *	dns_reply_parse() reads hostile bytes: every length is checked
 *	against the message, compression pointers must point strictly
 *	backwards (no loops), names are limited to 255 octets, counts are
 *	only believed as far as the bytes go. The answer section is walked
 *	from the question name along CNAMEs (at most 8) to the asked type;
 *	the authority section gives the negative TTL (SOA, RFC 2308 5).
 *	Names are returned in presentation form, lower case, without the
 *	trailing dot; odd octets are escaped as \DDD.
 * DIAGNOSTICS
 *	dns_reply_parse: 0 parsed (status FOUND, NOTFOUND or TEMP from the
 *	RCODE), -1 malformed, question mismatch or CNAME loop (DNS_PERM with
 *	a reason). *answer_r is always set.
 * STANDARDS
 *	RFC 1035 4.1, RFC 2308, RFC 6604 (RCODE after CNAME), RFC 7505.
 */
#include "config.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/nameser.h>
#include "util/xmalloc.h"
#include "dns/dns_int.h"

struct rrview {				/* one parsed answer-section RR */
    char owner[DNS_NAME_MAX];
    struct dns_rr rr;
};

/* get16 - network order 16 bits */
static unsigned get16(const unsigned char *p)
{
    return ((unsigned) p[0] << 8) | p[1];
}

/* get32 - network order 32 bits */
static uint32_t get32(const unsigned char *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

/* name_read - decode a possibly compressed name at *offp; advance *offp */
static int name_read(const unsigned char *msg, size_t len, size_t *offp, char *out, size_t outlen)
{
    size_t off = *offp, o = 0, wire = 0, limit = off;
    int jumped = 0;

    for (;;) {
	if (off >= len)
	    return -1;
	unsigned c = msg[off];
	if ((c & 0xc0) == 0xc0) {
	    if (off + 1 >= len)
		return -1;
	    size_t ptr = ((c & 0x3f) << 8) | msg[off + 1];
	    if (ptr >= limit)		/* only backwards: no loops */
		return -1;
	    if (!jumped)
		*offp = off + 2;
	    jumped = 1;
	    limit = ptr;
	    off = ptr;
	    continue;
	}
	if (c & 0xc0)			/* 0x40/0x80: obsolete label types */
	    return -1;
	if (off + 1 + c > len || (wire += c + 1) > 255)
	    return -1;
	if (c == 0) {
	    if (!jumped)
		*offp = off + 1;
	    break;
	}
	if (o && o < outlen)
	    out[o++] = '.';
	for (unsigned i = 1; i <= c; i++) {
	    unsigned ch = msg[off + i];
	    if (o + 5 >= outlen)
		return -1;
	    if (ch == '.' || ch == '\\' || ch <= ' ' || ch >= 0x7f)
		o += (size_t) snprintf(out + o, outlen - o, "\\%03u", ch);
	    else
		out[o++] = (char) tolower((int) ch);
	}
	off += 1 + c;
    }
    if (o >= outlen)
	return -1;
    out[o] = 0;
    return 0;
}

/* name_norm - lower-case, drop the trailing dot; a blank is refused, or
 * written as the label byte \032 (name_read's form) when blanks is set */
static int name_norm(const char *in, char *out, size_t outlen, int blanks)
{
    size_t n = strlen(in), o = 0;

    if (outlen > 0)
	out[0] = 0;			/* a refused name leaves "" behind */
    if (n > 1 && in[n - 1] == '.')
	n--;
    else if (n == 1 && in[0] == '.')
	n = 0;
    if (n >= outlen || n > 1004)
	return -1;
    for (size_t i = 0; i < n; i++) {
	unsigned char c = (unsigned char) in[i];

	if (blanks && c == ' ' && o + 4 < outlen) {
	    memcpy(out + o, "\\032", 4);
	    o += 4;
	    continue;
	}
	if (c <= ' ' || c >= 0x7f || c == '\\' || o + 1 >= outlen) {	/* never in a reply */
	    out[0] = 0;
	    return -1;
	}
	out[o++] = (char) tolower(c);
    }
    out[o] = 0;
    return 0;
}

/* dns_name_norm - lower-case a user-supplied name, drop the trailing dot;
 * -1 for names we cannot ask for (blanks, controls, 8-bit, backslash) */
int dns_name_norm(const char *in, char *out, size_t outlen)
{
    return name_norm(in, out, outlen, 0);
}

/* dns_name_norm_blanks - dns_name_norm, a blank being a label byte (\032) */
int dns_name_norm_blanks(const char *in, char *out, size_t outlen)
{
    return name_norm(in, out, outlen, 1);
}

/* dns_answer_new - an empty answer with the given status */
struct dns_answer *dns_answer_new(enum dns_status status)
{
    struct dns_answer *a = xcalloc(1, sizeof(*a));

    a->status = status;
    a->rcode = -1;
    return a;
}

/* dns_answer_reason - set the human readable reason */
void dns_answer_reason(struct dns_answer *a, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    free(a->reason);
    a->reason = xstrdup(tmp);
}

/* dns_rr_clear - free what one RR points to */
void dns_rr_clear(struct dns_rr *rr)
{
    free(rr->name);
    switch (rr->type) {
    case DNS_T_CNAME:
    case DNS_T_PTR:
	free(rr->u.target);
	break;
    case DNS_T_MX:
	free(rr->u.mx.exchange);
	break;
    case DNS_T_TXT:
	free(rr->u.txt.text);
	break;
    case DNS_T_TLSA:
	free(rr->u.tlsa.data);
	break;
    default:
	break;
    }
    memset(rr, 0, sizeof(*rr));
}

/* dns_answer_free - free an answer and NULL the pointer */
void dns_answer_free(struct dns_answer **ap)
{
    struct dns_answer *a = *ap;

    if (a == NULL)
	return;
    for (size_t i = 0; i < a->count; i++)
	dns_rr_clear(&a->rrs[i]);
    free(a->rrs);
    free(a->canonical);
    free(a->reason);
    free(a);
    *ap = NULL;
}

/* dns_rr_copy - deep copy of one RR */
void dns_rr_copy(struct dns_rr *dst, const struct dns_rr *src)
{
    *dst = *src;
    dst->name = src->name ? xstrdup(src->name) : NULL;
    switch (src->type) {
    case DNS_T_CNAME:
    case DNS_T_PTR:
	dst->u.target = xstrdup(src->u.target);
	break;
    case DNS_T_MX:
	dst->u.mx.exchange = xstrdup(src->u.mx.exchange);
	break;
    case DNS_T_TXT:
	dst->u.txt.text = xmalloc(src->u.txt.len + 1);
	memcpy(dst->u.txt.text, src->u.txt.text, src->u.txt.len + 1);
	break;
    case DNS_T_TLSA:
	dst->u.tlsa.data = xmalloc(src->u.tlsa.len ? src->u.tlsa.len : 1);
	if (src->u.tlsa.len)
	    memcpy(dst->u.tlsa.data, src->u.tlsa.data, src->u.tlsa.len);
	break;
    default:
	break;
    }
}

/* dns_answer_copy - deep copy of an answer (cache hits) */
struct dns_answer *dns_answer_copy(const struct dns_answer *a)
{
    struct dns_answer *c = xmalloc(sizeof(*c));

    *c = *a;
    c->canonical = a->canonical ? xstrdup(a->canonical) : NULL;
    c->reason = a->reason ? xstrdup(a->reason) : NULL;
    c->rrs = a->count ? xcalloc(a->count, sizeof(*c->rrs)) : NULL;
    for (size_t i = 0; i < a->count; i++)
	dns_rr_copy(&c->rrs[i], &a->rrs[i]);
    return c;
}

/* rdata_txt - join the character-strings of one TXT record */
static int rdata_txt(const unsigned char *p, size_t n, struct dns_rr *rr)
{
    char *text = xmalloc(n + 1);
    size_t o = 0, i = 0;

    while (i < n) {
	size_t sl = p[i++];
	if (i + sl > n) {
	    free(text);
	    return -1;
	}
	memcpy(text + o, p + i, sl);
	o += sl;
	i += sl;
    }
    text[o] = 0;
    rr->u.txt.text = text;
    rr->u.txt.len = o;
    return 0;
}

/* rdata_decode - decode the RDATA of a type we know; -1 malformed */
static int rdata_decode(const unsigned char *msg, size_t len, size_t off, size_t rdlen,
			struct dns_rr *rr)
{
    char name[DNS_NAME_MAX];
    size_t end = off + rdlen, o = off;

    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
	if (rdlen != (rr->type == DNS_T_A ? 4u : 16u))
	    return -1;
	memcpy(rr->u.addr, msg + off, rdlen);
	return 0;
    case DNS_T_CNAME:
    case DNS_T_PTR:
	if (name_read(msg, len, &o, name, sizeof(name)) < 0 || o != end)
	    return -1;
	rr->u.target = xstrdup(name);
	return 0;
    case DNS_T_MX:
	if (rdlen < 3)
	    return -1;
	o += 2;
	if (name_read(msg, len, &o, name, sizeof(name)) < 0 || o != end)
	    return -1;
	rr->u.mx.pref = (uint16_t) get16(msg + off);
	rr->u.mx.exchange = xstrdup(name);
	return 0;
    case DNS_T_TXT:
	return rdata_txt(msg + off, rdlen, rr);
    case DNS_T_TLSA:
	if (rdlen < 3)
	    return -1;
	rr->u.tlsa.usage = msg[off];
	rr->u.tlsa.selector = msg[off + 1];
	rr->u.tlsa.mtype = msg[off + 2];
	rr->u.tlsa.len = rdlen - 3;
	rr->u.tlsa.data = xmalloc(rdlen - 3 ? rdlen - 3 : 1);
	memcpy(rr->u.tlsa.data, msg + off + 3, rdlen - 3);
	return 0;
    }
    return -1;
}

/* rr_header - read owner, type, class, ttl, rdlength; *offp at RDATA */
static int rr_header(const unsigned char *msg, size_t len, size_t *offp, char *owner,
		     unsigned *type_r, uint32_t *ttl_r, size_t *rdlen_r)
{
    if (name_read(msg, len, offp, owner, DNS_NAME_MAX) < 0 || *offp + 10 > len)
	return -1;
    *type_r = get16(msg + *offp);
    *ttl_r = get32(msg + *offp + 4);
    if (*ttl_r > 0x7fffffffu)		/* RFC 2181 8 */
	*ttl_r = 0;
    *rdlen_r = get16(msg + *offp + 8);
    *offp += 10;
    return *offp + *rdlen_r > len ? -1 : 0;
}

/* negative_ttl - min(SOA TTL, SOA MINIMUM) from the authority section;
 * 1 SOA seen, 0 none, -1 malformed */
static int negative_ttl(const unsigned char *msg, size_t len, size_t off, unsigned nscount,
			uint32_t *ttl_r)
{
    char owner[DNS_NAME_MAX], name[DNS_NAME_MAX];
    unsigned type;
    uint32_t ttl;
    size_t rdlen;

    int soa = 0;

    *ttl_r = 0;
    for (unsigned i = 0; i < nscount; i++) {
	if (rr_header(msg, len, &off, owner, &type, &ttl, &rdlen) < 0)
	    return -1;
	if (type == ns_t_soa) {
	    size_t o = off;
	    if (name_read(msg, len, &o, name, sizeof(name)) < 0
		|| name_read(msg, len, &o, name, sizeof(name)) < 0 || o + 20 != off + rdlen)
		return -1;
	    uint32_t min = get32(msg + o + 16);
	    *ttl_r = ttl < min ? ttl : min;
	    soa = 1;
	}
	off += rdlen;
    }
    return soa;
}

/* answer_section - read the answer RRs of interest (CNAME and qtype) */
static int answer_section(const unsigned char *msg, size_t len, size_t *offp, unsigned ancount,
			  enum dns_type qtype, struct rrview **v_r, size_t *n_r)
{
    struct rrview *v = NULL;
    size_t n = 0, cap = 0;
    unsigned type;
    uint32_t ttl;
    size_t rdlen;
    char owner[DNS_NAME_MAX];

    for (unsigned i = 0; i < ancount; i++) {
	if (rr_header(msg, len, offp, owner, &type, &ttl, &rdlen) < 0)
	    goto bad;
	if ((type == (unsigned) qtype || type == DNS_T_CNAME)
	    && get16(msg + *offp - 8) == ns_c_in) {
	    if (n == cap)
		v = xrealloc(v, (cap = cap ? 2 * cap : 4) * sizeof(*v));
	    memset(&v[n].rr, 0, sizeof(v[n].rr));
	    v[n].rr.type = (enum dns_type) type;
	    v[n].rr.ttl = ttl;
	    if (rdata_decode(msg, len, *offp, rdlen, &v[n].rr) < 0) {
		v[n].rr.type = 0;	/* nothing was allocated */
		goto bad;
	    }
	    memcpy(v[n].owner, owner, strlen(owner) + 1);
	    n++;
	}
	*offp += rdlen;
    }
    *v_r = v;
    *n_r = n;
    return 0;
  bad:
    for (size_t j = 0; j < n; j++)
	dns_rr_clear(&v[j].rr);
    free(v);
    return -1;
}

/* chase - follow CNAMEs from qname, move records of qtype into the answer */
static int chase(struct dns_answer *a, struct rrview *v, size_t n, const char *qname,
		 enum dns_type qtype, uint32_t *minttl)
{
    const char *cur = qname;
    int hops = 0;

    for (size_t i = 0; qtype != DNS_T_CNAME && i < n; i++) {
	if (v[i].rr.type == DNS_T_CNAME && strcmp(v[i].owner, cur) == 0) {
	    if (++hops > DNS_CNAME_MAX)
		return -1;
	    cur = v[i].rr.u.target;
	    if (v[i].rr.ttl < *minttl)
		*minttl = v[i].rr.ttl;
	    i = (size_t) -1;		/* restart: RRs may come in any order */
	}
    }
    a->canonical = xstrdup(cur);
    for (size_t i = 0; i < n; i++) {
	if (v[i].rr.type == qtype && strcmp(v[i].owner, cur) == 0) {
	    a->rrs = xrealloc(a->rrs, (a->count + 1) * sizeof(*a->rrs));
	    a->rrs[a->count] = v[i].rr;
	    a->rrs[a->count].name = xstrdup(v[i].owner);
	    memset(&v[i].rr, 0, sizeof(v[i].rr));	/* moved */
	    if (a->rrs[a->count].ttl < *minttl)
		*minttl = a->rrs[a->count].ttl;
	    a->count++;
	}
    }
    return 0;
}

/* malformed - mark the answer DNS_PERM */
static int malformed(struct dns_answer *a, const char *why)
{
    a->status = DNS_PERM;
    dns_answer_reason(a, "malformed reply: %s", why);
    return -1;
}

/* qname_is - does qn (a question name in name_read's form) name qname? */
static int qname_is(const char *qname, const char *qn)
{
    char want[DNS_NAME_MAX];
    size_t n = strlen(qname);

    if (dns_name_norm(qname, want, sizeof(want)) == 0)
	return strcmp(want, qn) == 0;
    /* a name asked for in name_read's form: \032 for a blank (SPF macros,
     * dns_name_norm_blanks), escapes in CNAME targets; raw bytes never match */
    if (n > 1 && qname[n - 1] == '.')
	n--;
    return strlen(qn) == n && strncasecmp(qname, qn, n) == 0;
}

/* question - parse and check the question section; *offp after it */
static int question(const unsigned char *msg, size_t len, size_t *offp, const char *qname,
		    enum dns_type qtype, char *qn)
{
    if (name_read(msg, len, offp, qn, DNS_NAME_MAX) < 0 || *offp + 4 > len)
	return -1;
    if (get16(msg + *offp) != (unsigned) qtype || get16(msg + *offp + 2) != ns_c_in)
	return -1;
    *offp += 4;
    if (qname == NULL)
	return 0;
    return qname_is(qname, qn) ? 0 : -1;
}

/* dns_reply_matches - is this a reply to our query (ID and question)? */
int dns_reply_matches(const unsigned char *msg, size_t len, uint16_t id,
		      const char *qname, enum dns_type qtype)
{
    char qn[DNS_NAME_MAX];
    size_t off = 12;

    if (len < 12 || get16(msg) != id || !(msg[2] & 0x80) || get16(msg + 4) != 1)
	return 0;
    return question(msg, len, &off, qname, qtype, qn) == 0;
}

/* dns_reply_parse - parse a reply to (qname, qtype) */
int dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
		    enum dns_type qtype, struct dns_answer **answer_r)
{
    struct dns_answer *a = dns_answer_new(DNS_PERM);
    char qn[DNS_NAME_MAX];
    struct rrview *v = NULL;
    size_t n = 0, off = 12;
    uint32_t minttl = 0x7fffffff;
    int r;

    *answer_r = a;
    if (len < 12)
	return malformed(a, "shorter than a header");
    if (!(msg[2] & 0x80))
	return malformed(a, "not a response");
    if (get16(msg + 4) != 1)
	return malformed(a, "question count is not 1");
    if (question(msg, len, &off, qname, qtype, qn) < 0)
	return malformed(a, "question does not match the query");
    a->rcode = msg[3] & 0x0f;
    a->secure = (msg[3] & 0x20) != 0;
    if (a->rcode != ns_r_noerror && a->rcode != ns_r_nxdomain) {
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
	    "NOTIMP", "REFUSED"};
	a->status = DNS_TEMP;
	a->canonical = xstrdup(qn);
	if (a->rcode < 6)
	    dns_answer_reason(a, "%s", names[a->rcode]);
	else
	    dns_answer_reason(a, "RCODE %d", a->rcode);
	return 0;
    }
    if (answer_section(msg, len, &off, get16(msg + 6), qtype, &v, &n) < 0)
	return malformed(a, "bad answer record");
    r = chase(a, v, n, qn, qtype, &minttl);
    for (size_t i = 0; i < n; i++)
	dns_rr_clear(&v[i].rr);
    free(v);
    if (r < 0) {
	a->status = DNS_PERM;
	dns_answer_reason(a, "CNAME chain longer than %d (loop?)", DNS_CNAME_MAX);
	return -1;
    }
    int soa = negative_ttl(msg, len, off, get16(msg + 8), &a->ttl);
    if (soa < 0) {
	a->ttl = 0;
	return malformed(a, "bad authority record");
    }
    if (a->count > 0) {
	a->status = DNS_FOUND;
	a->ttl = minttl;
	return 0;
    }
    a->status = DNS_NOTFOUND;
    a->nxdomain = a->rcode == ns_r_nxdomain;
    if (!soa && !a->nxdomain && strcmp(a->canonical, qn) != 0)
	a->ttl = minttl;		/* a bare CNAME: cacheable for its TTL */
    else if (minttl < a->ttl)
	a->ttl = minttl;
    return 0;
}

static const struct {
    enum dns_type type;
    const char *name;
} dns_types[] = {
    {DNS_T_A, "A"}, {DNS_T_AAAA, "AAAA"}, {DNS_T_MX, "MX"}, {DNS_T_TXT, "TXT"},
    {DNS_T_PTR, "PTR"}, {DNS_T_CNAME, "CNAME"}, {DNS_T_TLSA, "TLSA"},
};

/* dns_type_name - "A", "MX", ...; "?" for a type we do not handle */
const char *dns_type_name(enum dns_type t)
{
    for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
	if (dns_types[i].type == t)
	    return dns_types[i].name;
    return "?";
}

/* dns_type_parse - type name (any case) to enum dns_type; -1 unknown */
int dns_type_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++)
	if (strcasecmp(dns_types[i].name, name) == 0)
	    return (int) dns_types[i].type;
    return -1;
}

/* dns_status_name - "found", "notfound", "temporary", "permanent" */
const char *dns_status_name(enum dns_status s)
{
    switch (s) {
    case DNS_FOUND:
	return "found";
    case DNS_NOTFOUND:
	return "notfound";
    case DNS_TEMP:
	return "temporary";
    case DNS_PERM:
	return "permanent";
    }
    return "?";
}

/* dns_reverse_name - the in-addr.arpa / ip6.arpa name of an address */
int dns_reverse_name(int family, const unsigned char *addr, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    if (family == AF_INET) {
	int n = snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", addr[3], addr[2], addr[1],
			 addr[0]);
	return n > 0 && (size_t) n < outlen ? 0 : -1;
    }
    if (family != AF_INET6 || outlen < 16 * 4 + sizeof("ip6.arpa"))
	return -1;
    for (int i = 15; i >= 0; i--) {
	out[o++] = hex[addr[i] & 0x0f];
	out[o++] = '.';
	out[o++] = hex[addr[i] >> 4];
	out[o++] = '.';
    }
    memcpy(out + o, "ip6.arpa", sizeof("ip6.arpa"));
    return 0;
}
