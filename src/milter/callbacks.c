/*
 * NAME
 *	callbacks.c - mxguardd's libmilter callbacks (see callbacks.h)
 * DESCRIPTION
 *	libmilter calls these from one thread per MTA connection; each uses
 *	only its own struct milter_conn (smfi_getpriv) and reference-counted
 *	config snapshots, so there is no shared mutable state here.
 */
#include "config.h"
#include "milter/callbacks.h"

#include <libmilter/mfdef.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "milter/apply.h"
#include "milter/ctx.h"
#include "milter/live.h"
#include "pipeline/pipeline.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* Every action a verdict may need; negotiation asks for the ones in use. */
#define MILTER_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_DELRCPT)
/* Protocol options taken when offered (see callbacks.h). */
#define MILTER_PROTO	(SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_HDR | SMFIP_NR_EOH \
			 | SMFIP_SKIP | SMFIP_HDR_LEADSPC)

/* For debug lines: a macro the MTA did not send. */
#define MILTER_OR_NONE(s)	((s) ? (s) : "(none)")
/* For log lines: the queue id, or Postfix's word for none. */
#define MILTER_QID(conn)	((conn)->msg.queue_id ? (conn)->msg.queue_id : "NOQUEUE")

/* milter_internal_error - reply for our own failure, per milter.on_internal_error */
sfsistat milter_internal_error(const struct conf *c)
{
    struct conf *cur = NULL;
    const char *how;
    sfsistat r;

    if (c == NULL && (c = cur = conf_current()) == NULL)
	return SMFIS_TEMPFAIL;
    how = conf_str(c, "milter.on_internal_error");
    if (strcmp(how, "accept") == 0)
	r = SMFIS_ACCEPT;
    else if (strcmp(how, "reject") == 0)
	r = SMFIS_REJECT;
    else
	r = SMFIS_TEMPFAIL;
    if (cur)
	conf_unref(&cur);
    return r;
}

/* milter_conn_get - our context, or NULL (an internal error) */
static struct milter_conn *milter_conn_get(SMFICTX *ctx, const char *stage)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn == NULL)
	msg_error("mxguardd: internal error: no connection context at %s", stage);
    return conn;
}

/* milter_macro - copy macro name into slot when the MTA sent it */
static void milter_macro(SMFICTX *ctx, const char *name, char **slot)
{
    const char *v = smfi_getsymval(ctx, (char *) name);

    if (v != NULL)
	milter_ctx_set(slot, v);
}

/* milter_setsymlists - ask for exactly the macros each stage needs */
static void milter_setsymlists(SMFICTX *ctx)
{
    static const struct {
	int stage;
	const char *macros;
    } lists[] = {
	{SMFIM_CONNECT, "j {daemon_name}"},
	{SMFIM_HELO, "{tls_version} {cipher}"},
	{SMFIM_ENVFROM, "i {auth_authen}"},
	{SMFIM_ENVRCPT, "i"},		/* Postfix: i exists once a RCPT is valid */
	{SMFIM_EOH, "i"},
	{SMFIM_EOM, "i"},
    };

    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
	if (smfi_setsymlist(ctx, lists[i].stage, (char *) lists[i].macros) != MI_SUCCESS)
	    msg_warn("mxguardd: negotiate: cannot request macros \"%s\"", lists[i].macros);
}

/* milter_client - the pipeline's view of the connection's client */
static void milter_client(const struct milter_conn *conn, struct pipeline_client *cl)
{
    memset(cl, 0, sizeof(*cl));
    cl->name = conn->client_name ? conn->client_name : "unknown";
    cl->addr = conn->client_addr;
    cl->port = conn->client_port;
    cl->mta_name = conn->mta_name;
    cl->daemon_name = conn->daemon_name;
    cl->tls_version = conn->tls_version;
    cl->cipher = conn->cipher;
}

/* milter_conn_new - a connection context on the current pipeline, set as priv */
static struct milter_conn *milter_conn_new(SMFICTX *ctx)
{
    struct milter_conn *conn = milter_conn_alloc();

    conn->pipe = milter_live_pipeline();
    conn->conf = conf_current();
    if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
	msg_error("mxguardd: internal error: smfi_setpriv failed");
	milter_conn_free(&conn);
	return NULL;
    }
    return conn;
}

/* milter_unbracket - a copy of an SMTP path without its <> ("" for <>) */
static char *milter_unbracket(const char *path)
{
    size_t n = strlen(path);

    if (n >= 2 && path[0] == '<' && path[n - 1] == '>')
	return xasprintf("%.*s", (int) (n - 2), path + 1);
    return xstrdup(path);
}

/* milter_stage - a stage's verdict as the callback's answer */
static sfsistat milter_stage(SMFICTX *ctx, struct milter_conn *conn, int action,
			     const struct verdict *v, const char *stage)
{
    if (action < 0) {
	msg_error("%s: mxguardd: %s: internal error in the pipeline",
		  MILTER_QID(conn), stage);
	return milter_internal_error(conn->conf);
    }
    return milter_apply_stage(ctx, conn, v, stage);
}

/* milter_msg_end - a message is over (eom, abort, close): free it, uncount it */
static void milter_msg_end(struct milter_conn *conn, int aborted)
{
    if (aborted && conn->pc && conn->msg.counted)
	pipeline_abort(conn->pc);
    if (conn->msg.counted)
	milter_live_msg_end_after_reply();	/* SIGTERM drain: see live.h */
    milter_msg_reset(&conn->msg);
}

/* milter_oversize - the pipeline said the message passed milter.max_message_size (and logged it) */
static void milter_oversize(struct milter_conn *conn)
{
    conn->msg.oversize = 1;
}

/* milter_rebind - at MAIL FROM, move the connection to the pipeline current now */
static int milter_rebind(struct milter_conn *conn)
{
    struct pipeline *cur = milter_live_pipeline();

    if (conn->pc == NULL) {
	if (cur)
	    pipeline_unref(&cur);
	msg_error("mxguardd: mail: internal error: no pipeline connection");
	return -1;
    }
    if (cur == NULL || cur == conn->pipe) {
	if (cur)
	    pipeline_unref(&cur);
	return 0;
    }
    pipeline_conn_set_pipeline(conn->pc, cur);
    if (conn->pipe)
	pipeline_unref(&conn->pipe);
    conn->pipe = cur;
    if (conn->conf)
	conf_unref(&conn->conf);
    conn->conf = conf_current();
    return 0;
}

/* milter_negotiate_proto - protocol steps: off what the pipeline does not need */
static unsigned long milter_negotiate_proto(unsigned long offered, unsigned needs)
{
    unsigned long p = offered & MILTER_PROTO;

    if (!(needs & PIPELINE_NEED_HELO))
	p |= offered & SMFIP_NOHELO;
    if (!(needs & PIPELINE_NEED_RCPT))
	p |= offered & SMFIP_NORCPT;
    if (!(needs & PIPELINE_NEED_BODY))
	p |= offered & SMFIP_NOBODY;
    else				/* every chunk is read (no SMFIS_SKIP then) */
	p |= offered & SMFIP_NR_BODY;
    /* headers always: forged Authentication-Results are removed */
    return p;
}

/* milter_negotiate_actions - actions: header changes always, the rest as needed */
static unsigned long milter_negotiate_actions(unsigned long offered, unsigned needs)
{
    unsigned long a = SMFIF_ADDHDRS | SMFIF_CHGHDRS;

    if (needs & PIPELINE_NEED_QUARANTINE)
	a |= SMFIF_QUARANTINE;
    if (needs & PIPELINE_NEED_DELRCPT)
	a |= SMFIF_DELRCPT;
    return offered & a;
}

/* milter_negotiate - choose actions, protocol steps and macros */
static sfsistat milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
				 unsigned long f2, unsigned long f3, unsigned long *pf0,
				 unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    struct milter_conn *conn = smfi_getpriv(ctx);
    unsigned needs;

    (void) f2;
    (void) f3;
    if (conn == NULL && (conn = milter_conn_new(ctx)) == NULL)
	return SMFIS_REJECT;		/* the MTA goes on without us, per its default */
    needs = conn->pipe ? pipeline_needs(conn->pipe) : 0;
    conn->proto = milter_negotiate_proto(f1, needs);
    *pf0 = milter_negotiate_actions(f0, needs);
    *pf1 = conn->proto;
    *pf2 = 0;
    *pf3 = 0;
    if (f0 & SMFIF_SETSYMLIST) {
	*pf0 |= SMFIF_SETSYMLIST;
	milter_setsymlists(ctx);
    }
    if (msg_verbose() >= 2)
	msg_debug("mxguardd: negotiate: needs=0x%x actions=0x%lx proto=0x%lx", needs, *pf0,
		  *pf1);
    return SMFIS_CONTINUE;
}

/* milter_connect - the client: a pipeline connection, connect-stage rules */
static sfsistat milter_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
    struct milter_conn *conn = smfi_getpriv(ctx);
    struct pipeline_client cl;
    struct verdict v;
    sfsistat r;

    if (conn == NULL && (conn = milter_conn_new(ctx)) == NULL)	/* MTA without negotiation */
	return milter_internal_error(NULL);
    milter_conn_set_client(conn, hostname, (const struct sockaddr *) hostaddr);
    milter_macro(ctx, "j", &conn->mta_name);
    milter_macro(ctx, "{daemon_name}", &conn->daemon_name);
    if (msg_verbose())
	msg_info("mxguardd: connect from %s[%s]", conn->client_name,
		 conn->client_addr[0] ? conn->client_addr : "local");
    if (msg_verbose() >= 2)
	msg_debug("mxguardd: connect: proto=0x%lx j=%s daemon_name=%s", conn->proto,
		  MILTER_OR_NONE(conn->mta_name), MILTER_OR_NONE(conn->daemon_name));
    if (conn->pipe == NULL) {
	msg_error("mxguardd: connect: internal error: no pipeline installed");
	return milter_internal_error(conn->conf);
    }
    if (conn->pc)
	pipeline_conn_free(&conn->pc);
    milter_client(conn, &cl);
    conn->pc = pipeline_conn_new(conn->pipe, &cl);
    verdict_init(&v);
    r = milter_stage(ctx, conn, pipeline_connect(conn->pc, &v), &v, "connect");
    verdict_clear(&v);
    return r;
}

/* milter_helo - HELO/EHLO and the TLS macros; helo-stage rules */
static sfsistat milter_helo(SMFICTX *ctx, char *helo)
{
    struct milter_conn *conn = milter_conn_get(ctx, "helo");
    struct verdict v;
    sfsistat r;

    if (conn == NULL)
	return milter_internal_error(NULL);
    milter_ctx_set(&conn->helo, helo);
    milter_macro(ctx, "{tls_version}", &conn->tls_version);
    milter_macro(ctx, "{cipher}", &conn->cipher);
    if (msg_verbose() >= 2)
	msg_debug("mxguardd: helo: %s tls_version=%s cipher=%s", conn->helo,
		  MILTER_OR_NONE(conn->tls_version), MILTER_OR_NONE(conn->cipher));
    /* Postfix and Sendmail send the TLS macros at HELO, after connect */
    if (conn->tls_version != NULL)
	pipeline_tls(conn->pc, conn->tls_version);
    verdict_init(&v);
    r = milter_stage(ctx, conn, pipeline_helo(conn->pc, conn->helo, &v), &v, "helo");
    verdict_clear(&v);
    return r;
}

/* milter_envfrom - a new message, on the pipeline current now */
static sfsistat milter_envfrom(SMFICTX *ctx, char **argv)
{
    struct milter_conn *conn = milter_conn_get(ctx, "mail");
    struct verdict v;
    char *addr;
    sfsistat r;
    int a;

    if (conn == NULL)
	return milter_internal_error(NULL);
    milter_msg_end(conn, 1);
    if (milter_live_msg_begin() < 0) {
	(void) smfi_setreply(ctx, (char *) "451", (char *) "4.3.2",
			     (char *) "mxguardd is shutting down, try again later");
	return SMFIS_TEMPFAIL;
    }
    conn->msg.counted = 1;
    conn->nmsgs++;
    milter_ctx_set(&conn->msg.sender, argv && argv[0] ? argv[0] : "<>");
    milter_macro(ctx, "i", &conn->msg.queue_id);
    milter_macro(ctx, "{auth_authen}", &conn->msg.auth_authen);
    if (msg_verbose() >= 2)
	msg_debug("%s: mxguardd: mail: %s auth_authen=%s",
		  MILTER_QID(conn), conn->msg.sender,
		  MILTER_OR_NONE(conn->msg.auth_authen));
    if (milter_rebind(conn) < 0)
	return milter_internal_error(conn->conf);
    if (conn->discard_all)
	return SMFIS_DISCARD;
    verdict_init(&v);
    if (conn->msg.queue_id)
	pipeline_queue_id(conn->pc, conn->msg.queue_id);
    addr = milter_unbracket(conn->msg.sender);
    a = pipeline_mail(conn->pc, addr, conn->msg.auth_authen, &v);
    r = milter_stage(ctx, conn, a, &v, "mail");
    free(addr);
    verdict_clear(&v);
    if (a != VERDICT_CONTINUE)		/* the pipeline ended the message */
	milter_msg_end(conn, 0);
    return r;
}

/* milter_envrcpt - one recipient; a reject or tempfail refuses only it */
static sfsistat milter_envrcpt(SMFICTX *ctx, char **argv)
{
    struct milter_conn *conn = milter_conn_get(ctx, "rcpt");
    struct verdict v;
    char *addr;
    sfsistat r;
    int a;

    if (conn == NULL || conn->pc == NULL)
	return milter_internal_error(conn ? conn->conf : NULL);
    if (argv == NULL || argv[0] == NULL)
	return SMFIS_CONTINUE;
    milter_msg_add_rcpt(&conn->msg, argv[0]);
    if (conn->msg.queue_id == NULL) {
	milter_macro(ctx, "i", &conn->msg.queue_id);
	if (conn->msg.queue_id)
	    pipeline_queue_id(conn->pc, conn->msg.queue_id);
    }
    verdict_init(&v);
    addr = milter_unbracket(argv[0]);
    a = pipeline_rcpt(conn->pc, addr, &v);
    r = milter_stage(ctx, conn, a, &v, "rcpt");
    free(addr);
    verdict_clear(&v);
    if (a == VERDICT_ACCEPT || a == VERDICT_DISCARD)	/* decided the whole message */
	milter_msg_end(conn, 0);
    return r;
}

/* milter_header - copy one header field into the pipeline */
static sfsistat milter_header(SMFICTX *ctx, char *name, char *value)
{
    struct milter_conn *conn = milter_conn_get(ctx, "header");

    if (conn == NULL || conn->pc == NULL)
	return milter_internal_error(conn ? conn->conf : NULL);
    (void) milter_msg_add_header(&conn->msg, name, value, (conn->proto & SMFIP_HDR_LEADSPC) != 0,
				 0);
    if (pipeline_header(conn->pc, name, value) == 1)
	milter_oversize(conn);
    return (conn->proto & SMFIP_NR_HDR) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* milter_eoh - end of headers: the queue id is known by now */
static sfsistat milter_eoh(SMFICTX *ctx)
{
    struct milter_conn *conn = milter_conn_get(ctx, "eoh");
    struct verdict v;
    sfsistat r;
    int a;

    if (conn == NULL || conn->pc == NULL)
	return milter_internal_error(conn ? conn->conf : NULL);
    milter_macro(ctx, "i", &conn->msg.queue_id);
    if (conn->msg.queue_id)
	pipeline_queue_id(conn->pc, conn->msg.queue_id);
    verdict_init(&v);
    a = pipeline_eoh(conn->pc, &v);
    if (!(conn->proto & SMFIP_NR_EOH)) {
	r = milter_stage(ctx, conn, a, &v, "eoh");
	verdict_clear(&v);
	return r;
    }
    /* no reply now: a failure is answered at eom (milter_eom) */
    if (a < 0) {
	msg_error("%s: mxguardd: eoh: internal error in the pipeline", MILTER_QID(conn));
	conn->msg.deferred = 1;
	conn->msg.deferred_r = milter_internal_error(conn->conf);
    } else if (a == VERDICT_REJECT || a == VERDICT_TEMPFAIL || a == VERDICT_DISCARD) {
	conn->msg.deferred = 1;
	conn->msg.deferred_v = xmalloc(sizeof(*conn->msg.deferred_v));
	*conn->msg.deferred_v = v;	/* moved: v is not cleared */
	return SMFIS_NOREPLY;
    }
    verdict_clear(&v);
    return SMFIS_NOREPLY;
}

/*
 * milter_body - stream one body chunk; skip the rest when no check needs
 * the body (an MTA that could not take SMFIP_NOBODY) or when oversize
 */
static sfsistat milter_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    struct milter_conn *conn = milter_conn_get(ctx, "body");

    if (conn == NULL || conn->pc == NULL)
	return milter_internal_error(conn ? conn->conf : NULL);
    (void) milter_msg_add_body(&conn->msg, len, 0);
    if (!conn->msg.deferred && pipeline_body(conn->pc, chunk, len) == 1)
	milter_oversize(conn);
    if (conn->proto & SMFIP_NR_BODY)	/* an oversize message's chunks are ignored */
	return SMFIS_NOREPLY;
    if (!(conn->proto & SMFIP_SKIP))
	return SMFIS_CONTINUE;
    if (conn->msg.oversize || !(pipeline_needs(conn->pipe) & PIPELINE_NEED_BODY))
	return SMFIS_SKIP;
    return SMFIS_CONTINUE;
}

/* milter_eom - end of message: the pipeline's verdict, applied */
static sfsistat milter_eom(SMFICTX *ctx)
{
    struct milter_conn *conn = milter_conn_get(ctx, "eom");
    struct verdict v;
    sfsistat r;
    int a;

    if (conn == NULL || conn->pc == NULL)
	return milter_internal_error(conn ? conn->conf : NULL);
    milter_macro(ctx, "i", &conn->msg.queue_id);
    if (conn->msg.queue_id)
	pipeline_queue_id(conn->pc, conn->msg.queue_id);
    msg_debug("%s: mxguardd: eom: headers=%zu header_bytes=%llu body_bytes=%llu%s",
	      MILTER_QID(conn), conn->msg.nheaders, conn->msg.header_bytes,
	      conn->msg.body_bytes, conn->msg.oversize ? " oversize" : "");
    if (conn->msg.deferred) {		/* end of headers failed (SMFIP_NR_EOH) */
	r = conn->msg.deferred_v ? milter_apply_stage(ctx, conn, conn->msg.deferred_v, "eom")
	    : conn->msg.deferred_r;
	milter_msg_end(conn, 1);
	return r;
    }
    verdict_init(&v);
    if ((a = pipeline_eom(conn->pc, &v)) < 0) {
	msg_error("%s: mxguardd: eom: internal error in the pipeline",
		  MILTER_QID(conn));
	r = milter_internal_error(conn->conf);
    } else {
	r = milter_apply_eom(ctx, conn, &v);
    }
    verdict_clear(&v);
    milter_msg_end(conn, 0);
    return r;
}

/* milter_abort - the MTA gave up on this message */
static sfsistat milter_abort(SMFICTX *ctx)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn != NULL)
	milter_msg_end(conn, 1);
    return SMFIS_CONTINUE;
}

/* milter_close - end of the connection: free everything */
static sfsistat milter_close(SMFICTX *ctx)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn != NULL) {
	milter_msg_end(conn, 1);
	milter_conn_free(&conn);
	(void) smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

/* milter_callbacks_desc - the descriptor for smfi_register() */
void milter_callbacks_desc(struct smfiDesc *r)
{
    memset(r, 0, sizeof(*r));
    r->xxfi_name = (char *) "mxguardd";
    r->xxfi_version = SMFI_VERSION;
    r->xxfi_flags = MILTER_ACTIONS | SMFIF_SETSYMLIST;
    r->xxfi_connect = milter_connect;
    r->xxfi_helo = milter_helo;
    r->xxfi_envfrom = milter_envfrom;
    r->xxfi_envrcpt = milter_envrcpt;
    r->xxfi_header = milter_header;
    r->xxfi_eoh = milter_eoh;
    r->xxfi_body = milter_body;
    r->xxfi_eom = milter_eom;
    r->xxfi_abort = milter_abort;
    r->xxfi_close = milter_close;
    r->xxfi_negotiate = milter_negotiate;
}
