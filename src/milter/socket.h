/*
 * NAME
 *	socket - the milter listening socket: parse the spec, find libmilter's
 *	fd, TCP_NODELAY, unix socket ownership
 * SYNOPSIS
 *	#include "milter/socket.h"
 *
 *	int milter_socket_parse(const char *spec, struct milter_socket *r,
 *				const char **why_r);
 *	int milter_socket_find_fd(const struct milter_socket *s, int *fd_r);
 *	int milter_socket_nodelay(int fd);
 *	int milter_socket_unix_perms(const char *path, uid_t uid, gid_t gid,
 *				     mode_t mode);
 * DESCRIPTION
 *	milter_socket_parse() accepts the forms libmilter understands and
 *	that the documentation promises: "inet:PORT@HOST", "inet:PORT"
 *	(all addresses), "inet6:PORT@HOST", "unix:/path", "local:/path".
 *	PORT is 1..65535; a unix path must be absolute and fit in sun_path.
 *
 *	libmilter creates the listening socket itself and does not expose
 *	its descriptor. milter_socket_find_fd() finds it after
 *	smfi_opensocket(): it walks /proc/self/fd and keeps the sockets that
 *	are listening (SO_ACCEPTCONN) and whose getsockname() matches the
 *	configured family and port (and address when HOST is a numeric
 *	literal; the path for unix sockets). Exactly one must match. This
 *	needs no knowledge of libmilter's internals and cannot pick a client
 *	socket, because only listeners have SO_ACCEPTCONN set.
 *
 *	milter_socket_nodelay() sets TCP_NODELAY. On Linux, sockets returned
 *	by accept(2) inherit it from the listener, so each milter conversation
 *	avoids the Nagle + delayed-ACK stall of about 40 ms per reply
 *	(TESTBED.md; t/unit/milter_socket.c proves the inheritance, and
 *	t/unit/daemon_start.sh reads the option from mxguardd's own listener
 *	and accepted sockets with pidfd_getfd).
 *
 *	milter_socket_unix_perms() gives a unix socket file to uid:gid with
 *	mode (0660), so the MTA's group (postfix) can connect.
 * DIAGNOSTICS
 *	milter_socket_parse: 0 ok, -1 with *why_r set to a static reason.
 *	milter_socket_find_fd: 1 found (*fd_r set), 0 none, -1 more than one
 *	or /proc unreadable (errno set).
 *	milter_socket_nodelay, milter_socket_unix_perms: 0 ok, -1 errno set.
 * STANDARDS
 *	Sendmail libmilter smfi_setconn(3) socket specifications.
 */
#ifndef MXG_MILTER_SOCKET_H
#define MXG_MILTER_SOCKET_H

#include <sys/types.h>
#include <sys/un.h>

enum milter_socket_kind {
    MILTER_SOCKET_INET,
    MILTER_SOCKET_INET6,
    MILTER_SOCKET_UNIX,
};

struct milter_socket {
    enum milter_socket_kind kind;
    int port;			/* inet, inet6 */
    char host[256];		/* inet, inet6; "" = all addresses */
    char path[sizeof(((struct sockaddr_un *) 0)->sun_path)];	/* unix */
};

int milter_socket_parse(const char *spec, struct milter_socket *r, const char **why_r);
int milter_socket_find_fd(const struct milter_socket *s, int *fd_r);
int milter_socket_nodelay(int fd);
int milter_socket_unix_perms(const char *path, uid_t uid, gid_t gid, mode_t mode);

#endif
