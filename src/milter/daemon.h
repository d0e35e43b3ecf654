/*
 * NAME
 *	daemon - what mxguardd and mxguard-outbound share: options, config
 *	loading with every error printed, logging setup, pidfile
 * SYNOPSIS
 *	#include "milter/daemon.h"
 *
 *	void daemon_opts_parse(int argc, char **argv, const char *progname,
 *			       const char *what, struct daemon_opts *r);
 *	struct conf *daemon_conf_load(const char *progname, const char *path);
 *	void daemon_log_open(const char *progname,
 *			     const struct daemon_opts *o, const struct conf *c);
 *	const char *daemon_conf_name(const struct conf *c);
 *	int daemon_pidfile_write(const char *path, struct buf *why_r);
 *	void daemon_pidfile_remove(const char *path);
 * DESCRIPTION
 *	daemon_opts_parse() handles -c FILE, -f, -t, -v (repeatable), -V and
 *	-h. -V and -h print and exit 0; an unknown option prints the usage on
 *	stderr and exits 1. what is the one-line description for -h.
 *
 *	daemon_conf_load() loads path (NULL: the default file, or the
 *	built-in defaults when it does not exist) and, on failure, prints
 *	every error line as "progname: FILE:LINE: key: what" and returns NULL.
 *
 *	daemon_log_open() logs to stderr with -f or -t, else to syslog with
 *	log.facility; the verbosity is the larger of -v count and log.verbose.
 *
 *	daemon_pidfile_write() writes "PID\n" atomically (temporary file and
 *	rename) so a reader never sees a partial pidfile.
 * DIAGNOSTICS
 *	daemon_pidfile_write: 0 ok, -1 with a reason in *why_r.
 */
#ifndef MXG_MILTER_DAEMON_H
#define MXG_MILTER_DAEMON_H

#include "conf/conf.h"
#include "util/buf.h"

struct daemon_opts {
    const char *config;		/* -c FILE, NULL = default */
    int foreground;		/* -f */
    int test;			/* -t */
    int verbose;		/* number of -v */
};

void daemon_opts_parse(int argc, char **argv, const char *progname, const char *what,
		       struct daemon_opts *r);
struct conf *daemon_conf_load(const char *progname, const char *path);
void daemon_log_open(const char *progname, const struct daemon_opts *o, const struct conf *c);
const char *daemon_conf_name(const struct conf *c);
int daemon_pidfile_write(const char *path, struct buf *why_r);
void daemon_pidfile_remove(const char *path);

#endif
