/*
 * NAME
 *	addr.c - RFC 5322 address lists (From, Sender, Reply-To, To, Cc)
 * DESCRIPTION
 *	See addr.h. Two passes: a lexer turns the value into tokens (atoms,
 *	quoted strings, domain literals, specials), skipping white space and
 *	nested comments; a small recursive-descent parser walks the tokens.
 *	No recursion depends on the input (comments are counted, not
 *	recursed), so hostile nesting cannot exhaust the stack.
 */
#include "config.h"
#include "mail/addr.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

enum tok_type { T_END, T_ATOM, T_QSTR, T_DLIT, T_SPECIAL };

struct tok {
    enum tok_type type;
    char    ch;			/* T_SPECIAL: one of < > @ , : ; . */
    const char *p;		/* raw text (quotes and brackets included) */
    size_t  len;
    int     ws;			/* white space or a comment came before */
};

struct parser {
    struct tok *t;
    size_t  n;
    size_t  cap;
    size_t  i;
    int     in_group;
    struct mail_addr_list *list;
    const char *why;
};

/* is_atext - RFC 5322 atext, plus UTF-8 octets (RFC 6532) */
static int is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	|| (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL) || c >= 0x80;
}

/* skip_cfws - skip white space and nested comments; -1 on an unterminated one */
static int skip_cfws(const char *s, size_t len, size_t *pos, const char **why_r)
{
    size_t i = *pos, depth = 0;

    while (i < len) {
	char c = s[i];

	if (depth == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
	    i++;
	} else if (c == '(') {
	    depth++;
	    i++;
	} else if (depth > 0 && c == ')') {
	    depth--;
	    i++;
	} else if (depth > 0 && c == '\\') {
	    i += (i + 1 < len) ? 2 : 1;
	} else if (depth > 0) {
	    i++;
	} else {
	    break;
	}
    }
    *pos = i;
    if (depth > 0) {
	*why_r = "unterminated comment";
	return -1;
    }
    return 0;
}

/* scan_delimited - end of a quoted string or domain literal starting at pos */
static int scan_delimited(const char *s, size_t len, size_t *pos, char close,
			  const char **why_r)
{
    for (size_t i = *pos + 1; i < len; i++) {
	if (s[i] == '\\')
	    i++;
	else if (s[i] == close) {
	    *pos = i + 1;
	    return 0;
	} else if (close == ']' && (s[i] == '[')) {
	    break;
	} else if (s[i] == 0) {
	    break;
	}
    }
    *why_r = close == '"' ? "unterminated quoted string" : "unterminated domain literal";
    return -1;
}

/* push - append a token */
static void push(struct parser *ps, enum tok_type type, const char *p, size_t len, int ws)
{
    if (ps->n == ps->cap) {
	ps->cap = ps->cap ? ps->cap * 2 : 16;
	ps->t = xrealloc(ps->t, ps->cap * sizeof(*ps->t));
    }
    ps->t[ps->n].type = type;
    ps->t[ps->n].ch = type == T_SPECIAL ? *p : 0;
    ps->t[ps->n].p = p;
    ps->t[ps->n].len = len;
    ps->t[ps->n].ws = ws;
    ps->n++;
}

/* lex - tokenize the whole value, ending with a T_END token */
static int lex(struct parser *ps, const char *s, size_t len)
{
    size_t i = 0;

    for (;;) {
	size_t start = i;

	if (skip_cfws(s, len, &i, &ps->why) < 0)
	    return -1;
	int ws = i > start;

	start = i;
	if (i >= len) {
	    push(ps, T_END, s + len, 0, ws);
	    return 0;
	}
	unsigned char c = (unsigned char) s[i];

	if (is_atext(c)) {
	    while (i < len && is_atext((unsigned char) s[i]))
		i++;
	    push(ps, T_ATOM, s + start, i - start, ws);
	} else if (c == '"' || c == '[') {
	    if (scan_delimited(s, len, &i, c == '"' ? '"' : ']', &ps->why) < 0)
		return -1;
	    push(ps, c == '"' ? T_QSTR : T_DLIT, s + start, i - start, ws);
	} else if (strchr("<>@,:;.", c) != NULL && c != 0) {
	    push(ps, T_SPECIAL, s + i++, 1, ws);
	} else {
	    ps->why = c == ')' ? "unbalanced parenthesis" : "invalid character";
	    return -1;
	}
    }
}

/* is_special - is the current token the special character ch? */
static int is_special(const struct parser *ps, char ch)
{
    return ps->t[ps->i].type == T_SPECIAL && ps->t[ps->i].ch == ch;
}

/* is_word - atom or quoted string (RFC 5322 word) */
static int is_word(const struct tok *t)
{
    return t->type == T_ATOM || t->type == T_QSTR;
}

/* decode_word - append a word without quotes and quoted-pair backslashes */
static void decode_word(struct buf *out, const struct tok *t)
{
    if (t->type != T_QSTR) {
	buf_append(out, t->p, t->len);
	return;
    }
    for (size_t k = 1; k + 1 < t->len; k++) {
	if (t->p[k] == '\\' && k + 2 < t->len)
	    k++;
	if (t->p[k] != '\r' && t->p[k] != '\n')
	    buf_putc(out, t->p[k]);
    }
}

/* phrase_end - index after the words (and obsolete dots) starting at i */
static size_t phrase_end(const struct parser *ps, size_t i)
{
    while (is_word(ps->t + i) || (ps->t[i].type == T_SPECIAL && ps->t[i].ch == '.'))
	i++;
    return i;
}

/* phrase_text - display name of tokens [from, to), NULL if empty */
static char *phrase_text(const struct parser *ps, size_t from, size_t to)
{
    struct buf out = BUF_INIT;

    for (size_t k = from; k < to; k++) {
	if (k > from && ps->t[k].ws)
	    buf_putc(&out, ' ');
	decode_word(&out, ps->t + k);
    }
    return out.len ? buf_steal(&out) : (buf_free(&out), NULL);
}

/* add_mailbox - append a mailbox to the list; takes ownership of the strings */
static void add_mailbox(struct parser *ps, char *display, char *local, char *domain,
			int literal)
{
    struct mail_addr_list *list = ps->list;
    struct mail_mailbox *mb;

    list->mb = xrealloc(list->mb, (list->count + 1) * sizeof(*list->mb));
    mb = list->mb + list->count++;
    mb->display = display;
    mb->local = local;
    mb->domain = domain;
    mb->literal = literal;
}

/* parse_local - local-part tokens [from, to): words and dots, raw text */
static char *parse_local(const struct parser *ps, size_t from, size_t to)
{
    struct buf out = BUF_INIT;

    for (size_t k = from; k < to; k++)
	buf_append(&out, ps->t[k].p, ps->t[k].len);
    return buf_steal(&out);
}

/* parse_domain - domain after "@": dot-atom (obsolete CFWS allowed) or literal */
static int parse_domain(struct parser *ps, char **domain_r, int *literal_r)
{
    struct buf raw = BUF_INIT;
    int ret;

    *literal_r = 0;
    if (ps->t[ps->i].type == T_DLIT) {
	*domain_r = xstrndup(ps->t[ps->i].p, ps->t[ps->i].len);
	*literal_r = 1;
	ps->i++;
	return 0;
    }
    while (ps->t[ps->i].type == T_ATOM) {
	buf_append(&raw, ps->t[ps->i].p, ps->t[ps->i].len);
	ps->i++;
	if (!is_special(ps, '.'))
	    break;
	buf_putc(&raw, '.');
	ps->i++;
    }
    if (raw.len == 0) {
	ps->why = "missing domain after @";
	ret = -1;
    } else {
	ret = mail_domain_normalize(raw.data, raw.len, domain_r, &ps->why);
    }
    buf_free(&raw);
    return ret;
}

/* skip_route - obsolete source route "@a,@b:" before an addr-spec */
static int skip_route(struct parser *ps)
{
    char *dom;
    int literal;

    while (is_special(ps, '@') || is_special(ps, ',')) {
	if (is_special(ps, ',')) {
	    ps->i++;
	    continue;
	}
	ps->i++;
	if (parse_domain(ps, &dom, &literal) < 0) {
	    ps->why = "invalid source route";
	    return -1;
	}
	xfreep(&dom);
    }
    if (!is_special(ps, ':')) {
	ps->why = "invalid source route";
	return -1;
    }
    ps->i++;
    return 0;
}

/* parse_addr_spec - local-part ["@" domain] at the current token */
static int parse_addr_spec(struct parser *ps, char *display, int need_domain)
{
    size_t from = ps->i, to = phrase_end(ps, from);
    char *domain = NULL;
    int literal = 0;

    if (to == from) {
	ps->why = is_special(ps, '>') ? "empty angle address" : "missing local-part";
	free(display);
	return -1;
    }
    for (size_t k = from + 1; k < to; k++) {
	if (is_word(ps->t + k) && is_word(ps->t + k - 1)) {
	    ps->why = is_special(ps, '@') ? "invalid local-part" : "missing @domain";
	    free(display);
	    return -1;
	}
    }
    ps->i = to;
    if (is_special(ps, '@')) {
	ps->i++;
	if (parse_domain(ps, &domain, &literal) < 0) {
	    free(display);
	    return -1;
	}
    } else if (need_domain || to - from != 1 || ps->t[from].type != T_ATOM) {
	ps->why = "missing @domain";
	free(display);
	return -1;
    }
    add_mailbox(ps, display, parse_local(ps, from, to), domain, literal);
    return 0;
}

/* parse_angle - "<" [route] addr-spec ">" with its display name */
static int parse_angle(struct parser *ps, char *display)
{
    ps->i++;					/* "<" */
    if (is_special(ps, '@') && skip_route(ps) < 0) {
	free(display);
	return -1;
    }
    if (parse_addr_spec(ps, display, 0) < 0)
	return -1;
    if (!is_special(ps, '>')) {
	ps->why = ps->t[ps->i].type == T_END ? "unterminated angle address"
	    : "unexpected text in angle address";
	return -1;
    }
    ps->i++;
    return 0;
}

static int parse_address(struct parser *ps);

/* parse_group - display-name ":" [mailbox-list] ";" */
static int parse_group(struct parser *ps)
{
    ps->i++;					/* ":" */
    ps->list->groups++;
    ps->in_group = 1;
    for (;;) {
	if (is_special(ps, ',')) {
	    ps->i++;
	    continue;
	}
	if (is_special(ps, ';')) {
	    ps->i++;
	    ps->in_group = 0;
	    return 0;
	}
	if (ps->t[ps->i].type == T_END) {
	    ps->why = "unterminated group";
	    return -1;
	}
	if (parse_address(ps) < 0)
	    return -1;
	if (!is_special(ps, ',') && !is_special(ps, ';')) {
	    ps->why = "unexpected text after address in group";
	    return -1;
	}
    }
}

/* parse_address - one mailbox or group at the current token */
static int parse_address(struct parser *ps)
{
    size_t from = ps->i, to = phrase_end(ps, from);
    const struct tok *next = ps->t + to;

    if (next->type == T_SPECIAL && next->ch == '<') {
	ps->i = to;
	return parse_angle(ps, phrase_text(ps, from, to));
    }
    if (next->type == T_SPECIAL && next->ch == ':') {
	if (ps->in_group) {
	    ps->why = "nested group";
	    return -1;
	}
	if (to == from) {
	    ps->why = "group without a name";
	    return -1;
	}
	ps->i = to;
	return parse_group(ps);
    }
    if (to == from) {
	ps->why = next->type == T_END ? "empty address" : "unexpected character";
	return -1;
    }
    return parse_addr_spec(ps, NULL, 0);
}

/* mail_addr_list_parse - parse an RFC 5322 address-list */
int mail_addr_list_parse(const char *s, size_t len, struct mail_addr_list **list_r,
			 const char **why_r)
{
    struct parser ps;

    memset(&ps, 0, sizeof(ps));
    ps.list = xcalloc(1, sizeof(*ps.list));
    *list_r = NULL;
    if (lex(&ps, s, len) < 0)
	goto fail;
    while (ps.t[ps.i].type != T_END) {
	if (is_special(&ps, ',')) {		/* obsolete empty element */
	    ps.i++;
	    continue;
	}
	if (parse_address(&ps) < 0)
	    goto fail;
	if (!is_special(&ps, ',') && ps.t[ps.i].type != T_END) {
	    ps.why = "unexpected text after address";
	    goto fail;
	}
    }
    if (ps.list->count == 0 && ps.list->groups == 0) {
	ps.why = "empty address list";
	goto fail;
    }
    free(ps.t);
    *list_r = ps.list;
    return 0;

  fail:
    free(ps.t);
    mail_addr_list_free(&ps.list);
    *why_r = ps.why;
    return -1;
}

/* mail_mailbox_clear - release the strings of one mailbox */
void mail_mailbox_clear(struct mail_mailbox *mb)
{
    xfreep(&mb->display);
    xfreep(&mb->local);
    xfreep(&mb->domain);
    mb->literal = 0;
}

/* mail_addr_list_free - release a list and its mailboxes */
void mail_addr_list_free(struct mail_addr_list **list_p)
{
    struct mail_addr_list *list = *list_p;

    if (list == NULL)
	return;
    for (size_t i = 0; i < list->count; i++)
	mail_mailbox_clear(list->mb + i);
    xfreep(&list->mb);
    xfreep(list_p);
}

/* mail_addr_from_domain - the one RFC5322.From domain DMARC uses, or why not */
int mail_addr_from_domain(const struct mail_hdrs *hdrs, char **domain_r, const char **why_r)
{
    const struct mail_hdr *from;
    struct mail_addr_list *list;
    const char *why;
    size_t n = mail_hdrs_count_name(hdrs, "From");

    *domain_r = NULL;
    if (n != 1) {
	*why_r = n == 0 ? "no From header" : "multiple From headers";
	return -1;
    }
    from = mail_hdrs_find(hdrs, "From", 0);
    if (mail_addr_list_parse(from->value, from->value_len, &list, &why) < 0) {
	*why_r = "unparsable From header";
	return -1;
    }
    if (list->count != 1)
	*why_r = list->count == 0 ? "no mailbox in From header"
	    : "multiple mailboxes in From header";
    else if (list->mb[0].domain == NULL)
	*why_r = "From mailbox has no domain";
    else if (list->mb[0].literal)
	*why_r = "From domain is an address literal";
    else {
	*domain_r = list->mb[0].domain;
	list->mb[0].domain = NULL;
    }
    mail_addr_list_free(&list);
    return *domain_r ? 0 : -1;
}
