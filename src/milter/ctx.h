/*
 * NAME
 *	ctx - mxguardd's per-connection and per-message context
 * SYNOPSIS
 *	#include "milter/ctx.h"
 *
 *	struct milter_conn *milter_conn_alloc(void);
 *	void milter_conn_free(struct milter_conn **connp);
 *	void milter_conn_set_client(struct milter_conn *conn, const char *name,
 *				    const struct sockaddr *sa);
 *	void milter_ctx_set(char **slot, const char *value);
 *	void milter_msg_reset(struct milter_msg *msg);
 *	void milter_msg_add_rcpt(struct milter_msg *msg, const char *rcpt);
 *	int milter_msg_add_header(struct milter_msg *msg, const char *name,
 *				  const char *value, int leadspc, long long max);
 *	int milter_msg_add_body(struct milter_msg *msg, size_t len,
 *				long long max);
 *	unsigned long long milter_msg_size(const struct milter_msg *msg);
 *	size_t milter_msg_count_header(const struct milter_msg *msg, const char *name);
 *	size_t milter_msg_count_header(const struct milter_msg *msg,
 *				       const char *name);
 * DESCRIPTION
 *	A struct milter_conn lives from negotiation (or connect) to close and
 *	holds what the SMTP session told us: client name, address, port,
 *	HELO, the connect-stage macros j and {daemon_name}, the TLS macros,
 *	the config snapshot in use, the negotiated protocol flags, and the
 *	pipeline connection (pipeline.h) with the pipeline it was made from
 *	(a reference: a reload does not pull it away mid-message). Its
 *	struct milter_msg holds one message: queue id (macro i), the
 *	{auth_authen} macro, envelope sender, recipients and the header and
 *	body accounting, the names of the headers the MTA sent (so a removal
 *	of "every occurrence" knows how many there are:
 *	milter_msg_count_header, case-insensitive), a quarantine reason
 *	decided before end of message, and an end-of-headers failure that
 *	could not be answered then (no reply with SMFIP_NR_EOH) and is
 *	answered at end of message. milter_msg_reset() frees every per-message
 *	allocation; the callbacks call it at eom, abort and close, so nothing
 *	of one message survives into the next.
 *
 *	Size accounting: a header counts as name + ": " + value + CRLF (name
 *	+ ":" + value + CRLF with leadspc, when the MTA sends the value with
 *	its leading white space, SMFIP_HDR_LEADSPC), the
 *	end of headers as CRLF, the body as the bytes the MTA sent. With max
 *	> 0, milter_msg_add_header/body set msg->oversize once the message
 *	exceeds max bytes; later checks skip messages marked oversize (their
 *	content is not buffered), the MTA's own limit still applies.
 *
 *	Strings copied from the MTA are NUL-free C strings (libmilter
 *	guarantees it); all copies are ours, nothing points into libmilter's
 *	buffers after a callback returns.
 * DIAGNOSTICS
 *	milter_msg_add_header, milter_msg_add_body: 1 when this call made the
 *	message oversize, 0 otherwise.
 */
#ifndef MXG_MILTER_CTX_H
#define MXG_MILTER_CTX_H

#include <stddef.h>
#include <sys/socket.h>
#include <netinet/in.h>

struct conf;
struct verdict;
struct pipeline;
struct pipeline_conn;

struct milter_msg {
    char *queue_id;		/* macro i; "" until known */
    char *auth_authen;		/* macro {auth_authen}, NULL = not authenticated */
    char *sender;		/* MAIL FROM argument, as given ("<a@b>") */
    char **rcpts;		/* RCPT TO arguments */
    size_t nrcpt;
    size_t rcpt_cap;
    size_t nheaders;
    unsigned long long header_bytes;
    unsigned long long body_bytes;
    int oversize;		/* exceeded milter.max_message_size */
    char **hdr_names;		/* names of the headers the MTA sent, in order */
    size_t hdr_cap;
    char *quarantine;		/* reason decided before eom, NULL = none */
    int counted;		/* counted in milter_live (between MAIL and its end) */
    int deferred;		/* eoh failed without a reply (SMFIP_NR_EOH): answer at eom */
    int deferred_r;		/* that answer (sfsistat) when deferred_v is NULL */
    struct verdict *deferred_v;	/* or the eoh verdict to apply at eom */
};

struct milter_conn {
    struct conf *conf;		/* snapshot for the current message */
    unsigned long proto;	/* negotiated SMFIP_* flags */
    char *client_name;		/* host name ("[1.2.3.4]" when unknown) */
    char client_addr[INET6_ADDRSTRLEN];	/* "" for a non-IP connection */
    int client_port;
    char *helo;
    char *mta_name;		/* macro j */
    char *daemon_name;		/* macro {daemon_name} */
    char *tls_version;		/* macro {tls_version} */
    char *cipher;		/* macro {cipher} */
    unsigned long nmsgs;	/* messages seen on this connection */
    struct pipeline *pipe;	/* the pipeline pc was made from (our reference) */
    struct pipeline_conn *pc;	/* NULL until connect */
    int discard_all;		/* a connect/helo verdict discards every message */
    struct milter_msg msg;
};

struct milter_conn *milter_conn_alloc(void);
void milter_conn_free(struct milter_conn **connp);
void milter_conn_set_client(struct milter_conn *conn, const char *name,
			    const struct sockaddr *sa);
void milter_ctx_set(char **slot, const char *value);
void milter_msg_reset(struct milter_msg *msg);
void milter_msg_add_rcpt(struct milter_msg *msg, const char *rcpt);
int milter_msg_add_header(struct milter_msg *msg, const char *name, const char *value,
			  int leadspc, long long max);
int milter_msg_add_body(struct milter_msg *msg, size_t len, long long max);
unsigned long long milter_msg_size(const struct milter_msg *msg);
size_t milter_msg_count_header(const struct milter_msg *msg, const char *name);

#endif
