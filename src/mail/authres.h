/*
 * NAME
 *	authres - Authentication-Results header: build ours, read others' id
 * SYNOPSIS
 *	#include "mail/authres.h"
 *	int mail_ar_build(const char *authserv_id, const struct mail_ar_result *res,
 *			  size_t n, const char *eol, char **value_r, const char **why_r);
 *	int mail_ar_parse_id(const char *value, size_t len, char **id_r,
 *			     int *version_r);
 *	int mail_ar_claims_id(const char *value, size_t len, const char *our_id);
 *	int mail_ar_is_token(const char *s);
 *	void mail_ar_put_value(struct buf *out, const char *s);
 * DESCRIPTION
 *	mail_ar_build returns the value of one Authentication-Results field
 *	(the text after "Authentication-Results:", starting with a space):
 *	the authserv-id, then one resinfo per result, each beginning on a
 *	new line: method "=" result, an optional comment "(...)", an
 *	optional reason="...", then the properties "ptype.property=value".
 *	With no result it writes "id; none" (RFC 8601 2.2 no-result).
 *	The authserv-id is written bare when it is an RFC 2045 token, else
 *	quoted (RFC 8601 2.2: authserv-id = value). Property values are
 *	written bare when they are an RFC 2045 token or an
 *	"[local-part@]domain" of dot-atoms (RFC 8601 2.2 pvalue), else as
 *	quoted strings; comments escape "(", ")" and "\". Control
 *	characters in free text become spaces. Lines are folded at
 *	clause boundaries (and inside long reasons/comments at spaces) to
 *	fit 78 columns counted from the start of "Authentication-Results: ";
 *	free text is cut to MAIL_AR_TEXT_MAX octets and values to
 *	MAIL_AR_VALUE_MAX so no line ever exceeds 998 octets. eol is the
 *	line end before each continuation: "\r\n" for a message file,
 *	"\n" for milter smfi_insheader.
 *
 *	mail_ar_parse_id reads the authserv-id of a received field (skipping
 *	comments, accepting a quoted string and an optional version number
 *	after the id) and returns it in *id_r (allocated).
 *
 *	mail_ar_claims_id decides whether a received field must be removed
 *	because it claims our authserv-id (RFC 8601 5: forged results must
 *	not reach users). The id is compared case-insensitively. When the
 *	field cannot be parsed we decide safely: it is removed if its text,
 *	after white space and complete comments, begins with our id (bare or
 *	after a double quote), since a lenient reader downstream could take
 *	it as ours; otherwise it is kept (it claims nothing we can verify).
 * DIAGNOSTICS
 *	mail_ar_build: 0 ok; -1 if a method, result, ptype or property is not
 *	a keyword (*why_r says which). mail_ar_parse_id: 0 ok, -1 garbage.
 *	mail_ar_claims_id: 1 remove, 0 keep.
 * STANDARDS
 *	RFC 8601 2.2 (syntax), 2.7 (methods and results), 5 (removing
 *	fields); RFC 2045 5.1 (token); RFC 5322 3.2 (quoted strings,
 *	comments, dot-atom), 2.1.1 (998 octets), 2.2.3 (folding).
 */
#ifndef MXG_MAIL_AUTHRES_H
#define MXG_MAIL_AUTHRES_H
#include <stddef.h>
#include "util/buf.h"

#define MAIL_AR_MAX_PROPS	8
#define MAIL_AR_TEXT_MAX	512	/* reason, comment */
#define MAIL_AR_VALUE_MAX	320	/* property values, authserv-id */
#define MAIL_AR_NAME_COL	24	/* strlen("Authentication-Results: ") */

struct mail_ar_prop {
    const char *ptype;		/* "smtp", "header", "body", "policy" */
    const char *property;	/* "mailfrom", "d", "from", ... */
    const char *value;
};

struct mail_ar_result {
    const char *method;		/* "spf", "dkim", "dmarc", "arc" */
    const char *result;		/* "pass", "fail", ... */
    const char *comment;	/* NULL or text put inside "(...)" */
    const char *reason;		/* NULL or the reason= text */
    size_t  nprops;
    struct mail_ar_prop props[MAIL_AR_MAX_PROPS];
};

int mail_ar_build(const char *authserv_id, const struct mail_ar_result *res, size_t n,
		  const char *eol, char **value_r, const char **why_r);
int mail_ar_parse_id(const char *value, size_t len, char **id_r, int *version_r);
int mail_ar_claims_id(const char *value, size_t len, const char *our_id);
int mail_ar_is_token(const char *s);
void mail_ar_put_value(struct buf *out, const char *s);

#endif
