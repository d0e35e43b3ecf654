/*
 * NAME
 *	reply.c - SMTP reply and EHLO keyword parsing
 * DESCRIPTION
 *	See reply.h. Input comes from a remote server: every byte is
 *	untrusted, and fuzz_outbound_reply runs these functions.
 */
#include "config.h"
#include "outbound/reply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/dsn.h"

/* ob_reply_reset - empty a reply for reuse */
void ob_reply_reset(struct ob_reply *r)
{
    r->code = 0;
    r->enh[0] = 0;
    r->complete = 0;
    r->lines = 0;
    r->first[0] = 0;
    buf_reset(&r->text);
}

/* ob_reply_free - release a reply's memory */
void ob_reply_free(struct ob_reply *r)
{
    buf_free(&r->text);
    ob_reply_reset(r);
}

/* reply_code - the code of a reply line, -1 when it is none */
static int reply_code(const char *line, size_t len)
{
    if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5'
	|| line[2] < '0' || line[2] > '9')
	return -1;
    if (len > 3 && line[3] != ' ' && line[3] != '-')
	return -1;
    return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/* reply_enh_len - length of an enhanced code at the start of s matching class, else 0 */
static size_t reply_enh_len(const char *s, size_t len, int class_)
{
    struct mail_dsn_enh enh;
    size_t n = 0;

    while (n < len && n < 12 && s[n] != ' ')
	n++;
    if (n == 0 || mail_dsn_enh_parse(s, n, &enh) < 0 || enh.class_ != class_)
	return 0;
    return n;
}

/* ob_reply_add_line - add one received line; 1 complete, 0 more, -1 bad */
int ob_reply_add_line(struct ob_reply *r, const char *line, size_t len)
{
    int code = reply_code(line, len);
    const char *text;
    size_t tlen, elen;

    if (code < 0 || r->complete || (r->code != 0 && code != r->code))
	return -1;
    if (r->code == 0) {
	size_t n = len < sizeof(r->first) - 1 ? len : sizeof(r->first) - 1;

	r->code = code;
	memcpy(r->first, line, n);
	r->first[n] = 0;
	for (size_t i = 0; i < n; i++)
	    if ((unsigned char) r->first[i] < 32 || r->first[i] == 127)
		r->first[i] = '?';
    }
    text = len > 4 ? line + 4 : "";
    tlen = len > 4 ? len - 4 : 0;
    if ((elen = reply_enh_len(text, tlen, code / 100)) > 0) {
	if (r->lines == 0)
	    snprintf(r->enh, sizeof(r->enh), "%.*s", (int) elen, text);
	text += elen;
	tlen -= elen;
	if (tlen > 0 && *text == ' ') {
	    text++;
	    tlen--;
	}
    }
    if (r->lines < OB_REPLY_MAX_LINES && r->text.len + tlen + 1 <= OB_REPLY_MAX_TEXT) {
	if (r->lines > 0)
	    buf_putc(&r->text, '\n');
	for (size_t i = 0; i < tlen; i++) {
	    unsigned char c = (unsigned char) text[i];

	    buf_putc(&r->text, c < 32 || c == 127 ? '?' : c);
	}
	r->lines++;
    }
    if (len <= 3 || line[3] == ' ')
	r->complete = 1;
    return r->complete;
}

/* ob_reply_read - read one whole reply from the connection */
int ob_reply_read(struct ob_io *io, struct ob_reply *r, int timeout_ms)
{
    struct buf line = BUF_INIT;
    int ret;

    ob_reply_reset(r);
    for (;;) {
	if ((ret = ob_io_read_line(io, &line, OB_REPLY_LINE_MAX, timeout_ms)) <= 0)
	    break;
	if ((ret = ob_reply_add_line(r, line.data, line.len)) < 0) {
	    snprintf(io->why, sizeof(io->why), "malformed reply line");
	    break;
	}
	if (ret == 1)
	    break;
    }
    buf_free(&line);
    return ret;
}

/* ob_reply_first_line - the first line as received, "" when none */
const char *ob_reply_first_line(const struct ob_reply *r)
{
    return r->first;
}

/* ehlo_keyword - set the flag for one EHLO line's keyword */
static void ehlo_keyword(struct ob_ehlo *e, const char *s, size_t len)
{
    static const struct {
	const char *word;
	unsigned flag;
    } words[] = {
	{"PIPELINING", OB_EHLO_PIPELINING}, {"SIZE", OB_EHLO_SIZE},
	{"8BITMIME", OB_EHLO_8BITMIME}, {"SMTPUTF8", OB_EHLO_SMTPUTF8},
	{"ENHANCEDSTATUSCODES", OB_EHLO_ENHANCED}, {"DSN", OB_EHLO_DSN},
	{"STARTTLS", OB_EHLO_STARTTLS}, {"CHUNKING", OB_EHLO_CHUNKING},
	{"REQUIRETLS", OB_EHLO_REQUIRETLS},
    };
    size_t kw = 0;

    while (kw < len && (isalnum((unsigned char) s[kw]) || s[kw] == '-'))
	kw++;
    if (kw == 0 || (kw < len && s[kw] != ' '))
	return;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
	if (strlen(words[i].word) != kw || strncasecmp(words[i].word, s, kw) != 0)
	    continue;
	e->flags |= words[i].flag;
	if (words[i].flag == OB_EHLO_SIZE && kw < len) {
	    unsigned long long v = 0;
	    size_t j = kw + 1;

	    while (j < len && s[j] >= '0' && s[j] <= '9' && v < 1000000000000ULL)
		v = v * 10 + (unsigned long long) (s[j++] - '0');
	    e->size = (j == len) ? v : 0;
	}
    }
}

/* ob_ehlo_each_keyword - call fn with each line of r after the first (the EHLO keywords) */
void ob_ehlo_each_keyword(const struct ob_reply *r,
			  void (*fn)(void *ctx, const char *s, size_t len), void *ctx)
{
    const char *p, *end;

    if (r->text.len == 0)
	return;
    p = memchr(r->text.data, '\n', r->text.len);
    end = r->text.data + r->text.len;
    while (p != NULL && p < end) {
	const char *nl;

	p++;
	nl = memchr(p, '\n', (size_t) (end - p));
	fn(ctx, p, (size_t) ((nl ? nl : end) - p));
	p = nl;
    }
}

/* ehlo_keyword_cb - ehlo_keyword as an ob_ehlo_each_keyword callback */
static void ehlo_keyword_cb(void *ctx, const char *s, size_t len)
{
    ehlo_keyword(ctx, s, len);
}

/* ob_ehlo_parse - the extensions a 250 EHLO reply announces */
int ob_ehlo_parse(const struct ob_reply *r, struct ob_ehlo *e)
{
    memset(e, 0, sizeof(*e));
    if (r->code != 250 || r->text.len == 0)
	return r->code == 250 ? 0 : -1;
    ob_ehlo_each_keyword(r, ehlo_keyword_cb, e);
    return 0;
}
