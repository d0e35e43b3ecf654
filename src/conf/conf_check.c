/*
 * NAME
 *	conf_check - checks of string values with a syntax of their own
 * SYNOPSIS
 *	#include "conf/conf_impl.h"
 *
 *	int conf_check_facility(const char *value, const char **why_r);
 *	int conf_check_milter_socket(const char *value, const char **why_r);
 *	int conf_check_dns_server(const char *value, const char **why_r);
 *	int conf_check_redis(const char *value, const char **why_r);
 *	int conf_check_listen(const char *value, const char **why_r);
 *	int conf_check_metrics_listen(const char *value, const char **why_r);
 *	int conf_check_word(const char *value, const char *const *words);
 * DESCRIPTION
 *	Syntax only: nothing here resolves names or opens files, so
 *	`mxguard config-test` gives the same answer on any machine.
 *
 *	milter sockets are libmilter's: inet:PORT[@HOST], inet6:PORT[@HOST],
 *	unix:/path, local:/path. DNS servers: "ip", "ip:port" (IPv4),
 *	"[ipv6]" or "[ipv6]:port", or a bare IPv6 address. Redis:
 *	"host:port[/db]", "[ipv6]:port[/db]" or "unix:/path[/db]". Outbound
 *	listeners: "smtp:" or "lmtp:" followed by "host:port",
 *	"[ipv6]:port" or "unix:/path".
 * DIAGNOSTICS
 *	0 good, -1 with *why_r set to a static reason.
 *	conf_check_word: 1 when value is one of words, else 0.
 * STANDARDS
 *	RFC 3986 host syntax is not enforced; ports 1..65535 (RFC 6335). libmilter
 *	socket syntax as in smfi_setconn(3).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "conf/conf_impl.h"
#include "util/msg.h"

/* check_port - digits only, 1..65535; len bytes of text */
static int check_port(const char *text, size_t len)
{
    long port = 0;

    if (len == 0 || len > 5)
	return -1;
    for (size_t i = 0; i < len; i++) {
	if (!isdigit((unsigned char) text[i]))
	    return -1;
	port = port * 10 + (text[i] - '0');
    }
    return port >= 1 && port <= 65535 ? 0 : -1;
}

/* check_digits - a non-empty run of at most 9 digits (a database number) */
static int check_digits(const char *text)
{
    size_t len = strlen(text);

    if (len == 0 || len > 9)
	return -1;
    for (size_t i = 0; i < len; i++)
	if (!isdigit((unsigned char) text[i]))
	    return -1;
    return 0;
}

/* check_host - a host name or address: non-empty, no blanks or controls */
static int check_host(const char *text, size_t len)
{
    if (len == 0)
	return -1;
    for (size_t i = 0; i < len; i++)
	if (isspace((unsigned char) text[i]) || iscntrl((unsigned char) text[i]))
	    return -1;
    return 0;
}

/* is_ip - is the len-byte text an address of this family? */
static int is_ip(int family, const char *text, size_t len)
{
    char tmp[INET6_ADDRSTRLEN + 1];
    unsigned char addr[16];

    if (len == 0 || len >= sizeof(tmp))
	return 0;
    memcpy(tmp, text, len);
    tmp[len] = 0;
    return inet_pton(family, tmp, addr) == 1;
}

/* check_hostport - "host:port" or "[ipv6]:port" */
static int check_hostport(const char *text, const char **why_r)
{
    const char *colon;

    if (text[0] == '[') {
	const char *end = strchr(text, ']');
	if (end == NULL || !is_ip(AF_INET6, text + 1, (size_t) (end - text - 1))) {
	    *why_r = "bad IPv6 address in brackets";
	    return -1;
	}
	colon = end + 1;
	if (*colon != ':') {
	    *why_r = "expected :PORT after the bracketed address";
	    return -1;
	}
    } else {
	colon = strrchr(text, ':');
	if (colon == NULL) {
	    *why_r = "expected HOST:PORT";
	    return -1;
	}
	if (check_host(text, (size_t) (colon - text)) < 0) {
	    *why_r = "bad host name";
	    return -1;
	}
    }
    if (check_port(colon + 1, strlen(colon + 1)) < 0) {
	*why_r = "bad port (must be 1..65535)";
	return -1;
    }
    return 0;
}

/* check_abs_path - an absolute path after a "unix:" style prefix */
static int check_abs_path(const char *path, const char **why_r)
{
    if (path[0] != '/' || path[1] == 0) {
	*why_r = "the socket path must be absolute";
	return -1;
    }
    return 0;
}

/* conf_check_facility - a syslog facility name msg_open() accepts */
int conf_check_facility(const char *value, const char **why_r)
{
    if (msg_facility_parse(value) < 0) {
	*why_r = "not a syslog facility (mail, daemon, user, local0..local7)";
	return -1;
    }
    return 0;
}

/* conf_check_milter_socket - libmilter's socket specification */
int conf_check_milter_socket(const char *value, const char **why_r)
{
    const char *p;

    if (strncmp(value, "unix:", 5) == 0)
	return check_abs_path(value + 5, why_r);
    if (strncmp(value, "local:", 6) == 0)
	return check_abs_path(value + 6, why_r);
    if (strncmp(value, "inet:", 5) == 0)
	p = value + 5;
    else if (strncmp(value, "inet6:", 6) == 0)
	p = value + 6;
    else {
	*why_r = "expected inet:PORT@HOST, inet6:PORT@HOST, unix:/path or local:/path";
	return -1;
    }
    const char *at = strchr(p, '@');
    size_t plen = at ? (size_t) (at - p) : strlen(p);
    if (check_port(p, plen) < 0) {
	*why_r = "bad port (must be 1..65535)";
	return -1;
    }
    if (at != NULL && check_host(at + 1, strlen(at + 1)) < 0) {
	*why_r = "bad host after @";
	return -1;
    }
    return 0;
}

/* conf_check_dns_server - "ip", "ip:port", "[ipv6]", "[ipv6]:port" */
int conf_check_dns_server(const char *value, const char **why_r)
{
    size_t len = strlen(value);
    const char *colon;

    if (is_ip(AF_INET, value, len) || is_ip(AF_INET6, value, len))
	return 0;
    if (value[0] == '[') {
	const char *end = strchr(value, ']');
	if (end != NULL && end[1] == 0 && is_ip(AF_INET6, value + 1, (size_t) (end - value - 1)))
	    return 0;
	return check_hostport(value, why_r);
    }
    colon = strrchr(value, ':');
    if (colon == NULL || !is_ip(AF_INET, value, (size_t) (colon - value))) {
	*why_r = "not an IP address (name servers are given by address)";
	return -1;
    }
    if (check_port(colon + 1, strlen(colon + 1)) < 0) {
	*why_r = "bad port (must be 1..65535)";
	return -1;
    }
    return 0;
}

/* conf_check_metrics_listen - "" (off), "ip:port" or "[ipv6]:port" with an address */
int conf_check_metrics_listen(const char *value, const char **why_r)
{
    const char *colon = value[0] == '[' ? strstr(value, "]:") : strrchr(value, ':');
    size_t hlen;

    if (*value == 0)
	return 0;
    if (colon == NULL) {
	*why_r = "expected IP:PORT or [IPv6]:PORT";
	return -1;
    }
    hlen = (size_t) (colon - value);
    if (value[0] == '[' ? !is_ip(AF_INET6, value + 1, hlen - 1) : !is_ip(AF_INET, value, hlen)) {
	*why_r = "not an IP address (the listener binds an address, not a name)";
	return -1;
    }
    colon += value[0] == '[' ? 2 : 1;
    if (check_port(colon, strlen(colon)) < 0) {
	*why_r = "bad port (must be 1..65535)";
	return -1;
    }
    return 0;
}

/* conf_check_redis - "host:port[/db]", "[ipv6]:port[/db]", "unix:/path[/db]" */
int conf_check_redis(const char *value, const char **why_r)
{
    if (*value == 0)
	return 0;			/* Redis not used */
    if (strncmp(value, "unix:", 5) == 0)
	return check_abs_path(value + 5, why_r);

    const char *slash = strchr(value, '/');
    char hostport[300];
    size_t len = slash ? (size_t) (slash - value) : strlen(value);

    if (len >= sizeof(hostport)) {
	*why_r = "host name too long";
	return -1;
    }
    memcpy(hostport, value, len);
    hostport[len] = 0;
    if (check_hostport(hostport, why_r) < 0)
	return -1;
    if (slash != NULL && check_digits(slash + 1) < 0) {
	*why_r = "the database after / must be a number";
	return -1;
    }
    return 0;
}

/* conf_check_listen - an outbound listener: smtp:|lmtp: then an address */
int conf_check_listen(const char *value, const char **why_r)
{
    const char *p;

    if (strncmp(value, "smtp:", 5) == 0 || strncmp(value, "lmtp:", 5) == 0)
	p = value + 5;
    else {
	*why_r = "expected smtp:HOST:PORT, lmtp:HOST:PORT or lmtp:unix:/path";
	return -1;
    }
    if (strncmp(p, "unix:", 5) == 0)
	return check_abs_path(p + 5, why_r);
    return check_hostport(p, why_r);
}

/* conf_check_word - is value one of the NULL-terminated words? */
int conf_check_word(const char *value, const char *const *words)
{
    for (; *words != NULL; words++)
	if (strcmp(value, *words) == 0)
	    return 1;
    return 0;
}
