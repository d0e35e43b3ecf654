/*
 * t/fuzz/mail_header.c - fuzz target: header block parse, unfold, fold,
 * lookups and message split. Checks invariants (raw = name ":" value,
 * unfolded values have no line ends, fold then unfold is the identity)
 * and aborts when one breaks.
 */
#include "config.h"
#include "mail/header.h"
#include "mail/msg.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_field - invariants of one parsed field */
static void check_field(const struct mail_hdr *h)
{
    struct buf b = BUF_INIT;

    if (h->value + h->value_len != h->raw + h->raw_len)
	abort();
    if (strchr(h->unfolded, '\n') || strchr(h->unfolded, '\r'))
	abort();
    char *folded = mail_hdr_fold("X", h->unfolded, "\r\n");
    char *back = mail_hdr_unfold(folded + 2, strlen(folded) - 2);

    if (strcmp(back, h->unfolded) != 0)
	abort();
    mail_hdr_raw_crlf(h, &b);
    if (b.len < h->raw_len + 2)
	abort();
    free(folded);
    free(back);
    buf_free(&b);
}

/* LLVMFuzzerTestOneInput - one fuzz input through the checks above */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mail_hdrs *hdrs = mail_hdrs_alloc(50, 8192);
    struct mail_msg *msg = NULL;
    const char *why;
    size_t used = 0;

    (void) mail_hdrs_parse(hdrs, (const char *) data, size, &used, &why);
    if (used > size)
	abort();
    for (size_t i = 0; i < mail_hdrs_count(hdrs); i++)
	check_field(mail_hdrs_at(hdrs, i));
    (void) mail_hdrs_find_last(hdrs, "dkim-signature", 1);
    (void) mail_hdrs_find(hdrs, "From", 0);
    (void) mail_hdrs_count_name(hdrs, "received");
    mail_hdrs_free(&hdrs);
    if (mail_msg_read_buf((const char *) data, size, &msg, &why) == 0) {
	if (msg->body_len > size)
	    abort();
	mail_msg_free(&msg);
    }
    return 0;
}
