/*
 * NAME
 *	lists - named lists for rules: files, inline, CIDR, domains, LMDB, Redis
 * SYNOPSIS
 *	#include "policy/lists.h"
 *
 *	struct list *list_open(const char *name, const char *spec,
 *			       const struct list_env *env, struct buf *why_r);
 *	struct list *list_new(const char *name, const char *spec, const char **why_r);
 *	struct list *list_new_inline(const char *name, const char *const *items,
 *				     size_t n, struct buf *errors_r);
 *	void list_free(struct list **lp);
 *	int list_lookup(struct list *l, const char *value, struct buf *result_r);
 *	const char *list_name(const struct list *l);
 *	void list_set_clock(struct list *l, time_t (*now)(void *ctx), void *ctx);
 *
 *	int list_entry_parse(const char *line, struct list_entry *e, const char **why_r);
 *	void list_entry_clear(struct list_entry *e);
 *	int list_value_init(struct list_value *v, const char *value);
 *	void list_value_clear(struct list_value *v);
 *	int list_entry_match(const struct list_entry *e, const struct list_value *v);
 * DESCRIPTION
 *	spec forms:
 *	  "file:/path"     one entry per line, '#' starts a comment, blank lines
 *	                   ignored. On lookup the file is stat()ed at most once per
 *	                   second; when its inode, size, mtime or ctime changed it
 *	                   is read again. If the new content cannot be read or has
 *	                   a bad entry, the old content stays in use and the reason
 *	                   is logged once per change.
 *	  "lmdb:/path"     key lookup of the (lower-cased) value in an mxguard
 *	                   LMDB store file; the stored value is returned in
 *	                   result_r. For a name "a.b.example" the keys
 *	                   "a.b.example", ".b.example", ".example" are tried in
 *	                   that order (Postfix style: a ".domain" key covers the
 *	                   subdomains). Addresses are looked up in canonical
 *	                   form. The file must exist; values are written with
 *	                   the store interface (8-byte expiry header).
 *	  "redis:COMMAND"  e.g. "SMEMBERS relay_from_ips", "SISMEMBER set $value",
 *	                   "HGET $value domain", "GET key". The command is split
 *	                   at white space; "$value" inside an argument is replaced
 *	                   by the looked-up value, which stays inside that ONE
 *	                   argument (binary safe: no injection through spaces or
 *	                   CRLF). The reply decides:
 *	                     integer      match when non-zero (SISMEMBER, EXISTS)
 *	                     nil          no match
 *	                     string       with $value: match (HGET, GET), the
 *	                                  string is the result; without $value:
 *	                                  the string is one entry, matched as below
 *	                     array        each member is an entry (CIDRs, "*.dom"
 *	                                  and "!x" work); sets have no order, so
 *	                                  a matching "!x" wins over any positive
 *	                                  member; a member that is no valid
 *	                                  entry must equal the value exactly
 *	                   The server comes from env->redis (a shared store, not
 *	                   owned by the list) or env->redis_spec (the list opens its
 *	                   own); without either a redis: list is a config error.
 *	  "inline:a,b,c"   entries separated by commas (also list_new_inline()).
 *	Entries (list_entry_parse): an IP address or CIDR (matches addresses
 *	inside), "*.domain" (subdomains only), ".domain" (the domain and its
 *	subdomains), a domain or word (case-insensitive exact), an address
 *	"local@domain"; "!entry" negates. First match wins; a negated match
 *	means "no match". CIDR entries match only address values, name
 *	entries only non-address values.
 *
 *	Lists are shared by threads; lookups take no lock for inline lists
 *	and a short mutex for file lists (swap of a reference-counted snapshot).
 *	list_new() is list_open() without an environment; it logs the detailed
 *	reason with msg_warn and gives a short static one in *why_r.
 * DIAGNOSTICS
 *	list_lookup: 1 match, 0 no match, -1 temporary failure (a dead Redis,
 *	an LMDB error: never a silent "no match").
 *	list_open/list_new/list_new_inline: NULL on error (reasons appended to
 *	*why_r / *errors_r, one line each, "list NAME: ...").
 *	list_entry_parse: 0 ok, -1 with *why_r.
 */
#ifndef MXG_POLICY_LISTS_H
#define MXG_POLICY_LISTS_H
#include <stddef.h>
#include <time.h>
#include "util/buf.h"
#include "util/cidr.h"

struct store;

enum list_entry_kind { LIST_E_CIDR, LIST_E_DOMAIN, LIST_E_SUBDOMAINS, LIST_E_DOMAIN_TREE, LIST_E_WORD };

struct list_entry {
    enum list_entry_kind kind;
    int negate;
    struct cidr net;		/* LIST_E_CIDR */
    char *text;			/* lower-cased domain/word, no leading "*." or "." */
};

/* A looked-up value, normalized once (lower case, no trailing dot). */
struct list_value {
    char *text;
    size_t len;
    int is_addr;
    struct cidr addr;		/* when is_addr */
};

/* Where lists find shared services. */
struct list_env {
    struct store *redis;	/* shared Redis store (not owned), or NULL */
    const char *redis_spec;	/* "redis:host:port/db?..." when redis is NULL */
};

struct list;

struct list *list_open(const char *name, const char *spec, const struct list_env *env,
		       struct buf *why_r);
struct list *list_new(const char *name, const char *spec, const char **why_r);
struct list *list_new_inline(const char *name, const char *const *items, size_t n,
			     struct buf *errors_r);
void list_free(struct list **lp);
int list_lookup(struct list *l, const char *value, struct buf *result_r);
const char *list_name(const struct list *l);
void list_set_clock(struct list *l, time_t (*now)(void *ctx), void *ctx);

int list_entry_parse(const char *line, struct list_entry *e, const char **why_r);
void list_entry_clear(struct list_entry *e);
int list_value_init(struct list_value *v, const char *value);
void list_value_clear(struct list_value *v);
int list_entry_match(const struct list_entry *e, const struct list_value *v);

#endif
