/*
 * NAME
 *	spf - SPF (RFC 7208) and best-guess evaluation through libspf2
 * SYNOPSIS
 *	#include "check/spf.h"
 *
 *	int spf_eval(struct dns_resolver *r, const struct spf_request *req,
 *		     struct spf_outcome *out, const char **why_r);
 *	void spf_outcome_free(struct spf_outcome *out);
 *	const char *spf_result_word(enum spf_result res);
 *	int spf_lookup(struct dns_resolver *r, const char *addr, const char *ip,
 *		       int time_budget_ms, enum spf_result *res_r);
 * DESCRIPTION
 *	One libspf2 SPF_server_t per evaluation, built on a DNS layer whose
 *	state (budget, counters) lives on this function's stack: nothing is
 *	shared between threads (no per-thread cache needed: a server and a
 *	request cost 1.3 us, measured on the 2-core Debian 12 test machine,
 *	next to DNS round trips of 100 us and more). The default explanation
 *	is a marker libspf2 cannot mangle, replaced here by ours. libspf2's result is then corrected:
 *	SPF_RESULT_INVALID (a broken record or some DNS errors) becomes
 *	temperror when a temporary DNS failure was seen and permerror
 *	otherwise; an exceeded limit of our DNS layer is a permerror.
 *	libspf2's log handlers are routed to msg_debug once per process.
 * DIAGNOSTICS
 *	0 done, -1 bad input (*why_r).
 * STANDARDS
 *	RFC 7208 2.4, 4.3, 6.2 (explanation), 8 (results), 9.1.
 */
#include "config.h"
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "check/spf.h"
#include "check/spf_int.h"
#include "util/buf.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define SPF_VALUE_MAX	256		/* Received-SPF values shown at most */
#define SPF_EXPLANATION_MAX 300		/* with code and text, < 512 (RFC 5321) */
#define SPF_DEFAULT_EXPLANATION	"%s does not designate %s as a permitted sender"

static pthread_once_t spf_log_once = PTHREAD_ONCE_INIT;

/* spf_log_debug - libspf2's info/warning/debug lines, at debug level */
static void spf_log_debug(const char *file, int line, const char *text)
{
    (void) file;
    (void) line;
    if (msg_verbose())
	msg_debug("spf: libspf2: %s", text);
}

/* spf_log_error - libspf2's fatal errors (failed assertions) */
static void __attribute__((noreturn)) spf_log_error(const char *file, int line, const char *text)
{
    msg_panic("spf: libspf2: %s:%d: %s", file, line, text);
}

/* spf_log_setup - route libspf2's logging through msg */
static void spf_log_setup(void)
{
    SPF_error_handler = spf_log_error;
    SPF_warning_handler = spf_log_debug;
    SPF_info_handler = spf_log_debug;
    SPF_debug_handler = spf_log_debug;
}

/* spf_result_word - Exim's word for a result */
const char *spf_result_word(enum spf_result res)
{
    static const char *const words[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror",
    };

    return (unsigned) res < sizeof(words) / sizeof(words[0]) ? words[res] : "permerror";
}

/* spf_map - libspf2's result, corrected by what our DNS layer saw */
static enum spf_result spf_map(SPF_result_t r, const struct spf_dns_ctx *ctx)
{
    if (ctx->perm)
	return SPF_RES_PERMERROR;
    switch (r) {
    case SPF_RESULT_PASS: return SPF_RES_PASS;
    case SPF_RESULT_FAIL: return SPF_RES_FAIL;
    case SPF_RESULT_SOFTFAIL: return SPF_RES_SOFTFAIL;
    case SPF_RESULT_NEUTRAL: return SPF_RES_NEUTRAL;
    case SPF_RESULT_NONE: return ctx->temp ? SPF_RES_TEMPERROR : SPF_RES_NONE;
    case SPF_RESULT_TEMPERROR: return SPF_RES_TEMPERROR;
    case SPF_RESULT_PERMERROR: return SPF_RES_PERMERROR;
    default: return ctx->temp ? SPF_RES_TEMPERROR : SPF_RES_PERMERROR;
    }
}

/* spf_clean_text - printable ASCII for SMTP replies and headers */
static char *spf_clean_text(const char *s)
{
    char *out = xstrdup(s), *p;

    for (p = out; *p; p++)
	if ((unsigned char) *p < 0x20 || (unsigned char) *p > 0x7e)
	    *p = ' ';
    return out;
}

/* spf_comment - the header comment of a result */
static char *spf_comment(const struct spf_request *req, const struct spf_outcome *o)
{
    struct buf b = BUF_INIT;
    char dom[SPF_VALUE_MAX + 1], *comment;

    /* an invalid identity domain may be long: the comment shows its start */
    snprintf(dom, sizeof(dom), "%s", o->domain);
    if (req->receiver && *req->receiver)
	buf_printf(&b, "%s: ", req->receiver);
    if (o->guessed)
	buf_puts(&b, "best guess record for ");
    switch (o->result) {
    case SPF_RES_PASS:
	buf_printf(&b, "domain of %s designates %s as permitted sender", dom, req->ip);
	break;
    case SPF_RES_FAIL:
	buf_printf(&b, "domain of %s does not designate %s as permitted sender", dom, req->ip);
	break;
    case SPF_RES_SOFTFAIL:
	buf_printf(&b, "transitioning domain of %s does not designate %s as permitted sender",
		   dom, req->ip);
	break;
    case SPF_RES_NEUTRAL:
	buf_printf(&b, "%s is neither permitted nor denied by domain of %s", req->ip, dom);
	break;
    case SPF_RES_NONE:
	buf_printf(&b, "domain of %s does not provide an SPF record", dom);
	break;
    case SPF_RES_TEMPERROR:
	buf_printf(&b, "temporary error during SPF processing of %s: %s", dom,
		   o->problem ? o->problem : "DNS failure");
	break;
    case SPF_RES_PERMERROR:
	buf_printf(&b, "error in processing during lookup of %s: %s", dom,
		   o->problem ? o->problem : "invalid record");
	break;
    }
    comment = spf_clean_text(buf_str(&b));
    buf_free(&b);
    return comment;
}

/* spf_put_kv - one key=value of Received-SPF (a dot-atom bare, else
 * quoted, at most SPF_VALUE_MAX octets), folded before it when the line
 * would pass 78 columns; *col is the current column */
static void spf_put_kv(struct buf *b, const char *key, const char *value, size_t *col)
{
    struct buf kv = BUF_INIT;
    const char *p;
    size_t n = strlen(value) > SPF_VALUE_MAX ? SPF_VALUE_MAX : strlen(value), i;
    int atom = n > 0 && *value != '.' && n == strlen(value);

    for (p = value; *p && atom; p++)
	if (!(isalnum((unsigned char) *p) || strchr("!#$%&'*+-/=?^_`{|}~.", *p))
	    || (p[0] == '.' && (p[1] == '.' || p[1] == 0)))
	    atom = 0;
    buf_printf(&kv, "%s=", key);
    if (atom) {
	buf_puts(&kv, value);
    } else {
	buf_putc(&kv, '"');
	for (i = 0; i < n; i++) {
	    if (value[i] == '"' || value[i] == '\\')
		buf_putc(&kv, '\\');
	    buf_putc(&kv, (unsigned char) value[i] < 0x20 || (unsigned char) value[i] > 0x7e
		     ? ' ' : value[i]);
	}
	buf_puts(&kv, n < strlen(value) ? "...\"" : "\"");
    }
    buf_putc(&kv, ';');
    if (*col + 1 + kv.len > 78) {
	buf_puts(b, "\n\t");		/* folded: the front ends take "\n" */
	*col = 8;
    } else {
	buf_putc(b, ' ');
	*col += 1;
    }
    buf_puts(b, buf_str(&kv));
    *col += kv.len;
    buf_free(&kv);
}

/* spf_received - the Received-SPF value (RFC 7208 9.1), folded */
static char *spf_received(const struct spf_request *req, const struct spf_outcome *o)
{
    struct buf b = BUF_INIT;
    size_t col;
    const char *p;

    buf_printf(&b, "%s (", spf_result_word(o->result));
    for (p = o->header_comment; *p; p++) {	/* a comment: ( ) \ quoted */
	if (*p == '(' || *p == ')' || *p == '\\')
	    buf_putc(&b, '\\');
	buf_putc(&b, *p);
    }
    buf_putc(&b, ')');
    col = strlen("Received-SPF: ") + b.len;
    spf_put_kv(&b, "client-ip", req->ip, &col);
    spf_put_kv(&b, "envelope-from", req->sender && *req->sender ? req->sender : o->identity,
	       &col);
    if (req->helo && *req->helo)
	spf_put_kv(&b, "helo", req->helo, &col);
    if (req->receiver && *req->receiver)
	spf_put_kv(&b, "receiver", req->receiver, &col);
    spf_put_kv(&b, "identity", req->identity == SPF_ID_HELO ? "helo" : "mailfrom", &col);
    if (o->problem)
	spf_put_kv(&b, "problem", o->problem, &col);
    return buf_steal(&b);
}

/* spf_identity - the address checked and its domain; -1 when none */
static int spf_identity(const struct spf_request *req, struct spf_outcome *o)
{
    const char *at;

    if (req->identity == SPF_ID_MAILFROM && req->sender && *req->sender) {
	at = strrchr(req->sender, '@');
	if (at) {
	    o->identity = xstrdup(req->sender);
	    o->domain = xstrdup(at + 1);
	} else {
	    o->identity = xasprintf("postmaster@%s", req->sender);
	    o->domain = xstrdup(req->sender);
	}
	return 0;
    }
    if (req->helo == NULL || *req->helo == 0)
	return -1;
    o->identity = xasprintf("postmaster@%s", req->helo);
    o->domain = xstrdup(req->helo);
    return 0;
}

/* spf_client - the client address; IPv4-mapped IPv6 counts as IPv4 (5) */
static int spf_client(const char *ip, int *family_r, unsigned char *addr)
{
    unsigned char a6[16];

    if (inet_pton(AF_INET, ip, addr) == 1) {
	*family_r = AF_INET;
	return 0;
    }
    if (inet_pton(AF_INET6, ip, a6) != 1)
	return -1;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *) a6)) {
	*family_r = AF_INET;
	memcpy(addr, a6 + 12, 4);
    } else {
	*family_r = AF_INET6;
	memcpy(addr, a6, 16);
    }
    return 0;
}

/* spf_run - one libspf2 evaluation; record NULL: the published one */
static void spf_run(struct dns_resolver *r, const struct spf_request *req,
		    const struct spf_outcome *o, const char *record,
		    struct spf_dns_ctx *ctx, SPF_response_t **resp_r)
{
    SPF_server_t *server;
    SPF_request_t *sreq;
    SPF_response_t *eresp = NULL;
    struct in6_addr a6;
    struct in_addr a4;
    char *fixed;

    spf_dns_init(ctx, r, req->time_budget_ms);
    spf_client(req->ip, &ctx->family, ctx->addr);
    ctx->receiver = req->receiver;
    server = SPF_server_new_dns(spf_dns_server(ctx), 0);
    if (server == NULL)
	msg_fatal("spf: out of memory");
    /* libspf2 mangles spaces in explanations: a marker, replaced later */
    SPF_server_set_explanation(server, SPF_EXP_DEFAULT_MARK, &eresp);
    if (eresp)
	SPF_response_free(eresp);
    SPF_server_set_rec_dom(server, req->receiver && *req->receiver ? req->receiver : "localhost");
    sreq = SPF_request_new(server);
    if (sreq == NULL)
	msg_fatal("spf: out of memory");
    ctx->req = sreq;
    if (ctx->family == AF_INET) {
	memcpy(&a4, ctx->addr, 4);
	SPF_request_set_ipv4(sreq, a4);
    } else {
	memcpy(&a6, ctx->addr, 16);
	SPF_request_set_ipv6(sreq, a6);
    }
    if (req->helo && *req->helo)
	SPF_request_set_helo_dom(sreq, req->helo);
    SPF_request_set_env_from(sreq, o->identity);
    if (record == NULL) {
	SPF_request_query_mailfrom(sreq, resp_r);
    } else {
	fixed = spf_syntax_rewrite(record, ctx->family);
	SPF_request_query_fallback(sreq, resp_r, fixed);
	free(fixed);
    }
    ctx->req = NULL;
    SPF_request_free(sreq);
    SPF_server_free(server);
}

/* spf_finish - fill the outcome from libspf2's response */
static void spf_finish(const struct spf_request *req, struct spf_outcome *o,
		       SPF_response_t *resp, const struct spf_dns_ctx *ctx)
{
    const char *exp;

    o->result = spf_map(SPF_response_result(resp), ctx);
    if (o->result == SPF_RES_PERMERROR || o->result == SPF_RES_TEMPERROR)
	o->problem = xstrdup(ctx->problem[0] ? ctx->problem
			     : SPF_strerror(SPF_response_errcode(resp)));
    if (o->result == SPF_RES_FAIL) {
	exp = SPF_response_get_explanation(resp);
	if (exp == NULL || *exp == 0 || strcmp(exp, SPF_EXP_DEFAULT_MARK) == 0) {
	    o->explanation = xasprintf(SPF_DEFAULT_EXPLANATION, o->domain, req->ip);
	    o->explanation_default = 1;
	} else {
	    o->explanation = spf_clean_text(exp);
	    if (strlen(o->explanation) > SPF_EXPLANATION_MAX)	/* an SMTP reply line */
		strcpy(o->explanation + SPF_EXPLANATION_MAX - 3, "...");
	}
    }
    o->header_comment = spf_comment(req, o);
    o->received = spf_received(req, o);
}

/* spf_eval - check_host() for one identity, with best guess */
int spf_eval(struct dns_resolver *r, const struct spf_request *req,
	     struct spf_outcome *out, const char **why_r)
{
    struct spf_dns_ctx ctx;
    SPF_response_t *resp = NULL;
    unsigned char bin[16];
    const char *why;
    int family;

    memset(out, 0, sizeof(*out));
    if (req->ip == NULL || spf_client(req->ip, &family, bin) < 0) {
	*why_r = "not an IP address";
	return -1;
    }
    if (spf_identity(req, out) < 0) {
	*why_r = "no identity to check (null sender and no HELO)";
	return -1;
    }
    pthread_once(&spf_log_once, spf_log_setup);
    if (!spf_domain_valid(out->domain) || strchr(out->domain, '@') != NULL) {
	out->result = SPF_RES_NONE;
	out->header_comment = spf_comment(req, out);
	out->received = spf_received(req, out);
	return 0;
    }
    spf_run(r, req, out, NULL, &ctx, &resp);
    if (req->guess && SPF_response_result(resp) == SPF_RESULT_NONE
	&& SPF_response_errcode(resp) == SPF_E_NOT_SPF && !ctx.temp && !ctx.perm) {
	SPF_response_free(resp);
	resp = NULL;
	out->guessed = 1;
	if (spf_syntax_check(req->guess, &why) < 0) {
	    spf_dns_init(&ctx, r, 0);
	    ctx.perm = 1;
	    snprintf(ctx.problem, sizeof(ctx.problem), "guess record: %s", why);
	    out->result = SPF_RES_PERMERROR;
	    out->problem = xstrdup(ctx.problem);
	    out->header_comment = spf_comment(req, out);
	    out->received = spf_received(req, out);
	    return 0;
	}
	spf_run(r, req, out, req->guess, &ctx, &resp);
    }
    spf_finish(req, out, resp, &ctx);
    SPF_response_free(resp);
    return 0;
}

/* spf_outcome_free - release what spf_eval allocated */
void spf_outcome_free(struct spf_outcome *out)
{
    xfreep(&out->identity);
    xfreep(&out->domain);
    xfreep(&out->header_comment);
    xfreep(&out->explanation);
    xfreep(&out->problem);
    xfreep(&out->received);
}

/* spf_lookup - the result word for an address and an IP (rules) */
int spf_lookup(struct dns_resolver *r, const char *addr, const char *ip,
	       int time_budget_ms, enum spf_result *res_r)
{
    struct spf_request req = {.ip = ip, .sender = addr, .identity = SPF_ID_MAILFROM,
	.time_budget_ms = time_budget_ms};
    struct spf_outcome out;
    const char *why;

    if (addr == NULL || *addr == 0 || spf_eval(r, &req, &out, &why) < 0)
	return -1;
    *res_r = out.result;
    spf_outcome_free(&out);
    return 0;
}
