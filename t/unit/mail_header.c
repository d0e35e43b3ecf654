/*
 * t/unit/mail_header.c - mail/header and mail/msg: raw values kept byte
 * for byte, unfolding, folding round trips, malformed lines flagged (not
 * fatal), lookups in both directions, limits, message file split.
 */
#include "config.h"
#include "mail/header.h"
#include "mail/msg.h"
#include "util/buf.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* max_line - longest line of s without its line end */
static size_t max_line(const char *s)
{
    size_t max = 0;

    while (*s) {
	size_t n = strcspn(s, "\r\n");

	if (n > max)
	    max = n;
	s += n;
	s += strspn(s, "\r\n");
    }
    return max;
}

/* parse - a header block from a string */
static struct mail_hdrs *parse(const char *text, size_t *used_r)
{
    struct mail_hdrs *hdrs = mail_hdrs_alloc(0, 0);
    const char *why = NULL;
    size_t used;

    if (mail_hdrs_parse(hdrs, text, strlen(text), &used, &why) < 0)
	diag("parse failed: %s", why);
    if (used_r)
	*used_r = used;
    return hdrs;
}

static void test_raw_and_unfold(void)
{
    const char *text = "Subject: hello\r\n\tworld  \r\n"
	"DKIM-Signature: v=1; a=rsa-sha256;\r\n b=abc\r\n def\r\n"
	"X-Empty:\r\n"
	"\r\nbody\r\n";
    size_t used;
    struct mail_hdrs *hdrs = parse(text, &used);
    const struct mail_hdr *h;

    is_int(mail_hdrs_count(hdrs), 3, "three fields parsed from a CRLF block");
    is_int(used, strlen(text) - strlen("body\r\n"), "parse stops after the empty line");
    h = mail_hdrs_at(hdrs, 0);
    is_str(h->raw, "Subject: hello\r\n\tworld  ", "raw field kept byte for byte with folding");
    is_str(h->value, " hello\r\n\tworld  ", "raw value starts after the colon");
    is_str(h->unfolded, "hello\tworld", "unfolded value: folding removed, trimmed");
    is_str(h->name, "Subject", "name kept as written");
    h = mail_hdrs_at(hdrs, 1);
    is_str(h->unfolded, "v=1; a=rsa-sha256; b=abc def", "multi-line value unfolds");
    is_int(h->flags, 0, "well-formed field has no flags");
    is_str(mail_hdrs_at(hdrs, 2)->unfolded, "", "empty value unfolds to empty string");
    mail_hdrs_free(&hdrs);
    ok(hdrs == NULL, "mail_hdrs_free sets the pointer to NULL");
}

static void test_lf_and_crlf_rendering(void)
{
    struct mail_hdrs *hdrs = parse("A: x\n y\nB: z\n\nbody", NULL);
    struct buf b = BUF_INIT;

    is_int(mail_hdrs_count(hdrs), 2, "LF-only block parses");
    is_str(mail_hdrs_at(hdrs, 0)->raw, "A: x\n y", "LF raw kept as LF");
    mail_hdr_raw_crlf(mail_hdrs_at(hdrs, 0), &b);
    is_str(b.data, "A: x\r\n y\r\n", "raw_crlf renders CRLF line ends for DKIM");
    mail_hdrs_free(&hdrs);

    hdrs = mail_hdrs_alloc(0, 0);
    const char *why;

    mail_hdrs_add(hdrs, "Received", " from a\n\tby b", &why);
    buf_reset(&b);
    mail_hdr_raw_crlf(mail_hdrs_at(hdrs, 0), &b);
    is_str(b.data, "Received: from a\r\n\tby b\r\n", "milter value (LF folding) renders as CRLF");
    is_str(mail_hdrs_at(hdrs, 0)->unfolded, "from a\tby b", "milter value unfolds");
    mail_hdrs_free(&hdrs);

    hdrs = parse("DKIM-Signature: a=1;\r\n\tb=2\nX: mixed\r\n and\n lf\r\n\r\n", NULL);
    buf_reset(&b);
    mail_hdr_raw_crlf(mail_hdrs_at(hdrs, 0), &b);
    is_str(b.data, "DKIM-Signature: a=1;\r\n\tb=2\r\n", "CRLF raw rendered unchanged, no doubled CR");
    buf_reset(&b);
    mail_hdr_raw_crlf(mail_hdrs_at(hdrs, 1), &b);
    is_str(b.data, "X: mixed\r\n and\r\n lf\r\n", "mixed CRLF and LF folding all become CRLF");
    buf_free(&b);
    mail_hdrs_free(&hdrs);
}

static void test_lookup(void)
{
    struct mail_hdrs *hdrs = parse("Received: 1\nFrom: a\nreceived: 2\nTo: b\nRECEIVED : 3\n\n",
				   NULL);
    const struct mail_hdr *h;

    is_int(mail_hdrs_count_name(hdrs, "Received"), 3, "count is case-insensitive, ignores space before colon");
    h = mail_hdrs_find(hdrs, "received", 0);
    is_str(h ? h->unfolded : NULL, "1", "find nth 0 is the topmost");
    h = mail_hdrs_find(hdrs, "received", 2);
    is_str(h ? h->unfolded : NULL, "3", "find nth 2 is the third from the top");
    ok(mail_hdrs_find(hdrs, "received", 3) == NULL, "find past the last returns NULL");
    h = mail_hdrs_find_last(hdrs, "Received", 0);
    is_str(h ? h->unfolded : NULL, "3", "find_last nth 0 is the bottom one (DKIM order)");
    h = mail_hdrs_find_last(hdrs, "Received", 2);
    is_str(h ? h->unfolded : NULL, "1", "find_last nth 2 is the top one");
    is_int(mail_hdrs_next(hdrs, "received", 1, 1), 2, "next forward from index 1");
    is_int(mail_hdrs_next(hdrs, "received", 3, -1), 2, "next backward from index 3");
    is_int(mail_hdrs_next(hdrs, "x-none", 0, 1), -1, "next returns -1 when absent");
    ok(mail_hdrs_at(hdrs, 99) == NULL, "at past the end returns NULL");
    mail_hdrs_free(&hdrs);
}

static void test_malformed(void)
{
    char block[4000];
    struct mail_hdrs *hdrs;
    struct buf b = BUF_INIT;
    const char *why;

    hdrs = parse(" leading continuation\nNo colon here\nBad Name: v\nSubj : v\n"
		 "X-8: caf\xc3\xa9\n\n", NULL);
    is_int(mail_hdrs_count(hdrs), 5, "malformed lines are kept, not dropped");
    ok(mail_hdrs_at(hdrs, 0)->flags & MAIL_HDR_F_CONT_FIRST, "continuation as first line flagged");
    ok(!mail_hdrs_at(hdrs, 0)->has_colon, "leading continuation never matches a name");
    ok(mail_hdrs_at(hdrs, 1)->flags & MAIL_HDR_F_NOCOLON, "line without colon flagged");
    is_str(mail_hdrs_at(hdrs, 1)->raw, "No colon here", "line without colon kept raw");
    ok(mail_hdrs_at(hdrs, 2)->flags & MAIL_HDR_F_BAD_NAME, "space inside a name flagged");
    ok(mail_hdrs_at(hdrs, 3)->flags & MAIL_HDR_F_WSP_NAME, "space before colon flagged");
    ok(mail_hdr_is(mail_hdrs_at(hdrs, 3), "subj"), "space before colon still matches the name");
    ok(mail_hdrs_at(hdrs, 4)->flags & MAIL_HDR_F_8BIT, "8-bit value flagged");
    is_str(mail_hdr_flags_str(hdrs->flags, &b),
	   "no-colon,space-before-colon,bad-name,8bit,continuation-first",
	   "block flags list every problem for the log");
    mail_hdrs_free(&hdrs);

    hdrs = mail_hdrs_alloc(0, 0);
    mail_hdrs_parse(hdrs, "X-Nul: a\0b\nX-Cr: a\rb\n\n", 22, NULL, &why);
    ok(mail_hdrs_at(hdrs, 0)->flags & MAIL_HDR_F_NUL, "NUL byte flagged");
    is_int(mail_hdrs_at(hdrs, 0)->raw_len, 10, "raw length counts the NUL byte");
    ok(memcmp(mail_hdrs_at(hdrs, 0)->raw, "X-Nul: a\0b", 10) == 0, "raw keeps the NUL byte");
    is_str(mail_hdrs_at(hdrs, 0)->unfolded, "a b", "unfolded value has NUL as space");
    ok(mail_hdrs_at(hdrs, 1)->flags & MAIL_HDR_F_BARE_CR, "bare CR flagged");
    mail_hdrs_free(&hdrs);

    hdrs = mail_hdrs_alloc(0, 0);
    mail_hdrs_parse(hdrs, "From: a@x.example\nFrom\0X: b@y.example\n\n", 39, NULL, &why);
    is_int(mail_hdrs_count_name(hdrs, "From"), 2, "name with a NUL byte still counts as From");
    ok(mail_hdrs_at(hdrs, 1)->flags & MAIL_HDR_F_BAD_NAME, "name with a NUL byte flagged");
    mail_hdrs_free(&hdrs);

    memset(block, 'x', sizeof(block));
    memcpy(block, "X-Long: ", 8);
    memcpy(block + 1500, "\n\n", 2);
    hdrs = mail_hdrs_alloc(0, 0);
    mail_hdrs_parse(hdrs, block, 1502, NULL, &why);
    ok(mail_hdrs_at(hdrs, 0)->flags & MAIL_HDR_F_LONG_LINE, "line over 998 octets flagged");
    is_int(mail_hdrs_at(hdrs, 0)->raw_len, 1500, "over-long line kept whole");
    mail_hdrs_free(&hdrs);

    hdrs = parse("X-A: 1\n", NULL);
    is_int(mail_hdrs_count(hdrs), 1, "block without empty line or body parses");
    mail_hdrs_free(&hdrs);
    hdrs = parse("X-A: 1", NULL);
    is_str(mail_hdrs_at(hdrs, 0)->raw, "X-A: 1", "last field without line end parses");
    mail_hdrs_free(&hdrs);
    buf_free(&b);
}

static void test_limits(void)
{
    struct mail_hdrs *hdrs = mail_hdrs_alloc(3, 0);
    const char *why = NULL;
    size_t used;
    const char *text = "A: 1\nB: 2\nC: 3\nD: 4\n\n";

    is_int(mail_hdrs_parse(hdrs, text, strlen(text), &used, &why), -1, "count limit is an error");
    is_str(why, "too many header fields", "count limit reason");
    is_int(mail_hdrs_count(hdrs), 3, "fields before the limit are kept");
    is_int(used, 15, "consumed stops at the refused field");
    mail_hdrs_free(&hdrs);

    hdrs = mail_hdrs_alloc(0, 20);
    why = NULL;
    is_int(mail_hdrs_add(hdrs, "Subject", " a long subject line", &why), -1, "size limit is an error");
    is_str(why, "header block too large", "size limit reason");
    mail_hdrs_free(&hdrs);
}

static void test_fold(void)
{
    char *folded, *back, value[600];

    folded = mail_hdr_fold("Subject", "short", "\r\n");
    is_str(folded, "Subject: short", "short value is not folded");
    free(folded);
    for (int i = 0; i < 100; i++)
	memcpy(value + i * 6, "word  ", 6);
    value[599] = 0;
    folded = mail_hdr_fold("X-Words", value, "\r\n");
    ok(max_line(folded) <= 78, "folded at 78 columns (longest %zu)", max_line(folded));
    ok(strstr(folded, "\r\n ") != NULL, "fold puts the line end before white space");
    back = mail_hdr_unfold(folded + 8, strlen(folded) - 8);
    char *want = mail_hdr_unfold(value, strlen(value));

    is_str(back, want, "fold then unfold gives the value back");
    free(folded);
    free(back);
    free(want);
}

static void test_msg(void)
{
    const char *text = "From: a@example.com\r\nSubject: x\r\n\r\nline1\r\n\r\nline3\r\n";
    struct mail_msg *msg;
    const char *why;
    char path[] = "/tmp/mxg-mail-XXXXXX";
    int fd;

    is_int(mail_msg_read_buf(text, strlen(text), &msg, &why), 0, "message splits");
    is_int(mail_hdrs_count(msg->hdrs), 2, "message has two header fields");
    is_str(msg->body, "line1\r\n\r\nline3\r\n", "body kept exactly, empty lines included");
    mail_msg_free(&msg);
    ok(msg == NULL, "mail_msg_free sets the pointer to NULL");

    is_int(mail_msg_read_buf("\nbody only\n", 11, &msg, &why), 0, "message without headers");
    is_int(mail_hdrs_count(msg->hdrs), 0, "no header fields");
    is_str(msg->body, "body only\n", "everything after the first empty line is body");
    mail_msg_free(&msg);

    fd = mkstemp(path);
    if (write(fd, text, strlen(text)) != (ssize_t) strlen(text))
	diag("write failed");
    lseek(fd, 0, SEEK_SET);
    is_int(mail_msg_read_fd(fd, 0, &msg, &why), 0, "message read from a file descriptor");
    is_str(msg ? msg->body : NULL, "line1\r\n\r\nline3\r\n", "body read from fd");
    mail_msg_free(&msg);
    lseek(fd, 0, SEEK_SET);
    why = NULL;
    is_int(mail_msg_read_fd(fd, 10, &msg, &why), -1, "message over max_size refused");
    is_str(why, "message too large", "size reason");
    ok(msg == NULL, "no message returned on error");
    close(fd);
    unlink(path);
}

int main(void)
{
    test_raw_and_unfold();
    test_lf_and_crlf_rendering();
    test_lookup();
    test_malformed();
    test_limits();
    test_fold();
    test_msg();
    return done_testing();
}
