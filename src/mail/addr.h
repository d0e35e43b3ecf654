/*
 * NAME
 *	addr - mail addresses: RFC 5322 address lists, RFC 5321 paths, domains
 * SYNOPSIS
 *	#include "mail/addr.h"
 *	int mail_addr_list_parse(const char *s, size_t len,
 *				 struct mail_addr_list **list_r, const char **why_r);
 *	void mail_addr_list_free(struct mail_addr_list **list);
 *	int mail_addr_envelope_parse(const char *s, struct mail_mailbox *mb_r,
 *				     const char **why_r);
 *	void mail_mailbox_clear(struct mail_mailbox *mb);
 *	int mail_domain_normalize(const char *s, size_t len, char **domain_r,
 *				  const char **why_r);
 *	int mail_addr_from_domain(const struct mail_hdrs *hdrs, char **domain_r,
 *				  const char **why_r);
 * DESCRIPTION
 *	mail_addr_list_parse parses the (unfolded or raw) value of From,
 *	Sender, Reply-To, To or Cc: display names, quoted strings, comments
 *	(nested, with quoted pairs), angle addresses with obsolete source
 *	routes (ignored), groups ("undisclosed-recipients:;" adds no
 *	mailbox), empty list elements (obsolete syntax). The mailboxes of
 *	groups are listed in order with the others. A lone word without "@"
 *	(a "From: root" written by local submission) is a mailbox without
 *	domain. UTF-8 (RFC 6532) is accepted in display names and
 *	local-parts.
 *
 *	Each mailbox has: display (decoded, comments dropped, NULL if none),
 *	local (as written, quotes kept, CFWS removed), domain (normalized,
 *	NULL if none), literal (1 if domain is a domain-literal "[...]",
 *	kept verbatim).
 *
 *	mail_addr_envelope_parse parses an RFC 5321 path as given after
 *	"MAIL FROM:" or "RCPT TO:" (ESMTP parameters stripped by the caller):
 *	"<user@dom>", "<>" (null path: local "" and domain NULL), a source
 *	route "<@a,@b:user@dom>" (ignored), "<postmaster>" (domain NULL);
 *	brackets may be missing (as Postfix accepts). mb_r->display is NULL.
 *
 *	mail_domain_normalize lower-cases ASCII, removes one trailing dot
 *	and checks LDH labels (1-63 octets, no leading or trailing hyphen,
 *	253 octets in all). IDNA A-labels (xn--) pass unchanged; non-ASCII
 *	labels (U-labels) are rejected since DNS lookups need A-labels.
 *
 *	mail_addr_from_domain applies DMARC's rule (RFC 7489 6.6.1): exactly
 *	one From field holding exactly one mailbox with a domain; it returns
 *	that domain. Every other case is a "nofrom" reason, never a crash
 *	(OpenDMARC CVE-2021-34555 crashed on "From:" values without domain).
 * DIAGNOSTICS
 *	0 ok; -1 with *why_r a static string (syntax error, invalid domain,
 *	or the DMARC nofrom reason); outputs are then NULL / cleared.
 * STANDARDS
 *	RFC 5322 3.2 (lexical tokens), 3.4 (address specification), 4.4
 *	(obsolete addressing); RFC 5321 4.1.2 (paths); RFC 1035 2.3.1, RFC
 *	5890 (A-labels); RFC 6532 (UTF-8 headers); RFC 7489 6.6.1.
 */
#ifndef MXG_MAIL_ADDR_H
#define MXG_MAIL_ADDR_H
#include <stddef.h>
#include "mail/header.h"

struct mail_mailbox {
    char   *display;		/* NULL if none */
    char   *local;		/* as written, "" for the null path */
    char   *domain;		/* normalized, NULL if none */
    int     literal;		/* domain is "[...]" */
};

struct mail_addr_list {
    struct mail_mailbox *mb;
    size_t  count;
    size_t  groups;		/* number of groups seen */
};

int mail_addr_list_parse(const char *s, size_t len, struct mail_addr_list **list_r,
			 const char **why_r);
void mail_addr_list_free(struct mail_addr_list **list);
int mail_addr_envelope_parse(const char *s, struct mail_mailbox *mb_r,
			     const char **why_r);
void mail_mailbox_clear(struct mail_mailbox *mb);
int mail_domain_normalize(const char *s, size_t len, char **domain_r,
			  const char **why_r);
int mail_addr_from_domain(const struct mail_hdrs *hdrs, char **domain_r,
			  const char **why_r);

#endif
