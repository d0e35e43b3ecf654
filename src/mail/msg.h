/*
 * NAME
 *	msg - read a message file: header block and body
 * SYNOPSIS
 *	#include "mail/msg.h"
 *	int mail_msg_read_buf(const char *data, size_t len, struct mail_msg **msg_r,
 *			      const char **why_r);
 *	int mail_msg_read_fd(int fd, size_t max_size, struct mail_msg **msg_r,
 *			     const char **why_r);
 *	void mail_msg_free(struct mail_msg **msg);
 * DESCRIPTION
 *	Splits an RFC 5322 message (CRLF or LF line ends) into its header
 *	block (see header.h) and its body: the bytes after the empty line,
 *	kept exactly. A message without an empty line has an empty body.
 *	mail_msg_read_fd reads fd to its end (at most max_size bytes,
 *	0 = MAIL_MSG_MAX_SIZE); used by `mxguard check`.
 * DIAGNOSTICS
 *	0 ok; -1 with *why_r set (read error, message too large, header
 *	limits); *msg_r is then NULL.
 * STANDARDS
 *	RFC 5322 2.1 (header fields, empty line, body).
 */
#ifndef MXG_MAIL_MSG_H
#define MXG_MAIL_MSG_H
#include <stddef.h>
#include "mail/header.h"

#define MAIL_MSG_MAX_SIZE	(64 * 1024 * 1024)

struct mail_msg {
    struct mail_hdrs *hdrs;
    char   *body;		/* NUL-terminated, may hold NULs */
    size_t  body_len;
};

int mail_msg_read_buf(const char *data, size_t len, struct mail_msg **msg_r,
		      const char **why_r);
int mail_msg_read_fd(int fd, size_t max_size, struct mail_msg **msg_r,
		     const char **why_r);
void mail_msg_free(struct mail_msg **msg);

#endif
