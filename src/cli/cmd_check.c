/*
 * NAME
 *	cmd_check - mxguard check: run the daemon's pipeline on a message file
 * SYNOPSIS
 *	mxguard check [-c FILE] [--ip IP] [--name HOST] [--helo NAME]
 *		      [--from ADDR] [--rcpt ADDR]... [--auth USER]
 *		      [--queue-id ID] [--json] [MESSAGE | -]
 * DESCRIPTION
 *	Builds the pipeline of the config snapshot exactly as mxguardd does
 *	(pipeline_new) and feeds it one SMTP transaction in order: connect,
 *	HELO, MAIL FROM, each RCPT TO, then the message as an MTA passes it
 *	to a milter (pipeline_message). It stops at the first stage whose
 *	verdict ends the transaction. A refused recipient is printed and the
 *	others go on; when every recipient is refused the last refusal is
 *	the verdict (the MTA would answer DATA with an error).
 *
 *	Output: one line per header change ("+Name: value" for an added or
 *	inserted field, "-Name[N]" for the removal of the N-th field of that
 *	name, "-Name" for all of them, "~Name[N]: value" for a change), one
 *	line "rcpt ADDR: ACTION CODE X.Y.Z text" per refused recipient, one
 *	line "delrcpt ADDR" per recipient removed at end of message, and
 *	"verdict: ACTION[ CODE X.Y.Z text | reason]". --json prints one JSON
 *	object instead: verdict, stage, header changes, refused
 *	recipients, log lines and every fact known at the end.
 *
 *	The message is read whole (at most MAIL_MSG_MAX_SIZE bytes); header
 *	limits are the pipeline's, as in the daemon.
 * DIAGNOSTICS
 *	Exit status 0 the message would be delivered (continue or accept),
 *	1 it would not be delivered as is (reject, tempfail, discard,
 *	quarantine), 2 usage error, 3 the check could not run (config
 *	error, unreadable message).
 * STANDARDS
 *	RFC 5321 (transaction order), RFC 5322 2.1 (message format).
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "mail/msg.h"
#include "pipeline/json.h"
#include "pipeline/pipeline.h"
#include "util/buf.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define CHECK_ERROR	3

static const char check_usage[] =
    "usage: mxguard check [-c FILE] [--ip IP] [--name HOST] [--helo NAME] [--from ADDR]\n"
    "                     [--rcpt ADDR]... [--auth USER] [--queue-id ID] [--json] [MESSAGE|-]\n"
    "  -c, --config FILE  the configuration file (default " MXG_DEFAULT_CONFIG ")\n"
    "      --ip IP        client address (default: none, a local submission)\n"
    "      --name HOST    client host name (default: [IP], or localhost)\n"
    "      --helo NAME    HELO/EHLO name\n"
    "      --from ADDR    envelope sender (default: the null sender <>)\n"
    "      --rcpt ADDR    an envelope recipient (repeat for more)\n"
    "      --auth USER    the client authenticated as USER\n"
    "      --queue-id ID  queue id for the log lines\n"
    "      --json         print every fact, header change and the verdict as JSON\n"
    "Exit status: 0 delivered, 1 rejected/tempfailed/discarded/quarantined,\n"
    "2 usage, 3 could not check.\n";

struct check_opts {
    const char *config, *ip, *name, *helo, *from, *auth, *queue_id, *file;
    const char **rcpts;
    size_t nrcpt;
    int json;
};

/* What the run found: the deciding verdict and the facts at the end. */
struct check_result {
    struct verdict v;
    const char *stage;
    struct buf facts_json;		/* "name":"value",... */
    int have_facts;
    struct verdict *rcpt_v;		/* refused recipients */
    const char **rcpt_addr;
    size_t nrefused;
};

/* check_fact_cb - one fact into the result's JSON and text */
static void check_fact_cb(void *ctx, const char *name, const char *value)
{
    struct check_result *r = ctx;

    if (r->facts_json.len)
	buf_putc(&r->facts_json, ',');
    pipeline_json_cstr(&r->facts_json, name);
    buf_putc(&r->facts_json, ':');
    pipeline_json_cstr(&r->facts_json, value);
}

/* check_keep_facts - remember the facts as they are now */
static void check_keep_facts(struct check_result *r, const struct facts *f)
{
    buf_reset(&r->facts_json);
    facts_each(f, check_fact_cb, r);
    r->have_facts = 1;
}

/* check_on_end - the pipeline ends the message: keep its facts */
static void check_on_end(void *ctx, const struct facts *f, const struct verdict *v)
{
    (void) v;
    check_keep_facts(ctx, f);
}

/* check_is_ip - is s an IPv4 or IPv6 address? */
static int check_is_ip(const char *s)
{
    unsigned char a[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* check_parse_args - the command line; -1 usage error, 1 help */
static int check_parse_args(int argc, char **argv, struct check_opts *o)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'}, {"ip", required_argument, NULL, 'i'},
	{"name", required_argument, NULL, 'n'}, {"helo", required_argument, NULL, 'H'},
	{"from", required_argument, NULL, 'f'}, {"rcpt", required_argument, NULL, 'r'},
	{"auth", required_argument, NULL, 'a'}, {"queue-id", required_argument, NULL, 'q'},
	{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
    };
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
	switch (ch) {
	case 'c': o->config = optarg; break;
	case 'i': o->ip = optarg; break;
	case 'n': o->name = optarg; break;
	case 'H': o->helo = optarg; break;
	case 'f': o->from = optarg; break;
	case 'a': o->auth = optarg; break;
	case 'q': o->queue_id = optarg; break;
	case 'j': o->json = 1; break;
	case 'r':
	    o->rcpts = xrealloc(o->rcpts, (o->nrcpt + 1) * sizeof(*o->rcpts));
	    o->rcpts[o->nrcpt++] = optarg;
	    break;
	case 'h': return 1;
	default: return -1;
	}
    }
    if (argc - optind > 1)
	return -1;
    if (o->ip && !check_is_ip(o->ip)) {
	msg_error("check: --ip %s: not an IPv4 or IPv6 address", o->ip);
	return -1;
    }
    o->file = optind < argc ? argv[optind] : "-";
    return 0;
}

/* check_read - the whole message file; NULL with a message logged */
static char *check_read(const char *file, size_t *len_r)
{
    int fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY);
    struct buf b = BUF_INIT;
    char chunk[65536];
    ssize_t n;

    if (fd < 0) {
	msg_error("check: %s: %m", file);
	return NULL;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
	if (b.len + (size_t) n > MAIL_MSG_MAX_SIZE) {
	    msg_error("check: %s: message larger than %d bytes", file, MAIL_MSG_MAX_SIZE);
	    n = -2;
	    break;
	}
	buf_append(&b, chunk, (size_t) n);
    }
    if (n == -1)
	msg_error("check: %s: %m", file);
    if (fd != 0)
	close(fd);
    if (n < 0) {
	buf_free(&b);
	return NULL;
    }
    *len_r = b.len;
    buf_putc(&b, 0);
    return buf_steal(&b);
}

/* check_decided - keep v as the deciding verdict of stage */
static int check_decided(struct check_result *r, const char *stage, struct verdict *v, int a)
{
    r->stage = stage;
    verdict_clear(&r->v);
    r->v = *v;
    verdict_init(v);
    return a;
}

/* check_refused - keep a refused recipient's verdict */
static void check_refused(struct check_result *r, const char *rcpt, struct verdict *v)
{
    r->rcpt_v = xrealloc(r->rcpt_v, (r->nrefused + 1) * sizeof(*r->rcpt_v));
    r->rcpt_addr = xrealloc(r->rcpt_addr, (r->nrefused + 1) * sizeof(*r->rcpt_addr));
    r->rcpt_v[r->nrefused] = *v;
    r->rcpt_addr[r->nrefused++] = rcpt;
    verdict_init(v);
}

/* check_data - headers, body and end of message */
static int check_data(struct pipeline_conn *pc, const char *data, size_t len,
		      struct check_result *r, struct verdict *v)
{
    const char *stage = "eoh";
    int a = pipeline_message(pc, data, len, &stage, v);

    return check_decided(r, stage, v, a);
}

/* check_run - one SMTP transaction through the pipeline; the final action */
static int check_run(struct pipeline *p, const struct check_opts *o, const char *data,
		     size_t len, struct check_result *r)
{
    struct pipeline_client cl = {o->name, o->ip ? o->ip : "", 0, NULL, NULL, NULL, NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p, &cl);
    struct verdict v;
    size_t accepted = 0;
    int a;

    verdict_init(&v);
    pipeline_conn_on_end(pc, check_on_end, r);
    if ((a = pipeline_connect(pc, &v)) != VERDICT_CONTINUE)
	a = check_decided(r, "connect", &v, a);
    else if (o->helo && (a = pipeline_helo(pc, o->helo, &v)) != VERDICT_CONTINUE)
	a = check_decided(r, "helo", &v, a);
    else if ((pipeline_queue_id(pc, o->queue_id ? o->queue_id : ""),
	      a = pipeline_mail(pc, o->from ? o->from : "<>", o->auth, &v)) != VERDICT_CONTINUE)
	a = check_decided(r, "mail", &v, a);
    else {
	for (size_t i = 0; i < o->nrcpt && a == VERDICT_CONTINUE; i++) {
	    a = pipeline_rcpt(pc, o->rcpts[i], &v);
	    if (a == VERDICT_REJECT || a == VERDICT_TEMPFAIL) {
		check_refused(r, o->rcpts[i], &v);
		a = VERDICT_CONTINUE;
	    } else if (a != VERDICT_CONTINUE)
		a = check_decided(r, "rcpt", &v, a);
	    else
		accepted++;
	}
	if (a == VERDICT_CONTINUE && o->nrcpt > 0 && accepted == 0) {
	    const struct verdict *last = &r->rcpt_v[r->nrefused - 1];
	    char *text = xasprintf("%s %s %s", last->rcode, last->xcode,
				   last->text ? last->text : "");

	    r->stage = "rcpt";		/* every recipient refused: DATA fails */
	    a = last->action;
	    verdict_reply(&r->v, last->action, text);
	    free(text);
	} else if (a == VERDICT_CONTINUE)
	    a = check_data(pc, data, len, r, &v);
    }
    if (!r->have_facts)
	check_keep_facts(r, pipeline_conn_facts(pc));
    verdict_clear(&v);
    pipeline_conn_free(&pc);
    return a;
}

static const char *const check_ops[] = {"add", "insert", "remove", "change"};

/* check_print_hdr - one header change as a line */
static void check_print_hdr(const struct verdict_hdr *h)
{
    switch (h->op) {
    case VERDICT_HDR_ADD:
    case VERDICT_HDR_INSERT:
	printf("+%s:%s%s\n", h->name, h->value && (*h->value == ' ' || *h->value == '\t')
	       ? "" : " ", h->value ? h->value : "");
	break;
    case VERDICT_HDR_REMOVE:
	if (h->index > 0)
	    printf("-%s[%d]\n", h->name, h->index);
	else
	    printf("-%s\n", h->name);
	break;
    case VERDICT_HDR_CHANGE:
	printf("~%s[%d]: %s\n", h->name, h->index, h->value ? h->value : "");
	break;
    }
}

/* check_reply_text - "CODE X.Y.Z text" or the quarantine reason, for a verdict */
static void check_reply_text(struct buf *b, const struct verdict *v)
{
    if (v->action == VERDICT_QUARANTINE && v->quarantine_reason)
	buf_puts(b, v->quarantine_reason);
    else if (v->rcode[0]) {
	buf_printf(b, "%s%s%s%s", v->rcode, v->xcode[0] ? " " : "", v->xcode, v->text ? " " : "");
	if (v->text)
	    for (const char *t = v->text; *t; t++) {	/* lines after the first indented */
		if (*t == '\n')
		    buf_puts(b, "\n    ");
		else
		    buf_putc(b, *t);
	    }
    }
}

/* check_print_text - the result as lines */
static void check_print_text(const struct check_result *r, enum verdict_action a)
{
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < r->v.nhdrs; i++)
	check_print_hdr(&r->v.hdrs[i]);
    for (size_t i = 0; i < r->nrefused; i++) {
	buf_reset(&b);
	check_reply_text(&b, &r->rcpt_v[i]);
	printf("rcpt %s: %s %s\n", r->rcpt_addr[i], verdict_action_name(r->rcpt_v[i].action),
	       buf_str(&b));
    }
    for (size_t i = 0; i < r->v.ndel_rcpts; i++)
	printf("delrcpt %s\n", r->v.del_rcpts[i]);
    buf_reset(&b);
    check_reply_text(&b, &r->v);
    printf("verdict: %s%s%s\n", verdict_action_name(a == VERDICT_CONTINUE ? VERDICT_ACCEPT : a),
	   b.len ? " " : "", buf_str(&b));
    buf_free(&b);
}

/* check_json_verdict - "action", codes, text, rule of one verdict (no braces) */
static void check_json_verdict(struct buf *j, const struct verdict *v, enum verdict_action a)
{
    buf_puts(j, "\"action\":");
    pipeline_json_cstr(j, verdict_action_name(a == VERDICT_CONTINUE ? VERDICT_ACCEPT : a));
    buf_puts(j, ",\"rcode\":");
    pipeline_json_cstr(j, v->rcode[0] ? v->rcode : NULL);
    buf_puts(j, ",\"xcode\":");
    pipeline_json_cstr(j, v->xcode[0] ? v->xcode : NULL);
    buf_puts(j, ",\"text\":");
    pipeline_json_cstr(j, v->text);
    buf_puts(j, ",\"quarantine_reason\":");
    pipeline_json_cstr(j, v->quarantine_reason);
    buf_puts(j, ",\"rule\":");
    pipeline_json_cstr(j, v->rule);
}

/* check_print_json - the result as one JSON object */
static void check_print_json(const struct check_result *r, enum verdict_action a)
{
    struct buf j = BUF_INIT;

    buf_puts(&j, "{\"verdict\":{");
    check_json_verdict(&j, &r->v, a);
    buf_puts(&j, ",\"stage\":");
    pipeline_json_cstr(&j, r->stage);
    buf_puts(&j, "},\"headers\":[");
    for (size_t i = 0; i < r->v.nhdrs; i++) {
	const struct verdict_hdr *h = &r->v.hdrs[i];

	buf_printf(&j, "%s{\"op\":\"%s\",\"name\":", i ? "," : "", check_ops[h->op]);
	pipeline_json_cstr(&j, h->name);
	buf_puts(&j, ",\"value\":");
	pipeline_json_cstr(&j, h->value);
	buf_printf(&j, ",\"index\":%d}", h->index);
    }
    buf_puts(&j, "],\"refused_rcpts\":[");
    for (size_t i = 0; i < r->nrefused; i++) {
	buf_puts(&j, i ? ",{\"rcpt\":" : "{\"rcpt\":");
	pipeline_json_cstr(&j, r->rcpt_addr[i]);
	buf_putc(&j, ',');
	check_json_verdict(&j, &r->rcpt_v[i], r->rcpt_v[i].action);
	buf_putc(&j, '}');
    }
    buf_puts(&j, "],\"logs\":[");
    for (size_t i = 0; i < r->v.nlogs; i++) {
	if (i)
	    buf_putc(&j, ',');
	pipeline_json_cstr(&j, r->v.logs[i]);
    }
    buf_printf(&j, "],\"facts\":{%s}}\n", buf_str(&r->facts_json));
    fputs(buf_str(&j), stdout);
    buf_free(&j);
}

/* check_result_free - everything a result holds */
static void check_result_free(struct check_result *r)
{
    verdict_clear(&r->v);
    for (size_t i = 0; i < r->nrefused; i++)
	verdict_clear(&r->rcpt_v[i]);
    free(r->rcpt_v);
    free(r->rcpt_addr);
    buf_free(&r->facts_json);
}

/* cmd_check - run the pipeline on a message file */
int cmd_check(int argc, char **argv)
{
    struct check_opts o;
    struct check_result r;
    struct buf errs = BUF_INIT;
    struct conf *c = NULL;
    struct pipeline *p = NULL;
    char *data = NULL;
    size_t len = 0;
    int a, ret;

    memset(&o, 0, sizeof(o));
    if ((ret = check_parse_args(argc, argv, &o)) != 0) {
	fputs(check_usage, ret > 0 ? stdout : stderr);
	free(o.rcpts);
	return ret > 0 ? CLI_OK : CLI_USAGE;
    }
    memset(&r, 0, sizeof(r));
    verdict_init(&r.v);
    ret = CHECK_ERROR;
    if ((c = conf_open(o.config, &errs)) == NULL || (p = pipeline_new(c, &errs)) == NULL)
	fputs(buf_str(&errs), stderr);
    else if ((data = check_read(o.file, &len)) != NULL) {
	a = check_run(p, &o, data, len, &r);
	if (o.json)
	    check_print_json(&r, (enum verdict_action) a);
	else
	    check_print_text(&r, (enum verdict_action) a);
	ret = a == VERDICT_CONTINUE || a == VERDICT_ACCEPT ? CLI_OK : CLI_FAIL;
    }
    check_result_free(&r);
    free(data);
    free(o.rcpts);
    pipeline_unref(&p);
    conf_unref(&c);
    buf_free(&errs);
    return ret;
}
