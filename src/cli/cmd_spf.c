/*
 * NAME
 *	cmd_spf - `mxguard spf`: the SPF lookup from the command line
 * SYNOPSIS
 *	#include "cli/cli.h"
 *
 *	int cmd_spf(int argc, char **argv);
 * DESCRIPTION
 *	mxguard spf [-c FILE] [--guess] [--helo-identity] IP ADDRESS [HELO]
 *
 *	Evaluates SPF for the client IP and the MAIL FROM ADDRESS ("" for
 *	the null sender, which checks postmaster@HELO), through the
 *	configured resolver (dns.* of the config file) and time budget
 *	(spf.time_budget_ms). The first line is the result word (Exim's:
 *	pass, fail, softfail, neutral, none, permerror, temperror); then
 *	"explanation: " (fail), "problem: " (errors), "comment: " and
 *	"received-spf: " (unfolded) lines. --guess evaluates the spf.guess record when
 *	the domain publishes none (the result printed is then the best
 *	guess); --helo-identity checks the HELO name instead.
 * DIAGNOSTICS
 *	Exit 0 whatever the result; 2 for a usage error (bad IP, missing
 *	arguments); 1 when the config or the resolver cannot be loaded.
 * STANDARDS
 *	RFC 7208.
 */
#include "config.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "check/spf.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "util/buf.h"

static const char spf_usage[] =
    "usage: mxguard spf [-c FILE] [--guess] [--helo-identity] IP ADDRESS [HELO]\n"
    "  prints the SPF result word, then explanation:, problem:, comment: and\n"
    "  received-spf: lines. ADDRESS \"\" is the null sender (postmaster@HELO).\n"
    "  -c FILE          config file (dns.* settings, spf.guess, spf.time_budget_ms)\n"
    "  --guess          evaluate spf.guess when the domain publishes no record\n"
    "  --helo-identity  check the HELO name instead of ADDRESS\n"
    "exit status: 0 whatever the result, 2 usage, 1 config or resolver error.\n";

/* spf_print - the outcome, result word first */
static void spf_print(const struct spf_outcome *o)
{
    const char *p;

    printf("%s\n", spf_result_word(o->result));
    if (o->explanation)
	printf("explanation: %s\nexplanation-source: %s\n", o->explanation,
	       o->explanation_default ? "default" : "domain");
    if (o->problem)
	printf("problem: %s\n", o->problem);
    printf("comment: %s\n", o->header_comment);
    printf("%s: ", o->guessed ? "x-spf-guess" : "received-spf");
    for (p = o->received; *p; p++)		/* unfolded: one line */
	if (*p != '\n')
	    putchar(*p == '\t' ? ' ' : *p);
    putchar('\n');
}

/* cmd_spf - mxguard spf IP ADDRESS [HELO] */
int cmd_spf(int argc, char **argv)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'}, {"guess", no_argument, NULL, 'g'},
	{"helo-identity", no_argument, NULL, 'H'}, {"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
    };
    struct spf_request req;
    struct spf_outcome out;
    struct buf errs = BUF_INIT;
    struct conf *c = NULL;
    struct dns_resolver *r = NULL;
    const char *config = NULL, *why;
    int ch, guess = 0, ret = CLI_FAIL;

    memset(&req, 0, sizeof(req));
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:gHh", opts, NULL)) != -1) {
	switch (ch) {
	case 'c': config = optarg; break;
	case 'g': guess = 1; break;
	case 'H': req.identity = SPF_ID_HELO; break;
	case 'h': fputs(spf_usage, stdout); return CLI_OK;
	default: fputs(spf_usage, stderr); return CLI_USAGE;
	}
    }
    if (argc - optind < 2 || argc - optind > 3) {
	fputs(spf_usage, stderr);
	return CLI_USAGE;
    }
    req.ip = argv[optind];
    req.sender = argv[optind + 1];
    req.helo = argc - optind == 3 ? argv[optind + 2] : NULL;
    if ((c = conf_open(config, &errs)) == NULL) {
	fputs(buf_str(&errs), stderr);
	buf_free(&errs);
	return CLI_FAIL;
    }
    req.time_budget_ms = (int) conf_int(c, "spf.time_budget_ms");
    req.guess = guess ? conf_str(c, "spf.guess") : NULL;
    if ((r = dns_resolver_from_conf(c, &why)) == NULL) {
	fprintf(stderr, "mxguard spf: resolver: %s\n", why);
    } else if (spf_eval(r, &req, &out, &why) < 0) {
	fprintf(stderr, "mxguard spf: %s\n%s", why, spf_usage);
	ret = CLI_USAGE;
    } else {
	spf_print(&out);
	spf_outcome_free(&out);
	ret = CLI_OK;
    }
    dns_resolver_free(&r);
    conf_unref(&c);
    buf_free(&errs);
    return ret;
}
