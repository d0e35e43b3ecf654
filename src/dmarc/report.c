/*
 * NAME
 *	report.c - build the XML of an aggregate report, gzip it, parse rua URIs
 * SYNOPSIS
 *	#include "dmarc/report.h"
 *
 *	int dmarc_report_build(const char *domain, const char *lines, size_t len,
 *			       const struct dmarc_report_opts *o,
 *			       struct dmarc_report *r, const char **why_r);
 *	void dmarc_report_clear(struct dmarc_report *r);
 *	int dmarc_report_gzip(const char *data, size_t len, struct buf *out);
 *	int dmarc_report_uri(const char *uri, size_t len, char **addr_r,
 *			     unsigned long long *max_r);
 * DESCRIPTION
 *	See report.h. History lines are version 1 of dmarc_history.c: 21
 *	tab-separated fields. Rows are grouped by sorting their keys, so a
 *	day with many sources costs n log n. Text is XML-escaped; control
 *	characters become spaces.
 * DIAGNOSTICS
 *	See report.h.
 * STANDARDS
 *	RFC 7489 7.2, Appendix C; RFC 1952.
 */
#include "config.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <openssl/evp.h>
#include "dmarc/report.h"
#include "util/xmalloc.h"

#define HIST_FIELDS_V1	21
#define HIST_FIELDS	26
#define XMLNS_7489	"http://dmarc.org/dmarc-xml/0.1"
#define XMLNS_9990	"urn:ietf:params:xml:ns:dmarc-2.0"
#define DKIM_MAX	100	/* signatures per row (RFC 9990 2.1.4) */

enum { F_VER, F_TIME, F_IP, F_FROM, F_MFROM, F_PDOMAIN, F_P, F_SP, F_ADKIM, F_ASPF, F_PCT,
       F_DISP, F_RESULT, F_DKIM_AL, F_SPF_AL, F_SPF_RES, F_SPF_DOM, F_DKIM, F_REASON, F_RUA,
       F_QID, F_NP, F_T, F_FO, F_DISC, F_DPOL };

struct row {
    char   *key;		/* the grouping fields, joined by tabs */
    char  **f;			/* the line's fields (point into key's copy) */
};

/* xml_put - text with &, <, >, " escaped, controls as spaces */
static void xml_put(struct buf *b, const char *s)
{
    for (; *s; s++) {
	switch (*s) {
	case '&': buf_puts(b, "&amp;"); break;
	case '<': buf_puts(b, "&lt;"); break;
	case '>': buf_puts(b, "&gt;"); break;
	case '"': buf_puts(b, "&quot;"); break;
	default: buf_putc(b, (unsigned char) *s < 0x20 ? ' ' : *s);
	}
    }
}

/* xml_elem - <name>text</name> */
static void xml_elem(struct buf *b, const char *indent, const char *name, const char *text)
{
    buf_printf(b, "%s<%s>", indent, name);
    xml_put(b, text);
    buf_printf(b, "</%s>\n", name);
}

/* dash - "" for the history's "-" (no value) */
static const char *dash(const char *s)
{
    return strcmp(s, "-") == 0 ? "" : s;
}

/* word_in - s if it is one of words, else def */
static const char *word_in(const char *s, const char *const *words, const char *def)
{
    for (; *words; words++)
	if (strcmp(s, *words) == 0)
	    return s;
    return def;
}

/* split_line - the fields of one history line (version 1 or 2); 0 ok, -1 malformed */
static int split_line(char *line, char **f)
{
    size_t  n = 0;

    for (char *p = line; n < HIST_FIELDS; n++) {
	f[n] = p;
	p = strchr(p, '\t');
	if (p == NULL) {
	    n++;
	    break;
	}
	*p++ = 0;
    }
    if (n == HIST_FIELDS_V1 && strcmp(f[F_VER], "1") == 0) {	/* before RFC 9990's fields */
	f[F_NP] = f[F_FO] = f[F_DPOL] = (char *) "-";
	f[F_T] = (char *) "n";
	f[F_DISC] = (char *) "psl";
    } else if (n != HIST_FIELDS || strcmp(f[F_VER], "2") != 0) {
	return -1;
    }
    return *f[F_IP] && *f[F_FROM] ? 0 : -1;
}

/* row_cmp - qsort order of rows by key */
static int row_cmp(const void *a, const void *b)
{
    return strcmp(((const struct row *) a)->key, ((const struct row *) b)->key);
}

struct sig {
    char   *domain, *selector, *result;
    int     rank;
    size_t  pos;
};

/* under - d is s or a name under it */
static int under(const char *d, const char *s)
{
    size_t  dl = strlen(d), sl = strlen(s);

    return dl == sl ? strcasecmp(d, s) == 0
	: dl > sl && d[dl - sl - 1] == '.' && strcasecmp(d + dl - sl, s) == 0;
}

/* sig_rank - RFC 9990 2.1.4's order: a pass of the From domain itself, a
 * pass of a parent or child of it (relaxed alignment as far as the report
 * can tell without the suffix list), any other pass, the rest */
static int sig_rank(const struct sig *g, const char *from)
{
    if (strcmp(g->result, "pass") != 0)
	return 3;
    if (strcasecmp(g->domain, from) == 0)
	return 0;
    return under(g->domain, from) || under(from, g->domain) ? 1 : 2;
}

/* sig_cmp - qsort order: rank, then the order in the message */
static int sig_cmp(const void *a, const void *b)
{
    const struct sig *x = a, *y = b;

    return x->rank != y->rank ? x->rank - y->rank : x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* sigs_parse - the "d:s:result,..." field as signatures; their number */
static size_t sigs_parse(const char *d, const char *from, struct sig **sigs_r)
{
    struct sig *g = NULL;
    size_t  n = 0;

    while (strcmp(d, "-") != 0 && *d) {
	size_t  len = strcspn(d, ",");
	char   *tok = xstrndup(d, len), *c1 = strchr(tok, ':');
	char   *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (c1 && c2) {
	    *c1 = *c2 = 0;
	    g = xrealloc(g, (n + 1) * sizeof(*g));
	    g[n].domain = xstrdup(tok);
	    g[n].selector = xstrdup(c1 + 1);
	    g[n].result = xstrdup(c2 + 1);
	    g[n].pos = n;
	    g[n].rank = sig_rank(&g[n], from);
	    n++;
	}
	free(tok);
	d += len + (d[len] == ',');
    }
    *sigs_r = g;
    return n;
}

/* put_auth - the auth_results of a row */
static void put_auth(struct buf *b, char **f, int rfc9990)
{
    static const char *const dkim_words[] = {"none", "pass", "fail", "policy", "neutral",
	"temperror", "permerror", NULL};
    static const char *const spf_words[] = {"none", "neutral", "pass", "fail", "softfail",
	"temperror", "permerror", NULL};
    struct sig *g = NULL;
    size_t  n = sigs_parse(f[F_DKIM], f[F_FROM], &g);

    if (rfc9990 && n > 1)		/* the preferred ones first, at most DKIM_MAX */
	qsort(g, n, sizeof(*g), sig_cmp);
    buf_puts(b, "    <auth_results>\n");
    for (size_t i = 0; i < n; i++) {
	if (!rfc9990 || i < DKIM_MAX) {
	    buf_puts(b, "      <dkim>\n");
	    xml_elem(b, "        ", "domain", g[i].domain);
	    if (*g[i].selector || rfc9990)
		xml_elem(b, "        ", "selector", g[i].selector);
	    xml_elem(b, "        ", "result", word_in(g[i].result, dkim_words, "permerror"));
	    buf_puts(b, "      </dkim>\n");
	}
	free(g[i].domain);
	free(g[i].selector);
	free(g[i].result);
    }
    free(g);
    buf_puts(b, "      <spf>\n");
    xml_elem(b, "        ", "domain", strcmp(f[F_SPF_DOM], "-") ? f[F_SPF_DOM] : f[F_FROM]);
    if (strcmp(f[F_MFROM], "-") != 0)
	xml_elem(b, "        ", "scope", "mfrom");
    else if (!rfc9990)			/* RFC 9990: only the MAIL FROM scope exists */
	xml_elem(b, "        ", "scope", "helo");
    xml_elem(b, "        ", "result", word_in(f[F_SPF_RES], spf_words, "none"));
    buf_puts(b, "      </spf>\n    </auth_results>\n");
}

/* put_ip - the source address; IPv6 written out in full for RFC 7489's
 * schema, whose IPAddress pattern has no zero compression */
static void put_ip(struct buf *b, const char *ip, int rfc9990)
{
    struct in6_addr a;

    if (rfc9990 || strchr(ip, ':') == NULL || inet_pton(AF_INET6, ip, &a) != 1) {
	xml_elem(b, "      ", "source_ip", ip);
	return;
    }
    buf_puts(b, "      <source_ip>");
    for (int i = 0; i < 16; i += 2)
	buf_printf(b, "%s%x", i ? ":" : "", (unsigned) (a.s6_addr[i] << 8 | a.s6_addr[i + 1]));
    buf_puts(b, "</source_ip>\n");
}

/* policy_rank - none 0, quarantine 1, reject 2 */
static int policy_rank(const char *p)
{
    return strcmp(p, "reject") == 0 ? 2 : strcmp(p, "quarantine") == 0;
}

/* put_record - one <record> for count messages like row f */
static void put_record(struct buf *b, char **f, unsigned long long count, int rfc9990)
{
    static const char *const disp[] = {"none", "quarantine", "reject", NULL};
    static const char *const pf[] = {"pass", "fail", NULL};
    const char *dis = word_in(f[F_DISP], disp, "none");
    int     pass = strcmp(f[F_DKIM_AL], "pass") == 0 || strcmp(f[F_SPF_AL], "pass") == 0;

    buf_puts(b, "  <record>\n    <row>\n");
    put_ip(b, f[F_IP], rfc9990);
    buf_printf(b, "      <count>%llu</count>\n      <policy_evaluated>\n", count);
    /* RFC 9990: "pass" is no action for a DMARC pass under an enforcing policy */
    xml_elem(b, "        ", "disposition",
	     rfc9990 && pass && policy_rank(f[F_DPOL]) > 0 ? "pass" : dis);
    xml_elem(b, "        ", "dkim", word_in(f[F_DKIM_AL], pf, "fail"));
    xml_elem(b, "        ", "spf", word_in(f[F_SPF_AL], pf, "fail"));
    if (strcmp(f[F_REASON], "-") != 0) {
	buf_puts(b, "        <reason>\n          <type>local_policy</type>\n");
	xml_elem(b, "          ", "comment", f[F_REASON]);
	buf_puts(b, "        </reason>\n");
    } else if (rfc9990 && !pass && strcmp(f[F_T], "y") == 0
	       && policy_rank(dis) < policy_rank(f[F_DPOL])) {
	buf_puts(b, "        <reason>\n          <type>policy_test_mode</type>\n"
		 "          <comment>t=y</comment>\n        </reason>\n");
    }
    buf_puts(b, "      </policy_evaluated>\n    </row>\n    <identifiers>\n");
    xml_elem(b, "      ", "envelope_from", dash(f[F_MFROM]));
    xml_elem(b, "      ", "header_from", f[F_FROM]);
    buf_puts(b, "    </identifiers>\n");
    put_auth(b, f, rfc9990);
    buf_puts(b, "  </record>\n");
}

/* put_head - report_metadata and policy_published (from the latest line f) */
static void put_head(struct buf *b, const struct dmarc_report *r,
		     const struct dmarc_report_opts *o, char **f)
{
    static const char *const disp[] = {"none", "quarantine", "reject", NULL};
    const char *p = word_in(f[F_P], disp, "none");
    int     nine = o->rfc9990;

    buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback xmlns=\"%s\">\n"
	       "  <version>1.0</version>\n  <report_metadata>\n", nine ? XMLNS_9990 : XMLNS_7489);
    xml_elem(b, "    ", "org_name", o->org_name);
    xml_elem(b, "    ", "email", o->email);
    xml_elem(b, "    ", "report_id", r->report_id);
    buf_printf(b, "    <date_range>\n      <begin>%lld</begin>\n      <end>%lld</end>\n"
	       "    </date_range>\n", (long long) o->begin, (long long) o->end);
    if (nine)
	buf_puts(b, "    <generator>mxguard " PACKAGE_VERSION "</generator>\n");
    buf_puts(b, "  </report_metadata>\n  <policy_published>\n");
    xml_elem(b, "    ", "domain", r->domain);
    if (nine)
	xml_elem(b, "    ", "discovery_method", strcmp(f[F_DISC], "treewalk") ? "psl" : "treewalk");
    xml_elem(b, "    ", "adkim", strcmp(f[F_ADKIM], "s") == 0 ? "s" : "r");
    xml_elem(b, "    ", "aspf", strcmp(f[F_ASPF], "s") == 0 ? "s" : "r");
    xml_elem(b, "    ", "p", p);
    xml_elem(b, "    ", "sp", word_in(f[F_SP], disp, p));
    if (nine && word_in(f[F_NP], disp, NULL))
	xml_elem(b, "    ", "np", f[F_NP]);
    if (!nine)
	buf_printf(b, "    <pct>%d</pct>\n",
		   atoi(f[F_PCT]) >= 0 && atoi(f[F_PCT]) <= 100 ? atoi(f[F_PCT]) : 100);
    xml_elem(b, "    ", "fo", strcmp(f[F_FO], "-") ? f[F_FO] : "0");
    if (nine)
	xml_elem(b, "    ", "testing", strcmp(f[F_T], "y") == 0 ? "y" : "n");
    buf_puts(b, "  </policy_published>\n");
}

/* report_id - a stable id: the same day, domain and receiver give the same id */
static char *report_id(const struct dmarc_report_opts *o, const char *domain)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char   *in = xasprintf("%s|%s|%s", o->receiver, domain, o->day), hex[33];

    EVP_Digest(in, strlen(in), md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 16; i++)
	snprintf(hex + 2 * i, 3, "%02x", md[i]);
    free(in);
    return xasprintf("%s.%s", o->day, hex);
}

/* the history fields a row's key holds, in key order: RFC 7489 7.2 groups
 * by source, disposition, alignment, override and identifiers; RFC 9990
 * also by the policy that applied and t= (they decide "pass" and
 * policy_test_mode) */
static const int key_idx[] = {F_IP, F_DISP, F_DKIM_AL, F_SPF_AL, F_REASON, F_FROM, F_MFROM,
    F_SPF_DOM, F_SPF_RES, F_DKIM, F_DPOL, F_T};
#define KEY_7489	10
#define KEY_9990	12

/* rows_collect - the usable lines as rows with their grouping keys */
static size_t rows_collect(const char *lines, size_t len, int rfc9990, struct row **rows_r,
			   size_t *skipped_r, char **latest_r)
{
    struct row *rows = NULL;
    size_t  n = 0, cap = 0;
    long long latest_t = -1;

    *skipped_r = 0;
    for (const char *p = lines, *end = lines + len; p < end;) {
	const char *nl = memchr(p, '\n', (size_t) (end - p));
	size_t  ll = nl ? (size_t) (nl - p) : (size_t) (end - p);
	char   *copy = xstrndup(p, ll), *f[HIST_FIELDS];

	p += ll + (nl != NULL);
	if (ll == 0) {
	    free(copy);
	    continue;
	}
	char   *keep = xstrdup(copy);

	if (split_line(copy, f) != 0) {
	    (*skipped_r)++;
	    free(copy);
	    free(keep);
	    continue;
	}
	if (*latest_r == NULL || atoll(f[F_TIME]) >= latest_t) {	/* any time, even < 0 */
	    latest_t = atoll(f[F_TIME]);
	    free(*latest_r);
	    *latest_r = xstrdup(keep);
	}
	free(keep);
	if (n == cap) {
	    cap = cap ? cap * 2 : 64;
	    rows = xrealloc(rows, cap * sizeof(*rows));
	}
	{
	    struct buf k = BUF_INIT;

	    for (size_t x = 0; x < (rfc9990 ? KEY_9990 : KEY_7489); x++)
		buf_printf(&k, "%s%s", x ? "\t" : "", f[key_idx[x]]);
	    rows[n].key = buf_steal(&k);
	}
	rows[n].f = NULL;
	free(copy);
	n++;
    }
    *rows_r = rows;
    return n;
}

/* key_fields - point f[] at the fields of a key (split in place) */
static void key_fields(char *k, size_t nkey, char **f, const char *const *latest)
{
    for (size_t x = 0; x < HIST_FIELDS; x++)
	f[x] = (char *) latest[x];	/* fields outside the key: the policy's */
    for (size_t x = 0; x < nkey; x++) {
	char   *tab = strchr(k, '\t');

	f[key_idx[x]] = k;
	if (tab) {
	    *tab = 0;
	    k = tab + 1;
	} else {
	    k = k + strlen(k);		/* missing fields are "" */
	}
    }
}

/* dmarc_report_build - the XML report of one domain's day */
int dmarc_report_build(const char *domain, const char *lines, size_t len,
		       const struct dmarc_report_opts *o, struct dmarc_report *r,
		       const char **why_r)
{
    struct row *rows = NULL;
    char   *latest = NULL, *lf[HIST_FIELDS];
    size_t  n;
    struct buf b = BUF_INIT;

    memset(r, 0, sizeof(*r));
    r->domain = xstrdup(domain);
    n = rows_collect(lines, len, o->rfc9990, &rows, &r->skipped, &latest);
    if (n == 0) {
	*why_r = "no usable history line";
	free(latest);
	return -1;
    }
    split_line(latest, lf);
    r->rua = strcmp(lf[F_RUA], "-") ? xstrdup(lf[F_RUA]) : NULL;
    r->report_id = report_id(o, domain);
    r->filename = xasprintf("%s!%s!%lld!%lld!%s.xml.gz", o->receiver, domain,
			    (long long) o->begin, (long long) o->end, r->report_id);
    put_head(&b, r, o, lf);
    qsort(rows, n, sizeof(*rows), row_cmp);
    for (size_t i = 0; i < n;) {
	size_t  j = i;
	char   *f[HIST_FIELDS], *k;

	while (j < n && strcmp(rows[j].key, rows[i].key) == 0)
	    j++;
	k = xstrdup(rows[i].key);
	key_fields(k, o->rfc9990 ? KEY_9990 : KEY_7489, f, (const char *const *) lf);
	put_record(&b, f, (unsigned long long) (j - i), o->rfc9990);
	r->records++;
	r->messages += j - i;
	free(k);
	i = j;
    }
    buf_puts(&b, "</feedback>\n");
    r->xml_len = b.len;
    r->xml = buf_steal(&b);
    for (size_t i = 0; i < n; i++)
	free(rows[i].key);
    free(rows);
    free(latest);
    return 0;
}

/* dmarc_report_clear - free a report */
void dmarc_report_clear(struct dmarc_report *r)
{
    free(r->domain);
    free(r->rua);
    free(r->report_id);
    free(r->filename);
    free(r->xml);
    memset(r, 0, sizeof(*r));
}

/* dmarc_report_gzip - data as a gzip file (RFC 1952), in memory */
int dmarc_report_gzip(const char *data, size_t len, struct buf *out)
{
    z_stream z;
    unsigned char chunk[16384];
    int     rc;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
	return -1;
    z.next_in = (unsigned char *) data;
    z.avail_in = (uInt) len;
    do {
	z.next_out = chunk;
	z.avail_out = sizeof(chunk);
	rc = deflate(&z, Z_FINISH);
	buf_append(out, chunk, sizeof(chunk) - z.avail_out);
    } while (rc == Z_OK);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

/* dmarc_report_uri - "mailto:addr[!size]" -> addr and the size limit (0: none) */
int dmarc_report_uri(const char *uri, size_t len, char **addr_r, unsigned long long *max_r)
{
    const char *bang, *at;
    char   *end;
    unsigned long long v;

    *addr_r = NULL;
    *max_r = 0;
    while (len > 0 && (*uri == ' ' || *uri == '\t'))
	uri++, len--;
    while (len > 0 && (uri[len - 1] == ' ' || uri[len - 1] == '\t'))
	len--;
    if (len < 8 || strncasecmp(uri, "mailto:", 7) != 0)
	return -1;
    bang = memchr(uri, '!', len);
    at = memchr(uri + 7, '@', (size_t) ((bang ? bang : uri + len) - uri - 7));
    if (at == NULL || at == uri + 7 || at + 1 == (bang ? bang : uri + len))
	return -1;
    if (bang) {
	char   *num = xstrndup(bang + 1, (size_t) (uri + len - bang - 1));

	v = strtoull(num, &end, 10);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	case 't': case 'T': v <<= 40; end++; break;
	}
	if (*end != 0 || end == num) {
	    free(num);
	    return -1;
	}
	free(num);
	*max_r = v;
    }
    *addr_r = xstrndup(uri + 7, (size_t) ((bang ? bang : uri + len) - uri - 7));
    for (char *c = *addr_r; *c; c++)
	if ((unsigned char) *c <= ' ' || *c == '<' || *c == '>' || *c == ',') {
	    free(*addr_r);
	    *addr_r = NULL;
	    return -1;
	}
    return 0;
}
