/*
 * t/fuzz/conf_value.c - fuzz the config loader and its value parsers
 *
 * The input is a config file text. It goes through the whole load
 * (libconfig parse, validation against the key table). Properties:
 *  - a failed load explains itself: at least one error line, each
 *    "fuzz.conf:LINE: ..." and newline-terminated, none with control bytes;
 *  - a good load dumps to text that loads again, and dumping that gives
 *    the same text (the --dump round trip);
 *  - the individual value checks (sockets, servers, Redis, listeners,
 *    facilities, enum words, CIDRs) never crash on the raw input.
 * Inputs with @include are skipped: they would read arbitrary files.
 *
 * libconfig 1.5 (Debian 12) leaks the scanner's string buffer when a
 * syntax error interrupts a string (hyperrealm/libconfig#142, fixed in
 * 1.7 by #155); that one leak is suppressed here, nothing of ours.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* __lsan_default_suppressions - LeakSanitizer: ignore libconfig 1.5's own leak */
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\nleak:libconfig_yylex\nleak:libconfig_yyparse\n";
}

/* dump_text - conf_dump into a malloc'ed string, first line dropped */
static char *dump_text(const struct conf *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    if (fp == NULL)
	abort();
    conf_dump(c, fp);
    fclose(fp);
    char *nl = strchr(text, '\n');
    memmove(text, nl + 1, strlen(nl + 1) + 1);
    return text;
}

/* check_errors - every error line is well formed */
static void check_errors(const struct buf *errs)
{
    const char *p = buf_str(errs);

    if (*p == 0)
	abort();			/* a failed load must say why */
    while (*p) {
	const char *nl = strchr(p, '\n');
	if (nl == NULL || strncmp(p, "fuzz.conf:", 10) != 0)
	    abort();
	for (const char *q = p; q < nl; q++)
	    if ((unsigned char) *q < 0x20 && *q != '\t')
		abort();		/* hostile values must not forge lines */
	p = nl + 1;
    }
}

/* round_trip - dump, load the dump, dump again: same text */
static void round_trip(const struct conf *c)
{
    struct buf errs = BUF_INIT;
    char *d1 = dump_text(c);
    struct conf *c2 = conf_load_string(d1, "dump.conf", &errs);

    if (c2 == NULL) {
	fprintf(stderr, "dump does not load back:\n%s\n---\n%s", buf_str(&errs), d1);
	abort();
    }
    char *d2 = dump_text(c2);
    if (strcmp(d1, d2) != 0) {
	fprintf(stderr, "dump is not stable:\n%s\n---\n%s", d1, d2);
	abort();
    }
    free(d1);
    free(d2);
    conf_unref(&c2);
    buf_free(&errs);
}

/* check_values - the single-value parsers on the raw text */
static void check_values(const char *text)
{
    static const char *const words[] = { "no", "try", "require", NULL };
    const char *why = NULL;
    struct cidr net;

    (void) conf_check_milter_socket(text, &why);
    (void) conf_check_dns_server(text, &why);
    (void) conf_check_redis(text, &why);
    (void) conf_check_listen(text, &why);
    (void) conf_check_facility(text, &why);
    (void) conf_check_word(text, words);
    if (cidr_parse(text, &net, &why) < 0 && why == NULL)
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct buf errs = BUF_INIT;
    struct conf *c;

    if (text == NULL)
	return 0;
    memcpy(text, data, size);
    text[size] = 0;
    check_values(text);
    if (strstr(text, "@include") == NULL) {
	if ((c = conf_load_string(text, "fuzz.conf", &errs)) != NULL) {
	    if (errs.len != 0)
		abort();		/* success means no errors */
	    round_trip(c);
	    conf_unref(&c);
	} else {
	    check_errors(&errs);
	}
    }
    buf_free(&errs);
    free(text);
    return 0;
}
