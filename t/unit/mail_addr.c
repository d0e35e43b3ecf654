/*
 * t/unit/mail_addr.c - mail/addr: a table of tricky From values (the
 * OpenDMARC CVE-2021-34555 shapes included) parsed into mailboxes and
 * judged by the DMARC one-From-domain rule; RFC 5321 paths; domain
 * normalisation.
 */
#include "config.h"
#include "mail/addr.h"
#include "mail/header.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#include <stdlib.h>
#include <string.h>

struct from_case {
    const char *in;
    int     rc;			/* mail_addr_list_parse */
    size_t  count;
    const char *local;		/* first mailbox */
    const char *domain;
    const char *display;
    const char *dmarc;		/* domain, or "!" reason */
};

static const struct from_case cases[] = {
    {"user@example.com", 0, 1, "user", "example.com", NULL, "example.com"},
    {"User@Example.COM.", 0, 1, "User", "example.com", NULL, "example.com"},
    {"John Doe <john@example.com>", 0, 1, "john", "example.com", "John Doe", "example.com"},
    {"\"Doe, John\" <john@example.com>", 0, 1, "john", "example.com", "Doe, John", "example.com"},
    {"\"a@b\"@example.com", 0, 1, "\"a@b\"", "example.com", NULL, "example.com"},
    {"<>", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@b.example, c@d.example", 0, 2, "a", "b.example", NULL, "!multiple mailboxes in From header"},
    {"\"x\" <@>", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"group:;", 0, 0, NULL, NULL, NULL, "!no mailbox in From header"},
    {"undisclosed-recipients:;", 0, 0, NULL, NULL, NULL, "!no mailbox in From header"},
    {"friends: a@x.example, b@y.example;", 0, 2, "a", "x.example", NULL,
     "!multiple mailboxes in From header"},
    {"team: a@x.example;", 0, 1, "a", "x.example", NULL, "x.example"},
    {"john@example.com (John (the \"boss\") Doe)", 0, 1, "john", "example.com", NULL, "example.com"},
    {"(comment) <a@example.com>", 0, 1, "a", "example.com", NULL, "example.com"},
    {"a@example.com (unterminated", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"\"unterminated <a@example.com>", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"Name <a@example.com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"   ", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"root", 0, 1, "root", NULL, NULL, "!From mailbox has no domain"},
    {"<postmaster>", 0, 1, "postmaster", NULL, NULL, "!From mailbox has no domain"},
    {"a@", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"@example.com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"<@route.example,@other.example:user@example.com>", 0, 1, "user", "example.com", NULL,
     "example.com"},
    {"a@[192.0.2.1]", 0, 1, "a", "[192.0.2.1]", NULL, "!From domain is an address literal"},
    {"a@exa_mple.com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@-example.com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@example..com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@xn--bcher-kva.example", 0, 1, "a", "xn--bcher-kva.example", NULL, "xn--bcher-kva.example"},
    {"a@b\xc3\xbc" "cher.example", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"Jos\xc3\xa9 <jose@example.com>", 0, 1, "jose", "example.com", "Jos\xc3\xa9", "example.com"},
    {"\xc3\xa9l\xc3\xa8ve@example.com", 0, 1, "\xc3\xa9l\xc3\xa8ve", "example.com", NULL, "example.com"},
    {"a@example.com, ", 0, 1, "a", "example.com", NULL, "example.com"},
    {", , a@example.com", 0, 1, "a", "example.com", NULL, "example.com"},
    {"a@example.com b@example.com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"<a@example.com> trailing", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@example.com;", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"g1: a@x.example;, g2: b@y.example;", 0, 2, "a", "x.example", NULL,
     "!multiple mailboxes in From header"},
    {"g1: a@x.example; g2: b@y.example;", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"g: h: a@x.example;;", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"g: a@x.example", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@b@example.com", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"\"quoted\\\"pair\"@example.com", 0, 1, "\"quoted\\\"pair\"", "example.com", NULL, "example.com"},
    {"John Q. Public <jqp@example.com>", 0, 1, "jqp", "example.com", "John Q. Public", "example.com"},
    {"a.b.c@example.com", 0, 1, "a.b.c", "example.com", NULL, "example.com"},
    {"a . b @ example . com", 0, 1, "a.b", "example.com", NULL, "example.com"},
    {"a@example.com\x01", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"<a@example.com>, <b@example.com>", 0, 2, "a", "example.com", NULL,
     "!multiple mailboxes in From header"},
    {"((((((((((nested)))))))))) a@example.com", 0, 1, "a", "example.com", NULL, "example.com"},
    {"a@example.com)", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"John Smith", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"a@[1.2.3.4", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"\"\"@example.com", 0, 1, "\"\"", "example.com", NULL, "example.com"},
    {"a@example.com,\r\n b@example.com", 0, 2, "a", "example.com", NULL,
     "!multiple mailboxes in From header"},
    {"\"Evil\" <evil@attacker.example> <victim@example.com>", -1, 0, NULL, NULL, NULL,
     "!unparsable From header"},
    {"evil@attacker.example\n", 0, 1, "evil", "attacker.example", NULL, "attacker.example"},
    {"<a@example.com>>", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"\"\\", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
    {"(\\", -1, 0, NULL, NULL, NULL, "!unparsable From header"},
};

/* check_case - one table row through list parse and the DMARC From rule */
static void check_case(const struct from_case *c)
{
    struct mail_addr_list *list = NULL;
    struct mail_hdrs *hdrs = mail_hdrs_alloc(0, 0);
    const char *why = NULL;
    char *dom = NULL;
    int rc = mail_addr_list_parse(c->in, strlen(c->in), &list, &why);

    if (!is_int(rc, c->rc, "From: %s -> %s", c->in, c->rc ? "syntax error" : "parses"))
	diag("  why: %s", why ? why : "(none)");
    if (rc == 0 && c->rc == 0) {
	is_int(list->count, c->count, "From: %s -> %zu mailbox(es)", c->in, c->count);
	if (c->count > 0 && list->count > 0) {
	    is_str(list->mb[0].local, c->local, "From: %s -> local-part", c->in);
	    is_str(list->mb[0].domain, c->domain, "From: %s -> domain", c->in);
	    is_str(list->mb[0].display, c->display, "From: %s -> display name", c->in);
	}
    } else if (rc < 0) {
	ok(list == NULL && why != NULL, "From: %s -> reason \"%s\", no list", c->in, why ? why : "");
    }
    mail_addr_list_free(&list);
    mail_hdrs_add(hdrs, "From", c->in, &why);
    rc = mail_addr_from_domain(hdrs, &dom, &why);
    if (c->dmarc[0] == '!')
	is_str(rc < 0 ? why : dom, c->dmarc + 1, "From: %s -> DMARC nofrom reason", c->in);
    else
	is_str(rc == 0 ? dom : why, c->dmarc, "From: %s -> DMARC From domain", c->in);
    free(dom);
    mail_hdrs_free(&hdrs);
}

static void test_from_headers(void)
{
    struct mail_hdrs *hdrs = mail_hdrs_alloc(0, 0);
    const char *why = NULL;
    char *dom = (char *) "x";

    is_int(mail_addr_from_domain(hdrs, &dom, &why), -1, "no From header is nofrom");
    is_str(why, "no From header", "no From header reason");
    ok(dom == NULL, "no domain returned on nofrom");
    mail_hdrs_add(hdrs, "From", " a@example.com", &why);
    mail_hdrs_add(hdrs, "from", " b@example.org", &why);
    is_int(mail_addr_from_domain(hdrs, &dom, &why), -1, "two From headers is nofrom");
    is_str(why, "multiple From headers", "two From headers reason");
    mail_hdrs_free(&hdrs);

    hdrs = mail_hdrs_alloc(0, 0);
    mail_hdrs_parse(hdrs, "From: a@x\0y.example\n\n", 21, NULL, &why);
    is_int(mail_addr_from_domain(hdrs, &dom, &why), -1, "NUL byte inside From is nofrom");
    mail_hdrs_free(&hdrs);
}

static void test_envelope(void)
{
    static const struct {
	const char *in;
	int     rc;
	const char *local, *domain;
    } env[] = {
	{"<user@Example.COM>", 0, "user", "example.com"},
	{"<>", 0, "", NULL},
	{" <> ", 0, "", NULL},
	{"<@a.example,@b.example:user@c.example>", 0, "user", "c.example"},
	{"<postmaster>", 0, "postmaster", NULL},
	{"user@example.com", 0, "user", "example.com"},
	{"<\"a b\"@example.com>", 0, "\"a b\"", "example.com"},
	{"<user@[192.0.2.1]>", 0, "user", "[192.0.2.1]"},
	{"<user@example.com.>", 0, "user", "example.com"},
	{"<user@example.com", -1, NULL, NULL},
	{"", -1, NULL, NULL},
	{"<user@>", -1, NULL, NULL},
	{"<@:user@example.com>", -1, NULL, NULL},
	{"<@a.example user@example.com>", -1, NULL, NULL},
	{"<user name@example.com>", -1, NULL, NULL},
	{"<user@exa mple.com>", -1, NULL, NULL},
	{"<\"unterminated@example.com>", -1, NULL, NULL},
	{"<user@[192.0.2.1>", -1, NULL, NULL},
	{"<a@b@example.com>", -1, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
	struct mail_mailbox mb;
	const char *why = NULL;
	int rc = mail_addr_envelope_parse(env[i].in, &mb, &why);

	is_int(rc, env[i].rc, "path %s -> %s", env[i].in, env[i].rc ? "refused" : "parses");
	if (rc == 0 && env[i].rc == 0) {
	    is_str(mb.local, env[i].local, "path %s -> local-part", env[i].in);
	    is_str(mb.domain, env[i].domain, "path %s -> domain", env[i].in);
	} else if (rc < 0)
	    ok(why != NULL && mb.local == NULL, "path %s -> reason \"%s\"", env[i].in, why ? why : "");
	mail_mailbox_clear(&mb);
    }
}

static void test_domain(void)
{
    char label63[64], *d = NULL, big[300];
    const char *why = NULL;

    is_int(mail_domain_normalize("Example.COM.", 12, &d, &why), 0, "domain normalizes");
    is_str(d, "example.com", "lower case, trailing dot removed");
    free(d);
    memset(label63, 'a', 63);
    label63[63] = 0;
    is_int(mail_domain_normalize(label63, 63, &d, &why), 0, "63-octet label accepted");
    free(d);
    is_int(mail_domain_normalize("a", 1, &d, &why), 0, "single label accepted");
    free(d);
    memset(big, 'a', sizeof(big));
    big[64] = '.';
    is_int(mail_domain_normalize(big, 65, &d, &why), -1, "64-octet label refused");
    is_str(why, "invalid domain: label longer than 63 octets", "64-octet label reason");
    memset(big, 'a', sizeof(big));
    for (int i = 1; i < 5; i++)
	big[i * 60 - 1] = '.';
    is_int(mail_domain_normalize(big, 254, &d, &why), -1, "254-octet name refused");
    is_int(mail_domain_normalize(".", 1, &d, &why), -1, "root alone refused");
    is_int(mail_domain_normalize("", 0, &d, &why), -1, "empty refused");
    is_int(mail_domain_normalize("a-.example", 10, &d, &why), -1, "label ending in hyphen refused");
    is_int(mail_domain_normalize("a..example", 10, &d, &why), -1, "empty label refused");
    is_int(mail_domain_normalize("b\xc3\xbc.example", 11, &d, &why), -1, "U-label refused");
    is_str(why, "invalid domain: non-ASCII label (U-label), A-label needed", "U-label reason");
    is_int(mail_domain_normalize("XN--Bcher-KVA.example", 21, &d, &why), 0, "A-label accepted");
    is_str(d, "xn--bcher-kva.example", "A-label lower-cased, otherwise as is");
    free(d);
    ok(mail_domain_normalize("a.ex\0ample", 10, &d, &why) < 0 && d == NULL, "NUL in domain refused");
}

int main(void)
{
    diag("%zu From cases", sizeof(cases) / sizeof(cases[0]));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	check_case(cases + i);
    test_from_headers();
    test_envelope();
    test_domain();
    return done_testing();
}
