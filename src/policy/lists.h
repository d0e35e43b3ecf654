/*
 * NAME
 *	lists - named lists for rules: files, inline, CIDR, domains, LMDB, Redis
 * SYNOPSIS
 *	#include "policy/lists.h"
 *
 *	struct list *list_new(const char *name, const char *spec, const char **why_r);
 *	struct list *list_new_inline(const char *name, const char *const *items,
 *				     size_t n, struct buf *errors_r);
 *	void list_free(struct list **lp);
 *	int list_lookup(struct list *l, const char *value, struct buf *result_r);
 *
 *	int list_entry_parse(const char *line, struct list_entry *e, const char **why_r);
 * DESCRIPTION
 *	spec forms:
 *	  "file:/path"     one entry per line, '#' comments, blank lines ignored;
 *	                   re-read when the file's mtime/size/inode change
 *	  "lmdb:/path"     key lookup (the value is returned in result_r)
 *	  "redis:COMMAND"  e.g. "SMEMBERS relay_from_ips" (value must be a member),
 *	                   "SISMEMBER set $value", "HGET $value domain", "GET key";
 *	                   $value is replaced by the looked-up value as one argument
 *	  (inline)         a config list of entries
 *	Entries: an IP address or CIDR (matches addresses inside), "*.domain"
 *	(matches subdomains only), ".domain" (domain and subdomains, Postfix
 *	style), a plain domain or word (case-insensitive exact), "!entry"
 *	negates (first match wins, a negated match means "no match").
 *	The value looked up may be an IP address or a domain/word; CIDR
 *	entries only match addresses.
 * DIAGNOSTICS
 *	list_lookup: 1 match, 0 no match, -1 temporary failure (a dead Redis,
 *	an unreadable file after a change: never a silent "no match").
 *	list_entry_parse: 0 ok, -1 with *why_r.
 */
#ifndef MXG_POLICY_LISTS_H
#define MXG_POLICY_LISTS_H
#include <stddef.h>
#include "util/buf.h"
#include "util/cidr.h"

enum list_entry_kind { LIST_E_CIDR, LIST_E_DOMAIN, LIST_E_SUBDOMAINS, LIST_E_DOMAIN_TREE, LIST_E_WORD };

struct list_entry {
    enum list_entry_kind kind;
    int negate;
    struct cidr net;		/* LIST_E_CIDR */
    char *text;			/* lower-cased domain/word, no leading "*." or "." */
};

struct list;

struct list *list_new(const char *name, const char *spec, const char **why_r);
struct list *list_new_inline(const char *name, const char *const *items, size_t n,
			     struct buf *errors_r);
void list_free(struct list **lp);
int list_lookup(struct list *l, const char *value, struct buf *result_r);
int list_entry_parse(const char *line, struct list_entry *e, const char **why_r);
void list_entry_clear(struct list_entry *e);

#endif
