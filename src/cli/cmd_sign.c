/*
 * NAME
 *	cmd_sign - mxguard sign: DKIM-sign a message file as mxguardd would
 * SYNOPSIS
 *	mxguard sign [-c FILE] [--domain DOMAIN] [MESSAGE | -]
 *
 *	(cli.h) char *cli_read_message(const char *cmd, const char *file, size_t *len_r);
 *	const char *cli_eol(const char *data, size_t len);
 *	int cli_keys_check(const struct conf *c, struct buf *errors_r);
 * DESCRIPTION
 *	Loads the signing keys of the config (dkim.sign, dkim.key_table:
 *	the code mxguardd's DKIM module uses, same headers, over-signing
 *	and canonicalization) and writes the message to stdout with one
 *	DKIM-Signature per key of the From domain (or of --domain) on top,
 *	the message itself byte for byte below. New fields use the
 *	message's line ends (CRLF when its first line has one).
 *
 *	cli_keys_check loads every signing and sealing key of a config and
 *	reports what cannot be used (config-test runs it): a key file
 *	readable by group or other, not a key, of the wrong type; a file
 *	that does not exist is left to mxguardd -t (config-test checks
 *	files that may live on another machine).
 * DIAGNOSTICS
 *	Exit 0 signed; 1 no key for the domain or signing failed; 2 usage;
 *	3 config error (a key file missing or readable by group/other...)
 *	or unreadable message.
 * STANDARDS
 *	RFC 6376 5; RFC 8463.
 */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/dkim_check.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "mail/addr.h"
#include "mail/msg.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char sign_usage[] =
    "usage: mxguard sign [-c FILE] [--domain DOMAIN] [MESSAGE | -]\n"
    "  -c, --config FILE  the configuration file (default " MXG_DEFAULT_CONFIG ")\n"
    "  -d, --domain D     sign for D instead of the From domain\n";

/* cli_read_message - a whole message file ("-": stdin); NULL logged */
char *cli_read_message(const char *cmd, const char *file, size_t *len_r)
{
    int fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY);
    struct buf b = BUF_INIT;
    char chunk[65536];
    ssize_t n = 0;

    if (fd < 0) {
	msg_error("%s: %s: %m", cmd, file);
	return NULL;
    }
    while (b.len <= MAIL_MSG_MAX_SIZE && (n = read(fd, chunk, sizeof(chunk))) > 0)
	buf_append(&b, chunk, (size_t) n);
    if (fd != 0)
	close(fd);
    if (n < 0 || b.len > MAIL_MSG_MAX_SIZE) {
	if (n < 0)
	    msg_error("%s: %s: cannot read", cmd, file);
	else
	    msg_error("%s: %s: message larger than %d bytes", cmd, file, MAIL_MSG_MAX_SIZE);
	buf_free(&b);
	return NULL;
    }
    *len_r = b.len;
    buf_putc(&b, 0);
    return buf_steal(&b);
}

/* cli_eol - the line end of a message: CRLF when its first line has one */
const char *cli_eol(const char *data, size_t len)
{
    const char *nl = memchr(data, '\n', len);

    return nl && nl > data && nl[-1] == '\r' ? "\r\n" : "\n";
}

/* cli_keys_check - load every signing and sealing key; 0 ok, -1 errors */
int cli_keys_check(const struct conf *c, struct buf *errors_r)
{
    struct dkim_sign_conf sc;
    struct arc_seal_conf ac;
    int ret = 0;

    if (dkim_sign_conf_load(&sc, c, DKIM_KEYS_MISSING_OK, errors_r) < 0)
	ret = -1;
    dkim_sign_conf_clear(&sc);
    if (arc_seal_conf_load(&ac, c, DKIM_KEYS_MISSING_OK, errors_r) < 0)
	ret = -1;
    arc_seal_conf_clear(&ac);
    return ret;
}

/* sign_run - sign m for domain and print; the exit status */
static int sign_run(const struct dkim_sign_conf *sc, const char *data, size_t len,
		    const struct mail_msg *m, const char *domain)
{
    struct crypto_body *b = crypto_body_alloc(sc->bcanon, -1);
    const char *eol = cli_eol(data, len), *why = "no key for the domain";
    char *values[DKIM_SIGN_MAX];
    unsigned char bh[32];
    size_t n = 0;

    crypto_body_update(b, m->body, m->body_len);
    if (crypto_body_final(b, bh) == 0)
	n = dkim_sign_values(sc, m->hdrs, domain, bh, (long long) time(NULL), eol, values,
			     DKIM_SIGN_MAX, &why);
    crypto_body_free(&b);
    if (n == 0) {
	msg_error("sign: not signed for %s: %s", domain, why);
	return CLI_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
	printf("DKIM-Signature:%s%s", values[i], eol);
	free(values[i]);
    }
    fwrite(data, 1, len, stdout);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

/* cmd_sign - DKIM-sign a message file */
int cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'}, {"domain", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *why = NULL;
    char *domain = NULL, *data;
    struct buf errs = BUF_INIT;
    struct dkim_sign_conf sc;
    struct mail_msg *m = NULL;
    struct conf *c;
    size_t len = 0;
    int ch, ret;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:h", opts, NULL)) != -1) {
	if (ch == 'c')
	    path = optarg;
	else if (ch == 'd')
	    domain = xstrdup(optarg);
	else {
	    fputs(sign_usage, ch == 'h' ? stdout : stderr);
	    free(domain);
	    return ch == 'h' ? CLI_OK : CLI_USAGE;
	}
    }
    if (optind + 1 < argc) {
	fputs(sign_usage, stderr);
	free(domain);
	return CLI_USAGE;
    }
    if ((c = conf_open(path, &errs)) == NULL || dkim_sign_conf_load(&sc, c, 0, &errs) < 0) {
	fputs(buf_str(&errs), stderr);
	if (c)
	    dkim_sign_conf_clear(&sc);
	buf_free(&errs);
	conf_unref(&c);
	free(domain);
	return 3;
    }
    buf_free(&errs);
    ret = 3;
    if ((data = cli_read_message("sign", optind < argc ? argv[optind] : "-", &len)) == NULL)
	;
    else if (mail_msg_read_buf(data, len, &m, &why) < 0)
	msg_error("sign: %s", why);
    else if (domain == NULL && mail_addr_from_domain(m->hdrs, &domain, &why) != 0) {
	msg_error("sign: no From domain to sign for: %s", why);
	ret = CLI_FAIL;
    } else
	ret = sign_run(&sc, data, len, m, domain);
    mail_msg_free(&m);
    free(data);
    free(domain);
    dkim_sign_conf_clear(&sc);
    conf_unref(&c);
    return ret;
}
