/*
 * NAME
 *	cmd_dmarc_report - mxguard dmarc-report: send the DMARC aggregate reports of a day
 * SYNOPSIS
 *	mxguard dmarc-report [-c FILE] [--date YYYY-MM-DD] [--dry-run] [--out DIR]
 * DESCRIPTION
 *	Reads the DMARC history that mxguardd appended to the store
 *	(store.redis when set, else store.lmdb) for one UTC day (default:
 *	yesterday), builds one aggregate report per policy domain
 *	(src/dmarc/report.c), and sends it to each rua= address of the
 *	domain's policy that may receive it, through dmarc.report.sendmail,
 *	in the format of dmarc.report.format (RFC 7489 or RFC 9990).
 *	--dry-run sends nothing and changes no state; --out DIR keeps the
 *	gzip files. Running it again for the same day sends nothing twice.
 *	Meant for a daily timer (contrib/dmarc-report.timer, contrib/dmarc-report.cron).
 * DIAGNOSTICS
 *	Exit 0 when every report was handled, 1 when something failed or
 *	was deferred (run again later: what was sent is not sent again),
 *	2 for a usage error.
 * STANDARDS
 *	RFC 7489 7.2.
 */
#include "config.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check/dmarc.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "dmarc/report.h"
#include "dns/dns.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char dmarc_report_usage[] =
    "usage: mxguard dmarc-report [-c FILE] [--date YYYY-MM-DD] [--dry-run] [--out DIR]\n"
    "  -c, --config FILE  the configuration file (default /etc/mxguard/mxguard.conf)\n"
    "      --date DAY     the UTC day to report (default: yesterday)\n"
    "      --dry-run      build the reports and say what would be sent; send nothing\n"
    "      --out DIR      keep each report file (receiver!domain!begin!end!id.xml.gz) in DIR\n"
    "Exit status: 0 done, 1 something failed or was deferred, 2 usage.\n";

/* day_range - the first and last second of a UTC day; -1 if not YYYY-MM-DD */
static int day_range(const char *day, time_t *begin_r, time_t *end_r)
{
    struct tm tm;
    char   *end;

    memset(&tm, 0, sizeof(tm));
    if (strlen(day) != 10 || (end = strptime(day, "%Y-%m-%d", &tm)) == NULL || *end)
	return -1;
    *begin_r = timegm(&tm);
    *end_r = *begin_r + 86399;
    return 0;
}

/* open_store - store.redis when set, else store.lmdb */
static struct store *open_store(const struct conf *c, const char **why_r)
{
    const char *redis = conf_str(c, "store.redis"), *pw = conf_str(c, "store.redis_password");
    long long ms = conf_int(c, "store.redis_timeout_ms");
    struct store *s;
    char   *spec;

    if (*redis == 0)
	return store_open_lmdb(conf_str(c, "store.lmdb"),
			       (size_t) conf_int(c, "store.lmdb_map_size_mb"), why_r);
    spec = xasprintf("redis:%s?connect_timeout_ms=%lld&timeout_ms=%lld%s%s", redis, ms, ms,
		     *pw ? "&password=" : "", pw);
    s = store_open(spec, why_r);
    memset(spec, 0, strlen(spec));
    free(spec);
    return s;
}

/* report_opts - the report settings of a config; -1 with a message */
static int report_opts(const struct conf *c, struct dmarc_report_opts *o, char **recv_r)
{
    const char *email = conf_str(c, "dmarc.report.email"), *at = strrchr(email, '@');

    if (*email == 0 || at == NULL || at[1] == 0) {
	fprintf(stderr, "mxguard dmarc-report: dmarc.report.email must be an address "
		"(the From: of the reports)\n");
	return -1;
    }
    *recv_r = xstrdup(at + 1);
    o->email = email;
    o->receiver = *recv_r;
    o->org_name = *conf_str(c, "dmarc.report.org_name") ? conf_str(c, "dmarc.report.org_name")
	: *conf_str(c, "milter.authserv_id") ? conf_str(c, "milter.authserv_id") : *recv_r;
    o->sendmail = conf_str(c, "dmarc.report.sendmail");
    o->rfc9990 = strcmp(conf_str(c, "dmarc.report.format"), "rfc9990") == 0;
    return 0;
}

/* report_go - open what the run needs and run it */
static int report_go(const struct conf *c, struct dmarc_report_opts *o)
{
    const char *why = NULL;
    char   *pwhy = NULL;
    struct store *s = open_store(c, &why);
    struct dns_resolver *res;
    struct dmarc_psl *psl;
    int     rc;

    if (s == NULL) {
	fprintf(stderr, "mxguard dmarc-report: store: %s\n", why);
	return CLI_FAIL;
    }
    if ((res = dns_resolver_from_conf(c, &why)) == NULL) {
	fprintf(stderr, "mxguard dmarc-report: dns: %s\n", why);
	store_close(&s);
	return CLI_FAIL;
    }
    if ((psl = dmarc_psl_load(conf_str(c, "dmarc.psl"), &pwhy)) == NULL) {
	fprintf(stderr, "mxguard dmarc-report: dmarc.psl: %s: %s\n", conf_str(c, "dmarc.psl"),
		pwhy);
	free(pwhy);
	dns_resolver_free(&res);
	store_close(&s);
	return CLI_FAIL;
    }
    rc = dmarc_report_run(s, res, psl, o) == 0 ? CLI_OK : CLI_FAIL;
    dmarc_psl_free(&psl);
    dns_resolver_free(&res);
    store_close(&s);
    return rc;
}

/* cmd_dmarc_report - the command */
int cmd_dmarc_report(int argc, char **argv)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'}, {"date", required_argument, NULL, 'd'},
	{"dry-run", no_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *path = MXG_DEFAULT_CONFIG, *day = NULL;
    struct dmarc_report_opts o = {0};
    struct buf errs = BUF_INIT;
    struct conf *c;
    char    yday[16], *recv = NULL;
    int     ch, rc;

    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
	switch (ch) {
	case 'c': path = optarg; break;
	case 'd': day = optarg; break;
	case 'n': o.dry_run = 1; break;
	case 'o': o.out_dir = optarg; break;
	case 'h': fputs(dmarc_report_usage, stdout); return CLI_OK;
	default: fputs(dmarc_report_usage, stderr); return CLI_USAGE;
	}
    }
    if (day == NULL) {
	time_t  y = time(NULL) - 86400;
	struct tm tm;

	gmtime_r(&y, &tm);
	strftime(yday, sizeof(yday), "%Y-%m-%d", &tm);
	day = yday;
    }
    if (optind != argc || day_range(day, &o.begin, &o.end) != 0) {
	fputs(dmarc_report_usage, stderr);
	return CLI_USAGE;
    }
    o.day = day;
    if ((c = conf_open(path, &errs)) == NULL) {
	fputs(buf_str(&errs), stderr);
	buf_free(&errs);
	return CLI_FAIL;
    }
    buf_free(&errs);
    rc = report_opts(c, &o, &recv) == 0 ? report_go(c, &o) : CLI_FAIL;
    free(recv);
    conf_unref(&c);
    return rc;
}
