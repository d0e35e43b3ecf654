/*
 * t/unit/pipeline.c - the pipeline driven directly, as mxguardd drives it:
 * many messages (and aborts) on one connection without leaks or leftovers,
 * snapshot switch between messages, stage verdicts, needs, the JSON escaper.
 * Run under the sanitizer build, ASan's leak check proves the memory claims.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "mail/header.h"
#include "pipeline/json.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_int.h"	/* the check_msg of a connection, as a module gets it */
#include "util/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#define NMSGS 2000

static const char base_conf[] =
    "milter: { authserv_id = \"mx.test\"; trusted_hosts = [ \"10.0.0.0/8\" ]; };\n"
    "store: { lmdb = \"/nonexistent/mxguard-test/state.mdb\"; };\n"
    "lists: { bad_senders = [ \"spam.example\", \".spam.example\" ]; };\n"
    "rules: { data = (\n"
    "  { if = { trusted = true; }; then = \"warn\"; add_header = \"X-Trusted: yes\"; },\n"
    "  { if = { sender_domains = \"+bad_senders\"; }; then = \"reject\";\n"
    "    message = \"550 5.7.1 no mail from $sender_address_domain\"; },\n"
    "  { if = { header = { name = \"Subject\"; regex = \"^hold\"; }; }; then = \"quarantine\"; }\n"
    "); };\n";

/* load - a pipeline from config text with the check modules off, or NULL with errs */
static struct pipeline *load(const char *text, struct buf *errs)
{
    struct buf full = BUF_INIT;
    struct conf *c;
    struct pipeline *p;

    /* these tests are about the pipeline itself (each module has its own
     * tests); SPF off also keeps them away from the system resolver */
    buf_puts(&full, text);
    buf_puts(&full, "spf: { enabled = false; };\n");
    buf_puts(&full, "dmarc: { enabled = false; };\n");
    c = conf_load_string(buf_str(&full), "test.conf", errs);
    buf_free(&full);
    if (c == NULL)
	return NULL;
    p = pipeline_new(c, errs);
    conf_unref(&c);
    return p;
}

/* count_hdr - how many header changes of op and name v carries */
static int count_hdr(const struct verdict *v, enum verdict_hdr_op op, const char *name)
{
    int n = 0;

    for (size_t i = 0; i < v->nhdrs; i++)
	n += v->hdrs[i].op == op && strcmp(v->hdrs[i].name, name) == 0;
    return n;
}

/* one_msg - a whole message on pc; the eom action */
static int one_msg(struct pipeline_conn *pc, const char *sender, const char *subject, int forged,
		   struct verdict *v)
{
    static const unsigned char body[] = "line one\r\nline two\r\n";
    int a;

    if ((a = pipeline_mail(pc, sender, NULL, v)) != VERDICT_CONTINUE)
	return a;
    pipeline_queue_id(pc, "QID1");
    if ((a = pipeline_rcpt(pc, "<bob@example.com>", v)) != VERDICT_CONTINUE)
	return a;
    pipeline_header(pc, "From", " a@example.org");
    pipeline_header(pc, "Subject", subject);
    if (forged)
	pipeline_header(pc, "Authentication-Results", " mx.test; spf=pass");
    if ((a = pipeline_eoh(pc, v)) != VERDICT_CONTINUE)
	return a;
    pipeline_body(pc, body, sizeof(body) - 1);
    return pipeline_eom(pc, v);
}

/* test_many_messages - NMSGS messages and aborts on one connection */
static void test_many_messages(struct pipeline *p)
{
    struct pipeline_client cl = {"client.example.org", "192.0.2.10", 2525, "mx", "smtpd",
	NULL, NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p, &cl);
    struct verdict v;
    int accepted = 0, rejected = 0, removed_ok = 1, inserted_ok = 1, leftovers = 0;

    verdict_init(&v);
    is_int(pipeline_connect(pc, &v), VERDICT_CONTINUE, "connect stage continues");
    is_int(pipeline_helo(pc, "client.example.org", &v), VERDICT_CONTINUE, "helo stage continues");
    pipeline_tls(pc, "TLSv1.2");
    is_str(facts_get(pipeline_conn_facts(pc), "tls_version"), "TLSv1.2", "pipeline_tls sets tls_version");
    for (int i = 0; i < NMSGS; i++) {
	int bad = i % 3 == 1, a;

	if (i % 7 == 3) {		/* an aborted message: RSET after headers */
	    pipeline_mail(pc, "<x@example.org>", NULL, &v);
	    pipeline_rcpt(pc, "<bob@example.com>", &v);
	    pipeline_header(pc, "Subject", " aborted");
	    pipeline_abort(pc);
	}
	a = one_msg(pc, bad ? "<u@spam.example>" : "<u@example.org>", " hello", i % 2, &v);
	if (a == VERDICT_REJECT && bad)
	    rejected++;
	if (a == VERDICT_CONTINUE && !bad) {
	    accepted++;
	    removed_ok &= count_hdr(&v, VERDICT_HDR_REMOVE, "Authentication-Results") == i % 2;
	    inserted_ok &= count_hdr(&v, VERDICT_HDR_INSERT, "Authentication-Results") == 1;
	}
	leftovers += facts_get(pipeline_conn_facts(pc), "sender_address") != NULL;
	leftovers += facts_get(pipeline_conn_facts(pc), "recipients") != NULL;
    }
    is_int(accepted + rejected, NMSGS, "every one of %d messages on one connection is decided", NMSGS);
    ok(rejected == NMSGS / 3 + (NMSGS % 3 == 2), "messages from a listed domain are rejected");
    ok(removed_ok, "each message's forged A-R is removed (and only when present)");
    ok(inserted_ok, "each accepted message gets exactly one A-R inserted");
    is_int(leftovers, 0, "no message fact survives its message (eom, abort)");
    is_str(facts_get(pipeline_conn_facts(pc), "sender_helo_name"), "client.example.org",
	   "connection facts survive messages");
    verdict_clear(&v);
    pipeline_conn_free(&pc);
    ok(pc == NULL, "pipeline_conn_free NULLs the pointer");
}

/* test_envelope_stage_headers - add_header of mail and rcpt rules reaches end of message */
static void test_envelope_stage_headers(void)
{
    static const char conf[] =
	"milter: { authserv_id = \"mx.test\"; };\n"
	"rules: {\n"
	"  mail = ( { if = { sender_domains = \"example.org\"; }; then = \"warn\";\n"
	"             add_header = \"X-Mail-Stage: $sender_address_domain\"; } );\n"
	"  rcpt = ( { if = { rcpt_domains = \"example.com\"; }; then = \"warn\";\n"
	"             add_header = \"X-Rcpt-Stage: yes\"; },\n"
	"           { if = { rcpt = \"nobody@example.com\"; }; then = \"reject\";\n"
	"             add_header = \"X-Refused: yes\"; } );\n"
	"};\n";
    struct buf errs = BUF_INIT;
    struct pipeline *p = load(conf, &errs);
    struct pipeline_client cl = {"client.example.org", "192.0.2.10", 2525, "mx", "smtpd",
	NULL, NULL};
    struct pipeline_conn *pc;
    struct verdict v;

    ok(p != NULL, "a config with mail and rcpt stage add_header loads: %s", buf_str(&errs));
    buf_free(&errs);
    if (p == NULL)
	return;
    pc = pipeline_conn_new(p, &cl);
    verdict_init(&v);
    pipeline_connect(pc, &v);
    pipeline_mail(pc, "<u@example.org>", NULL, &v);
    is_int(pipeline_rcpt(pc, "<nobody@example.com>", &v), VERDICT_REJECT,
	   "the rcpt rule refuses one recipient");
    pipeline_rcpt(pc, "<bob@example.com>", &v);
    pipeline_header(pc, "From", " a@example.org");
    pipeline_eoh(pc, &v);
    is_int(pipeline_eom(pc, &v), VERDICT_CONTINUE, "the message continues at end of message");
    is_int(count_hdr(&v, VERDICT_HDR_ADD, "X-Mail-Stage"), 1,
	   "a mail stage rule's header is added once at end of message");
    is_int(count_hdr(&v, VERDICT_HDR_ADD, "X-Rcpt-Stage"), 1,
	   "a rcpt stage warn rule's header is kept for the accepted recipient only");
    is_int(count_hdr(&v, VERDICT_HDR_ADD, "X-Refused"), 0,
	   "the header of a rule that refused a recipient is not added");
    for (size_t i = 0; i < v.nhdrs; i++)
	if (strcmp(v.hdrs[i].name, "X-Mail-Stage") == 0)
	    is_str(v.hdrs[i].value, "example.org", "its variables are expanded at the mail stage");
    verdict_clear(&v);
    pipeline_conn_free(&pc);
    pipeline_unref(&p);
}

/* test_verdicts - text, quarantine, warn headers, recipients and core facts */
static void test_verdicts(struct pipeline *p)
{
    struct pipeline_client trusted = {NULL, "10.1.2.3", 0, NULL, NULL, "TLSv1.3", NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p, &trusted);
    struct verdict v;

    verdict_init(&v);
    is_str(facts_get(pipeline_conn_facts(pc), "trusted"), "yes", "a client in trusted_hosts is trusted");
    is_str(facts_get(pipeline_conn_facts(pc), "sender_host_name"), "[10.1.2.3]",
	   "without a name the host name is [addr]");
    is_int(one_msg(pc, "<u@sub.spam.example>", " x", 0, &v), VERDICT_REJECT,
	   "a rule on a named list matches a subdomain");
    is_str(v.rcode, "550", "reject code");
    is_str(v.text, "no mail from sub.spam.example", "reject text with the variable expanded");
    is_int(one_msg(pc, "<u@example.org>", " hold this", 0, &v), VERDICT_QUARANTINE,
	   "a header rule quarantines");
    is_int(count_hdr(&v, VERDICT_HDR_ADD, "X-Trusted"), 1, "a warn rule's header follows ours");
    ok(v.nhdrs >= 2 && v.hdrs[0].op == VERDICT_HDR_INSERT, "our A-R comes first");
    is_int(pipeline_rcpt(pc, "<a@b.example>", &v), VERDICT_TEMPFAIL,
	   "RCPT outside a message is an internal error (on_internal_error = tempfail)");
    is_int(pipeline_mail(pc, "<>", "alice", &v), VERDICT_CONTINUE, "null sender, authenticated");
    is_str(facts_get(pipeline_conn_facts(pc), "sender_address"), "", "the null sender is \"\"");
    is_str(facts_get(pipeline_conn_facts(pc), "authenticated"), "yes", "authenticated = yes");
    ok(facts_get(pipeline_conn_facts(pc), "sender_address_domain") == NULL,
       "the null sender has no domain");
    pipeline_conn_free(&pc);	/* with a message in progress: dropped, no leak */
    verdict_clear(&v);
}

/* test_snapshot - a connection moves to a new pipeline between messages */
static void test_snapshot(struct pipeline *p1)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p2 = load("milter: { authserv_id = \"mx2.test\"; };\n", &errs);
    struct pipeline_client cl = {"h.example", "192.0.2.1", 25, NULL, NULL, NULL, NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p1, &cl);
    struct verdict v;

    verdict_init(&v);
    ok(p2 != NULL, "a second snapshot loads");
    pipeline_mail(pc, "<u@example.org>", NULL, &v);
    pipeline_conn_set_pipeline(pc, p2);
    pipeline_unref(&p2);		/* the connection keeps it alive */
    is_int(one_msg(pc, "<u@spam.example>", " x", 0, &v), VERDICT_CONTINUE,
	   "after the switch the new snapshot's (empty) rules apply");
    ok(v.nhdrs == 1 && strcmp(v.hdrs[0].value, " mx2.test; none") == 0,
       "and its authserv-id: %s", v.nhdrs ? v.hdrs[0].value : "(none)");
    verdict_clear(&v);
    pipeline_conn_free(&pc);
    buf_free(&errs);
}

/* test_needs_and_errors - negotiation bits and config errors */
static void test_needs_and_errors(struct pipeline *p)
{
    struct buf errs = BUF_INIT;
    struct pipeline *q = load("milter: { authserv_id = \"x\"; };\n"
			      "dkim: { verify = false; }; arc: { verify = false; };\n", &errs);
    unsigned n = pipeline_needs(p);

    ok(q && !(pipeline_needs(q) & PIPELINE_NEED_BODY), "no checks: the body is not needed");
    ok(q && (pipeline_needs(q) & PIPELINE_NEED_HEADERS) && (pipeline_needs(q) & PIPELINE_NEED_CHGHDRS),
       "headers are always needed (forged A-R removal)");
    ok(q && !(pipeline_needs(q) & PIPELINE_NEED_QUARANTINE), "no data rules: no quarantine");
    ok((n & PIPELINE_NEED_QUARANTINE) && (n & PIPELINE_NEED_HELO), "data rules: quarantine, helo");
    pipeline_unref(&q);
    ok(q == NULL, "pipeline_unref NULLs the pointer");
    buf_reset(&errs);
    q = load("lists: { l = \"redis:GET x\"; m = [ \"1.2.3.4/99\" ]; };\n"
	     "rules: { data = ( { if = { sender_domains = \"+nolist\"; }; then = \"reject\"; } ); };\n",
	     &errs);
    ok(q == NULL, "bad lists make pipeline_new fail");
    ok(strstr(buf_str(&errs), "test.conf:1: lists.l: ") != NULL, "redis list error has FILE:LINE");
    ok(strstr(buf_str(&errs), "lists.m: ") != NULL, "every list error is reported: %s",
       buf_str(&errs));
    buf_reset(&errs);
    q = load("rules: { data = ( { if = { sender_domains = \"+nolist\"; }; then = \"reject\"; } ); };\n",
	     &errs);
    ok(q == NULL && strstr(buf_str(&errs), "test.conf:1") != NULL,
       "a rule naming an unknown list is an error with FILE:LINE: %s", buf_str(&errs));
    buf_free(&errs);
}

struct body_sink {
    struct buf got;
    int calls;
};

/* body_fn - a body consumer as a check module registers one */
static void body_fn(void *ctx, const unsigned char *data, size_t len)
{
    struct body_sink *s = ctx;

    buf_append(&s->got, data, len);
    s->calls++;
}

/* test_module_view - what a check module sees: view, body stream, oversize, its headers */
static void test_module_view(void)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p = load("milter: { authserv_id = \"mx.test\"; max_message_size = 200; "
			      "on_internal_error = \"reject\"; on_internal_error_authenticated = \"accept\"; "
			      "on_internal_error_trusted = \"tempfail\"; };\n",
			      &errs);
    struct pipeline_client cl = {"h.example", "192.0.2.5", 25, NULL, NULL, "TLSv1.3", NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p, &cl);
    struct check_msg *m = &pc->msg;
    struct body_sink sink = {BUF_INIT, 0};
    unsigned char big[300];
    struct verdict v;
    const struct check_view *w = check_view(m);

    verdict_init(&v);
    memset(big, 'x', sizeof(big));
    pipeline_helo(pc, "h.example", &v);
    pipeline_mail(pc, "<s@example.org>", "alice", &v);
    pipeline_rcpt(pc, "<r1@example.com>", &v);
    pipeline_rcpt(pc, "r2@example.com", &v);
    ok(strcmp(w->client_addr, "192.0.2.5") == 0 && strcmp(w->helo, "h.example") == 0
       && strcmp(w->sender, "s@example.org") == 0 && strcmp(w->auth_authen, "alice") == 0
       && strcmp(w->tls_version, "TLSv1.3") == 0 && w->nrcpt == 2
       && strcmp(w->rcpts[1], "r2@example.com") == 0 && w->rcpts[2] == NULL && w->hdrs == NULL,
       "the view holds connection and envelope, paths without brackets");
    is_int(pipeline_header(pc, "Subject", " hi"), 0, "a header within the limit");
    pipeline_eoh(pc, &v);
    ok(w->hdrs && mail_hdrs_count(w->hdrs) == 1, "after eoh the view has the headers");
    check_body_register(m, body_fn, &sink);
    check_verdict_header(m, VERDICT_HDR_ADD, "X-Check", "done", 0);
    is_int(pipeline_body(pc, (const unsigned char *) "abc", 3), 0, "a body chunk");
    is_int(pipeline_body(pc, (const unsigned char *) "def", 3), 0, "another chunk");
    is_str(buf_str(&sink.got), "abcdef", "registered consumers get the body as it streams");
    is_int(pipeline_body(pc, big, sizeof(big)), 1, "the chunk that passes max_message_size says so");
    ok(w->oversize && sink.calls == 2 && w->body_bytes == 6,
       "over the limit the body is no longer streamed, the view says oversize");
    is_int(pipeline_body(pc, big, 10), 0, "later chunks are only counted");
    is_int(pipeline_eom(pc, &v), VERDICT_CONTINUE, "an oversize message still ends normally");
    ok(v.nhdrs == 2 && v.hdrs[0].op == VERDICT_HDR_INSERT && strcmp(v.hdrs[1].name, "X-Check") == 0,
       "a module's header change follows our A-R");
    is_int(pipeline_eoh(pc, &v), VERDICT_ACCEPT,
	   "an internal error for an authenticated client: on_internal_error_authenticated");
    pipeline_conn_free(&pc);
    pc = pipeline_conn_new(p, &cl);
    is_int(pipeline_eoh(pc, &v), VERDICT_REJECT,
	   "an internal error for other clients: milter.on_internal_error (reject)");
    is_str(v.rcode, "550", "with a 5xx code");
    pipeline_conn_free(&pc);
    cl.addr = "127.0.0.1";
    pc = pipeline_conn_new(p, &cl);
    is_int(pipeline_eoh(pc, &v), VERDICT_TEMPFAIL,
	   "an internal error for a trusted host: on_internal_error_trusted (tempfail)");
    verdict_clear(&v);
    buf_free(&sink.got);
    buf_free(&errs);
    pipeline_conn_free(&pc);
    pipeline_unref(&p);
}

/* json - pipeline_json_str of len bytes as a C string */
static char *json(const char *s, size_t len)
{
    struct buf b = BUF_INIT;

    pipeline_json_str(&b, s, len);
    return buf_steal(&b);
}

/* test_json - the escaper */
static void test_json(void)
{
    static const struct { const char *in; size_t len; const char *want; const char *name; } t[] = {
	{"plain", 5, "\"plain\"", "ASCII is copied"},
	{"a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash are escaped"},
	{"\n\r\t\001\037\177", 6, "\"\\n\\r\\t\\u0001\\u001f\\u007f\"", "control characters"},
	{"a\0b", 3, "\"a\\u0000b\"", "a NUL byte"},
	{"\xe2\x82\xac \xf0\x9f\x98\x80", 8, "\"\xe2\x82\xac \xf0\x9f\x98\x80\"", "valid UTF-8 is kept"},
	{"\xff\xc0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"", "invalid bytes and overlong forms"},
	{"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"", "an encoded surrogate"},
	{"\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "beyond U+10FFFF"},
	{"\xe2\x82", 2, "\"\\ufffd\\ufffd\"", "a cut sequence"},
    };
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
	char *got = json(t[i].in, t[i].len);

	is_str(got, t[i].want, "json: %s", t[i].name);
	free(got);
    }
    pipeline_json_cstr(&b, NULL);
    is_str(buf_str(&b), "null", "json: NULL is null");
    buf_free(&b);
}

int main(void)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p;

    msg_open("test_pipeline", MSG_STDERR, 0);
    p = load(base_conf, &errs);
    ok(p != NULL, "the test config builds a pipeline (store dir missing is fine): %s",
       buf_str(&errs));
    if (p == NULL)
	return done_testing();
    test_many_messages(p);
    test_verdicts(p);
    test_snapshot(p);
    test_needs_and_errors(p);
    pipeline_unref(&p);
    test_module_view();
    test_envelope_stage_headers();
    test_json();
    buf_free(&errs);
    return done_testing();
}
