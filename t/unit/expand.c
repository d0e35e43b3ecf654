/*
 * t/unit/expand.c - $variable templates: syntax, unknown variables,
 * stages, hostile values, caps
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/expand.h"
#include "t/tap.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char *const words[] = {"pass", "fail", NULL};
static const struct fact_def defs[] = {
    {"spf", FACT_WORD, FACT_STAGE_MAIL, words, "x"},
    {"dmarc_used_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL, "x"},
};
static const struct fact_table tab = {"test", defs, 2};
static const struct fact_table *const tables[] = {&fact_table_core, &tab, NULL};

/* expand - compile at stage and expand over f with flags and max; "ERR: why" on errors */
static char *expand(const char *text, enum fact_stage stage, const struct facts *f,
		    unsigned flags, size_t max)
{
    struct buf why = BUF_INIT, out = BUF_INIT;
    struct expand_tmpl *t = expand_compile(text, tables, stage, &why);
    char *r;

    if (t == NULL) {
	r = xasprintf("ERR: %s", buf_str(&why));
    } else {
	expand_run(t, f, flags, max, &out);
	r = xstrdup(buf_str(&out));
    }
    expand_free(&t);
    buf_free(&why);
    buf_free(&out);
    return r;
}

#define T(text, stage, flags, max, want, name) do { \
	char *got = expand(text, stage, f, flags, max); \
	is_str(got, want, name); free(got); } while (0)

int main(void)
{
    struct facts *f = facts_alloc();
    const enum fact_stage D = FACT_STAGE_DATA;

    msg_open("test_expand", MSG_STDERR, 0);
    facts_set(f, FACT_MSG, "spf", "fail");
    facts_set(f, FACT_MSG, "dmarc_used_domain", "bank.example");
    facts_set(f, FACT_MSG, "sender_address", "a@b\r\nRCPT TO:<x>\x01\x7f");
    facts_set(f, FACT_MSG, "acl_m_u", "\xc3\xa9\xc3\xa9");

    T("plain text", D, 0, 100, "plain text", "literal text stays");
    T("spf=$spf.", D, 0, 100, "spf=fail.", "$name stops at a non-name character");
    T("${spf}x", D, 0, 100, "failx", "${name} glues text after it");
    T("$$spf costs $$5", D, 0, 100, "$spf costs $5", "$$ is a literal dollar");
    T("[$acl_m_unset]", D, 0, 100, "[]", "an unset variable expands to nothing");
    T("[$authserv_id]", D, 0, 100, "[]", "an unset core fact expands to nothing");
    T("$nosuch", D, 0, 100, "ERR: unknown variable $nosuch", "an unknown variable is an error");
    T("$spfx", D, 0, 100, "ERR: unknown variable $spfx", "names are as long as possible");
    T("cost $", D, 0, 100, "ERR: \"$\" is not followed by a variable name (write $$ for a dollar sign)",
      "a lone $ is an error");
    T("$5", D, 0, 100, "ERR: \"$\" is not followed by a variable name (write $$ for a dollar sign)",
      "a name cannot start with a digit");
    T("${spf", D, 0, 100, "ERR: unterminated ${", "an unterminated ${ is an error");
    T("${s-f}", D, 0, 100, "ERR: bad character in ${...} variable name", "a bad character in ${} is an error");
    T("$dmarc_used_domain", FACT_STAGE_RCPT, 0, 100,
      "ERR: variable $dmarc_used_domain is not known before the data stage",
      "a variable known only at a later stage is an error");
    T("$spf", FACT_STAGE_MAIL, 0, 100, "fail", "a variable of the stage itself is fine");
    T("<$sender_address>", D, 0, 100, "<a@b  RCPT TO:<x>  >",
      "CR, LF and control characters in values become spaces");
    T("a\nb $sender_address", D, EXPAND_KEEP_NL, 100, "a\nb a@b  RCPT TO:<x>  ",
      "EXPAND_KEEP_NL keeps literal newlines, never a value's");
    T("a\nb", D, 0, 100, "a b", "without it a literal newline is a space too");
    T("0123456789$spf", D, 0, 12, "0123456789fa", "the output is capped");
    T("x$acl_m_u", D, 0, 4, "x\xc3\xa9", "a cap never splits a UTF-8 sequence");

    struct buf why = BUF_INIT;
    struct expand_tmpl *t = expand_compile("$spf and $acl_m_u", tables, D, &why);
    ok(t && expand_var_count(t) == 2 && strcmp(expand_source(t), "$spf and $acl_m_u") == 0,
       "a template knows its source and its variables");
    expand_free(&t);
    ok(t == NULL, "expand_free NULLs the pointer");
    buf_free(&why);
    facts_free(&f);
    return done_testing();
}
