/*
 * NAME
 *	report_send.c - deliver aggregate reports: destinations, mail, state
 * SYNOPSIS
 *	#include "dmarc/report.h"
 *
 *	int dmarc_report_authorized(struct dns_resolver *res, const struct dmarc_psl *psl,
 *				    const char *policy_domain, const char *addr,
 *				    const char **why_r);
 *	int dmarc_report_message(const struct dmarc_report *r,
 *				 const struct dmarc_report_opts *o, const char *to,
 *				 const struct buf *gz, struct buf *out);
 *	int dmarc_report_run(struct store *s, struct dns_resolver *res,
 *			     const struct dmarc_psl *psl, const struct dmarc_report_opts *o);
 *	int dmarc_report_pipe(const char *cmd, const struct buf *msg, char **why_r);
 * DESCRIPTION
 *	See report.h. The state of a delivery is the store value
 *	DMARC_SENT_PREFIX "DAY:DOMAIN:ADDRESS": "queued" while the command
 *	runs, "sent" after it exited 0; it expires after 40 days.
 * DIAGNOSTICS
 *	See report.h.
 * STANDARDS
 *	RFC 7489 7.1, 7.2.1.1; RFC 2045 6.8 (base64), RFC 2046 5.1
 *	(multipart/mixed), RFC 5322 3.3 (date).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <openssl/evp.h>
#include "check/dmarc.h"
#include "check/dmarc_int.h"
#include "dmarc/report.h"
#include "dns/dns.h"
#include "mail/addr.h"
#include "store/store.h"
#include "util/xmalloc.h"

#define DMARC_SENT_PREFIX	"dmarc:sent:"
#define DMARC_SENT_TTL		(40L * 86400)

/* org_of - the organizational domain (the domain itself when unknown) */
static const char *org_of(const struct dmarc_psl *psl, const char *d)
{
    const char *o = psl ? dmarc_psl_org(psl, d) : NULL;

    return o ? o : d;
}

/* dmarc_report_authorized - may addr receive reports for policy_domain (RFC 7489 7.1) */
int dmarc_report_authorized(struct dns_resolver *res, const struct dmarc_psl *psl,
			    const char *policy_domain, const char *addr, const char **why_r)
{
    const char *at = strrchr(addr, '@');
    char   *dom = NULL, *q;
    struct dns_answer *a = NULL;
    int     st, ok = 0;

    if (at == NULL || mail_domain_normalize(at + 1, strlen(at + 1), &dom, why_r) != 0) {
	*why_r = "not an address with a domain";
	return 0;
    }
    if (strcasecmp(org_of(psl, dom), org_of(psl, policy_domain)) == 0) {
	free(dom);
	return 1;
    }
    q = xasprintf("%s._report._dmarc.%s", policy_domain, dom);
    st = dns_lookup(res, q, DNS_T_TXT, NULL, &a);
    if (st == DNS_FOUND) {
	for (size_t i = 0; i < a->count; i++)
	    if (strncmp(a->rrs[i].u.txt.text, "v=DMARC1", 8) == 0)
		ok = 1;
	if (!ok)
	    *why_r = "no v=DMARC1 record at POLICY._report._dmarc.DOMAIN";
    } else if (st == DNS_NOTFOUND) {
	*why_r = "no authorization record at POLICY._report._dmarc.DOMAIN";
    } else {
	*why_r = "temporary DNS failure on POLICY._report._dmarc.DOMAIN";
	ok = -1;
    }
    dns_answer_free(&a);
    free(q);
    free(dom);
    return ok;
}

/* put_base64 - data as base64 lines of 76 characters */
static void put_base64(struct buf *out, const unsigned char *data, size_t len)
{
    unsigned char line[80];

    for (size_t i = 0; i < len; i += 57) {
	int     n = EVP_EncodeBlock(line, data + i, (int) (len - i < 57 ? len - i : 57));

	buf_append(out, line, (size_t) n);
	buf_puts(out, "\r\n");
    }
}

/* dmarc_report_message - the report mail to one address */
int dmarc_report_message(const struct dmarc_report *r, const struct dmarc_report_opts *o,
			 const char *to, const struct buf *gz, struct buf *out)
{
    char    date[64];
    struct tm tm;
    time_t  now = time(NULL);

    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_printf(out, "From: %s\r\nTo: %s\r\n"
	       "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\r\n"
	       "Date: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
	       "Content-Type: multipart/mixed; boundary=\"=_dmarc_%s\"\r\n\r\n",
	       o->email, to, r->domain, o->receiver, r->report_id, date, r->report_id,
	       o->receiver, r->report_id);
    buf_printf(out, "--=_dmarc_%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
	       "This is a DMARC aggregate report (RFC 7489) for %s, %s (UTC),\r\n"
	       "from %s: %llu messages in %zu records.\r\n\r\n",
	       r->report_id, r->domain, o->day, o->org_name, r->messages, r->records);
    buf_printf(out, "--=_dmarc_%s\r\nContent-Type: application/gzip; name=\"%s\"\r\n"
	       "Content-Disposition: attachment; filename=\"%s\"\r\n"
	       "Content-Transfer-Encoding: base64\r\n\r\n", r->report_id, r->filename,
	       r->filename);
    put_base64(out, (const unsigned char *) gz->data, gz->len);
    buf_printf(out, "\r\n--=_dmarc_%s--\r\n", r->report_id);
    return 0;
}

/* dmarc_report_pipe - pipe a message to the command; 0 when it exited 0 */
int dmarc_report_pipe(const char *cmd, const struct buf *msg, char **why_r)
{
    FILE   *p = popen(cmd, "w");
    int     st;

    if (p == NULL) {
	*why_r = xasprintf("%s: %s", cmd, strerror(errno));
	return -1;
    }
    if (fwrite(msg->data, 1, msg->len, p) != msg->len) {
	pclose(p);
	*why_r = xasprintf("%s: write: %s", cmd, strerror(errno));
	return -1;
    }
    st = pclose(p);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
	*why_r = xasprintf("%s: exit status %d", cmd, st == -1 ? -1 : WIFEXITED(st)
			   ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return -1;
    }
    return 0;
}

/* write_file - keep the report file in o->out_dir */
static int write_file(const struct dmarc_report_opts *o, const struct dmarc_report *r,
		      const struct buf *gz)
{
    char   *path = xasprintf("%s/%s", o->out_dir, r->filename), *tmp = xasprintf("%s.tmp", path);
    FILE   *fp = fopen(tmp, "w");
    int     rc = -1;

    if (fp && fwrite(gz->data, 1, gz->len, fp) == gz->len && fclose(fp) == 0) {
	fp = NULL;
	rc = rename(tmp, path);
    }
    if (fp)
	fclose(fp);
    if (rc != 0)
	printf("%s: cannot write %s: %s\n", r->domain, path, strerror(errno));
    free(path);
    free(tmp);
    return rc;
}

/* send_one - one address of a report; 0 done or skipped for good, 1 retry later */
static int send_one(struct store *s, struct dns_resolver *res, const struct dmarc_psl *psl,
		    const struct dmarc_report_opts *o, const struct dmarc_report *r,
		    const struct buf *gz, const char *uri, size_t ulen)
{
    char   *addr = NULL, *key, *why2 = NULL;
    unsigned long long max;
    const char *why = NULL;
    struct buf state = BUF_INIT, msg = BUF_INIT;
    int     rc = 0, a;

    if (dmarc_report_uri(uri, ulen, &addr, &max) != 0) {
	printf("%s: %.*s: not a mailto: URI, skipped\n", r->domain, (int) ulen, uri);
	return 0;
    }
    key = xasprintf("%s%s:%s:%s", DMARC_SENT_PREFIX, o->day, r->domain, addr);
    if (store_get(s, key, &state) == 1 && strcmp(buf_str(&state), "sent") == 0) {
	printf("%s: %s: already sent\n", r->domain, addr);
    } else if ((a = dmarc_report_authorized(res, psl, r->domain, addr, &why)) != 1) {
	printf("%s: %s: %s: %s\n", r->domain, addr, a < 0 ? "deferred" : "not authorized", why);
	rc = a < 0;
    } else if (max && gz->len > max) {
	printf("%s: %s: report of %zu bytes over the !size limit of %llu, not sent\n",
	       r->domain, addr, gz->len, max);
    } else if (o->dry_run) {
	printf("%s: %s: would send %s (%llu messages, %zu records)\n", r->domain, addr,
	       r->filename, r->messages, r->records);
    } else if (store_put(s, key, "queued", 6, DMARC_SENT_TTL) != 0) {
	printf("%s: %s: cannot record the delivery state: %s\n", r->domain, addr, store_error(s));
	rc = 1;
    } else {
	dmarc_report_message(r, o, addr, gz, &msg);
	if (dmarc_report_pipe(o->sendmail, &msg, &why2) != 0) {
	    printf("%s: %s: not sent: %s\n", r->domain, addr, why2);
	    rc = 1;
	} else if (store_put(s, key, "sent", 4, DMARC_SENT_TTL) != 0) {
	    printf("%s: %s: sent, but the state was not recorded: %s\n", r->domain, addr,
		   store_error(s));
	    rc = 1;
	} else {
	    printf("%s: %s: sent %s (%llu messages, %zu records)\n", r->domain, addr,
		   r->filename, r->messages, r->records);
	}
    }
    free(why2);
    buf_free(&msg);
    buf_free(&state);
    free(key);
    free(addr);
    return rc;
}

/* report_domain - build and deliver one domain's report; 0 ok, 1 retry */
static int report_domain(struct store *s, struct dns_resolver *res, const struct dmarc_psl *psl,
			 const struct dmarc_report_opts *o, const char *domain,
			 const char *lines, size_t len)
{
    struct dmarc_report r;
    struct buf gz = BUF_INIT;
    const char *why = NULL;
    int     rc = 0;

    if (dmarc_report_build(domain, lines, len, o, &r, &why) != 0) {
	printf("%s: no report: %s\n", domain, why);
	dmarc_report_clear(&r);
	return 0;
    }
    if (r.skipped)
	printf("%s: %zu malformed history lines skipped\n", domain, r.skipped);
    if (dmarc_report_gzip(r.xml, r.xml_len, &gz) != 0) {
	printf("%s: gzip failed\n", domain);
	rc = 1;
    } else if (o->out_dir && write_file(o, &r, &gz) != 0) {
	rc = 1;
    } else if (r.rua == NULL) {
	printf("%s: no rua= in the policy: nothing to send (%llu messages)\n", domain,
	       r.messages);
    } else {
	for (const char *u = r.rua; *u;) {
	    size_t  ul = strcspn(u, ",");

	    rc |= send_one(s, res, psl, o, &r, &gz, u, ul);
	    u += ul + (u[ul] == ',');
	}
    }
    buf_free(&gz);
    dmarc_report_clear(&r);
    return rc;
}

struct scan_ctx {
    char  **keys, **vals;
    size_t *lens;
    size_t  n, cap;
};

/* scan_one - collect one history value */
static int scan_one(void *ctx, const char *key, const void *val, size_t len)
{
    struct scan_ctx *c = ctx;

    if (c->n == c->cap) {
	c->cap = c->cap ? c->cap * 2 : 16;
	c->keys = xrealloc(c->keys, c->cap * sizeof(char *));
	c->vals = xrealloc(c->vals, c->cap * sizeof(char *));
	c->lens = xrealloc(c->lens, c->cap * sizeof(size_t));
    }
    c->keys[c->n] = xstrdup(key);
    c->vals[c->n] = xmalloc(len + 1);
    memcpy(c->vals[c->n], val, len);
    c->vals[c->n][len] = 0;
    c->lens[c->n] = len;
    c->n++;
    return 0;
}

/* dmarc_report_run - every domain's report of one day */
int dmarc_report_run(struct store *s, struct dns_resolver *res, const struct dmarc_psl *psl,
		     const struct dmarc_report_opts *o)
{
    struct scan_ctx c = {0};
    char   *prefix = xasprintf("%s%s:", DMARC_HIST_PREFIX, o->day);
    int     rc = 0;

    if (store_scan(s, prefix, scan_one, &c) != 0) {
	printf("cannot read the history: %s\n", store_error(s));
	rc = 1;
    } else if (c.n == 0) {
	printf("no DMARC history for %s\n", o->day);
    }
    for (size_t i = 0; i < c.n; i++) {
	rc |= report_domain(s, res, psl, o, c.keys[i] + strlen(prefix), c.vals[i], c.lens[i]);
	free(c.keys[i]);
	free(c.vals[i]);
    }
    free(c.keys);
    free(c.vals);
    free(c.lens);
    free(prefix);
    fflush(stdout);
    return rc;
}
