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
#include "milter/ctx.h"
#include "util/msg.h"

/* Actions later stages use: A-R insertion, header removal, quarantine. */
#define MILTER_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)
/* Protocol options taken when offered (see callbacks.h). */
#define MILTER_PROTO	(SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_HDR \
			 | SMFIP_SKIP | SMFIP_HDR_LEADSPC)

/* For debug lines: a macro the MTA did not send. */
#define MILTER_OR_NONE(s)	((s) ? (s) : "(none)")

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

/* milter_negotiate - choose actions, protocol steps and macros */
static sfsistat milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
				 unsigned long f2, unsigned long f3, unsigned long *pf0,
				 unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn == NULL) {
	conn = milter_conn_alloc();
	if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
	    milter_conn_free(&conn);
	    return milter_internal_error(NULL);
	}
    }
    conn->proto = f1 & MILTER_PROTO;
    *pf0 = f0 & MILTER_ACTIONS;
    *pf1 = conn->proto;
    *pf2 = 0;
    *pf3 = 0;
    if (f0 & SMFIF_SETSYMLIST) {
	*pf0 |= SMFIF_SETSYMLIST;
	milter_setsymlists(ctx);
    }
    return SMFIS_CONTINUE;
}

/* milter_connect - remember the client; one log line in verbose mode */
static sfsistat milter_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn == NULL) {			/* MTA without negotiation */
	conn = milter_conn_alloc();
	if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
	    milter_conn_free(&conn);
	    return milter_internal_error(NULL);
	}
    }
    if (conn->conf == NULL)
	conn->conf = conf_current();
    milter_conn_set_client(conn, hostname, (const struct sockaddr *) hostaddr);
    milter_macro(ctx, "j", &conn->mta_name);
    milter_macro(ctx, "{daemon_name}", &conn->daemon_name);
    if (msg_verbose())
	msg_info("mxguardd: connect from %s[%s]", conn->client_name,
		 conn->client_addr[0] ? conn->client_addr : "local");
    if (msg_verbose() >= 2)
	msg_debug("mxguardd: connect: proto=0x%lx j=%s daemon_name=%s", conn->proto,
		  MILTER_OR_NONE(conn->mta_name), MILTER_OR_NONE(conn->daemon_name));
    return SMFIS_CONTINUE;
}

/* milter_helo - remember HELO/EHLO and the TLS macros */
static sfsistat milter_helo(SMFICTX *ctx, char *helo)
{
    struct milter_conn *conn = milter_conn_get(ctx, "helo");

    if (conn == NULL)
	return milter_internal_error(NULL);
    milter_ctx_set(&conn->helo, helo);
    milter_macro(ctx, "{tls_version}", &conn->tls_version);
    milter_macro(ctx, "{cipher}", &conn->cipher);
    if (msg_verbose() >= 2)
	msg_debug("mxguardd: helo: %s tls_version=%s cipher=%s", conn->helo,
		  MILTER_OR_NONE(conn->tls_version), MILTER_OR_NONE(conn->cipher));
    return SMFIS_CONTINUE;
}

/* milter_envfrom - a new message: fresh message context and config snapshot */
static sfsistat milter_envfrom(SMFICTX *ctx, char **argv)
{
    struct milter_conn *conn = milter_conn_get(ctx, "mail");

    if (conn == NULL)
	return milter_internal_error(NULL);
    milter_msg_reset(&conn->msg);
    if (conn->conf)
	conf_unref(&conn->conf);
    conn->conf = conf_current();
    conn->nmsgs++;
    milter_ctx_set(&conn->msg.sender, argv && argv[0] ? argv[0] : "<>");
    milter_macro(ctx, "i", &conn->msg.queue_id);
    milter_macro(ctx, "{auth_authen}", &conn->msg.auth_authen);
    if (msg_verbose() >= 2)
	msg_debug("%s: mxguardd: mail: %s auth_authen=%s",
		  MILTER_OR_NONE(conn->msg.queue_id), conn->msg.sender,
		  MILTER_OR_NONE(conn->msg.auth_authen));
    return SMFIS_CONTINUE;
}

/* milter_envrcpt - one more recipient */
static sfsistat milter_envrcpt(SMFICTX *ctx, char **argv)
{
    struct milter_conn *conn = milter_conn_get(ctx, "rcpt");

    if (conn == NULL)
	return milter_internal_error(NULL);
    if (argv && argv[0])
	milter_msg_add_rcpt(&conn->msg, argv[0]);
    if (conn->msg.queue_id == NULL)
	milter_macro(ctx, "i", &conn->msg.queue_id);
    return SMFIS_CONTINUE;
}

/* milter_header - account one header field */
static sfsistat milter_header(SMFICTX *ctx, char *name, char *value)
{
    struct milter_conn *conn = milter_conn_get(ctx, "header");

    if (conn == NULL)
	return milter_internal_error(NULL);
    (void) milter_msg_add_header(&conn->msg, name, value, (conn->proto & SMFIP_HDR_LEADSPC) != 0,
				 conf_int(conn->conf, "milter.max_message_size"));
    return (conn->proto & SMFIP_NR_HDR) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* milter_eoh - end of headers: the queue id is known by now */
static sfsistat milter_eoh(SMFICTX *ctx)
{
    struct milter_conn *conn = milter_conn_get(ctx, "eoh");

    if (conn == NULL)
	return milter_internal_error(NULL);
    milter_macro(ctx, "i", &conn->msg.queue_id);
    return SMFIS_CONTINUE;
}

/* milter_body - account one body chunk; skip the rest when oversize */
static sfsistat milter_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    struct milter_conn *conn = milter_conn_get(ctx, "body");

    if (conn == NULL)
	return milter_internal_error(NULL);
    if (milter_msg_add_body(&conn->msg, len, conf_int(conn->conf, "milter.max_message_size")))
	msg_info("%s: mxguardd: message: larger than milter.max_message_size=%lld,"
		 " content checks skipped", conn->msg.queue_id ? conn->msg.queue_id : "NOQUEUE",
		 conf_int(conn->conf, "milter.max_message_size"));
    if (conn->msg.oversize && (conn->proto & SMFIP_SKIP))
	return SMFIS_SKIP;
    return SMFIS_CONTINUE;
}

/* milter_eom - end of message: the summary line, then accept */
static sfsistat milter_eom(SMFICTX *ctx)
{
    struct milter_conn *conn = milter_conn_get(ctx, "eom");
    const char *from;
    size_t flen;

    if (conn == NULL)
	return milter_internal_error(NULL);
    milter_macro(ctx, "i", &conn->msg.queue_id);
    msg_debug("%s: mxguardd: eom: headers=%zu header_bytes=%llu body_bytes=%llu%s",
	      conn->msg.queue_id ? conn->msg.queue_id : "NOQUEUE", conn->msg.nheaders,
	      conn->msg.header_bytes, conn->msg.body_bytes, conn->msg.oversize ? " oversize" : "");
    if (msg_verbose()) {
	from = conn->msg.sender ? conn->msg.sender : "";
	flen = strlen(from);
	if (flen >= 2 && from[0] == '<' && from[flen - 1] == '>') {
	    from++;
	    flen -= 2;
	}
	msg_info("%s: mxguardd: message: from=<%.*s> nrcpt=%zu size=%llu",
		 conn->msg.queue_id ? conn->msg.queue_id : "NOQUEUE", (int) flen, from,
		 conn->msg.nrcpt, milter_msg_size(&conn->msg));
    }
    milter_msg_reset(&conn->msg);
    return SMFIS_CONTINUE;
}

/* milter_abort - the MTA gave up on this message */
static sfsistat milter_abort(SMFICTX *ctx)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn != NULL)
	milter_msg_reset(&conn->msg);
    return SMFIS_CONTINUE;
}

/* milter_close - end of the connection: free everything */
static sfsistat milter_close(SMFICTX *ctx)
{
    struct milter_conn *conn = smfi_getpriv(ctx);

    if (conn != NULL) {
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
