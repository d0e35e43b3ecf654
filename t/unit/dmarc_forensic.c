/*
 * NAME
 *	t/unit/dmarc_forensic.c - DMARC failure reports: fo=, the RFC 6591 mail, the sender
 * DESCRIPTION
 *	Proves: fo= options are read as RFC 7489 6.3 lists them (unknown
 *	ones ignored, fo=0 by default); each fo= option asks for exactly the
 *	failures it names; the report mail is a multipart/report with the
 *	three parts of RFC 6591 and every field of the feedback part checked
 *	one by one; values from the message cannot add fields (CR/LF); the
 *	header copy keeps whole fields up to its limit and leaves out lines
 *	that are not fields. The sender thread sends through the command
 *	with "-f '<>'" (or the configured sender), refuses an external ruf
 *	domain without its _report._dmarc record, honours !size, and stops
 *	at dmarc.forensic.rate_limit reports per address and hour, counted
 *	in an LMDB store. DNS comes from the scripted server.
 */
#include "config.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include "t/tap.h"
#include "check/dmarc.h"
#include "dmarc/forensic.h"
#include "dns/dns.h"
#include "mail/header.h"
#include "store/store.h"
#include "t/unit/dns_double.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static struct dmarc_dkim dkim_fail = {"fail", "bad.test", "sel1"};
static struct dmarc_dkim dkim_pass = {"pass", "example.test", "s1"};

/* base - a message that failed DMARC with nothing aligned */
static struct dmarc_forensic_in base(void)
{
    struct dmarc_forensic_in in = {0};

    in.arrival = 1700000000;
    in.from = "Mail Delivery System <MAILER-DAEMON@mx.test>";
    in.reporter = "mx.test";
    in.queue_id = "4AbCd";
    in.mail_from = "bounce@other.test";
    in.source_ip = "192.0.2.7";
    in.from_domain = "example.test";
    in.policy_domain = "example.test";
    in.authres = "mx.test; dmarc=fail (p=reject dis=reject) header.from=example.test";
    in.subject = "hello";
    in.spf_result = "pass";
    in.headers = "From: a@example.test\r\nSubject: hello\r\n";
    return in;
}

/* test_fo - the fo= parser */
static void test_fo(void)
{
    is_int(dmarc_fo_parse(NULL), DMARC_FO_0, "fo absent: 0");
    is_int(dmarc_fo_parse(""), DMARC_FO_0, "fo empty: 0");
    is_int(dmarc_fo_parse("1"), DMARC_FO_1, "fo=1");
    is_int(dmarc_fo_parse("d:s"), DMARC_FO_D | DMARC_FO_S, "fo=d:s");
    is_int(dmarc_fo_parse(" 1 : D "), DMARC_FO_1 | DMARC_FO_D,
	   "fo= with blanks around the options and an upper-case D");
    is_int(dmarc_fo_parse("0:1:d:s"), DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S,
	   "fo=0:1:d:s: all four");
    is_int(dmarc_fo_parse("x:ss:1"), DMARC_FO_1, "unknown options ignored");
    is_int(dmarc_fo_parse("x"), DMARC_FO_0, "only unknown options: fo=0");
    is_int(dmarc_fo_parse("::"), DMARC_FO_0, "empty options: fo=0");
}

/* test_due - which failures each fo= option reports */
static void test_due(void)
{
    struct dmarc_forensic_in in = base();
    struct dmarc_dkim two[2] = {dkim_pass, dkim_fail};

    is_int(dmarc_forensic_due(DMARC_FO_0, &in), DMARC_AF_DMARC, "fo=0, nothing aligned: dmarc");
    in.spf_aligned = 1;
    is_int(dmarc_forensic_due(DMARC_FO_0, &in), 0, "fo=0, SPF aligned: no report");
    is_int(dmarc_forensic_due(DMARC_FO_1, &in), DMARC_AF_DMARC,
	   "fo=1, SPF aligned but DKIM not: dmarc");
    in.dkim_aligned = 1;
    is_int(dmarc_forensic_due(DMARC_FO_1, &in), 0, "fo=1, both aligned: no report");
    in.dkim = two;
    in.ndkim = 2;
    is_int(dmarc_forensic_due(DMARC_FO_D, &in), DMARC_AF_DKIM,
	   "fo=d: a failed signature of another domain is reported, aligned or not");
    in.ndkim = 1;
    is_int(dmarc_forensic_due(DMARC_FO_D, &in), 0, "fo=d, only a passing signature: none");
    in.spf_result = "softfail";
    is_int(dmarc_forensic_due(DMARC_FO_S, &in), DMARC_AF_SPF, "fo=s, SPF softfail: spf");
    in.spf_result = "neutral";
    is_int(dmarc_forensic_due(DMARC_FO_S, &in), 0, "fo=s, SPF neutral: none");
    in.spf_result = "fail";
    in.ndkim = 2;
    in.spf_aligned = in.dkim_aligned = 0;
    is_int(dmarc_forensic_due(DMARC_FO_0 | DMARC_FO_D | DMARC_FO_S, &in),
	   DMARC_AF_DMARC | DMARC_AF_DKIM | DMARC_AF_SPF, "fo=0:d:s: all three at once");
}

/* part - the text of MIME part n (1-based) of a report; NULL if missing */
static char *part(const char *msg, int n)
{
    const char *ct = strstr(msg, "boundary=\"");
    char    bnd[128], *sep, *out = NULL;
    const char *p;

    if (ct == NULL || sscanf(ct + 10, "%100[^\"]", bnd + 2) != 1)
	return NULL;
    bnd[0] = bnd[1] = '-';
    sep = xasprintf("\r\n%s", bnd);
    p = strstr(msg, sep);
    for (int i = 1; p && i < n; i++)
	p = strstr(p + 1, sep);
    if (p) {
	const char *start = p + strlen(sep) + 2, *end = strstr(start, sep);

	if (end)
	    out = xstrndup(start, (size_t) (end - start));
    }
    free(sep);
    return out;
}

/* has_line - the text has this exact CRLF-terminated line */
static int has_line(const char *text, const char *line)
{
    char   *l = xasprintf("\r\n%s\r\n", line), *t = xasprintf("\r\n%s", text);
    int     r = strstr(t, l) != NULL;

    free(l);
    free(t);
    return r;
}

/* test_build - the report, field by field */
static void test_build(void)
{
    struct dmarc_forensic_in in = base();
    struct dmarc_dkim two[2] = {dkim_pass, dkim_fail};
    struct buf b = BUF_INIT;
    char   *p1, *p2, *p3, *head;

    in.dkim = two;
    in.ndkim = 2;
    in.dkim_aligned = 1;
    dmarc_forensic_build(&in, DMARC_AF_DMARC | DMARC_AF_DKIM, "ruf@example.test", &b);
    head = xstrndup(b.data, (size_t) (strstr(b.data, "\r\n\r\n") - b.data));
    ok(has_line(head, "From: Mail Delivery System <MAILER-DAEMON@mx.test>"), "From: the sender");
    ok(has_line(head, "To: ruf@example.test"), "To: the ruf address");
    ok(has_line(head, "Subject: DMARC failure report for example.test: hello"),
       "Subject names the domain and the original subject");
    ok(has_line(head, "Auto-Submitted: auto-generated"), "Auto-Submitted: auto-generated");
    ok(strstr(head, "Content-Type: multipart/report; report-type=feedback-report;") != NULL,
       "Content-Type: multipart/report; report-type=feedback-report");
    p1 = part(b.data, 1);
    p2 = part(b.data, 2);
    p3 = part(b.data, 3);
    ok(p1 && strncmp(p1, "Content-Type: text/plain", 24) == 0
       && strstr(p1, "received from 192.0.2.7") && strstr(p1, "Failed: DMARC, DKIM signature."),
       "part 1: text/plain, a human readable summary");
    ok(p2 && strncmp(p2, "Content-Type: message/feedback-report\r\n\r\n", 40) == 0,
       "part 2: message/feedback-report");
    if (p2 == NULL)
	p2 = xstrdup("");
    ok(has_line(p2, "Feedback-Type: auth-failure"), "Feedback-Type: auth-failure");
    ok(has_line(p2, "User-Agent: mxguard/" PACKAGE_VERSION), "User-Agent: mxguard/VERSION");
    ok(has_line(p2, "Version: 1"), "Version: 1");
    ok(has_line(p2, "Original-Envelope-Id: 4AbCd"), "Original-Envelope-Id: the queue id");
    ok(has_line(p2, "Original-Mail-From: <bounce@other.test>"), "Original-Mail-From: <sender>");
    ok(has_line(p2, "Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000"),
       "Arrival-Date: RFC 5322 date of the arrival");
    ok(has_line(p2, "Source-IP: 192.0.2.7"), "Source-IP");
    ok(has_line(p2, "Reported-Domain: example.test"), "Reported-Domain: the From domain");
    ok(has_line(p2, "Authentication-Results: mx.test; dmarc=fail (p=reject dis=reject) "
		"header.from=example.test"), "Authentication-Results");
    ok(has_line(p2, "Auth-Failure: dmarc"), "Auth-Failure: dmarc");
    ok(has_line(p2, "Auth-Failure: signature"), "Auth-Failure: signature (the DKIM failure)");
    ok(!strstr(p2, "Auth-Failure: spf"), "no Auth-Failure: spf (not asked for)");
    ok(has_line(p2, "Identity-Alignment: dkim"), "Identity-Alignment: dkim");
    ok(has_line(p2, "DKIM-Domain: bad.test") && has_line(p2, "DKIM-Selector: sel1"),
       "DKIM-Domain and DKIM-Selector of the failed signature");
    ok(p3 && strcmp(p3, "Content-Type: text/rfc822-headers\r\n\r\nFrom: a@example.test\r\n"
		    "Subject: hello\r\n") == 0,
       "part 3: text/rfc822-headers with the original header block");
    ok(strstr(b.data, "--\r\n") && part(b.data, 4) == NULL, "three parts, then the closing boundary");
    free(p1);
    free(p2);
    free(p3);
    free(head);
    buf_free(&b);

    in = base();
    in.subject = "x\r\nBcc: victim@example.org";
    in.mail_from = "a\r\nX-Injected: 1@x.test";
    in.spf_aligned = 1;
    in.dkim_aligned = 1;
    in.headers = "Subject: caf\xc3\xa9\r\n";
    dmarc_forensic_build(&in, DMARC_AF_SPF, "ruf@example.test", &b);
    ok(!strstr(b.data, "\nBcc:") && strstr(b.data, "hello") == NULL
       && strstr(b.data, "Subject: DMARC failure report for example.test: x  Bcc: "),
       "CR LF in the subject become spaces: no field is added to the report");
    ok(!strstr(b.data, "\nX-Injected") && has_line(b.data, "Original-Mail-From: <a  X-Injected: 1@x.test>"),
       "CR LF in the envelope sender become spaces too");
    ok(has_line(b.data, "Identity-Alignment: dkim, spf"), "Identity-Alignment: dkim, spf");
    ok(has_line(b.data, "Auth-Failure: spf") && !strstr(b.data, "Auth-Failure: dmarc"),
       "Auth-Failure: spf only");
    ok(strstr(b.data, "text/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n") != NULL,
       "8-bit header text is declared 8bit");
    buf_free(&b);
    in.mail_from = "";
    dmarc_forensic_build(&in, DMARC_AF_SPF, "ruf@example.test", &b);
    ok(has_line(b.data, "Original-Mail-From: <>"), "the null sender is Original-Mail-From: <>");
    buf_free(&b);

    in = base();
    in.body = "line 1\nline\0 2\r\nlast";
    in.body_len = 20;
    in.body_truncated = 1;
    dmarc_forensic_build(&in, DMARC_AF_DMARC, "ruf@example.test", &b);
    p3 = part(b.data, 3);
    ok(p3 && strcmp(p3, "Content-Type: message/rfc822\r\n\r\nFrom: a@example.test\r\n"
		    "Subject: hello\r\n\r\nline 1\r\nline  2\r\nlast\r\n") == 0,
       "with a body: part 3 is message/rfc822, headers, an empty line, the body in CRLF, "
       "NUL as a space");
    ok(strstr(b.data, "The message's body is cut after 20 bytes.") != NULL,
       "a cut body is said so in the text part");
    free(p3);
    buf_free(&b);
}

/* test_headers - the header copy */
static void test_headers(void)
{
    static const char text[] = "From: a@example.test\nSubject: a\n folded\nnot a field\n"
	"X-Long: 0123456789012345678901234567890123456789\nTo: b@example.test\n\n";
    struct mail_hdrs *h = mail_hdrs_alloc(0, 0);
    struct buf b = BUF_INIT;
    size_t  used = 0;
    const char *why = NULL;

    mail_hdrs_parse(h, text, sizeof(text) - 1, &used, &why);
    dmarc_forensic_put_headers(h, 0, &b);
    is_str(buf_str(&b), "From: a@example.test\r\nSubject: a\r\n folded\r\n"
	   "X-Long: 0123456789012345678901234567890123456789\r\nTo: b@example.test\r\n",
	   "whole fields with CRLF, folding kept, a line that is not a field left out");
    buf_reset(&b);
    dmarc_forensic_put_headers(h, 50, &b);
    is_str(buf_str(&b), "From: a@example.test\r\nSubject: a\r\n folded\r\n",
	   "a limit of 50 bytes: the fields that fit, never half a field");
    buf_free(&b);
    mail_hdrs_free(&h);
}

/* answer - ext.test authorizes reports for example.test */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    static const struct dd_zrec zone[] = {
	{"example.test._report._dmarc.ext.test", 16, "v=DMARC1"},
	{NULL, 0, NULL},
    };

    (void) d;
    (void) ctx;
    dd_zone_reply(p, q, zone, 0);
    return 0;
}

/* count_files - files named PREFIX* in dir */
static int count_files(const char *dir, const char *prefix)
{
    DIR    *dp = opendir(dir);
    struct dirent *e;
    int     n = 0;

    while (dp && (e = readdir(dp)) != NULL)
	n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (dp)
	closedir(dp);
    return n;
}

/* slurp - a file's text, or "" */
static char *slurp(const char *path)
{
    FILE   *fp = fopen(path, "r");
    struct buf b = BUF_INIT;
    char    chunk[4096];
    size_t  n;

    while (fp && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
	buf_append(&b, chunk, n);
    if (fp)
	fclose(fp);
    return b.data ? buf_steal(&b) : xstrdup("");
}

/* test_sender - the thread: command, authorization, !size, rate limit */
static void test_sender(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);
    char    dir[] = "/tmp/mxg-forensic-XXXXXX", server[64], *cmd, *path, *args, *spec;
    const char *servers[1] = {server}, *why = NULL;
    struct dns_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = 1000,
	.retries = 0, .cache_size = 0};
    static const char list[] = "test\n";
    struct dmarc_forensic_conf fc = {0};
    struct dmarc_forensic_in in = base();
    struct dmarc_forensic *f;
    struct dmarc_forensic_counts n;
    struct store *st;
    FILE   *fp;

    if (mkdtemp(dir) == NULL || d == NULL) {
	ok(0, "a temporary directory and the DNS double");
	return;
    }
    snprintf(server, sizeof(server), "127.0.0.1:%d", dd_port(d));
    cmd = xasprintf("%s/sendmail", dir);
    fp = fopen(cmd, "w");
    fprintf(fp, "#!/bin/sh\nd=%s\nn=$(ls \"$d\" | grep -c '^msg')\n"
	    "printf '%%s\\n' \"$@\" >\"$d/args.$n\"\ncat >\"$d/msg.$n\"\n", dir);
    fclose(fp);
    chmod(cmd, 0755);
    fc.sendmail = cmd;
    fc.sender = "";
    fc.rate_limit = 2;
    spec = xasprintf("lmdb:%s/state.mdb", dir);
    fc.store = st = store_open(spec, &why);
    fc.resolver = dns_resolver_new(&cfg, &why);
    fc.psl = dmarc_psl_parse(list, sizeof(list) - 1);
    f = dmarc_forensic_new(&fc);
    dmarc_forensic_queue(f, &in, DMARC_AF_DMARC,
			 "mailto:ruf@example.test, mailto:ruf@ext.test,mailto:r@noauth.test,"
			 "mailto:small@example.test!1k,https://x.test/,mailto:ruf@example.test");
    dmarc_forensic_queue(f, &in, DMARC_AF_DMARC, "mailto:ruf@example.test");
    dmarc_forensic_flush(f);
    dmarc_forensic_counts(f, &n);
    is_int((long long) n.sent, 3, "sent: ruf@example.test twice (the limit), ruf@ext.test");
    is_int((long long) n.limited, 1, "the third report to ruf@example.test this hour: limited");
    is_int((long long) n.refused, 3, "refused: noauth.test (no _report._dmarc record), "
	   "over !1k, and an https: URI");
    is_int((long long) (n.failed + n.dropped), 0, "nothing failed or dropped");
    is_int(count_files(dir, "msg."), 3, "the command ran three times");
    args = xasprintf("%s/args.0", dir);
    path = slurp(args);
    is_str(path, "-f\n<>\n", "the command gets -f '<>' (no dmarc.forensic.sender)");
    free(path);
    free(args);
    args = xasprintf("%s/msg.1", dir);
    path = slurp(args);
    ok(strstr(path, "\r\nTo: ruf@ext.test\r\n") && strstr(path, "Feedback-Type: auth-failure"),
       "the authorized external destination got its report");
    free(path);
    free(args);
    dmarc_forensic_free(&f);
    ok(f == NULL, "the sender stops");

    fc.sender = "dmarc-noreply@mx.test";
    fc.rate_limit = 10;
    f = dmarc_forensic_new(&fc);
    dmarc_forensic_queue(f, &in, DMARC_AF_DMARC, "mailto:other@example.test");
    dmarc_forensic_flush(f);
    args = xasprintf("%s/args.3", dir);
    path = slurp(args);
    is_str(path, "-f\ndmarc-noreply@mx.test\n", "with dmarc.forensic.sender: -f SENDER");
    free(path);
    free(args);
    dmarc_forensic_free(&f);

    fc.store = NULL;
    f = dmarc_forensic_new(&fc);
    dmarc_forensic_queue(f, &in, DMARC_AF_DMARC, "mailto:other@example.test");
    dmarc_forensic_flush(f);
    dmarc_forensic_counts(f, &n);
    ok(n.sent == 0 && n.failed == 1, "no store: the rate limit cannot be counted, not sent");
    dmarc_forensic_free(&f);

    store_close(&st);
    path = xasprintf("rm -rf '%s'", dir);
    if (system(path) != 0)
	diag("could not remove %s", dir);
    free(path);
    free(spec);
    free(cmd);
    dmarc_psl_free((struct dmarc_psl **) &fc.psl);
    dns_resolver_free(&fc.resolver);
    dd_stop(&d);
}

int main(void)
{
    test_fo();
    test_due();
    test_build();
    test_headers();
    test_sender();
    return done_testing();
}
