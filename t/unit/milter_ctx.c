/*
 * milter_ctx.c - unit tests of src/milter/ctx.c: client addresses,
 * recipients, size accounting, and that a reset frees a message entirely.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "milter/ctx.h"
#include "t/tap.h"

static void test_client(void)
{
    struct milter_conn *conn = milter_conn_alloc();
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(40001) };
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(40002) };

    inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
    inet_pton(AF_INET6, "2001:db8::25", &sin6.sin6_addr);
    milter_conn_set_client(conn, "mx.example.com", (struct sockaddr *) &sin);
    is_str(conn->client_name, "mx.example.com", "client name copied");
    is_str(conn->client_addr, "192.0.2.1", "IPv4 client address formatted");
    is_int(conn->client_port, 40001, "IPv4 client port in host order");
    milter_conn_set_client(conn, "[2001:db8::25]", (struct sockaddr *) &sin6);
    is_str(conn->client_addr, "2001:db8::25", "IPv6 client address formatted");
    is_int(conn->client_port, 40002, "IPv6 client port in host order");
    milter_conn_set_client(conn, NULL, NULL);
    is_str(conn->client_name, "unknown", "missing client name becomes \"unknown\"");
    is_str(conn->client_addr, "", "no address for a connection without sockaddr");
    milter_ctx_set(&conn->helo, "client.example.org");
    milter_ctx_set(&conn->helo, "again.example.org");
    is_str(conn->helo, "again.example.org", "a second HELO replaces the first");
    milter_conn_free(&conn);
    ok(conn == NULL, "milter_conn_free sets the pointer to NULL");
    milter_conn_free(&conn);
    ok(1, "milter_conn_free(NULL) is harmless");
}

static void test_message(void)
{
    struct milter_conn *conn = milter_conn_alloc();
    struct milter_msg *msg = &conn->msg;
    char rcpt[64];

    milter_ctx_set(&msg->sender, "<a@example.com>");
    milter_ctx_set(&msg->queue_id, "4ABC123");
    for (int i = 0; i < 10; i++) {
	snprintf(rcpt, sizeof(rcpt), "<r%d@example.net>", i);
	milter_msg_add_rcpt(msg, rcpt);
    }
    is_int((long long) msg->nrcpt, 10, "ten recipients kept (array grows)");
    is_str(msg->rcpts[9], "<r9@example.net>", "last recipient copied intact");
    is_int(milter_msg_add_header(msg, "Subject", " hi", 1, 0), 0, "no size limit: never oversize");
    is_int((long long) msg->header_bytes, 7 + 1 + 3 + 2,
	   "header with leading space counts name:value CRLF");
    milter_msg_add_header(msg, "To", "x", 0, 0);
    is_int((long long) msg->header_bytes, 13 + 2 + 2 + 1 + 2,
	   "header without leading space counts name: value CRLF");
    is_int(milter_msg_add_body(msg, 100, 0), 0, "body chunk without limit");
    is_int((long long) milter_msg_size(msg), 20 + 2 + 100, "size = headers + CRLF + body");
    milter_msg_reset(msg);
    ok(msg->nrcpt == 0 && msg->rcpts == NULL && msg->sender == NULL && msg->queue_id == NULL
       && msg->nheaders == 0 && msg->body_bytes == 0, "reset empties the message");
    milter_msg_add_rcpt(msg, "<x@example.net>");
    is_int((long long) msg->nrcpt, 1, "a message after reset starts from zero recipients");
    milter_conn_free(&conn);
}

static void test_oversize(void)
{
    struct milter_msg msg;

    memset(&msg, 0, sizeof(msg));
    is_int(milter_msg_add_header(&msg, "From", " a@b", 1, 100), 0, "small header within limit");
    is_int(milter_msg_add_body(&msg, 80, 100), 0, "body up to the limit is fine");
    ok(!msg.oversize, "not oversize at %llu of 100 bytes", milter_msg_size(&msg));
    is_int(milter_msg_add_body(&msg, 10, 100), 1, "the chunk that passes the limit reports it");
    ok(msg.oversize, "message marked oversize");
    is_int(milter_msg_add_body(&msg, 10, 100), 0, "oversize is reported only once");
    milter_msg_reset(&msg);
    ok(!msg.oversize, "reset clears oversize");
}

int main(void)
{
    test_client();
    test_message();
    test_oversize();
    return done_testing();
}
