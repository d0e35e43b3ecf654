/*
 * NAME
 *	ctx.c - mxguardd's per-connection and per-message context (see ctx.h)
 */
#include "config.h"
#include "milter/ctx.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline.h"
#include "util/xmalloc.h"

/* milter_conn_alloc - an empty connection context */
struct milter_conn *milter_conn_alloc(void)
{
    metrics_milter_conn(1);
    return xcalloc(1, sizeof(struct milter_conn));
}

/* milter_ctx_set - replace a string slot with a copy (NULL clears it) */
void milter_ctx_set(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? xstrdup(value) : NULL;
}

/* milter_conn_set_client - remember the client's name, address and port */
void milter_conn_set_client(struct milter_conn *conn, const char *name,
			    const struct sockaddr *sa)
{
    milter_ctx_set(&conn->client_name, name ? name : "unknown");
    conn->client_addr[0] = 0;
    conn->client_port = 0;
    if (sa == NULL)
	return;
    if (sa->sa_family == AF_INET) {
	const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

	inet_ntop(AF_INET, &sin->sin_addr, conn->client_addr, sizeof(conn->client_addr));
	conn->client_port = ntohs(sin->sin_port);
    } else if (sa->sa_family == AF_INET6) {
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

	inet_ntop(AF_INET6, &sin6->sin6_addr, conn->client_addr, sizeof(conn->client_addr));
	conn->client_port = ntohs(sin6->sin6_port);
    }
}

/* milter_msg_reset - free everything of one message, ready for the next */
void milter_msg_reset(struct milter_msg *msg)
{
    for (size_t i = 0; i < msg->nrcpt; i++)
	free(msg->rcpts[i]);
    free(msg->rcpts);
    for (size_t i = 0; i < msg->nheaders; i++)
	free(msg->hdr_names[i]);
    free(msg->hdr_names);
    free(msg->quarantine);
    free(msg->queue_id);
    free(msg->auth_authen);
    free(msg->sender);
    if (msg->deferred_v) {
	verdict_clear(msg->deferred_v);
	free(msg->deferred_v);
    }
    memset(msg, 0, sizeof(*msg));
}

/* milter_conn_free - release a connection and its message */
void milter_conn_free(struct milter_conn **connp)
{
    struct milter_conn *conn = *connp;

    if (conn == NULL)
	return;
    metrics_milter_conn(-1);
    milter_msg_reset(&conn->msg);
    if (conn->pc)
	pipeline_conn_free(&conn->pc);
    if (conn->pipe)
	pipeline_unref(&conn->pipe);
    if (conn->conf)
	conf_unref(&conn->conf);
    free(conn->client_name);
    free(conn->helo);
    free(conn->mta_name);
    free(conn->daemon_name);
    free(conn->tls_version);
    free(conn->cipher);
    free(conn);
    *connp = NULL;
}

/* milter_msg_add_rcpt - append one envelope recipient */
void milter_msg_add_rcpt(struct milter_msg *msg, const char *rcpt)
{
    if (msg->nrcpt == msg->rcpt_cap) {
	msg->rcpt_cap = msg->rcpt_cap ? msg->rcpt_cap * 2 : 4;
	msg->rcpts = xrealloc(msg->rcpts, msg->rcpt_cap * sizeof(*msg->rcpts));
    }
    msg->rcpts[msg->nrcpt++] = xstrdup(rcpt);
}

/* milter_msg_check_size - mark oversize once the total passes max */
static int milter_msg_check_size(struct milter_msg *msg, long long max)
{
    if (max <= 0 || msg->oversize || milter_msg_size(msg) <= (unsigned long long) max)
	return 0;
    msg->oversize = 1;
    return 1;
}

/* milter_msg_add_header - count one header field */
int milter_msg_add_header(struct milter_msg *msg, const char *name, const char *value,
			  int leadspc, long long max)
{
    if (msg->nheaders == msg->hdr_cap) {
	msg->hdr_cap = msg->hdr_cap ? msg->hdr_cap * 2 : 16;
	msg->hdr_names = xrealloc(msg->hdr_names, msg->hdr_cap * sizeof(*msg->hdr_names));
    }
    msg->hdr_names[msg->nheaders++] = xstrdup(name);
    msg->header_bytes += strlen(name) + (leadspc ? 1 : 2) + strlen(value) + 2;
    return milter_msg_check_size(msg, max);
}

/* milter_msg_add_body - count one body chunk */
int milter_msg_add_body(struct milter_msg *msg, size_t len, long long max)
{
    msg->body_bytes += len;
    return milter_msg_check_size(msg, max);
}

/* milter_msg_size - header + separator + body bytes seen so far */
unsigned long long milter_msg_size(const struct milter_msg *msg)
{
    return msg->header_bytes + (msg->nheaders ? 2 : 0) + msg->body_bytes;
}

/* milter_msg_count_header - how many headers named name the MTA sent */
size_t milter_msg_count_header(const struct milter_msg *msg, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < msg->nheaders; i++)
	if (strcasecmp(msg->hdr_names[i], name) == 0)
	    n++;
    return n;
}
