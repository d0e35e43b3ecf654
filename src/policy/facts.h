/*
 * NAME
 *	facts - what the checks found out about a connection and a message
 * SYNOPSIS
 *	#include "policy/facts.h"
 *
 *	struct fact_def { name, kind, stage, words, doc };
 *	const struct fact_def *fact_def_find(const struct fact_table *const *tables,
 *					     const char *name);
 *	extern const struct fact_table fact_table_core;
 *	const char *fact_stage_name(enum fact_stage stage);
 *
 *	struct facts *facts_alloc(void);
 *	void facts_free(struct facts **fp);
 *	void facts_set(struct facts *f, enum fact_scope scope, const char *name,
 *		       const char *value);
 *	void facts_setf(struct facts *f, enum fact_scope scope, const char *name,
 *			const char *fmt, ...);
 *	const char *facts_get(const struct facts *f, const char *name);
 *	void facts_reset_msg(struct facts *f);
 *	void facts_each(const struct facts *f,
 *			void (*fn)(void *ctx, const char *name, const char *value),
 *			void *ctx);
 * DESCRIPTION
 *	A fact is a named string: a check result word ("spf" = "fail"), a
 *	variable for messages and headers ("spf_smtp_comment",
 *	"dmarc_used_domain", "sender_host_address") or a per-message rule
 *	variable ("acl_m_foo"). Rules test facts as conditions and expand
 *	them as $variables; `mxguard check --json` prints them all.
 *
 *	Which facts exist is declared statically: each check module (and the
 *	pipeline core for connection/envelope facts) has a fact_table, an
 *	array of fact_def. Rule parsing uses the tables to reject unknown
 *	conditions and variables, result words a fact can never have (a
 *	typo such as spf = "pas") and conditions tested before the stage
 *	where the fact is known (dmarc_status at the rcpt stage). Adding a
 *	check therefore never touches the rule engine. Names starting with
 *	"acl_m_" are always valid variables (set by rules).
 *
 *	fact_table_core (facts.c) declares the connection and envelope
 *	facts the pipeline sets: sender_host_address, sender_host_name,
 *	sender_host_port, sender_helo_name, authenticated, authenticated_id,
 *	trusted, tls_version, sender_address, sender_address_domain,
 *	recipient, recipient_domain (rcpt stage), recipients (comma
 *	separated), message_size, queue_id, authserv_id. The rule engine
 *	always knows it; check modules declare their own tables. Booleans
 *	are set as "yes" / "no".
 *
 *	A struct facts belongs to one connection and is used by one thread.
 *	FACT_CONN facts live until the connection closes, FACT_MSG facts
 *	until facts_reset_msg() (end of message, abort). Setting a fact
 *	again replaces its value; setting NULL removes it. facts_each visits
 *	facts in the order they were first set. A temporary failure is the value
 *	"temperror" (never a missing fact, never "pass").
 * DIAGNOSTICS
 *	facts_get: NULL when the fact was not set.
 *	fact_def_find: NULL when no table declares the name.
 *	fact_stage_name: "connect", "helo", "mail", "rcpt" or "data".
 */
#ifndef MXG_POLICY_FACTS_H
#define MXG_POLICY_FACTS_H
#include <stddef.h>

enum fact_kind {
    FACT_WORD,			/* one word out of def->words (a result) */
    FACT_BOOL,			/* "yes" / "no" */
    FACT_TEXT,			/* free text: a variable, matched literally */
    FACT_ADDR,			/* an IP address: lists and CIDRs match it */
    FACT_DOMAIN,		/* a domain: lists and "*.dom" match it */
};

enum fact_stage { FACT_STAGE_CONNECT, FACT_STAGE_HELO, FACT_STAGE_MAIL,
    FACT_STAGE_RCPT, FACT_STAGE_DATA };

enum fact_scope { FACT_CONN, FACT_MSG };

struct fact_def {
    const char *name;
    enum fact_kind kind;
    enum fact_stage stage;	/* earliest stage where it is known */
    const char *const *words;	/* FACT_WORD: NULL-terminated */
    const char *doc;		/* one line for mxguard.conf(5) */
};

struct fact_table {
    const char *owner;		/* "core", "spf", ... */
    const struct fact_def *defs;
    size_t count;
};

const struct fact_def *fact_def_find(const struct fact_table *const *tables, const char *name);
extern const struct fact_table fact_table_core;
const char *fact_stage_name(enum fact_stage stage);

struct facts;

struct facts *facts_alloc(void);
void facts_free(struct facts **fp);
void facts_set(struct facts *f, enum fact_scope scope, const char *name, const char *value);
void facts_setf(struct facts *f, enum fact_scope scope, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *facts_get(const struct facts *f, const char *name);
void facts_reset_msg(struct facts *f);
void facts_each(const struct facts *f, void (*fn)(void *ctx, const char *name, const char *value),
		void *ctx);

#endif
