/*
 * NAME
 *	expand - $variable templates: compiled at config load, expanded per message
 * SYNOPSIS
 *	#include "policy/expand.h"
 *
 *	struct expand_tmpl *expand_compile(const char *text,
 *					   const struct fact_table *const *tables,
 *					   enum fact_stage stage, struct buf *why_r);
 *	void expand_free(struct expand_tmpl **tp);
 *	void expand_run(const struct expand_tmpl *t, const struct facts *f,
 *			unsigned flags, size_t max, struct buf *out);
 *	const char *expand_source(const struct expand_tmpl *t);
 *	size_t expand_var_count(const struct expand_tmpl *t);
 * DESCRIPTION
 *	A template is literal text with variables: "$name" (name made of
 *	letters, digits and '_', as long as possible) or "${name}" (to
 *	glue text after it); "$$" is a literal '$'. Every variable must be
 *	a fact some table in tables declares (fact_def_find), or an
 *	"acl_m_*" rule variable; a fact first known after stage is an error
 *	too (it would always be empty there). All of this is checked once
 *	by expand_compile(): the result is immutable and may be shared by
 *	threads.
 *
 *	expand_run() appends the expansion to *out. An unset fact expands
 *	to "". Values come from the outside world (a sender address, a
 *	header), so control characters in them (CR, LF, TAB, NUL... and
 *	DEL) always become spaces: a value can never start a new SMTP reply
 *	line or a new header. Literal text comes from the config and keeps
 *	'\n' only with EXPAND_KEEP_NL (multi-line SMTP replies); other
 *	control characters become spaces. At most max bytes are appended;
 *	a cut never splits a UTF-8 sequence.
 * DIAGNOSTICS
 *	expand_compile: NULL with one reason (no newline) in *why_r.
 */
#ifndef MXG_POLICY_EXPAND_H
#define MXG_POLICY_EXPAND_H
#include <stddef.h>
#include "policy/facts.h"
#include "util/buf.h"

#define EXPAND_KEEP_NL	(1u << 0)	/* literal '\n' stays (reply lines) */

struct expand_tmpl;

struct expand_tmpl *expand_compile(const char *text, const struct fact_table *const *tables,
				   enum fact_stage stage, struct buf *why_r);
void expand_free(struct expand_tmpl **tp);
void expand_run(const struct expand_tmpl *t, const struct facts *f, unsigned flags, size_t max,
		struct buf *out);
const char *expand_source(const struct expand_tmpl *t);
size_t expand_var_count(const struct expand_tmpl *t);

#endif
