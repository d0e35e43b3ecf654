/*
 * NAME
 *	daemon.c - options, config loading, logging and pidfile shared by
 *	mxguardd and mxguard-outbound (see daemon.h)
 */
#include "config.h"
#include "milter/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/msg.h"
#include "util/xmalloc.h"

/* daemon_usage - print the option summary */
static void daemon_usage(FILE *fp, const char *progname, const char *what)
{
    fprintf(fp, "usage: %s [-fhtvV] [-c FILE]\n"
	    "  %s\n"
	    "  -c FILE  configuration file (default %s; built-in defaults if it does not exist)\n"
	    "  -f       stay in the foreground and log to stderr\n"
	    "  -t       check the configuration and exit (0 = good)\n"
	    "  -v       more verbose logging (repeat for more)\n"
	    "  -V       print the version and exit\n"
	    "  -h       print this help and exit\n",
	    progname, what, MXG_DEFAULT_CONFIG);
}

/* daemon_opts_parse - parse the common daemon options */
void daemon_opts_parse(int argc, char **argv, const char *progname, const char *what,
		       struct daemon_opts *r)
{
    int ch;

    memset(r, 0, sizeof(*r));
    opterr = 0;
    while ((ch = getopt(argc, argv, "c:fhtvV")) != -1) {
	switch (ch) {
	case 'c':
	    r->config = optarg;
	    break;
	case 'f':
	    r->foreground = 1;
	    break;
	case 't':
	    r->test = 1;
	    break;
	case 'v':
	    r->verbose++;
	    break;
	case 'V':
	    printf("%s %s\n", progname, PACKAGE_VERSION);
	    exit(0);
	case 'h':
	    daemon_usage(stdout, progname, what);
	    exit(0);
	default:
	    if (optopt == 'c')
		fprintf(stderr, "%s: option -c needs a file name\n", progname);
	    else
		fprintf(stderr, "%s: unknown option -%c\n", progname, optopt);
	    daemon_usage(stderr, progname, what);
	    exit(1);
	}
    }
    if (optind < argc) {
	fprintf(stderr, "%s: unexpected argument: %s\n", progname, argv[optind]);
	daemon_usage(stderr, progname, what);
	exit(1);
    }
}

/* daemon_conf_load - load the config or print every error */
struct conf *daemon_conf_load(const char *progname, const char *path)
{
    struct buf errs = BUF_INIT;
    struct conf *c = conf_open(path, &errs);

    if (c == NULL) {
	const char *p = buf_str(&errs);

	while (*p) {
	    size_t n = strcspn(p, "\n");

	    fprintf(stderr, "%s: %.*s\n", progname, (int) n, p);
	    p += n;
	    if (*p == '\n')
		p++;
	}
	if (errs.len == 0)
	    fprintf(stderr, "%s: cannot load configuration %s\n", progname,
		    path ? path : MXG_DEFAULT_CONFIG);
    }
    buf_free(&errs);
    return c;
}

/* daemon_log_open - stderr for -f/-t, else syslog with log.facility */
void daemon_log_open(const char *progname, const struct daemon_opts *o, const struct conf *c)
{
    int verbose = (int) conf_int(c, "log.verbose");
    int fac = msg_facility_parse(conf_str(c, "log.facility"));

    if (o->verbose > verbose)
	verbose = o->verbose;
    msg_set_verbose(verbose);
    if (o->foreground || o->test || fac < 0)
	msg_open(progname, MSG_STDERR, 0);
    else
	msg_open(progname, MSG_SYSLOG, fac);
}

/* daemon_conf_name - the file a snapshot came from, for log lines */
const char *daemon_conf_name(const struct conf *c)
{
    const char *p = conf_path(c);

    return p != NULL && *p ? p : "(built-in defaults)";
}

/* daemon_pidfile_write - write our pid atomically */
int daemon_pidfile_write(const char *path, struct buf *why_r)
{
    char *tmp = xasprintf("%s.%ld.tmp", path, (long) getpid());
    char line[32];
    int fd, len, ok;

    len = snprintf(line, sizeof(line), "%ld\n", (long) getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    ok = fd >= 0 && write(fd, line, (size_t) len) == len;
    if (fd >= 0 && close(fd) < 0)
	ok = 0;
    if (ok && rename(tmp, path) == 0) {
	free(tmp);
	return 0;
    }
    buf_printf(why_r, "cannot write pidfile %s: %s", path, strerror(errno));
    (void) unlink(tmp);
    free(tmp);
    return -1;
}

/* daemon_pidfile_remove - remove our pidfile at exit (if it is still ours) */
void daemon_pidfile_remove(const char *path)
{
    char line[32];
    FILE *fp = fopen(path, "re");
    long pid = -1;

    if (fp == NULL)
	return;
    if (fgets(line, sizeof(line), fp) != NULL)
	pid = strtol(line, NULL, 10);
    fclose(fp);
    if (pid == (long) getpid() && unlink(path) < 0)
	msg_warn("pidfile: cannot remove %s: %s", path, strerror(errno));
}
