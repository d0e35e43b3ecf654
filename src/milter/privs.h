/*
 * NAME
 *	privs - resolve the run user and drop root privileges for good
 * SYNOPSIS
 *	#include "milter/privs.h"
 *
 *	int privs_resolve(const char *user, const char *group,
 *			  struct privs *r, struct buf *why_r);
 *	int privs_drop(const struct privs *p, struct buf *why_r);
 * DESCRIPTION
 *	privs_resolve() looks up user (and group, "" = the user's primary
 *	group) with the reentrant getpwnam_r/getgrnam_r and fills r; as root,
 *	a group alone (empty user) still sets r->gid/have_gid, which mxguardd
 *	uses for the unix socket's group. An empty
 *	user means "do not change user": r->change is 0 then, and the daemon
 *	keeps running as whoever started it (mxguardd logs a warning when that
 *	is root). When the process is not root there is nothing to drop:
 *	r->change is 0 too, whatever the user says.
 *
 *	privs_drop() does initgroups(user, gid), setgid(gid), setuid(uid),
 *	in that order (group first, while we still may), then verifies that
 *	setuid(0) fails and that no real, effective or saved id is 0, so a
 *	later bug cannot regain root. Call it after the listening socket is
 *	bound and before any thread starts.
 * DIAGNOSTICS
 *	0 ok; -1 with one line appended to *why_r, e.g. "user mxguard does
 *	not exist: create it (useradd --system mxguard) or set milter.user".
 */
#ifndef MXG_MILTER_PRIVS_H
#define MXG_MILTER_PRIVS_H

#include <sys/types.h>
#include "util/buf.h"

struct privs {
    int change;			/* 1: privs_drop() switches to uid/gid */
    int have_gid;		/* gid is valid (user or milter.group given, as root) */
    char user[64];
    uid_t uid;
    gid_t gid;
};

int privs_resolve(const char *user, const char *group, struct privs *r, struct buf *why_r);
int privs_drop(const struct privs *p, struct buf *why_r);

#endif
