/*
 * NAME
 *	privs.c - resolve the run user and drop root privileges (see privs.h)
 */
#include "config.h"
#include "milter/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xmalloc.h"

#define PRIVS_GETPW_BUF 16384

/* privs_lookup_group - map a group name to its gid */
static int privs_lookup_group(const char *group, gid_t *gid_r, struct buf *why_r)
{
    struct group gr, *res = NULL;
    char *tmp = xmalloc(PRIVS_GETPW_BUF);
    int err = getgrnam_r(group, &gr, tmp, PRIVS_GETPW_BUF, &res);

    if (res != NULL)
	*gid_r = gr.gr_gid;
    free(tmp);
    if (res != NULL)
	return 0;
    if (err != 0)
	buf_printf(why_r, "cannot look up group %s: %s", group, strerror(err));
    else
	buf_printf(why_r, "group %s does not exist: create it or fix milter.group", group);
    return -1;
}

/* privs_resolve - find uid/gid of the run user; decide whether to switch */
int privs_resolve(const char *user, const char *group, struct privs *r, struct buf *why_r)
{
    struct passwd pw, *res = NULL;
    char *tmp;
    int err;

    memset(r, 0, sizeof(*r));
    if (geteuid() != 0)
	return 0;
    if (user == NULL || *user == 0) {
	if (group != NULL && *group != 0) {
	    if (privs_lookup_group(group, &r->gid, why_r) < 0)
		return -1;
	    r->have_gid = 1;
	}
	return 0;
    }
    if (strlen(user) >= sizeof(r->user)) {
	buf_printf(why_r, "user name is too long: %.64s...", user);
	return -1;
    }
    tmp = xmalloc(PRIVS_GETPW_BUF);
    err = getpwnam_r(user, &pw, tmp, PRIVS_GETPW_BUF, &res);
    if (res != NULL) {
	r->uid = pw.pw_uid;
	r->gid = pw.pw_gid;
    }
    free(tmp);
    if (res == NULL) {
	if (err != 0)
	    buf_printf(why_r, "cannot look up user %s: %s", user, strerror(err));
	else
	    buf_printf(why_r, "user %s does not exist: create it "
		       "(useradd --system %s) or set milter.user", user, user);
	return -1;
    }
    if (r->uid == 0) {
	buf_printf(why_r, "user %s has uid 0: choose an unprivileged milter.user", user);
	return -1;
    }
    if (group != NULL && *group != 0 && privs_lookup_group(group, &r->gid, why_r) < 0)
	return -1;
    strcpy(r->user, user);
    r->change = 1;
    r->have_gid = 1;
    return 0;
}

/* privs_drop - switch to the resolved user and prove root is gone */
int privs_drop(const struct privs *p, struct buf *why_r)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;

    if (!p->change)
	return 0;
    if (initgroups(p->user, p->gid) < 0) {
	buf_printf(why_r, "initgroups %s: %s", p->user, strerror(errno));
	return -1;
    }
    if (setgid(p->gid) < 0) {
	buf_printf(why_r, "setgid %ld: %s", (long) p->gid, strerror(errno));
	return -1;
    }
    if (setuid(p->uid) < 0) {
	buf_printf(why_r, "setuid %ld: %s", (long) p->uid, strerror(errno));
	return -1;
    }
    if (setuid(0) == 0 || seteuid(0) == 0) {
	buf_printf(why_r, "could regain root after dropping to %s: refusing to run", p->user);
	return -1;
    }
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0
	|| ru == 0 || eu == 0 || su == 0 || rg != p->gid || eg != p->gid || sg != p->gid) {
	buf_printf(why_r, "ids after dropping to %s are not what was asked: refusing to run",
		   p->user);
	return -1;
    }
    return 0;
}
