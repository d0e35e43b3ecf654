/*
 * NAME
 *	cmd_config_test - mxguard config-test: check (and dump) the config
 * SYNOPSIS
 *	mxguard config-test [-c FILE] [--dump] [--list-keys]
 * DESCRIPTION
 *	Loads FILE (default MXG_DEFAULT_CONFIG; without it, the built-in
 *	defaults) through the same conf_open() the daemons use. A good file
 *	prints nothing; a bad one prints every error, one per line,
 *	"FILE:LINE: key: what is wrong", on stderr. Only syntax, types,
 *	ranges and value formats are checked: files named in the config are
 *	not opened.
 *
 *	--dump prints the effective configuration (defaults included) in
 *	libconfig syntax on stdout. --list-keys prints the key table (for
 *	scripts and the man page test) and loads nothing.
 * DIAGNOSTICS
 *	Exit status 0 good, 1 errors, 2 usage.
 * STANDARDS
 *	libconfig 1.5 syntax for --dump.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "util/buf.h"
#include "util/msg.h"

static const char config_test_usage[] =
    "usage: mxguard config-test [-c FILE] [--dump]\n"
    "       mxguard config-test --list-keys\n"
    "  -c, --config FILE  the configuration file (default " MXG_DEFAULT_CONFIG ")\n"
    "  -d, --dump         print the effective configuration, defaults included\n"
    "      --list-keys    print every key: name, type, default, range, doc (TAB separated)\n";

/* cmd_config_test - check the configuration file */
int cmd_config_test(int argc, char **argv)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"dump", no_argument, NULL, 'd'},
	{"list-keys", no_argument, NULL, 'L'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
    };
    const char *path = NULL;
    int dump = 0, list_keys = 0, ch;
    struct buf errs = BUF_INIT;
    struct conf *c;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:dh", opts, NULL)) != -1) {
	switch (ch) {
	case 'c':
	    path = optarg;
	    break;
	case 'd':
	    dump = 1;
	    break;
	case 'L':
	    list_keys = 1;
	    break;
	case 'h':
	    fputs(config_test_usage, stdout);
	    return CLI_OK;
	default:
	    fputs(config_test_usage, stderr);
	    return CLI_USAGE;
	}
    }
    if (optind != argc) {
	fputs(config_test_usage, stderr);
	return CLI_USAGE;
    }
    if (list_keys) {
	conf_list_keys(stdout);
	return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
    }
    if ((c = conf_open(path, &errs)) == NULL) {
	fputs(buf_str(&errs), stderr);
	buf_free(&errs);
	return CLI_FAIL;
    }
    if (cli_keys_check(c, &errs) < 0) {	/* DKIM/ARC key files: loaded and checked */
	fputs(buf_str(&errs), stderr);
	buf_free(&errs);
	conf_unref(&c);
	return CLI_FAIL;
    }
    buf_free(&errs);
    if (conf_is_default(c) && !dump)
	msg_info("config-test: %s does not exist: the built-in defaults apply",
		 MXG_DEFAULT_CONFIG);
    if (dump)
	conf_dump(c, stdout);
    conf_unref(&c);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
