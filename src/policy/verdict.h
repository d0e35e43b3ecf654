/*
 * NAME
 *	verdict - what to do with a connection, a recipient or a message
 * SYNOPSIS
 *	#include "policy/verdict.h"
 *
 *	void verdict_init(struct verdict *v);
 *	void verdict_clear(struct verdict *v);
 *	void verdict_reply(struct verdict *v, enum verdict_action action,
 *			   const char *text);
 *	void verdict_add_header(struct verdict *v, enum verdict_hdr_op op,
 *				const char *name, const char *value, int index);
 *	void verdict_move_headers(struct verdict *dst, struct verdict *src);
 *	void verdict_del_rcpt(struct verdict *v, const char *rcpt);
 *	void verdict_log(struct verdict *v, const char *line);
 *	const char *verdict_action_name(enum verdict_action a);
 * DESCRIPTION
 *	The one output of a stage of the pipeline: the rule engine fills it,
 *	the pipeline adds its own header changes (Authentication-Results,
 *	removal of forged ones), and a front end applies it: mxguardd with
 *	smfi_* calls, `mxguard check` by printing it.
 *
 *	action VERDICT_CONTINUE lets the stage pass; ACCEPT ends all checks
 *	for the message (headers still applied); REJECT/TEMPFAIL carry an
 *	SMTP reply: rcode ("550"), xcode ("5.7.1") and text, which may hold
 *	several lines separated by '\n' (sent as a multi-line reply);
 *	verdict_reply() fills defaults ("550 5.7.1 Rejected by policy",
 *	"451 4.7.1 Try again later") and splits "550 5.7.1 text" given in a
 *	rule message; a reply code of the wrong class is replaced (a
 *	reject never answers 4xx). DISCARD accepts and drops the message;
 *	QUARANTINE accepts it onto the MTA's hold queue with reason
 *	(quarantine_reason). Header operations are kept in order; index is
 *	the position for VERDICT_HDR_INSERT (0 = top) and the occurrence
 *	(1-based, of that name) for VERDICT_HDR_REMOVE/CHANGE; index 0 with
 *	VERDICT_HDR_REMOVE removes every occurrence (what a rule's
 *	remove_header means).
 *
 *	Reply text is cleaned by verdict_reply(): CR and other control
 *	characters become spaces, trailing blanks go, each line is cut to
 *	VERDICT_LINE_MAX bytes (an SMTP reply line is 512 octets with the
 *	codes and CRLF; cuts never split a UTF-8 sequence) and at most
 *	VERDICT_MAX_LINES lines are kept (libmilter's multi-line limit). An
 *	unparsable code prefix is kept as text and the defaults apply. A
 *	quarantine reason is one cleaned line. A later verdict_reply()
 *	replaces the earlier reply. verdict_log() lines are cleaned the same
 *	way and cut to VERDICT_LOG_MAX bytes.
 *	Warnings (the "warn" verb) only log and add headers: they never set
 *	the action.
 * DIAGNOSTICS
 *	None: all functions succeed (allocation failure is fatal).
 */
#ifndef MXG_POLICY_VERDICT_H
#define MXG_POLICY_VERDICT_H
#include <stddef.h>

#define VERDICT_LINE_MAX	496	/* 512 - "550-5.999.999 " - CRLF */
#define VERDICT_MAX_LINES	32	/* smfi_setmlreply's limit */
#define VERDICT_LOG_MAX		1000

enum verdict_action { VERDICT_CONTINUE, VERDICT_ACCEPT, VERDICT_REJECT, VERDICT_TEMPFAIL,
    VERDICT_DISCARD, VERDICT_QUARANTINE };

enum verdict_hdr_op { VERDICT_HDR_ADD, VERDICT_HDR_INSERT, VERDICT_HDR_REMOVE,
    VERDICT_HDR_CHANGE };

struct verdict_hdr {
    enum verdict_hdr_op op;
    char *name;
    char *value;		/* NULL for REMOVE */
    int index;
};

struct verdict {
    enum verdict_action action;
    char rcode[4];		/* "550"; "" when no reply */
    char xcode[12];		/* "5.7.1"; "" when none */
    char *text;			/* reply text, '\n' between lines */
    char *quarantine_reason;
    char *rule;			/* "FILE:LINE" of the deciding rule, for logs */
    struct verdict_hdr *hdrs;
    size_t nhdrs, hdrs_cap;
    char **del_rcpts;
    size_t ndel_rcpts, del_cap;
    char **logs;		/* log_message lines, in order */
    size_t nlogs, logs_cap;
};

void verdict_init(struct verdict *v);
void verdict_clear(struct verdict *v);
void verdict_reply(struct verdict *v, enum verdict_action action, const char *text);
void verdict_add_header(struct verdict *v, enum verdict_hdr_op op, const char *name,
			const char *value, int index);
void verdict_move_headers(struct verdict *dst, struct verdict *src);
void verdict_del_rcpt(struct verdict *v, const char *rcpt);
void verdict_log(struct verdict *v, const char *line);
const char *verdict_action_name(enum verdict_action a);

#endif
