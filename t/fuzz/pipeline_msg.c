/*
 * t/fuzz/pipeline_msg.c - fuzz target: a message through the whole pipeline
 * (the same path as `mxguard check` and mxguardd) with a fixed config whose
 * rules use a header regex, a named list, variables, warn headers and
 * quarantine. The first input line is the envelope sender, the rest the
 * message. Invariants checked (abort when one breaks):
 *  - the action is a valid verdict_action and rcpt-stage refusals are 4xx/5xx;
 *  - a message the pipeline lets through carries exactly one inserted
 *    Authentication-Results, at index 0, starting " mx.fuzz;" with no line
 *    over 998 octets;
 *  - removals name Authentication-Results occurrences 1..N of the input,
 *    strictly descending, and come before the insert;
 *  - no message fact survives the message.
 * Messages are logged to stderr: run with -close_fd_mask=2 for speed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "pipeline/pipeline.h"
#include "util/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_conf[] =
    "milter: { authserv_id = \"mx.fuzz\"; max_message_size = 2048; };\n"
    "store: { lmdb = \"/nonexistent/fuzz/state.mdb\"; };\n"
    "spf: { enabled = false; };\n"	/* no DNS while fuzzing (fuzz_spf_record covers SPF) */
    "dmarc: { enabled = false; };\n"	/* fuzz_dmarc_record and fuzz_dmarc_from cover DMARC */
    /* DKIM/ARC key lookups fail at once (a closed port): never the network */
    "dns: { servers = [ \"127.0.0.1:9\" ]; timeout_ms = 100; retries = 0; };\n"
    "lists: { bad = [ \"spam.example\", \".bad.example\", \"192.0.2.0/24\" ]; };\n"
    "rules: {\n"
    "  rcpt = ( { if = { rcpt_domains = \"closed.example\"; }; then = \"reject\";\n"
    "             message = \"550 5.1.1 no $recipient\"; } );\n"
    "  data = (\n"
    "    { if = { header = { name = \"X-Tag\"; regex = \"^(a|b)+[0-9]{2,}$\"; }; }; then = \"warn\";\n"
    "      add_header = \"X-Seen: $sender_address via $sender_host_address\"; remove_header = \"X-Tag\"; },\n"
    "    { if = { sender_domains = \"+bad\"; }; then = \"reject\";\n"
    "      message = \"550 5.7.1 no mail from $sender_address_domain\\nsecond line\"; },\n"
    "    { if = { header = ( { name = \"Subject\"; regex = \"hold\"; },\n"
    "                        { name = \"From\"; regex = \"@hold\\\\.\"; } ); }; then = \"quarantine\";\n"
    "      message = \"held: $sender_address\"; },\n"
    "    { if = { header = { name = \"Subject\"; regex = \"later\"; }; }; then = \"tempfail\"; }\n"
    "  );\n"
    "};\n";

static struct pipeline *fuzz_pipeline;

/* fuzz_init - the pipeline, built once */
static struct pipeline *fuzz_init(void)
{
    struct buf errs = BUF_INIT;
    struct conf *c;

    if (fuzz_pipeline)
	return fuzz_pipeline;
    msg_open("fuzz_pipeline_msg", MSG_STDERR, 0);
    if ((c = conf_load_string(fuzz_conf, "fuzz.conf", &errs)) == NULL
	|| (fuzz_pipeline = pipeline_new(c, &errs)) == NULL) {
	msg_error("fuzz: config: %s", buf_str(&errs));
	abort();
    }
    conf_unref(&c);
    buf_free(&errs);
    return fuzz_pipeline;
}

/* fuzz_ar_count - Authentication-Results fields a milter would see (upper bound) */
static int fuzz_ar_count(const char *msg, size_t len)
{
    static const char name[] = "authentication-results";
    int n = 0;

    for (size_t i = 0; i + sizeof(name) - 1 <= len; i++)
	if ((i == 0 || msg[i - 1] == '\n') && strncasecmp(msg + i, name, sizeof(name) - 1) == 0)
	    n++;
    return n;
}

/* fuzz_check_hdrs - the header-change invariants of a delivered message */
static void fuzz_check_hdrs(const struct verdict *v, int nar)
{
    int last = nar + 1, inserted = 0;

    for (size_t i = 0; i < v->nhdrs; i++) {
	const struct verdict_hdr *h = &v->hdrs[i];

	if (strcmp(h->name, "Authentication-Results") != 0)
	    continue;
	if (h->op == VERDICT_HDR_REMOVE) {
	    if (inserted || h->index < 1 || h->index >= last)
		abort();
	    last = h->index;
	} else if (h->op == VERDICT_HDR_INSERT) {
	    const char *line = h->value;

	    if (h->index != 0 || inserted++ || strncmp(h->value, " mx.fuzz;", 9) != 0)
		abort();
	    for (const char *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		if (nl - line > 998)
		    abort();
	    if (strlen(line) > 998)
		abort();
	}
    }
    if (inserted != 1)
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pipeline *p = fuzz_init();
    struct pipeline_client cl = {NULL, "192.0.2.77", 4242, NULL, NULL, NULL, NULL};
    const char *msg = (const char *) data, *nl = memchr(data, '\n', size);
    size_t slen = nl ? (size_t) (nl - msg) : size;
    char *sender = strndup(msg, slen > 300 ? 300 : slen);
    struct pipeline_conn *pc = pipeline_conn_new(p, &cl);
    const char *stage = "";
    struct verdict v;
    int a;

    if (sender == NULL)
	abort();
    verdict_init(&v);
    msg = nl ? nl + 1 : msg + size;
    size -= (size_t) (msg - (const char *) data);
    if (pipeline_helo(pc, "fuzz.example", &v) == VERDICT_CONTINUE
	&& pipeline_mail(pc, sender, NULL, &v) == VERDICT_CONTINUE) {
	a = pipeline_rcpt(pc, "<x@closed.example>", &v);
	if (a != VERDICT_REJECT || strcmp(v.rcode, "550") != 0)
	    abort();
	if (pipeline_rcpt(pc, sender, &v) == VERDICT_CONTINUE) {
	    a = pipeline_message(pc, msg, size, &stage, &v);
	    if (a < VERDICT_CONTINUE || a > VERDICT_QUARANTINE)
		abort();
	    if (a != VERDICT_REJECT && a != VERDICT_TEMPFAIL)
		fuzz_check_hdrs(&v, fuzz_ar_count(msg, size));
	    if (facts_get(pipeline_conn_facts(pc), "sender_address") != NULL)
		abort();
	}
    }
    verdict_clear(&v);
    pipeline_conn_free(&pc);
    free(sender);
    return 0;
}
