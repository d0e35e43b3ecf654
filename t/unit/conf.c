/*
 * t/unit/conf.c - unit tests of src/conf: the key table, the loader and
 * its error lines, accessors, named and group lists, raw settings,
 * --dump round trips, and snapshot reference counting across installs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "t/tap.h"
#include "util/xmalloc.h"

/* load - conf_load_string with errors collected in *errs */
static struct conf *load(const char *text, struct buf *errs)
{
    buf_reset(errs);
    return conf_load_string(text, "t.conf", errs);
}

/* dump_string - conf_dump into a malloc'ed string */
static char *dump_string(const struct conf *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    conf_dump(c, fp);
    fclose(fp);
    return text;
}

/* body - skip the dump's first comment line (it names the source) */
static const char *body(const char *dump)
{
    const char *nl = strchr(dump, '\n');
    return nl ? nl + 1 : dump;
}

static void test_table_defaults_are_valid(void)
{
    int bad = 0;

    for (size_t i = 0; i < conf_key_count; i++) {
	const struct conf_key *k = &conf_keys[i];
	const char *why = NULL;

	if (k->doc == NULL || *k->doc == 0)
	    diag("%s has no doc line", k->name), bad++;
	if (k->type == CONF_INT && (k->def_int < k->min || k->def_int > k->max))
	    diag("%s default out of range", k->name), bad++;
	if (k->type == CONF_ENUM && !conf_check_word(k->def_str, k->words))
	    diag("%s default not an allowed word", k->name), bad++;
	if (k->type == CONF_STR && k->check && *k->def_str && k->check(k->def_str, &why) < 0)
	    diag("%s default fails its check: %s", k->name, why), bad++;
	if (conf_key_index(k->name) != (int) i)
	    diag("%s declared twice", k->name), bad++;
    }
    ok(bad == 0, "every key has a doc line and a default that passes its own checks");
}

static void test_defaults(void)
{
    struct conf *c = conf_defaults();
    const char *const *items;
    size_t n;

    ok(conf_is_default(c) && conf_path(c) == NULL, "built-in defaults have no file");
    is_str(conf_str(c, "milter.socket"), "inet:8891@127.0.0.1", "default milter.socket");
    is_int(conf_int(c, "milter.timeout_s"), 300, "default milter.timeout_s");
    is_int(conf_int(c, "milter.max_message_size"), 52428800, "default max_message_size");
    is_int(conf_bool(c, "dns.dnssec"), 1, "default dns.dnssec is true");
    is_int((long long) conf_list(c, "dns.servers", &items), 0, "default dns.servers is empty");
    ok(items != NULL && items[0] == NULL, "an empty list is still a NULL-terminated array");
    is_int((long long) conf_list(c, "dkim.signed_headers", &items), 12,
	   "default dkim.signed_headers has 12 fields");
    is_str(items[11], "Content-Transfer-Encoding", "signed_headers keeps its order");
    conf_cidrs(c, "milter.trusted_hosts", &n);
    is_int((long long) n, 2, "default trusted_hosts has 127.0.0.0/8 and ::1");
    is_int((long long) conf_group_count(c, "dkim.sign"), 0, "no signing by default");
    ok(conf_setting(c, "rules.data") == NULL, "no raw rules without a file");
    is_str(conf_str(c, "outbound.dane"), "try", "default outbound.dane");
    conf_unref(&c);
    ok(c == NULL, "conf_unref sets the pointer to NULL");
}

static const char good[] =
    "log: { verbose = 2; };\n"
    "milter: { socket = \"unix:/run/mxguard/milter.sock\";\n"
    "  trusted_hosts = \"192.0.2.0/24\"; timeout_s = 3600; };\n"
    "dns: { servers = [ \"127.0.0.1:5353\", \"[::1]:53\", \"::1\" ]; dnssec = false; };\n"
    "dkim: { sign = ( { domain = \"example.com\"; selector = \"s1\"; key = \"/k1\"; },\n"
    "  { domain = \"example.org\"; selector = \"e1\"; key = \"/k2\";"
    "    algorithm = \"ed25519-sha256\"; } ); };\n"
    "arc: { seal = { admd = \"example.com\"; selector = \"a1\"; key = \"/k3\"; }; };\n"
    "dmarc: { forensic = { enabled = true; }; };\n"
    "lists: { local = \"file:/etc/local\"; vip = [ \"a@example.com\", \"b@example.com\" ]; };\n"
    "rules: { data = ( { if = { spf = [ \"fail\" ]; }; then = \"reject\"; } ); };\n"
    "outbound: { listen = [ \"smtp:[::1]:2525\", \"lmtp:unix:/run/o.sock\" ]; };\n";

static void test_good_file_values(void)
{
    struct buf errs = BUF_INIT;
    struct conf *c = load(good, &errs);
    const char *const *items;
    const struct cidr *nets;
    struct cidr addr;
    size_t n;

    ok(c != NULL, "a good file loads");
    is_str(buf_str(&errs), "", "a good file gives no errors");
    if (c == NULL)
	return;
    is_int(conf_int(c, "log.verbose"), 2, "int value from the file");
    is_str(conf_str(c, "milter.socket"), "unix:/run/mxguard/milter.sock", "string value");
    is_int(conf_int(c, "milter.backlog"), 128, "keys left out keep their default");
    nets = conf_cidrs(c, "milter.trusted_hosts", &n);
    is_int((long long) n, 1, "a single string is a one-element CIDR list");
    cidr_addr_parse("192.0.2.77", &addr);
    ok(cidr_match(&nets[0], &addr), "parsed CIDR matches an address inside it");
    cidr_addr_parse("198.51.100.1", &addr);
    ok(!cidr_match(&nets[0], &addr), "parsed CIDR does not match one outside");
    is_int((long long) conf_list(c, "dns.servers", &items), 3, "three DNS servers");
    is_str(items[1], "[::1]:53", "bracketed IPv6 server with port");
    is_int(conf_bool(c, "dns.dnssec"), 0, "bool false from the file");
    is_int((long long) conf_group_count(c, "dkim.sign"), 2, "two signing identities");
    is_str(conf_group_str(c, "dkim.sign", 0, "algorithm"), "rsa-sha256",
	   "a group member left out gets its default");
    is_str(conf_group_str(c, "dkim.sign", 1, "algorithm"), "ed25519-sha256", "group member");
    is_str(conf_group_str(c, "dkim.sign", 1, "domain"), "example.org", "group member string");
    is_str(conf_str(c, "arc.seal.selector"), "a1", "sub-group member");
    is_int(conf_bool(c, "dmarc.forensic.enabled"), 1, "sub-group bool");
    is_str(conf_str(c, "dmarc.forensic.sender"), "", "sub-group default");
    ok(conf_named_list(c, "local", &items, &n) == 1 && n == 1
       && strcmp(items[0], "file:/etc/local") == 0, "a named list given as a spec string");
    ok(conf_named_list(c, "vip", &items, &n) == 1 && n == 2
       && strcmp(items[1], "b@example.com") == 0, "a named list given as entries");
    ok(conf_named_list(c, "nosuch", &items, &n) == 0 && n == 0, "an unknown list is not found");
    is_int((long long) conf_named_lists(c, &items), 2, "two named lists");
    is_str(items[0], "local", "named lists keep file order");

    const config_setting_t *rules = conf_setting(c, "rules.data");
    ok(rules != NULL && config_setting_length(rules) == 1, "raw rules.data is reachable");
    ok(rules && config_setting_source_line(config_setting_get_elem(rules, 0)) == 10,
       "raw settings keep their line numbers for the owning module");
    ok(conf_setting(c, "events.actions") == NULL, "an absent raw key is NULL");
    conf_unref(&c);
    buf_free(&errs);
}

static void test_all_errors_reported(void)
{
    struct buf errs = BUF_INIT;
    struct conf *c = load("milter: {\n  sockte = \"x\";\n  timeout_s = \"300\";\n"
			  "  trusted_hosts = [ \"127.0.0.1\", \"10.0.0.1/8\" ];\n};\n",
			  &errs);

    ok(c == NULL, "a file with errors gives no snapshot");
    is_str(buf_str(&errs),
	   "t.conf:2: milter.sockte: unknown key\n"
	   "t.conf:3: milter.timeout_s: must be an integer, not a string\n"
	   "t.conf:4: milter.trusted_hosts: \"10.0.0.1/8\": address has host bits set below"
	   " the prefix length\n", "unknown key, wrong type and bad CIDR are all reported");

    load("dns: { timeout_ms = 99; retries = 11; cache_size = -1; };", &errs);
    is_str(buf_str(&errs), "t.conf:1: dns.timeout_ms: 99 is out of range 100..60000\n"
	   "t.conf:1: dns.retries: 11 is out of range 0..10\n"
	   "t.conf:1: dns.cache_size: -1 is out of range 0..1000000\n",
	   "out-of-range ints name the range");
    load("outbound: { tls = \"sometimes\"; };", &errs);
    is_str(buf_str(&errs), "t.conf:1: outbound.tls: \"sometimes\" is not one of: "
	   "none, may, encrypt, dane, dane-only, verify, secure\n", "a bad enum word lists the allowed words");
    load("milter: { backlog = 1;\n backlog = 2; };", &errs);
    is_str(buf_str(&errs), "t.conf:2: syntax error: duplicate setting name\n",
	   "a duplicate key is reported with its line");
    load("milter: { socket = ; };", &errs);
    is_str(buf_str(&errs), "t.conf:1: syntax error: syntax error\n",
	   "a libconfig syntax error is FILE:LINE: syntax error: TEXT");
    load("milter: { timeout_s = 1.5; user = 7; };", &errs);
    is_str(buf_str(&errs), "t.conf:1: milter.timeout_s: must be an integer, not a float\n"
	   "t.conf:1: milter.user: must be a string, not an integer\n", "floats and ints are types");
    load("milter: { authserv_id = \"a\\nb\\\"c\"; socket = \"x\\ny\"; };", &errs);
    is_str(buf_str(&errs), "t.conf:1: milter.socket: \"x\\x0ay\": expected inet:PORT@HOST,"
	   " inet6:PORT@HOST, unix:/path or local:/path\n",
	   "control characters in quoted values are escaped");
    load("milter: { max_message_size = 2147483649L; };", &errs);
    is_str(buf_str(&errs), "t.conf:1: milter.max_message_size: 2147483649 is out of range"
	   " 0..2147483648\n", "64-bit ints are range checked");
    c = load("milter: { max_message_size = 2147483648L; };", &errs);
    ok(c && conf_int(c, "milter.max_message_size") == 2147483648LL, "the 2^31 limit is allowed");
    conf_unref(&c);
    load("dkim: { sign = ( { domain = \"\"; selector = \"s\"; key = \"/k\"; } ); };", &errs);
    is_str(buf_str(&errs), "t.conf:1: dkim.sign[0].domain: must not be empty\n",
	   "required group members must not be empty");
    c = load("dkim: { sign = { domain = \"d\"; selector = \"s\"; key = \"/k\"; }; };", &errs);
    ok(c && conf_group_count(c, "dkim.sign") == 1, "a single group is a one-entry group list");
    conf_unref(&c);
    c = load("rules: { data = [ ]; }; events: { actions = ( ); };", &errs);
    ok(c != NULL, "empty raw lists are accepted");
    conf_unref(&c);
    load("dns: 5;", &errs);
    is_str(buf_str(&errs), "t.conf:1: dns: must be a group { ... }, not an integer\n",
	   "a section must be a group");
    buf_free(&errs);
}

static void test_checks(void)
{
    static const struct { conf_check_fn fn; const char *value; int want; } cases[] = {
	{conf_check_milter_socket, "inet:8891@127.0.0.1", 0},
	{conf_check_milter_socket, "inet6:8891@::1", 0},
	{conf_check_milter_socket, "inet:8891", 0},
	{conf_check_milter_socket, "local:/run/m.sock", 0},
	{conf_check_milter_socket, "unix:relative.sock", -1},
	{conf_check_milter_socket, "inet:0@127.0.0.1", -1},
	{conf_check_milter_socket, "inet:88x1@127.0.0.1", -1},
	{conf_check_milter_socket, "inet:8891@", -1},
	{conf_check_milter_socket, "tcp:8891", -1},
	{conf_check_dns_server, "192.0.2.1", 0},
	{conf_check_dns_server, "192.0.2.1:53", 0},
	{conf_check_dns_server, "2001:db8::1", 0},
	{conf_check_dns_server, "[2001:db8::1]", 0},
	{conf_check_dns_server, "[2001:db8::1]:5353", 0},
	{conf_check_dns_server, "192.0.2.1:65536", -1},
	{conf_check_dns_server, "ns.example.com:53", -1},
	{conf_check_dns_server, "[192.0.2.1]:53", -1},
	{conf_check_dns_server, "", -1},
	{conf_check_redis, "127.0.0.1:6379/0", 0},
	{conf_check_redis, "redis.example.com:6379", 0},
	{conf_check_redis, "[::1]:6379/2", 0},
	{conf_check_redis, "unix:/run/redis/redis.sock/0", 0},
	{conf_check_redis, "127.0.0.1/0", -1},
	{conf_check_redis, "127.0.0.1:6379/", -1},
	{conf_check_listen, "lmtp:127.0.0.1:10026", 0},
	{conf_check_listen, "smtp:[::1]:25", 0},
	{conf_check_listen, "lmtp:unix:/run/o.sock", 0},
	{conf_check_listen, "http:127.0.0.1:80", -1},
	{conf_check_facility, "local7", 0},
	{conf_check_facility, "kern", -1},
    };
    int bad = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	const char *why = NULL;
	int got = cases[i].fn(cases[i].value, &why);
	if (got != cases[i].want || (got < 0 && why == NULL)) {
	    diag("\"%s\": got %d, want %d", cases[i].value, got, cases[i].want);
	    bad++;
	}
    }
    ok(bad == 0, "value checks accept the documented forms and reject the others, with a reason");
}

static void test_file_errors(void)
{
    struct buf errs = BUF_INIT;
    char dir[] = "/tmp/conf-unit.XXXXXX";
    char *main_path, *inc_path, *want;
    struct conf *c;
    FILE *fp;

    ok(conf_load("/nonexistent/mxguard.conf", &errs) == NULL
       && strcmp(buf_str(&errs), "/nonexistent/mxguard.conf: cannot open: "
		 "No such file or directory\n") == 0, "a missing file is an error");
    if (mkdtemp(dir) == NULL)
	return;
    buf_reset(&errs);
    want = xasprintf("%s: cannot read: Is a directory\n", dir);
    ok(conf_load(dir, &errs) == NULL, "a directory is not a config file");
    is_str(buf_str(&errs), want, "and the error says so");
    free(want);
    main_path = xasprintf("%s/main.conf", dir);
    inc_path = xasprintf("%s/inc.conf", dir);
    fp = fopen(inc_path, "w");
    fputs("milter: {\n  backlog = 0;\n};\n", fp);
    fclose(fp);
    fp = fopen(main_path, "w");
    fputs("# main\n@include \"inc.conf\"\nlog: { verbose = 9; };\n", fp);
    fclose(fp);
    buf_reset(&errs);
    c = conf_load(main_path, &errs);
    want = xasprintf("%s:2: milter.backlog: 0 is out of range 1..65535\n"
			   "%s:3: log.verbose: 9 is out of range 0..3\n", inc_path, main_path);
    ok(c == NULL, "errors in an @include'd file fail the load");
    is_str(buf_str(&errs), want, "errors name the file they are in (@include relative to it)");
    free(want);
    unlink(inc_path);
    unlink(main_path);
    rmdir(dir);
    free(inc_path);
    free(main_path);

    buf_reset(&errs);
    c = conf_open(NULL, &errs);
    if (access(MXG_DEFAULT_CONFIG, F_OK) < 0)
	ok(c != NULL && conf_is_default(c), "conf_open(NULL) without the default file: defaults");
    else
	ok(c == NULL || strcmp(conf_path(c), MXG_DEFAULT_CONFIG) == 0,
	   "conf_open(NULL) reads the default file when it exists");
    conf_unref(&c);
    buf_free(&errs);
}

static void test_dump_round_trip(void)
{
    struct buf errs = BUF_INIT;
    char *path = xasprintf("%s/contrib/mxguard.conf.example",
			   getenv("top_srcdir") ? getenv("top_srcdir") : ".");
    struct conf *a = conf_load(path, &errs), *b;
    char *d1, *d2;

    ok(a != NULL, "contrib/mxguard.conf.example loads");
    if (a == NULL) {
	diag("%s", buf_str(&errs));
	free(path);
	return;
    }
    d1 = dump_string(a);
    b = load(d1, &errs);
    ok(b != NULL, "the dump of the example loads back");
    d2 = b ? dump_string(b) : xstrdup("");
    is_str(body(d2), body(d1), "dump -> load -> dump is the same text");
    ok(b && conf_group_count(b, "dkim.sign") == 2
       && strcmp(conf_group_str(b, "dkim.sign", 1, "algorithm"), "ed25519-sha256") == 0,
       "group lists survive the round trip");
    const config_setting_t *r = b ? conf_setting(b, "rules.data") : NULL;
    ok(r && config_setting_length(r) == 4, "raw rules survive the round trip");
    conf_unref(&b);
    free(d1);
    free(d2);
    conf_unref(&a);

    a = load("store: { redis = \"127.0.0.1:6379/1\"; redis_password = \"hunter2\"; };\n"
	     "spf: { guess = \"v=spf1 \\\"quoted\\\" \\\\ back\\tslash\"; };\n"
	     "milter: { max_message_size = 2147483648L; };\n", &errs);
    d1 = a ? dump_string(a) : xstrdup("");
    ok(strstr(d1, "hunter2") == NULL && strstr(d1, "\"********\"") != NULL,
       "--dump never shows the Redis password");
    b = load(d1, &errs);
    ok(b && strcmp(conf_str(b, "spf.guess"), conf_str(a, "spf.guess")) == 0,
       "strings with quotes, backslashes and tabs round trip");
    ok(b && conf_int(b, "milter.max_message_size") == 2147483648LL,
       "ints above 2^31-1 round trip");
    conf_unref(&b);
    free(d1);
    conf_unref(&a);

    a = conf_defaults();
    d1 = dump_string(a);
    b = load(d1, &errs);
    d2 = b ? dump_string(b) : xstrdup("");
    is_str(body(d2), body(d1), "the dump of the built-in defaults loads back to the same");
    ok(strstr(d1, "seal :") == NULL && strstr(d1, "seal =") == NULL, "an unused optional group (arc.seal) is not dumped");
    conf_unref(&b);
    conf_unref(&a);
    free(d1);
    free(d2);
    free(path);
    buf_free(&errs);
}

static void test_wrong_accessor_panics(void)
{
    struct conf *c = conf_defaults();
    pid_t pid = fork();

    if (pid == 0) {
	(void) conf_int(c, "milter.socket");
	_exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status), "asking for a string key as an int is a bug: msg_panic aborts");
    conf_unref(&c);
}

struct reader {
    int rounds;
    int bad;
};

/* reader_main - read the current snapshot over and over during installs */
static void *reader_main(void *arg)
{
    struct reader *r = arg;

    for (int i = 0; i < r->rounds; i++) {
	struct conf *c = conf_current();
	if (c == NULL) {
	    r->bad++;
	    continue;
	}
	long long t = conf_int(c, "milter.timeout_s");
	if (t < 1 || t > 100 || conf_int(c, "milter.backlog") != t)
	    r->bad++;
	conf_unref(&c);
    }
    return NULL;
}

static void test_snapshots(void)
{
    struct buf errs = BUF_INIT;
    struct conf *a = load("milter: { timeout_s = 1; backlog = 1; };", &errs);
    struct conf *held, *now;

    ok(conf_current() == NULL, "nothing is current before the first install");
    conf_install(a);
    held = conf_current();
    ok(held == a, "conf_current returns the installed snapshot");
    conf_install(load("milter: { timeout_s = 2; backlog = 2; };", &errs));
    is_int(conf_int(held, "milter.timeout_s"), 1,
	   "a reference held across conf_install still reads the old snapshot");
    now = conf_current();
    is_int(conf_int(now, "milter.timeout_s"), 2, "conf_current returns the new snapshot");
    conf_unref(&now);
    conf_unref(&held);

    /* a failed reload keeps the old config */
    struct conf *bad = load("milter: { timeout_s = 0; };", &errs);
    if (bad != NULL)
	conf_install(bad);
    now = conf_current();
    ok(bad == NULL && conf_int(now, "milter.timeout_s") == 2,
       "a failed load installs nothing: the old snapshot stays current");
    conf_unref(&now);

    /* readers in threads while the main thread installs snapshots */
    pthread_t tid[4];
    struct reader rd[4];
    for (int i = 0; i < 4; i++) {
	rd[i].rounds = 20000;
	rd[i].bad = 0;
	pthread_create(&tid[i], NULL, reader_main, &rd[i]);
    }
    for (int v = 3; v <= 100; v++) {
	char text[128];
	snprintf(text, sizeof(text), "milter: { timeout_s = %d; backlog = %d; };", v, v);
	conf_install(load(text, &errs));
    }
    int bad_reads = 0;
    for (int i = 0; i < 4; i++) {
	pthread_join(tid[i], NULL);
	bad_reads += rd[i].bad;
    }
    is_int(bad_reads, 0, "threads reading while snapshots are swapped see whole snapshots");
    conf_install(NULL);
    ok(conf_current() == NULL, "conf_install(NULL) drops the current snapshot");
    buf_free(&errs);
}

int main(void)
{
    test_table_defaults_are_valid();
    test_defaults();
    test_good_file_values();
    test_all_errors_reported();
    test_checks();
    test_file_errors();
    test_dump_round_trip();
    test_wrong_accessor_panics();
    test_snapshots();
    return done_testing();
}
