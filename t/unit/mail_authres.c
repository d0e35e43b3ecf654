/*
 * t/unit/mail_authres.c - mail/authres: Authentication-Results built
 * exactly (golden strings), values quoted per RFC 8601 2.2, folding at 78
 * columns, no line over 998 even for 2000-octet reasons, authserv-id
 * parsed through comments, quotes and versions, and the removal decision
 * for fields claiming our id.
 */
#include "config.h"
#include "mail/authres.h"
#include "mail/header.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#include <stdlib.h>
#include <string.h>

/* max_line - longest line, counting "Authentication-Results:" on the first */
static size_t max_line(const char *s)
{
    size_t max = 0, extra = strlen("Authentication-Results:");

    while (*s) {
	size_t n = strcspn(s, "\r\n") + extra;

	if (n > max)
	    max = n;
	extra = 0;
	s += strcspn(s, "\r\n");
	s += strspn(s, "\r\n");
    }
    return max;
}

/* build - mail_ar_build with CRLF, "" on error */
static char *build(const char *id, const struct mail_ar_result *r, size_t n)
{
    char *out = NULL;
    const char *why;

    if (mail_ar_build(id, r, n, "\r\n", &out, &why) < 0)
	return xstrdup("");
    return out;
}

static void test_golden(void)
{
    struct mail_ar_result r[4] = {
	{"spf", "pass", NULL, NULL, 1, {{"smtp", "mailfrom", "example.com"}}},
	{"dkim", "pass", NULL, NULL, 3, {{"header", "d", "example.com"}, {"header", "s", "s1"},
					   {"header", "b", "Ab/Cd+1="}}},
	{"dmarc", "pass", "p=reject dis=none", NULL, 1, {{"header", "from", "example.com"}}},
	{"arc", "none", NULL, NULL, 0, {{0}}},
    };
    char *v = build("mx.example.com", r, 4);

    is_str(v, " mx.example.com;\r\n"
	   "\tspf=pass smtp.mailfrom=example.com;\r\n"
	   "\tdkim=pass header.d=example.com header.s=s1 header.b=\"Ab/Cd+1=\";\r\n"
	   "\tdmarc=pass (p=reject dis=none) header.from=example.com;\r\n"
	   "\tarc=none", "four results, one per line, golden");
    free(v);

    v = build("mx.example.com", NULL, 0);
    is_str(v, " mx.example.com; none", "no result is written \"id; none\"");
    free(v);

    struct mail_ar_result fail = {"spf", "fail", NULL, "SPF does not allow 192.0.2.1", 1,
	{{"smtp", "mailfrom", "bounce@example.org"}}};

    v = build("mx.example.com", &fail, 1);
    is_str(v, " mx.example.com;\r\n\tspf=fail reason=\"SPF does not allow 192.0.2.1\"\r\n"
	   "\tsmtp.mailfrom=bounce@example.org",
	   "reason quoted, address value bare, folded before the clause over 78");
    free(v);

    struct mail_ar_result esc = {"dkim", "fail", "bad (sig) \\", "a \"quoted\" word\r\nnext", 0,
	{{0}}};
    char *lf = NULL;
    const char *why;

    mail_ar_build("mx.example.com", &esc, 1, "\n", &lf, &why);
    is_str(lf, " mx.example.com;\n\tdkim=fail (bad \\(sig\\) \\\\)"
	   " reason=\"a \\\"quoted\\\" word  next\"",
	   "comment and reason escaped, control characters become spaces, LF folding");
    free(lf);

    v = build("mx example", NULL, 0);
    is_str(v, " \"mx example\"; none", "authserv-id that is not a token is quoted");
    free(v);
    v = build("mx@example.com", NULL, 0);
    is_str(v, " \"mx@example.com\"; none", "authserv-id in address form is quoted (value, not pvalue)");
    free(v);
}

static void test_values(void)
{
    static const char *const cases[][2] = {
	{"example.com", "example.com"},
	{"user@example.com", "user@example.com"},
	{"@example.com", "@example.com"},
	{"a b", "\"a b\""},
	{"x=y", "\"x=y\""},
	{"", "\"\""},
	{"a\"b\\c", "\"a\\\"b\\\\c\""},
	{"user@exa mple.com", "\"user@exa mple.com\""},
	{"a..b@example.com", "\"a..b@example.com\""},
	{"1.2.3.4", "1.2.3.4"},
	{"2001:db8::1", "\"2001:db8::1\""},
    };
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	buf_reset(&b);
	mail_ar_put_value(&b, cases[i][0]);
	is_str(buf_str(&b), cases[i][1], "property value \"%s\" written as %s", cases[i][0],
	       cases[i][1]);
    }
    buf_free(&b);
    ok(mail_ar_is_token("mx.example.com"), "dotted name is a token");
    ok(!mail_ar_is_token("a/b"), "slash is a tspecial, not a token");
}

static void test_limits(void)
{
    char reason[2001], *v, *flat;
    struct mail_ar_result r = {"dmarc", "fail", NULL, reason, 1, {{"header", "from", "example.com"}}};
    const char *why = NULL;

    for (int i = 0; i < 2000; i++)
	reason[i] = "word "[i % 5];
    reason[2000] = 0;
    v = build("mx.example.com", &r, 1);
    is_int(max_line(v) <= 78, 1, "2000-octet reason with spaces folds to 78 columns (%zu)",
	   max_line(v));
    flat = mail_hdr_unfold(v, strlen(v));
    ok(strncmp(flat, "mx.example.com;\tdmarc=fail reason=\"word word word", 48) == 0,
       "folded reason unfolds to the same words");
    ok(strstr(flat, "\" header.from=example.com") != NULL, "reason cut short, properties kept");
    ok(strlen(flat) < 700, "reason bounded (%zu octets unfolded)", strlen(flat));
    free(flat);
    free(v);

    memset(reason, 'x', 2000);
    v = build("mx.example.com", &r, 1);
    ok(max_line(v) <= 998, "2000-octet reason without spaces: no line over 998 (%zu)",
       max_line(v));
    free(v);

    memset(reason, '"', 2000);
    v = build("mx.example.com", &r, 1);
    ok(max_line(v) <= 998, "2000 quotes (escaped twice as long): no line over 998 (%zu)",
       max_line(v));
    free(v);

    memset(reason, 0, sizeof(reason));
    for (int i = 0; i + 2 <= 1000; i += 2)
	memcpy(reason + i, "\xc3\xa9", 2);
    v = build("mx.example.com", &r, 1);
    ok(strstr(v, "\xc3\xa9\"") != NULL, "cut reason ends on a whole UTF-8 character");
    free(v);

    struct mail_ar_result bad = {"sp f", "pass", NULL, NULL, 0, {{0}}};

    v = (char *) "x";
    is_int(mail_ar_build("mx", &bad, 1, "\r\n", &v, &why), -1, "method that is not a keyword refused");
    ok(v == NULL && why != NULL, "no header on error, reason given");
    struct mail_ar_result badp = {"spf", "pass", NULL, NULL, 1, {{"smtp", "mail from", "x"}}};

    is_int(mail_ar_build("mx", &badp, 1, "\r\n", &v, &why), -1, "property that is not a keyword refused");
}

static void test_parse_id(void)
{
    static const struct {
	const char *in;
	int     rc;
	const char *id;
	int     version;
    } cases[] = {
	{" mx.example.com; spf=pass smtp.mailfrom=example.com", 0, "mx.example.com", 1},
	{"  (comment (nested)) mx.example.com 1 (c) ; none", 0, "mx.example.com", 1},
	{" \"mx.example.com\"; none", 0, "mx.example.com", 1},
	{" \"quoted \\\"id\\\"\"; none", 0, "quoted \"id\"", 1},
	{" mx.example.com", 0, "mx.example.com", 1},
	{" mx.example.com 2; spf=pass", 0, "mx.example.com", 2},
	{" mx.example.com\r\n\t; spf=pass", 0, "mx.example.com", 1},
	{" mx.example.com(c);none", 0, "mx.example.com", 1},
	{"; spf=pass", -1, NULL, 0},
	{" (unterminated mx.example.com; none", -1, NULL, 0},
	{" mx.example.com garbage; spf=pass", -1, NULL, 0},
	{" \"unterminated; none", -1, NULL, 0},
	{"", -1, NULL, 0},
	{" (only a comment)", -1, NULL, 0},
	{" mx.example.com 1 2; none", -1, NULL, 0},
	{" \"\"; none", -1, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	char *id = NULL;
	int version = 0, rc = mail_ar_parse_id(cases[i].in, strlen(cases[i].in), &id, &version);

	is_int(rc, cases[i].rc, "A-R \"%s\" %s", cases[i].in, cases[i].rc ? "is garbage" : "parses");
	if (rc == 0 && cases[i].rc == 0) {
	    is_str(id, cases[i].id, "A-R \"%s\" authserv-id", cases[i].in);
	    is_int(version, cases[i].version, "A-R \"%s\" version", cases[i].in);
	}
	free(id);
    }
}

static void test_claims(void)
{
    static const struct {
	const char *in;
	int     remove;
    } cases[] = {
	{" MX.Example.COM; spf=pass", 1},
	{" mx.example.com; spf=pass", 1},
	{" \"mx.example.com\" 1; dkim=pass", 1},
	{" mx.example.com.evil.example; spf=pass", 0},
	{" other.example; spf=pass", 0},
	{" mx.example.com garbage; x", 1},
	{" (c) mx.example.com garbage", 1},
	{" \"mx.example.com garbage", 1},
	{" garbage mx.example.com", 0},
	{" (unterminated mx.example.com", 0},
	{" mx.example.co; spf=pass", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	is_int(mail_ar_claims_id(cases[i].in, strlen(cases[i].in), "mx.example.com"),
	       cases[i].remove, "A-R \"%s\" is %s", cases[i].in,
	       cases[i].remove ? "removed (claims our id)" : "kept");

    char *v = NULL;
    const char *why;
    struct mail_ar_result r = {"spf", "pass", NULL, NULL, 0, {{0}}};

    mail_ar_build("mx.example.com", &r, 1, "\r\n", &v, &why);
    is_int(mail_ar_claims_id(v, strlen(v), "mx.example.com"), 1, "our own built field claims our id");
    free(v);
}

int main(void)
{
    test_golden();
    test_values();
    test_limits();
    test_parse_id();
    test_claims();
    return done_testing();
}
