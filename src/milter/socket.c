/*
 * NAME
 *	socket.c - the milter listening socket (see socket.h)
 * DESCRIPTION
 *	Parsing is strict so that a typo is a startup error instead of a
 *	daemon listening somewhere unexpected. Finding libmilter's fd is done
 *	by inspection of our own open descriptors (see socket.h for why that
 *	is safe).
 */
#include "config.h"
#include "milter/socket.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* milter_socket_parse_port - parse "1".."65535" up to '@' or end */
static int milter_socket_parse_port(const char *s, int *port_r, const char **end_r)
{
    long v = 0;
    const char *p = s;

    if (*p < '0' || *p > '9')
	return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
	v = v * 10 + (*p - '0');
	if (v > 65535)
	    return -1;
    }
    if (v < 1 || (*p != '@' && *p != 0))
	return -1;
    *port_r = (int) v;
    *end_r = p;
    return 0;
}

/* milter_socket_parse_inet - "PORT[@HOST]" for inet and inet6 */
static int milter_socket_parse_inet(const char *s, struct milter_socket *r,
				    const char **why_r)
{
    const char *end;
    size_t hlen;

    if (milter_socket_parse_port(s, &r->port, &end) < 0) {
	*why_r = "expected PORT@HOST with a port from 1 to 65535";
	return -1;
    }
    if (*end == 0)
	return 0;
    end++;
    hlen = strlen(end);
    if (hlen == 0 || hlen >= sizeof(r->host)) {
	*why_r = "host after '@' is empty or too long";
	return -1;
    }
    if (strpbrk(end, " \t\r\n@/") != NULL) {
	*why_r = "host after '@' contains an invalid character";
	return -1;
    }
    memcpy(r->host, end, hlen + 1);
    return 0;
}

/* milter_socket_parse - split a libmilter connection spec */
int milter_socket_parse(const char *spec, struct milter_socket *r, const char **why_r)
{
    const char *rest;
    size_t plen;

    memset(r, 0, sizeof(*r));
    if (strncmp(spec, "inet:", 5) == 0) {
	r->kind = MILTER_SOCKET_INET;
	return milter_socket_parse_inet(spec + 5, r, why_r);
    }
    if (strncmp(spec, "inet6:", 6) == 0) {
	r->kind = MILTER_SOCKET_INET6;
	return milter_socket_parse_inet(spec + 6, r, why_r);
    }
    if (strncmp(spec, "unix:", 5) == 0)
	rest = spec + 5;
    else if (strncmp(spec, "local:", 6) == 0)
	rest = spec + 6;
    else {
	*why_r = "expected inet:PORT@HOST, inet6:PORT@HOST, unix:/path or local:/path";
	return -1;
    }
    r->kind = MILTER_SOCKET_UNIX;
    plen = strlen(rest);
    if (plen == 0 || rest[0] != '/') {
	*why_r = "unix socket path must be absolute";
	return -1;
    }
    if (plen >= sizeof(r->path)) {
	*why_r = "unix socket path is too long";
	return -1;
    }
    memcpy(r->path, rest, plen + 1);
    return 0;
}

/* milter_socket_addr_matches - does a bound address match the spec? */
static int milter_socket_addr_matches(const struct milter_socket *s,
				      const struct sockaddr_storage *ss, socklen_t len)
{
    if (s->kind == MILTER_SOCKET_UNIX) {
	const struct sockaddr_un *sun = (const struct sockaddr_un *) ss;

	return ss->ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)
	    && strncmp(sun->sun_path, s->path, sizeof(sun->sun_path)) == 0;
    }
    if (s->kind == MILTER_SOCKET_INET && ss->ss_family == AF_INET) {
	const struct sockaddr_in *sin = (const struct sockaddr_in *) ss;
	struct in_addr want;

	if (ntohs(sin->sin_port) != s->port)
	    return 0;
	if (s->host[0] && inet_pton(AF_INET, s->host, &want) == 1)
	    return memcmp(&want, &sin->sin_addr, sizeof(want)) == 0;
	return 1;
    }
    if (s->kind == MILTER_SOCKET_INET6 && ss->ss_family == AF_INET6) {
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ss;
	struct in6_addr want;

	if (ntohs(sin6->sin6_port) != s->port)
	    return 0;
	if (s->host[0] && inet_pton(AF_INET6, s->host, &want) == 1)
	    return memcmp(&want, &sin6->sin6_addr, sizeof(want)) == 0;
	return 1;
    }
    return 0;
}

/* milter_socket_is_match - is fd a listening socket bound as the spec says? */
static int milter_socket_is_match(const struct milter_socket *s, int fd)
{
    struct stat st;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int listening = 0;
    socklen_t ilen = sizeof(listening);

    if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
	return 0;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) < 0 || !listening)
	return 0;
    memset(&ss, 0, sizeof(ss));
    if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
	return 0;
    return milter_socket_addr_matches(s, &ss, len);
}

/* milter_socket_find_fd - find the listener libmilter opened for spec s */
int milter_socket_find_fd(const struct milter_socket *s, int *fd_r)
{
    DIR *dir;
    struct dirent *de;
    int found = 0, fd = -1;

    if ((dir = opendir("/proc/self/fd")) == NULL)
	return -1;
    while ((de = readdir(dir)) != NULL) {
	char *end;
	long n = strtol(de->d_name, &end, 10);

	if (de->d_name[0] == '.' || *end != 0 || n == dirfd(dir))
	    continue;
	if (milter_socket_is_match(s, (int) n)) {
	    found++;
	    fd = (int) n;
	}
    }
    closedir(dir);
    if (found > 1) {
	errno = EEXIST;
	return -1;
    }
    if (found == 1)
	*fd_r = fd;
    return found;
}

/* milter_socket_nodelay - disable Nagle on fd (inherited by accepted fds) */
int milter_socket_nodelay(int fd)
{
    int on = 1;

    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

/* milter_socket_unix_perms - give the socket file to uid:gid with mode */
int milter_socket_unix_perms(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
    if (chown(path, uid, gid) < 0)
	return -1;
    return chmod(path, mode);
}
