/*
 * NAME
 *	header - a message header block: raw fields, unfolded values, lookup
 * SYNOPSIS
 *	#include "mail/header.h"
 *	struct mail_hdrs *mail_hdrs_alloc(size_t max_count, size_t max_size);
 *	void mail_hdrs_free(struct mail_hdrs **hdrs);
 *	int mail_hdrs_add(struct mail_hdrs *hdrs, const char *name,
 *			  const char *value, const char **why_r);
 *	int mail_hdrs_add_raw(struct mail_hdrs *hdrs, const char *name, size_t name_len,
 *			      const char *value, size_t value_len, const char **why_r);
 *	int mail_hdrs_parse(struct mail_hdrs *hdrs, const char *data, size_t len,
 *			    size_t *consumed_r, const char **why_r);
 *	size_t mail_hdrs_count(const struct mail_hdrs *hdrs);
 *	const struct mail_hdr *mail_hdrs_at(const struct mail_hdrs *hdrs, size_t i);
 *	size_t mail_hdrs_count_name(const struct mail_hdrs *hdrs, const char *name);
 *	const struct mail_hdr *mail_hdrs_find(const struct mail_hdrs *hdrs,
 *			const char *name, size_t nth);
 *	const struct mail_hdr *mail_hdrs_find_last(const struct mail_hdrs *hdrs,
 *			const char *name, size_t nth);
 *	long mail_hdrs_next(const struct mail_hdrs *hdrs, const char *name, long pos, int dir);
 *	int mail_hdr_is(const struct mail_hdr *h, const char *name);
 *	char *mail_hdr_unfold(const char *value, size_t len);
 *	char *mail_hdr_fold(const char *name, const char *value, const char *eol);
 *	void mail_hdr_raw_crlf(const struct mail_hdr *h, struct buf *out);
 *	const char *mail_hdr_flags_str(int flags, struct buf *out);
 * DESCRIPTION
 *	A header block is the ordered list of header fields of one message,
 *	as a milter receives them (name and value, mail_hdrs_add) or as they
 *	appear in a message file (a byte stream up to the empty line, CRLF or
 *	LF line ends, mail_hdrs_parse). Each field keeps its raw bytes exactly
 *	(h->raw = name ":" value, internal line ends as received, no final
 *	line end): DKIM "simple" canonicalization and ARC need them
 *	byte for byte. h->value points into raw just after the colon;
 *	h->unfolded is the value with folding removed and leading/trailing
 *	white space stripped (NUL bytes become spaces there, never in raw).
 *	For byte-exact raw values the milter must negotiate
 *	SMFIP_HDR_LEADSPC (else the MTA drops the space after the colon);
 *	MTAs pass folded values with LF line ends, which raw keeps and
 *	mail_hdr_raw_crlf renders as CRLF.
 *
 *	Malformed input is kept and flagged, never fatal: MAIL_HDR_F_*
 *	bits in h->flags (and OR-ed in hdrs->flags). A line without a colon
 *	is kept as a field whose raw text is the whole line, has_colon 0 and
 *	an empty name: lookups never match it. A continuation line before
 *	the first field starts such a field, flagged MAIL_HDR_F_CONT_FIRST.
 *
 *	Lookups compare names case-insensitively, ignoring white space
 *	before the colon (obsolete syntax, flagged). mail_hdrs_find counts
 *	matches from the top (nth 0 = first), mail_hdrs_find_last from the
 *	bottom (DKIM signs bottom-up, RFC 6376 5.4.2). A name holding a NUL
 *	byte (flagged) matches by its bytes before the NUL, as C-string
 *	software downstream reads it: "From\0x:" counts as a From field,
 *	so it cannot hide a second From from the DMARC check. mail_hdrs_next returns
 *	the index of the next field named name from position pos (inclusive)
 *	in direction dir (+1 or -1), or -1.
 *
 *	mail_hdr_unfold unfolds any value (RFC 5322 2.2.3). mail_hdr_fold
 *	renders "name: value" folded at white space to 78 columns with eol
 *	("\r\n" or "\n") before each continuation. mail_hdr_raw_crlf appends
 *	the field as DKIM hashes it: raw with bare LF turned into CRLF, plus
 *	a final CRLF.
 *
 *	Limits: at most max_count fields and max_size raw bytes
 *	(0 = MAIL_HDRS_MAX_COUNT / MAIL_HDRS_MAX_SIZE).
 * DIAGNOSTICS
 *	mail_hdrs_add*, mail_hdrs_parse: 0 ok, -1 a limit was exceeded
 *	(*why_r says which; fields before the limit are kept).
 *	Lookups return NULL / -1 when nothing matches.
 * STANDARDS
 *	RFC 5322 2.1.1 (998 octets), 2.2 (fields), 2.2.3 (folding), 4.5 (obsolete
 *	fields); RFC 6376 3.4.1 and 5.4.2.
 */
#ifndef MXG_MAIL_HEADER_H
#define MXG_MAIL_HEADER_H
#include <stddef.h>
#include "util/buf.h"

#define MAIL_HDRS_MAX_COUNT	1000
#define MAIL_HDRS_MAX_SIZE	(1024 * 1024)
#define MAIL_LINE_MAX		998	/* RFC 5322 2.1.1, without CRLF */

#define MAIL_HDR_F_NOCOLON	(1 << 0)	/* line without a colon */
#define MAIL_HDR_F_WSP_NAME	(1 << 1)	/* white space before the colon */
#define MAIL_HDR_F_BAD_NAME	(1 << 2)	/* empty name or not ftext */
#define MAIL_HDR_F_NUL		(1 << 3)	/* NUL byte */
#define MAIL_HDR_F_8BIT		(1 << 4)	/* byte >= 0x80 */
#define MAIL_HDR_F_LONG_LINE	(1 << 5)	/* a line over 998 octets */
#define MAIL_HDR_F_CONT_FIRST	(1 << 6)	/* continuation before any field */
#define MAIL_HDR_F_BARE_CR	(1 << 7)	/* CR not followed by LF */

struct mail_hdr {
    char   *raw;		/* name ":" value, NUL-terminated, may hold NULs */
    size_t  raw_len;
    char   *name;		/* trimmed name, "" without colon */
    const char *value;		/* raw value (after the colon), inside raw */
    size_t  value_len;
    char   *unfolded;		/* unfolded, trimmed C string */
    int     has_colon;
    int     flags;		/* MAIL_HDR_F_* */
};

struct mail_hdrs {
    struct mail_hdr *h;
    size_t  count;
    size_t  cap;
    size_t  size;		/* raw bytes so far */
    size_t  max_count;
    size_t  max_size;
    int     flags;		/* OR of all field flags */
};

struct mail_hdrs *mail_hdrs_alloc(size_t max_count, size_t max_size);
void mail_hdrs_free(struct mail_hdrs **hdrs);
int mail_hdrs_add(struct mail_hdrs *hdrs, const char *name, const char *value,
		  const char **why_r);
int mail_hdrs_add_raw(struct mail_hdrs *hdrs, const char *name, size_t name_len,
		      const char *value, size_t value_len, const char **why_r);
int mail_hdrs_parse(struct mail_hdrs *hdrs, const char *data, size_t len,
		    size_t *consumed_r, const char **why_r);
size_t mail_hdrs_count(const struct mail_hdrs *hdrs);
const struct mail_hdr *mail_hdrs_at(const struct mail_hdrs *hdrs, size_t i);
size_t mail_hdrs_count_name(const struct mail_hdrs *hdrs, const char *name);
const struct mail_hdr *mail_hdrs_find(const struct mail_hdrs *hdrs, const char *name,
				      size_t nth);
const struct mail_hdr *mail_hdrs_find_last(const struct mail_hdrs *hdrs,
					   const char *name, size_t nth);
long mail_hdrs_next(const struct mail_hdrs *hdrs, const char *name, long pos, int dir);
int mail_hdr_is(const struct mail_hdr *h, const char *name);
char *mail_hdr_unfold(const char *value, size_t len);
char *mail_hdr_fold(const char *name, const char *value, const char *eol);
void mail_hdr_raw_crlf(const struct mail_hdr *h, struct buf *out);
const char *mail_hdr_flags_str(int flags, struct buf *out);

#endif
