/*
 * NAME
 *	msg.c - split a message file into header block and body
 * DESCRIPTION
 *	See msg.h.
 */
#include "config.h"
#include "mail/msg.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* mail_msg_read_buf - parse a message held in memory */
int mail_msg_read_buf(const char *data, size_t len, struct mail_msg **msg_r,
		      const char **why_r)
{
    struct mail_msg *msg = xcalloc(1, sizeof(*msg));
    size_t used = 0;

    *msg_r = NULL;
    msg->hdrs = mail_hdrs_alloc(0, 0);
    if (mail_hdrs_parse(msg->hdrs, data, len, &used, why_r) < 0) {
	mail_msg_free(&msg);
	return -1;
    }
    msg->body_len = len - used;
    msg->body = xmalloc(msg->body_len + 1);
    memcpy(msg->body, data + used, msg->body_len);
    msg->body[msg->body_len] = 0;
    *msg_r = msg;
    return 0;
}

/* mail_msg_read_fd - read fd to its end, then parse */
int mail_msg_read_fd(int fd, size_t max_size, struct mail_msg **msg_r,
		     const char **why_r)
{
    struct buf data = BUF_INIT;
    char chunk[65536];
    ssize_t n;
    int ret;

    *msg_r = NULL;
    if (max_size == 0)
	max_size = MAIL_MSG_MAX_SIZE;
    for (;;) {
	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0) {
	    *why_r = "read error";
	    buf_free(&data);
	    return -1;
	}
	if (n == 0)
	    break;
	if ((size_t) n > max_size - data.len) {
	    *why_r = "message too large";
	    buf_free(&data);
	    return -1;
	}
	buf_append(&data, chunk, (size_t) n);
    }
    ret = mail_msg_read_buf(data.data ? data.data : "", data.len, msg_r, why_r);
    buf_free(&data);
    return ret;
}

/* mail_msg_free - release a message */
void mail_msg_free(struct mail_msg **msg_p)
{
    struct mail_msg *msg = *msg_p;

    if (msg == NULL)
	return;
    mail_hdrs_free(&msg->hdrs);
    xfreep(&msg->body);
    xfreep(msg_p);
}
