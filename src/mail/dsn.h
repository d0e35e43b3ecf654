/*
 * NAME
 *	dsn - SMTP reply codes and enhanced status codes
 * SYNOPSIS
 *	#include "mail/dsn.h"
 *	int mail_dsn_enh_parse(const char *s, size_t len, struct mail_dsn_enh *enh_r);
 *	int mail_dsn_reply_split(const char *s, struct mail_dsn_reply *reply_r,
 *				 const char **why_r);
 * DESCRIPTION
 *	mail_dsn_enh_parse checks an enhanced status code "class.subject.detail"
 *	(class 2, 4 or 5; subject and detail 1 to 3 digits) filling *enh_r.
 *
 *	mail_dsn_reply_split splits a reply text as written in a rule message
 *	or received from a server: "550 5.7.1 text", "5.7.1 text", "550 text"
 *	or "text". The code (three digits, first 2-5, second 0-5, followed by
 *	space, "-" or the end) and the enhanced code are optional; when both
 *	are present their classes must agree (RFC 3463 2, RFC 2034 3).
 *	reply_r->text points into s (after the codes and one space).
 * DIAGNOSTICS
 *	mail_dsn_enh_parse: 0 ok, -1 not an enhanced status code.
 *	mail_dsn_reply_split: 0 ok, -1 with *why_r (bad code, class mismatch).
 * STANDARDS
 *	RFC 5321 4.2 (reply codes), RFC 3463 2 (enhanced status codes),
 *	RFC 2034 (ENHANCEDSTATUSCODES).
 */
#ifndef MXG_MAIL_DSN_H
#define MXG_MAIL_DSN_H
#include <stddef.h>

struct mail_dsn_enh {
    int     class_;		/* 2, 4 or 5 */
    int     subject;		/* 0-999 */
    int     detail;		/* 0-999 */
    char    text[32];		/* "5.7.1" */
};

struct mail_dsn_reply {
    int     code;		/* 0 if absent */
    int     has_enh;
    struct mail_dsn_enh enh;
    const char *text;		/* rest of the line, inside the input */
};

int mail_dsn_enh_parse(const char *s, size_t len, struct mail_dsn_enh *enh_r);
int mail_dsn_reply_split(const char *s, struct mail_dsn_reply *reply_r, const char **why_r);

#endif
