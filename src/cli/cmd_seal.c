/*
 * NAME
 *	cmd_seal - mxguard seal: add an ARC set to a message file
 * SYNOPSIS
 *	mxguard seal [-c FILE] [--rcpt ADDR]... [MESSAGE | -]
 * DESCRIPTION
 *	Validates the message's ARC chain (keys through the config's DNS
 *	settings), then seals it as mxguardd's ARC module does: the key of
 *	the first --rcpt domain found in arc.key_table, else arc.seal's;
 *	the AAR from every Authentication-Results field carrying our
 *	authserv-id (milter.authserv_id, else the host name); the AMS over
 *	arc.signed_headers; arc.seal.options for t= and x=. Writes the
 *	ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results
 *	fields, then the message byte for byte, to stdout; the chain state
 *	goes to stderr ("seal: chain STATE, sealed i=N").
 * DIAGNOSTICS
 *	Exit 0 sealed; 1 not sealed (no key, chain of 50 sets, chain already
 *	sealed failed, temporary DNS failure: the reason is printed); 2
 *	usage; 3 config error or unreadable message.
 * STANDARDS
 *	RFC 8617 5.1, 5.2.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/dkim_check.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "mail/msg.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char seal_usage[] =
    "usage: mxguard seal [-c FILE] [--rcpt ADDR]... [MESSAGE | -]\n"
    "  -c, --config FILE  the configuration file (default " MXG_DEFAULT_CONFIG ")\n"
    "  -r, --rcpt ADDR    a recipient (picks the arc.key_table key of its domain)\n";

/* seal_authserv_id - milter.authserv_id or the host name (as mxguardd) */
static char *seal_authserv_id(const struct conf *c)
{
    char host[256];

    if (*conf_str(c, "milter.authserv_id"))
	return xstrdup(conf_str(c, "milter.authserv_id"));
    if (gethostname(host, sizeof(host)) != 0 || *host == 0)
	return xstrdup("localhost");
    host[sizeof(host) - 1] = 0;
    return xstrdup(host);
}

/* seal_run - validate, seal, print; the exit status */
static int seal_run(const struct conf *c, const struct arc_seal_conf *ac, const char *data,
		    size_t len, const struct mail_msg *m, const char *const *rcpts, size_t nrcpt)
{
    const struct dkim_key *k = arc_seal_key(ac, rcpts, nrcpt);
    struct crypto_keysrc src = {crypto_keyfetch_dns, NULL, NULL, 0};
    const char *why = NULL, *eol = cli_eol(data, len);
    struct arc_result chain;
    struct arc_seal_opts o;
    struct arc_seal_out out;
    struct dns_resolver *r;
    struct arc_verify *v;
    char *id;
    int ret;

    if (k == NULL) {
	msg_error("seal: no sealing key: set arc.seal or arc.key_table");
	return CLI_FAIL;
    }
    if ((r = dns_resolver_from_conf(c, &why)) == NULL) {
	msg_error("seal: dns: %s", why ? why : "cannot build resolver");
	return 3;
    }
    src.ctx = r;
    src.min_rsa_bits = (int) conf_int(c, "dkim.min_key_bits");
    v = arc_verify_start(m->hdrs);
    arc_verify_body(v, m->body, m->body_len);
    arc_verify_end(v, &src, &chain);
    arc_verify_free(&v);
    id = seal_authserv_id(c);
    arc_seal_opts_fill(ac, k, id, (long long) time(NULL), eol, &o);
    if (arc_seal(m->hdrs, m->body, m->body_len, &chain, &o, &out, &why) < 0) {
	msg_error("seal: chain %s%s%s: not sealed: %s", arc_state_name(chain.state),
		  chain.reason ? ", " : "", chain.reason ? chain.reason : "", why);
	ret = CLI_FAIL;
    } else {
	printf("ARC-Seal:%s%sARC-Message-Signature:%s%sARC-Authentication-Results:%s%s",
	       out.as, eol, out.ams, eol, out.aar, eol);
	fwrite(data, 1, len, stdout);
	ret = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
	msg_info("seal: chain %s%s%s%s, sealed i=%d d=%s", arc_state_name(chain.state),
		 chain.reason ? " (" : "", chain.reason ? chain.reason : "",
		 chain.reason ? ")" : "", out.instance, k->domain);
	arc_seal_out_clear(&out);
    }
    free(id);
    arc_result_clear(&chain);
    dns_resolver_free(&r);
    return ret;
}

/* cmd_seal - add an ARC set to a message file */
int cmd_seal(int argc, char **argv)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'}, {"rcpt", required_argument, NULL, 'r'},
	{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *why = NULL;
    const char **rcpts = xcalloc((size_t) argc + 1, sizeof(*rcpts));
    struct buf errs = BUF_INIT;
    struct arc_seal_conf ac;
    struct mail_msg *m = NULL;
    struct conf *c;
    size_t nrcpt = 0, len = 0;
    char *data;
    int ch, ret = 3;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:r:h", opts, NULL)) != -1) {
	if (ch == 'c')
	    path = optarg;
	else if (ch == 'r')
	    rcpts[nrcpt++] = optarg;
	else {
	    fputs(seal_usage, ch == 'h' ? stdout : stderr);
	    free(rcpts);
	    return ch == 'h' ? CLI_OK : CLI_USAGE;
	}
    }
    if (optind + 1 < argc) {
	fputs(seal_usage, stderr);
	free(rcpts);
	return CLI_USAGE;
    }
    if ((c = conf_open(path, &errs)) == NULL || arc_seal_conf_load(&ac, c, 0, &errs) < 0) {
	fputs(buf_str(&errs), stderr);
	if (c)
	    arc_seal_conf_clear(&ac);
	buf_free(&errs);
	conf_unref(&c);
	free(rcpts);
	return 3;
    }
    buf_free(&errs);
    if ((data = cli_read_message("seal", optind < argc ? argv[optind] : "-", &len)) == NULL)
	;
    else if (mail_msg_read_buf(data, len, &m, &why) < 0)
	msg_error("seal: %s", why);
    else
	ret = seal_run(c, &ac, data, len, m, rcpts, nrcpt);
    mail_msg_free(&m);
    free(data);
    arc_seal_conf_clear(&ac);
    conf_unref(&c);
    free(rcpts);
    return ret;
}
