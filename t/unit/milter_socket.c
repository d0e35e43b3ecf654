/*
 * milter_socket.c - unit tests of src/milter/socket.c: spec parsing, finding
 * the listener among our fds, TCP_NODELAY inheritance by accepted sockets,
 * unix socket mode.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter/socket.h"
#include "t/tap.h"

/* parse_ok - a spec that must parse */
static void parse_ok(const char *spec, enum milter_socket_kind kind, int port,
		     const char *host, const char *path)
{
    struct milter_socket s;
    const char *why = NULL;
    int r = milter_socket_parse(spec, &s, &why);

    ok(r == 0, "parse accepts %s", spec);
    if (r != 0) {
	diag("why: %s", why);
	return;
    }
    is_int(s.kind, kind, "parse %s: kind", spec);
    is_int(s.port, port, "parse %s: port", spec);
    is_str(s.host, host, "parse %s: host", spec);
    is_str(s.path, path, "parse %s: path", spec);
}

/* parse_bad - a spec that must be refused with a reason */
static void parse_bad(const char *spec)
{
    struct milter_socket s;
    const char *why = NULL;
    int r = milter_socket_parse(spec, &s, &why);

    ok(r < 0 && why != NULL && *why, "parse refuses \"%.40s\" (%s)", spec,
       why ? why : "no reason");
}

/* tcp_listener - a listening socket on 127.0.0.1, any port */
static int tcp_listener(int nodelay, int *port_r)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (nodelay)
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0 || listen(fd, 5) < 0)
	return -1;
    getsockname(fd, (struct sockaddr *) &sin, &len);
    *port_r = ntohs(sin.sin_port);
    return fd;
}

/* accepted_nodelay - connect to port, accept, return TCP_NODELAY of the accepted fd */
static int accepted_nodelay(int lfd, int port, int *cfd_r, int *afd_r)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    int v = -1;
    socklen_t len = sizeof(v);

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((unsigned short) port);
    *cfd_r = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(*cfd_r, (struct sockaddr *) &sin, sizeof(sin)) < 0)
	return -1;
    if ((*afd_r = accept(lfd, NULL, NULL)) < 0)
	return -1;
    if (getsockopt(*afd_r, IPPROTO_TCP, TCP_NODELAY, &v, &len) < 0)
	return -1;
    return v != 0;
}

static void test_parse(void)
{
    char longpath[300];

    parse_ok("inet:8891@127.0.0.1", MILTER_SOCKET_INET, 8891, "127.0.0.1", "");
    parse_ok("inet:25", MILTER_SOCKET_INET, 25, "", "");
    parse_ok("inet:65535@localhost", MILTER_SOCKET_INET, 65535, "localhost", "");
    parse_ok("inet6:8891@::1", MILTER_SOCKET_INET6, 8891, "::1", "");
    parse_ok("unix:/run/mxguard/mxguardd.sock", MILTER_SOCKET_UNIX, 0, "",
	     "/run/mxguard/mxguardd.sock");
    parse_ok("local:/var/spool/postfix/mxguard/mxguardd.sock", MILTER_SOCKET_UNIX, 0, "",
	     "/var/spool/postfix/mxguard/mxguardd.sock");
    parse_bad("inet:0@127.0.0.1");
    parse_bad("inet:65536@127.0.0.1");
    parse_bad("inet:@127.0.0.1");
    parse_bad("inet:88x1@127.0.0.1");
    parse_bad("inet:8891@");
    parse_bad("inet:8891@127.0.0.1/8");
    parse_bad("tcp:8891@127.0.0.1");
    parse_bad("8891");
    parse_bad("unix:relative/path.sock");
    parse_bad("unix:");
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[0] = '/';
    longpath[sizeof(longpath) - 1] = 0;
    {
	char spec[320];

	snprintf(spec, sizeof(spec), "unix:%s", longpath);
	parse_bad(spec);
    }
}

static void test_find_tcp(void)
{
    struct milter_socket s;
    const char *why;
    char spec[64];
    int port, lfd = tcp_listener(0, &port), fd = -1, cfd, afd;

    ok(lfd >= 0, "made a TCP listener on 127.0.0.1:%d", port);
    snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port);
    milter_socket_parse(spec, &s, &why);
    is_int(milter_socket_find_fd(&s, &fd), 1, "find_fd finds exactly one listener for %s", spec);
    is_int(fd, lfd, "find_fd returns the listener's descriptor");

    /* accepted and client sockets share the port but are not listeners */
    ok(accepted_nodelay(lfd, port, &cfd, &afd) >= 0, "a client connected and was accepted");
    fd = -1;
    is_int(milter_socket_find_fd(&s, &fd), 1,
	   "find_fd still finds exactly one socket with an accepted connection open");
    is_int(fd, lfd, "find_fd ignores the accepted (non-listening) socket of the same port");
    close(cfd);
    close(afd);

    snprintf(spec, sizeof(spec), "inet:%d@127.0.0.1", port == 65535 ? 65534 : port + 1);
    milter_socket_parse(spec, &s, &why);
    is_int(milter_socket_find_fd(&s, &fd), 0, "find_fd finds nothing for another port");
    snprintf(spec, sizeof(spec), "inet:%d@127.0.0.2", port);
    milter_socket_parse(spec, &s, &why);
    is_int(milter_socket_find_fd(&s, &fd), 0, "find_fd finds nothing for another address");
    snprintf(spec, sizeof(spec), "inet6:%d@::1", port);
    milter_socket_parse(spec, &s, &why);
    is_int(milter_socket_find_fd(&s, &fd), 0, "find_fd finds nothing for another family");
    close(lfd);
}

static void test_nodelay_inherited(void)
{
    int port, lfd, cfd, afd;

    lfd = tcp_listener(0, &port);
    is_int(accepted_nodelay(lfd, port, &cfd, &afd), 0,
	   "control: without TCP_NODELAY on the listener, accepted sockets have it off");
    close(cfd);
    close(afd);
    ok(milter_socket_nodelay(lfd) == 0, "milter_socket_nodelay sets TCP_NODELAY on a listener");
    is_int(accepted_nodelay(lfd, port, &cfd, &afd), 1,
	   "sockets accepted after milter_socket_nodelay inherit TCP_NODELAY");
    close(cfd);
    close(afd);
    close(lfd);
}

static void test_unix(void)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct milter_socket s;
    struct stat st;
    char dir[] = "/tmp/mxg-sock.XXXXXX", spec[200];
    const char *why;
    int lfd, fd = -1;

    ok(mkdtemp(dir) != NULL, "temporary directory");
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/m.sock", dir);
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    ok(bind(lfd, (struct sockaddr *) &sun, sizeof(sun)) == 0 && listen(lfd, 5) == 0,
       "made a unix listener");
    snprintf(spec, sizeof(spec), "unix:%s", sun.sun_path);
    milter_socket_parse(spec, &s, &why);
    is_int(milter_socket_find_fd(&s, &fd), 1, "find_fd finds the unix listener");
    is_int(fd, lfd, "find_fd returns the unix listener's descriptor");
    ok(milter_socket_unix_perms(sun.sun_path, getuid(), getgid(), 0660) == 0,
       "unix_perms succeeds");
    memset(&st, 0, sizeof(st));
    is_int(stat(sun.sun_path, &st), 0, "stat the unix socket file");
    is_int(st.st_mode & 07777, 0660, "unix socket file has mode 0660");
    ok(milter_socket_unix_perms("/nonexistent/dir/m.sock", getuid(), getgid(), 0660) < 0,
       "unix_perms reports a missing socket file");
    close(lfd);
    unlink(sun.sun_path);
    rmdir(dir);
}

int main(void)
{
    test_parse();
    test_find_tcp();
    test_nodelay_inherited();
    test_unix();
    return done_testing();
}
