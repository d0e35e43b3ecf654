/*
 * t/unit/lists.c - policy/lists: the entry parser (and its error messages),
 * CIDR / domain / wildcard / negation matching, inline lists, file lists
 * (comments, reload on change at most once per second with an injected
 * clock, old content kept when the new file is unreadable or bad, lookups
 * from threads during reloads), lmdb: lists and spec errors.
 */
#include "config.h"
#include "policy/lists.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mxguard-lists-XXXXXX";

/* parse_error - the reason list_entry_parse gives, or "ok" */
static const char *parse_error(const char *text)
{
    struct list_entry e;
    const char *why = NULL;

    if (list_entry_parse(text, &e, &why) == 0) {
	list_entry_clear(&e);
	return "ok";
    }
    return why;
}

static void test_parse_errors(void)
{
    char long_name[300], long_label[80];

    is_str(parse_error("10.0.0.1/33"), "prefix length must be 0..32", "10.0.0.1/33: prefix too long");
    is_str(parse_error("2001:db8::/129"), "prefix length must be 0..128", "IPv6 prefix over 128");
    is_str(parse_error("192.0.2.1/24"), "address has host bits set below the prefix length",
	   "host bits below the prefix are refused");
    is_str(parse_error("1.2.3"), "not an IPv4 or IPv6 address", "a truncated IPv4 address");
    is_str(parse_error("10.0.0.0/x"), "bad prefix length", "a non-numeric prefix");
    is_str(parse_error(""), "empty entry", "empty entry");
    is_str(parse_error("  \t "), "empty entry", "white space only is empty");
    is_str(parse_error("!"), "nothing after \"!\"", "a lone negation");
    is_str(parse_error("!!a.example"), "double negation", "double negation");
    is_str(parse_error("a.example b.example"), "embedded white space", "embedded spaces");
    is_str(parse_error("a.example\tb"), "embedded white space", "embedded tab");
    memset(long_name, 'a', sizeof(long_name));
    for (int i = 50; i < 254; i += 50)
	long_name[i] = '.';
    long_name[254] = 0;
    is_str(parse_error(long_name), "name longer than 253 characters", "a 254-character name");
    long_name[253] = 0;
    is_str(parse_error(long_name), "ok", "a 253-character name is fine");
    memset(long_label, 'b', 64);
    strcpy(long_label + 64, ".example");
    is_str(parse_error(long_label), "label longer than 63 characters", "a 64-character label");
    is_str(parse_error(long_label + 1), "ok", "a 63-character label is fine");
    is_str(parse_error("exa$mple.com"), "bad character in domain name", "a '$' in a domain");
    is_str(parse_error("ex\001ample.com"), "bad character in domain name", "a control character");
    is_str(parse_error("caf\xc3\xa9.example"), "bad character in domain name", "raw UTF-8 (use A-labels)");
    is_str(parse_error("foo.*.example"), "a wildcard is only allowed as a leading \"*.\"",
	   "a wildcard in the middle");
    is_str(parse_error("*example.com"), "a wildcard is only allowed as a leading \"*.\"",
	   "a wildcard without a dot");
    is_str(parse_error("a..example"), "empty label (\"..\" or a leading dot)", "an empty label");
    is_str(parse_error("..example"), "empty label (\"..\" or a leading dot)", "two leading dots");
    is_str(parse_error("*."), "empty domain name", "a wildcard with no domain");
    is_str(parse_error("us er@example.com"), "embedded white space", "a space in an address");
    is_str(parse_error("a\"b@example.com"), "bad character in address local part", "a quote in a local part");
    is_str(parse_error("@"), "\"@\" alone is not an address", "a lone @");
    is_str(parse_error("user@exa!mple.com"), "bad character in domain name", "a bad address domain");
}

/* kind_of - "KIND:text" for a parsed entry */
static const char *kind_of(const char *text, char *out, size_t len)
{
    static const char *names[] = { "cidr", "domain", "subdomains", "tree", "word" };
    struct list_entry e;
    const char *why;
    char net[64];

    if (list_entry_parse(text, &e, &why) < 0)
	return why;
    cidr_format(&e.net, net, sizeof(net));
    snprintf(out, len, "%s%s:%s", e.negate ? "!" : "", names[e.kind],
	     e.kind == LIST_E_CIDR ? net : e.text);
    list_entry_clear(&e);
    return out;
}

static void test_parse_kinds(void)
{
    char b[400];

    is_str(kind_of("192.0.2.0/24", b, sizeof(b)), "cidr:192.0.2.0/24", "an IPv4 network");
    is_str(kind_of("2001:DB8::/32", b, sizeof(b)), "cidr:2001:db8::/32", "an IPv6 network");
    is_str(kind_of("[2001:db8::1]", b, sizeof(b)), "cidr:2001:db8::1", "a bracketed IPv6 address");
    is_str(kind_of("::ffff:192.0.2.0/120", b, sizeof(b)), "cidr:192.0.2.0/24",
	   "an IPv4-mapped IPv6 network becomes the IPv4 network");
    is_str(kind_of("*.Example.COM", b, sizeof(b)), "subdomains:example.com", "*.domain, lower-cased");
    is_str(kind_of(".example.com", b, sizeof(b)), "tree:example.com", ".domain (Postfix style)");
    is_str(kind_of("Example.com.", b, sizeof(b)), "domain:example.com", "a trailing root dot is dropped");
    is_str(kind_of("localhost", b, sizeof(b)), "word:localhost", "a single label is a word");
    is_str(kind_of("!10.0.0.0/8", b, sizeof(b)), "!cidr:10.0.0.0/8", "a negated network");
    is_str(kind_of("  ! spaced.example \r\n", b, sizeof(b)), "!domain:spaced.example",
	   "surrounding white space is trimmed");
    is_str(kind_of("User+tag@Mail.Example", b, sizeof(b)), "word:user+tag@mail.example", "an address");
    is_str(kind_of("@example.org", b, sizeof(b)), "word:@example.org", "an @domain entry");
    is_str(kind_of("_dmarc.example.com", b, sizeof(b)), "domain:_dmarc.example.com", "underscores allowed");
}

/* lookup - "match:RESULT", "nomatch" or "temporary" */
static const char *lookup(struct list *l, const char *value, struct buf *out)
{
    struct buf r = BUF_INIT;
    int rc = list_lookup(l, value, &r);

    buf_reset(out);
    if (rc > 0)
	buf_printf(out, "match:%s", buf_str(&r));
    else
	buf_puts(out, rc == 0 ? "nomatch" : "temporary");
    buf_free(&r);
    return buf_str(out);
}

static void test_matching(void)
{
    const char *items[] = { "!10.9.9.9", "10.0.0.0/8", "2001:db8::/32", "*.sub.example",
	".tree.example", "exact.example", "user@mail.example", "10.9.0.0/16" };
    struct buf errors = BUF_INIT, o = BUF_INIT;
    struct list *l = list_new_inline("t", items, sizeof(items) / sizeof(*items), &errors);

    ok(l != NULL, "an inline list of good entries loads (%s)", buf_str(&errors));
    if (l == NULL)
	return;
    is_str(list_name(l), "t", "list_name");
    is_str(lookup(l, "10.1.2.3", &o), "match:10.0.0.0/8", "an address inside a network matches");
    is_str(lookup(l, "10.9.9.9", &o), "nomatch", "a negated entry before a wider one wins (no match)");
    is_str(lookup(l, "10.9.9.8", &o), "match:10.0.0.0/8", "first match wins");
    is_str(lookup(l, "192.0.2.1", &o), "nomatch", "an address outside every network");
    is_str(lookup(l, "2001:DB8::1", &o), "match:2001:db8::/32", "IPv6 in an IPv6 network");
    is_str(lookup(l, "[2001:db8::2]", &o), "match:2001:db8::/32", "bracketed IPv6 value");
    is_str(lookup(l, "::ffff:10.1.1.1", &o), "match:10.0.0.0/8", "IPv4-mapped IPv6 matches IPv4 networks");
    is_str(lookup(l, "2001:db9::1", &o), "nomatch", "IPv6 outside");
    const char *mapped[] = { "::ffff:192.0.2.1" };
    struct list *m = list_new_inline("m", mapped, 1, &errors);
    is_str(lookup(m, "::ffff:192.0.2.1", &o), "match:192.0.2.1", "a mapped entry matches the mapped value");
    is_str(lookup(m, "192.0.2.1", &o), "match:192.0.2.1", "and the plain IPv4 value");
    list_free(&m);
    is_str(lookup(l, "a.sub.example", &o), "match:*.sub.example", "*.domain matches a subdomain");
    is_str(lookup(l, "b.a.SUB.example.", &o), "match:*.sub.example", "and deeper ones, any case, FQDN dot");
    is_str(lookup(l, "sub.example", &o), "nomatch", "*.domain does not match the domain itself");
    is_str(lookup(l, "xsub.example", &o), "nomatch", "*.domain is not a string suffix match");
    is_str(lookup(l, "tree.example", &o), "match:.tree.example", ".domain matches the domain");
    is_str(lookup(l, "a.tree.example", &o), "match:.tree.example", ".domain matches subdomains");
    is_str(lookup(l, "xtree.example", &o), "nomatch", ".domain is not a string suffix match");
    is_str(lookup(l, "EXACT.Example", &o), "match:exact.example", "a domain matches case-insensitively");
    is_str(lookup(l, "a.exact.example", &o), "nomatch", "a plain domain does not match subdomains");
    is_str(lookup(l, "User@Mail.example", &o), "match:user@mail.example", "an address entry");
    is_str(lookup(l, "", &o), "nomatch", "an empty value matches nothing");
    is_str(lookup(l, "10.0.0.1.example", &o), "nomatch", "a name that starts like an address is a name");
    ok(list_lookup(l, "a.sub.example", NULL) == 1, "result_r may be NULL");
    list_free(&l);
    ok(l == NULL, "list_free sets the pointer to NULL");

    const char *bad[] = { "ok.example", "10.0.0.1/33", "a b" };
    buf_reset(&errors);
    l = list_new_inline("bad", bad, 3, &errors);
    ok(l == NULL, "an inline list with bad entries is refused");
    is_str(buf_str(&errors), "list bad: \"10.0.0.1/33\": prefix length must be 0..32\n"
	   "list bad: \"a b\": embedded white space\n", "every bad entry is reported, with the entry");

    buf_reset(&errors);
    l = list_open("inl", "inline:a.example,192.0.2.0/24", NULL, &errors);
    ok(l != NULL, "an inline: spec loads");
    if (l)
	is_str(lookup(l, "192.0.2.9", &o), "match:192.0.2.0/24", "and matches");
    list_free(&l);
    buf_free(&errors);
    buf_free(&o);
}

static time_t fake_now = 5000000;

static time_t fake_clock(void *ctx)
{
    (void) ctx;
    return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

static void tick(void)
{
    __atomic_add_fetch(&fake_now, 1, __ATOMIC_SEQ_CST);
}

static void write_file(const char *path, const char *text)
{
    char *tmp = xasprintf("%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    fputs(text, fp);
    fclose(fp);
    rename(tmp, path);
    free(tmp);
}

struct reader {
    struct list *l;
    int wrong;
};

static void *read_loop(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < 2000; i++)
	if (list_lookup(r->l, "always.example", NULL) != 1)
	    r->wrong++;
    return NULL;
}

static void test_file_reload_threads(struct list *l, const char *path)
{
    pthread_t th[4];
    struct reader r[4];
    int wrong = 0;

    write_file(path, "always.example\n");
    tick();
    ok(list_lookup(l, "always.example", NULL) == 1, "the list holds the entry before the threads start");
    for (int i = 0; i < 4; i++) {
	r[i] = (struct reader) { l, 0 };
	pthread_create(&th[i], NULL, read_loop, &r[i]);
    }
    for (int i = 0; i < 30; i++) {
	write_file(path, i % 2 ? "always.example\nodd.example\n" : "always.example\n");
	tick();
	usleep(1000);
    }
    for (int i = 0; i < 4; i++) {
	pthread_join(th[i], NULL);
	wrong += r[i].wrong;
    }
    is_int(wrong, 0, "4 threads x 2000 lookups during 30 reloads: every lookup sees a whole list");
}

static void test_file_lists(void)
{
    char *path = xasprintf("%s/domains", dir), *spec = xasprintf("file:%s", path);
    struct buf why = BUF_INIT, o = BUF_INIT;
    struct list *l;

    write_file(path, "# local domains\n\nexample.com   # the main one\n  .example.net\n"
	       "# 192.0.2.1\n10.0.0.0/8\r\n");
    l = list_open("local", spec, NULL, &why);
    ok(l != NULL, "a file list loads (%s)", buf_str(&why));
    if (l == NULL)
	return;
    list_set_clock(l, fake_clock, NULL);
    is_str(lookup(l, "example.com", &o), "match:example.com", "an entry followed by a comment");
    is_str(lookup(l, "a.example.net", &o), "match:.example.net", "an indented entry");
    is_str(lookup(l, "10.2.3.4", &o), "match:10.0.0.0/8", "a CRLF line");
    is_str(lookup(l, "192.0.2.1", &o), "nomatch", "a commented-out entry is not an entry");
    is_str(lookup(l, "local", &o), "nomatch", "comment words are not entries");

    write_file(path, "example.com\nnew.example\n");
    is_str(lookup(l, "new.example", &o), "nomatch", "a change is not seen within the same second");
    tick();
    is_str(lookup(l, "new.example", &o), "match:new.example", "a changed file is reloaded a second later");
    is_str(lookup(l, "a.example.net", &o), "nomatch", "removed entries are gone after the reload");

    write_file(path, "example.com\nbad entry\nnewer.example\n");
    tick();
    is_str(lookup(l, "new.example", &o), "match:new.example", "a file with a bad entry keeps the old content");
    is_str(lookup(l, "newer.example", &o), "nomatch", "and none of the new content");
    unlink(path);
    tick();
    is_str(lookup(l, "new.example", &o), "match:new.example", "a deleted file keeps the old content");
    mkdir(path, 0700);
    tick();
    is_str(lookup(l, "new.example", &o), "match:new.example", "an unreadable file (a directory) keeps the old content");
    rmdir(path);
    write_file(path, "fixed.example\n");
    tick();
    is_str(lookup(l, "fixed.example", &o), "match:fixed.example", "a fixed file is loaded again");
    is_str(lookup(l, "new.example", &o), "nomatch", "and replaces the old content");
    test_file_reload_threads(l, path);
    list_free(&l);

    buf_reset(&why);
    write_file(path, "ok.example\n\n10.0.0.1/33\n");
    ok(list_open("x", spec, NULL, &why) == NULL, "a file with a bad entry is refused at load");
    char *want = xasprintf("list x: %s:3: \"10.0.0.1/33\": prefix length must be 0..32\n", path);
    is_str(buf_str(&why), want, "the reason names file, line, entry and what is wrong");
    free(want);
    buf_reset(&why);
    unlink(path);
    ok(list_open("x", spec, NULL, &why) == NULL, "a missing file is refused at load");
    ok(strstr(buf_str(&why), "No such file") != NULL, "with the system's reason");
    buf_reset(&why);
    ok(list_open("x", "file:relative", NULL, &why) == NULL, "a relative path is refused");
    buf_free(&why);
    buf_free(&o);
    free(path);
    free(spec);
}

static void test_lmdb_lists(void)
{
    char *spec = xasprintf("lmdb:%s/relay.mdb", dir);
    const char *why = NULL;
    struct buf w = BUF_INIT, o = BUF_INIT;
    struct store *s = store_open(spec, &why);
    struct list *l;

    ok(s != NULL, "an LMDB store for a list is created (%s)", s ? "ok" : why);
    if (s == NULL)
	return;
    store_put(s, "example.com", "relay", 5, 0);
    store_put(s, "2001:db8::1", "v6", 2, 0);
    l = list_open("relay", spec, NULL, &w);
    ok(l != NULL, "an lmdb: list opens an existing file (%s)", buf_str(&w));
    if (l) {
	is_str(lookup(l, "Example.COM.", &o), "match:relay", "a key lookup returns the value (normalized key)");
	is_str(lookup(l, "other.com", &o), "nomatch", "a missing key does not match");
	is_str(lookup(l, "2001:DB8:0::1", &o), "match:v6", "addresses are looked up in canonical form");
	store_put(s, ".parent.example", "tree", 4, 0);
	store_put(s, ".b.parent.example", "nearer", 6, 0);
	store_put(s, "c.parent.example", "exact", 5, 0);
	is_str(lookup(l, "a.b.parent.example", &o), "match:nearer", "the nearest .domain key wins");
	is_str(lookup(l, "c.parent.example", &o), "match:exact", "an exact key wins over .domain keys");
	is_str(lookup(l, "d.c.parent.example", &o), "match:tree",
	       "an exact key does not cover subdomains (Postfix semantics)");
	is_str(lookup(l, "x.y.parent.example", &o), "match:tree", "a .domain key covers subdomains");
	is_str(lookup(l, "parent.example", &o), "nomatch", "a .domain key does not cover the domain itself");
	is_str(lookup(l, "example", &o), "nomatch", "a single label has no parent to try");
	store_put(s, "late.example", "x", 1, 0);
	is_str(lookup(l, "late.example", &o), "match:x", "writes after opening are seen");
    }
    list_free(&l);
    store_close(&s);
    buf_reset(&w);
    char *missing = xasprintf("lmdb:%s/none.mdb", dir);
    ok(list_open("m", missing, NULL, &w) == NULL && strstr(buf_str(&w), "No such file"), "an lmdb: list needs an existing file");
    free(missing);
    buf_free(&w);
    buf_free(&o);
    free(spec);
}

static void test_spec_errors(void)
{
    struct buf w = BUF_INIT;
    const char *why = NULL;

    ok(list_open("r", "redis:SMEMBERS x", NULL, &w) == NULL, "a redis: list without a server is refused");
    is_str(buf_str(&w), "list r: redis: list but no Redis server configured (store.redis)\n",
	   "and says what is missing");
    buf_reset(&w);
    ok(list_open("r", "ldap:x", NULL, &w) == NULL, "an unknown spec is refused");
    buf_reset(&w);
    struct list_env env = { NULL, "redis:127.0.0.1:1" };
    ok(list_open("r", "redis:   ", &env, &w) == NULL, "an empty Redis command is refused");
    ok(list_new("n", "ldap:x", &why) == NULL && why != NULL, "list_new gives a short reason");
    buf_free(&w);
}

int main(void)
{
    msg_open("test_lists", MSG_STDERR, 0);
    if (mkdtemp(dir) == NULL)
	return 1;
    test_parse_errors();
    test_parse_kinds();
    test_matching();
    test_file_lists();
    test_lmdb_lists();
    test_spec_errors();
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
	diag("could not remove %s", dir);
    free(cmd);
    return done_testing();
}
