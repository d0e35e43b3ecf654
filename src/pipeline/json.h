/*
 * NAME
 *	json - JSON string output for `mxguard check --json` and events
 * SYNOPSIS
 *	#include "pipeline/json.h"
 *
 *	void pipeline_json_str(struct buf *out, const char *s, size_t len);
 *	void pipeline_json_cstr(struct buf *out, const char *s);
 * DESCRIPTION
 *	pipeline_json_str appends s (len bytes, NUL bytes allowed) as one
 *	JSON string, quotes included: '"' and '\' escaped, control
 *	characters (and DEL) as \n, \r, \t or \u00XX, valid UTF-8 copied,
 *	and every byte that is not part of a valid UTF-8 sequence
 *	(overlong forms, surrogates, code points over U+10FFFF, cut
 *	sequences) as U+FFFD, so the output is always valid JSON text in
 *	valid UTF-8 whatever the input. pipeline_json_cstr takes a C
 *	string; NULL is written as null.
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	RFC 8259 7 (strings), RFC 3629 3 (UTF-8 syntax).
 */
#ifndef MXG_PIPELINE_JSON_H
#define MXG_PIPELINE_JSON_H
#include <stddef.h>
#include "util/buf.h"

void pipeline_json_str(struct buf *out, const char *s, size_t len);
void pipeline_json_cstr(struct buf *out, const char *s);

#endif
