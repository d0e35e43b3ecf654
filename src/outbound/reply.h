/*
 * NAME
 *	reply - SMTP replies as a client reads them, and EHLO keywords
 * SYNOPSIS
 *	#include "outbound/reply.h"
 *
 *	void ob_reply_reset(struct ob_reply *r);
 *	void ob_reply_free(struct ob_reply *r);
 *	int ob_reply_add_line(struct ob_reply *r, const char *line, size_t len);
 *	int ob_reply_read(struct ob_io *io, struct ob_reply *r, int timeout_ms);
 *	const char *ob_reply_first_line(const struct ob_reply *r);
 *	int ob_ehlo_parse(const struct ob_reply *r, struct ob_ehlo *e);
void ob_ehlo_each_keyword(const struct ob_reply *r,
			  void (*fn)(void *ctx, const char *s, size_t len), void *ctx);
 *	void ob_ehlo_each_keyword(const struct ob_reply *r,
 *				  void (*fn)(void *ctx, const char *s, size_t len),
 *				  void *ctx);
 * DESCRIPTION
 *	A reply is one or more lines "NNN-text" ending with "NNN text" (or
 *	"NNN" alone), all with the same code. ob_reply_add_line() adds one
 *	line (without CRLF); the text of each line is kept without its code
 *	and, when the first line has one, without the enhanced status code
 *	(RFC 2034: every line repeats it). r->text holds the lines joined by
 *	'\n'; r->first the first line as received (for DSN diagnostics).
 *	A reply longer than OB_REPLY_MAX_LINES lines or OB_REPLY_MAX_TEXT
 *	bytes is cut (still read to its end).
 *
 *	ob_ehlo_parse() reads the keywords of a 250 EHLO reply (lines after
 *	the first): PIPELINING, SIZE [n], 8BITMIME, SMTPUTF8,
 *	ENHANCEDSTATUSCODES, DSN, STARTTLS, CHUNKING, REQUIRETLS; others are
 *	ignored. Keywords are case-insensitive (RFC 5321 4.1.1.1).
 *	ob_ehlo_each_keyword() calls fn with each of those lines (the EHLO
 *	cache reads the keywords ob_ehlo does not keep).
 * DIAGNOSTICS
 *	ob_reply_add_line: 1 the reply is complete, 0 more lines follow, -1
 *	malformed (not a reply line, or a code that differs from the first).
 *	ob_reply_read: 1 complete, 0 connection closed, -1 timeout, I/O error
 *	or malformed (io->why says what).
 *	ob_ehlo_parse: 0, or -1 when r is not a 250 reply.
 * STANDARDS
 *	RFC 5321 4.2 (reply syntax), 4.1.1.1 (EHLO); RFC 2034 (enhanced codes
 *	in replies); RFC 1870 (SIZE); RFC 2920; RFC 3461; RFC 6531; RFC 8689.
 */
#ifndef MXG_OUTBOUND_REPLY_H
#define MXG_OUTBOUND_REPLY_H

#include <stddef.h>
#include "outbound/io.h"
#include "util/buf.h"

#define OB_REPLY_MAX_LINES	100
#define OB_REPLY_MAX_TEXT	4096
#define OB_REPLY_LINE_MAX	2048	/* longer lines are cut, as io.h says */

struct ob_reply {
    int code;			/* 0 while empty */
    char enh[16];		/* "4.7.1", "" when absent */
    int complete;
    int lines;
    struct buf text;		/* line texts joined by '\n' */
    char first[256];		/* first line as received, cut */
};

enum {
    OB_EHLO_PIPELINING = 1 << 0,
    OB_EHLO_SIZE = 1 << 1,
    OB_EHLO_8BITMIME = 1 << 2,
    OB_EHLO_SMTPUTF8 = 1 << 3,
    OB_EHLO_ENHANCED = 1 << 4,
    OB_EHLO_DSN = 1 << 5,
    OB_EHLO_STARTTLS = 1 << 6,
    OB_EHLO_CHUNKING = 1 << 7,
    OB_EHLO_REQUIRETLS = 1 << 8,
};

struct ob_ehlo {
    unsigned flags;
    unsigned long long size;	/* SIZE value; 0 = none or no limit */
};

void ob_reply_reset(struct ob_reply *r);
void ob_reply_free(struct ob_reply *r);
int ob_reply_add_line(struct ob_reply *r, const char *line, size_t len);
int ob_reply_read(struct ob_io *io, struct ob_reply *r, int timeout_ms);
const char *ob_reply_first_line(const struct ob_reply *r);
int ob_ehlo_parse(const struct ob_reply *r, struct ob_ehlo *e);
void ob_ehlo_each_keyword(const struct ob_reply *r,
			  void (*fn)(void *ctx, const char *s, size_t len), void *ctx);

#endif
