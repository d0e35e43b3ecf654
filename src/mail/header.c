/*
 * NAME
 *	header.c - parse, keep and look up message header fields
 * DESCRIPTION
 *	See header.h. Each field owns one allocation of its raw bytes, one of
 *	its trimmed name and one of its unfolded value; the block owns the
 *	array. Nothing here is shared between threads.
 */
#include "config.h"
#include "mail/header.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IS_WSP(c)	((c) == ' ' || (c) == '\t')

/* mail_hdrs_alloc - an empty header block with limits (0 = default) */
struct mail_hdrs *mail_hdrs_alloc(size_t max_count, size_t max_size)
{
    struct mail_hdrs *hdrs = xcalloc(1, sizeof(*hdrs));

    hdrs->max_count = max_count ? max_count : MAIL_HDRS_MAX_COUNT;
    hdrs->max_size = max_size ? max_size : MAIL_HDRS_MAX_SIZE;
    return hdrs;
}

/* mail_hdrs_free - release a header block and every field */
void mail_hdrs_free(struct mail_hdrs **hdrs_p)
{
    struct mail_hdrs *hdrs = *hdrs_p;

    if (hdrs == NULL)
	return;
    for (size_t i = 0; i < hdrs->count; i++) {
	xfreep(&hdrs->h[i].raw);
	xfreep(&hdrs->h[i].name);
	xfreep(&hdrs->h[i].unfolded);
    }
    xfreep(&hdrs->h);
    xfreep(hdrs_p);
}

/* raw_flags - flag NUL, 8-bit, bare CR and over-long lines in raw bytes */
static int raw_flags(const char *raw, size_t len)
{
    int flags = 0;
    size_t line = 0;

    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) raw[i];

	if (c == '\n') {
	    line = 0;
	    continue;
	}
	if (c == '\r' && i + 1 < len && raw[i + 1] == '\n')
	    continue;
	if (c == '\r')
	    flags |= MAIL_HDR_F_BARE_CR;
	else if (c == 0)
	    flags |= MAIL_HDR_F_NUL;
	else if (c >= 0x80)
	    flags |= MAIL_HDR_F_8BIT;
	if (++line > MAIL_LINE_MAX)
	    flags |= MAIL_HDR_F_LONG_LINE;
    }
    return flags;
}

/* name_flags - flag white space before the colon and names that are not ftext */
static int name_flags(const char *name, size_t len, size_t *trimmed_r)
{
    int flags = 0;
    size_t n = len;

    while (n > 0 && IS_WSP(name[n - 1]))
	n--;
    if (n != len)
	flags |= MAIL_HDR_F_WSP_NAME;
    if (n == 0)
	flags |= MAIL_HDR_F_BAD_NAME;
    for (size_t i = 0; i < n; i++) {
	unsigned char c = (unsigned char) name[i];

	if (c < 33 || c > 126 || c == ':')
	    flags |= MAIL_HDR_F_BAD_NAME;
    }
    *trimmed_r = n;
    return flags;
}

/* add_field - append one field given its raw bytes and colon offset (-1: none) */
static int add_field(struct mail_hdrs *hdrs, const char *raw, size_t raw_len,
		     long colon, int extra_flags, const char **why_r)
{
    struct mail_hdr *h;
    size_t name_len = 0;

    if (hdrs->count >= hdrs->max_count) {
	*why_r = "too many header fields";
	return -1;
    }
    if (raw_len > hdrs->max_size - hdrs->size) {
	*why_r = "header block too large";
	return -1;
    }
    if (hdrs->count == hdrs->cap) {
	hdrs->cap = hdrs->cap ? hdrs->cap * 2 : 32;
	hdrs->h = xrealloc(hdrs->h, hdrs->cap * sizeof(*hdrs->h));
    }
    h = hdrs->h + hdrs->count;
    memset(h, 0, sizeof(*h));
    h->raw = xmalloc(raw_len + 1);
    memcpy(h->raw, raw, raw_len);
    h->raw[raw_len] = 0;
    h->raw_len = raw_len;
    h->flags = extra_flags | raw_flags(raw, raw_len);
    if (colon < 0) {
	h->flags |= MAIL_HDR_F_NOCOLON;
	h->name = xstrdup("");
	h->value = h->raw + raw_len;
	h->value_len = 0;
    } else {
	h->has_colon = 1;
	h->flags |= name_flags(raw, (size_t) colon, &name_len);
	h->name = xstrndup(raw, name_len);
	h->value = h->raw + colon + 1;
	h->value_len = raw_len - (size_t) colon - 1;
    }
    h->unfolded = mail_hdr_unfold(h->value, h->value_len);
    hdrs->size += raw_len;
    hdrs->flags |= h->flags;
    hdrs->count++;
    return 0;
}

/* mail_hdrs_add - append a field received as C strings (milter header callback) */
int mail_hdrs_add(struct mail_hdrs *hdrs, const char *name, const char *value,
		  const char **why_r)
{
    return mail_hdrs_add_raw(hdrs, name, strlen(name), value, strlen(value), why_r);
}

/* mail_hdrs_add_raw - append a field given name and raw value bytes */
int mail_hdrs_add_raw(struct mail_hdrs *hdrs, const char *name, size_t name_len,
		      const char *value, size_t value_len, const char **why_r)
{
    struct buf raw = BUF_INIT;
    int ret;

    buf_append(&raw, name, name_len);
    buf_putc(&raw, ':');
    buf_append(&raw, value, value_len);
    ret = add_field(hdrs, raw.data, raw.len, (long) name_len, 0, why_r);
    buf_free(&raw);
    return ret;
}

/* line_end - offset of the end of the line starting at pos, and of the next line */
static size_t line_end(const char *data, size_t len, size_t pos, size_t *next_r)
{
    const char *lf = memchr(data + pos, '\n', len - pos);
    size_t end;

    if (lf == NULL) {
	*next_r = len;
	return len;
    }
    end = (size_t) (lf - data);
    *next_r = end + 1;
    if (end > pos && data[end - 1] == '\r')
	end--;
    return end;
}

/* mail_hdrs_parse - read header fields from a byte stream up to the empty line */
int mail_hdrs_parse(struct mail_hdrs *hdrs, const char *data, size_t len,
		    size_t *consumed_r, const char **why_r)
{
    size_t pos = 0, next, end;

    while (pos < len) {
	size_t start = pos;
	int extra = 0;
	long colon = -1;

	end = line_end(data, len, pos, &next);
	if (end == pos) {			/* the empty line: body follows */
	    pos = next;
	    break;
	}
	if (IS_WSP(data[pos]))
	    extra = MAIL_HDR_F_CONT_FIRST;
	else {
	    const char *c = memchr(data + pos, ':', end - pos);

	    if (c != NULL)
		colon = (long) (c - (data + pos));
	}
	while (next < len && IS_WSP(data[next]))	/* continuation lines */
	    end = line_end(data, len, next, &next);
	pos = next;
	if (add_field(hdrs, data + start, end - start, colon, extra, why_r) < 0) {
	    if (consumed_r)
		*consumed_r = start;
	    return -1;
	}
    }
    if (consumed_r)
	*consumed_r = pos;
    return 0;
}

/* mail_hdrs_count - number of fields */
size_t mail_hdrs_count(const struct mail_hdrs *hdrs)
{
    return hdrs->count;
}

/* mail_hdrs_at - field i from the top, NULL past the end */
const struct mail_hdr *mail_hdrs_at(const struct mail_hdrs *hdrs, size_t i)
{
    return i < hdrs->count ? hdrs->h + i : NULL;
}

/* mail_hdr_is - does this field have that name (case-insensitive)? */
int mail_hdr_is(const struct mail_hdr *h, const char *name)
{
    return h->has_colon && strcasecmp(h->name, name) == 0;
}

/* mail_hdrs_count_name - number of fields named name */
size_t mail_hdrs_count_name(const struct mail_hdrs *hdrs, const char *name)
{
    size_t n = 0;

    for (size_t i = 0; i < hdrs->count; i++)
	n += mail_hdr_is(hdrs->h + i, name);
    return n;
}

/* mail_hdrs_next - index of the next field named name from pos towards dir */
long mail_hdrs_next(const struct mail_hdrs *hdrs, const char *name, long pos, int dir)
{
    dir = dir < 0 ? -1 : 1;
    for (long i = pos; i >= 0 && (size_t) i < hdrs->count; i += dir)
	if (mail_hdr_is(hdrs->h + i, name))
	    return i;
    return -1;
}

/* mail_hdrs_find - the nth field named name, counting from the top */
const struct mail_hdr *mail_hdrs_find(const struct mail_hdrs *hdrs, const char *name,
				      size_t nth)
{
    for (long i = mail_hdrs_next(hdrs, name, 0, 1); i >= 0;
	 i = mail_hdrs_next(hdrs, name, i + 1, 1))
	if (nth-- == 0)
	    return hdrs->h + i;
    return NULL;
}

/* mail_hdrs_find_last - the nth field named name, counting from the bottom */
const struct mail_hdr *mail_hdrs_find_last(const struct mail_hdrs *hdrs,
					   const char *name, size_t nth)
{
    if (hdrs->count == 0)
	return NULL;
    for (long i = mail_hdrs_next(hdrs, name, (long) hdrs->count - 1, -1); i >= 0;
	 i = mail_hdrs_next(hdrs, name, i - 1, -1))
	if (nth-- == 0)
	    return hdrs->h + i;
    return NULL;
}

/* mail_hdr_unfold - remove folding line ends, trim, NUL -> space */
char *mail_hdr_unfold(const char *value, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t n = 0, start = 0;

    for (size_t i = 0; i < len; i++) {
	char c = value[i];

	if (c == '\n' || (c == '\r' && i + 1 < len && value[i + 1] == '\n'))
	    continue;
	out[n++] = (c == 0 || c == '\r') ? ' ' : c;
    }
    while (n > 0 && IS_WSP(out[n - 1]))
	n--;
    while (start < n && IS_WSP(out[start]))
	start++;
    memmove(out, out + start, n - start);
    out[n - start] = 0;
    return out;
}

/* mail_hdr_fold - "name: value" folded before white space at 78 columns */
char *mail_hdr_fold(const char *name, const char *value, const char *eol)
{
    struct buf out = BUF_INIT;
    char *flat = mail_hdr_unfold(value, strlen(value));
    const char *p = flat;
    size_t col;

    buf_printf(&out, "%s:", name);
    col = out.len;
    for (int first = 1; *p; first = 0) {
	size_t ws = strspn(p, " \t");		/* 0 only for the first word */
	size_t word = strcspn(p + ws, " \t");

	if (first) {
	    buf_putc(&out, ' ');
	    col++;
	} else {
	    if (col + ws + word > 78) {		/* fold before the white space */
		buf_puts(&out, eol);
		col = 0;
	    }
	    buf_append(&out, p, ws);
	    col += ws;
	}
	buf_append(&out, p + ws, word);
	col += word;
	p += ws + word;
    }
    free(flat);
    return buf_steal(&out);
}

/* mail_hdr_raw_crlf - append the field as DKIM simple sees it, CRLF line ends */
void mail_hdr_raw_crlf(const struct mail_hdr *h, struct buf *out)
{
    const char *p = h->raw, *end = h->raw + h->raw_len, *lf;

    while ((lf = memchr(p, '\n', (size_t) (end - p))) != NULL) {
	buf_append(out, p, (size_t) (lf - p));	/* copy spans, not bytes */
	if (lf == h->raw || lf[-1] != '\r')
	    buf_putc(out, '\r');
	buf_putc(out, '\n');
	p = lf + 1;
    }
    buf_append(out, p, (size_t) (end - p));
    buf_puts(out, "\r\n");
}

/* mail_hdr_flags_str - comma-separated flag names for logs ("" if none) */
const char *mail_hdr_flags_str(int flags, struct buf *out)
{
    static const char *const names[] = {
	"no-colon", "space-before-colon", "bad-name", "nul", "8bit",
	"long-line", "continuation-first", "bare-cr",
    };

    buf_reset(out);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	if (flags & (1 << i))
	    buf_printf(out, "%s%s", out->len ? "," : "", names[i]);
    return buf_str(out);
}
