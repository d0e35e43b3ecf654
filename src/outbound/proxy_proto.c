/*
 * NAME
 *	proxy_proto.c - PROXY protocol v1/v2 header parser
 * DESCRIPTION
 *	See proxy_proto.h.
 */
#include "config.h"
#include "outbound/proxy_proto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const unsigned char v2_sig[12] = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
};

/* fail - set the reason, return -1 */
static int fail(const char **why_r, const char *why)
{
    *why_r = why;
    return -1;
}

/* v1_port - a decimal port 0-65535 of at most 5 digits; -1 otherwise */
static int v1_port(const char *s)
{
    long v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
	return -1;
    for (size_t i = 0; i < n; i++) {
	if (s[i] < '0' || s[i] > '9')
	    return -1;
	v = v * 10 + (s[i] - '0');
    }
    return v <= 65535 ? (int) v : -1;
}

/* v1_addr - fill a sockaddr from address text and port text */
static int v1_addr(int family, const char *addr, const char *port, struct sockaddr_storage *ss)
{
    int p = v1_port(port);

    memset(ss, 0, sizeof(*ss));
    if (p < 0)
	return -1;
    if (family == AF_INET) {
	struct sockaddr_in *sin = (struct sockaddr_in *) ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short) p);
	return inet_pton(AF_INET, addr, &sin->sin_addr) == 1 ? 0 : -1;
    } else {
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short) p);
	return inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1 ? 0 : -1;
    }
}

/* v1_fields - split the line (after "PROXY ") at single spaces; count or -1 */
static int v1_fields(char *s, char **f, int max)
{
    int n = 0;

    for (;;) {
	if (n == max || *s == ' ' || *s == 0)
	    return -1;
	f[n++] = s;
	s += strcspn(s, " ");
	if (*s == 0)
	    return n;
	*s++ = 0;
    }
}

/* v1_parse - "PROXY TCP4|TCP6|UNKNOWN ..." CRLF */
static int v1_parse(const unsigned char *data, size_t len, struct ob_proxy_hdr *h,
		    size_t *need_r, const char **why_r)
{
    char line[OB_PROXY_V1_MAX + 1], *f[6];
    const unsigned char *cr;
    size_t n;
    int nf, family;

    cr = memchr(data, '\r', len < OB_PROXY_V1_MAX ? len : OB_PROXY_V1_MAX);
    if (cr == NULL) {
	if (memchr(data, '\n', len < OB_PROXY_V1_MAX ? len : OB_PROXY_V1_MAX) != NULL)
	    return fail(why_r, "v1 line ends without CR");
	if (len >= OB_PROXY_V1_MAX)
	    return fail(why_r, "v1 line longer than 107 bytes");
	*need_r = len + 1;
	return 0;
    }
    n = (size_t) (cr - data);
    if (n + 2 > OB_PROXY_V1_MAX)
	return fail(why_r, "v1 line longer than 107 bytes");
    if (n + 1 >= len) {
	*need_r = n + 2;
	return 0;
    }
    if (cr[1] != '\n')
	return fail(why_r, "v1 line has a CR without LF");
    memcpy(line, data, n);
    line[n] = 0;
    for (size_t i = 0; i < n; i++)
	if ((unsigned char) line[i] < 0x20 || (unsigned char) line[i] > 0x7e)
	    return fail(why_r, "v1 line has a control or 8-bit byte");
    h->version = 1;
    if (strncmp(line + 6, "UNKNOWN", 7) == 0 && (line[13] == 0 || line[13] == ' ')) {
	h->local = 1;
	return (int) n + 2;
    }
    nf = v1_fields(line + 6, f, 6);
    if (nf != 5)
	return fail(why_r, "v1 line needs protocol, two addresses and two ports");
    if (strcmp(f[0], "TCP4") == 0)
	family = AF_INET;
    else if (strcmp(f[0], "TCP6") == 0)
	family = AF_INET6;
    else
	return fail(why_r, "v1 protocol is not TCP4, TCP6 or UNKNOWN");
    if (v1_addr(family, f[1], f[3], &h->src) < 0 || v1_addr(family, f[2], f[4], &h->dst) < 0)
	return fail(why_r, "v1 address or port invalid for the protocol");
    return (int) n + 2;
}

/* v2_inet - the addresses of an INET (12 bytes) or INET6 (36 bytes) block */
static void v2_inet(int family, const unsigned char *a, struct ob_proxy_hdr *h)
{
    size_t alen = family == AF_INET ? 4 : 16;
    struct sockaddr_storage *ss[2] = { &h->src, &h->dst };

    for (int i = 0; i < 2; i++) {
	const unsigned char *ip = a + i * alen, *port = a + 2 * alen + 2 * i;
	unsigned short p = (unsigned short) (port[0] << 8 | port[1]);

	memset(ss[i], 0, sizeof(*ss[i]));
	if (family == AF_INET) {
	    struct sockaddr_in *sin = (struct sockaddr_in *) ss[i];

	    sin->sin_family = AF_INET;
	    sin->sin_port = htons(p);
	    memcpy(&sin->sin_addr, ip, 4);
	} else {
	    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss[i];

	    sin6->sin6_family = AF_INET6;
	    sin6->sin6_port = htons(p);
	    memcpy(&sin6->sin6_addr, ip, 16);
	}
    }
}

/* v2_parse - signature, ver/cmd, family/protocol, length, addresses, TLVs */
static int v2_parse(const unsigned char *data, size_t len, struct ob_proxy_hdr *h,
		    size_t *need_r, const char **why_r)
{
    size_t plen;
    int cmd, fam, proto;

    if (len < 16) {
	*need_r = 16;
	return 0;
    }
    if ((data[12] >> 4) != 2)
	return fail(why_r, "v2 version is not 2");
    cmd = data[12] & 0x0f;
    fam = data[13] >> 4;
    proto = data[13] & 0x0f;
    plen = (size_t) data[14] << 8 | data[15];
    if (cmd > 1)
	return fail(why_r, "v2 command is neither LOCAL nor PROXY");
    if (plen > OB_PROXY_V2_MAX)
	return fail(why_r, "v2 header longer than 1024 bytes");
    if (len < 16 + plen) {
	*need_r = 16 + plen;
	return 0;
    }
    h->version = 2;
    if (cmd == 0 || fam == 0 || fam == 3) {
	if (fam > 3 || proto > 2)
	    return fail(why_r, "v2 unknown address family or protocol");
	h->local = 1;
	return (int) (16 + plen);
    }
    if (fam > 2)
	return fail(why_r, "v2 unknown address family");
    if (proto != 1)
	return fail(why_r, "v2 transport is not STREAM");
    if (plen < (fam == 1 ? 12u : 36u))
	return fail(why_r, "v2 address block shorter than its family");
    v2_inet(fam == 1 ? AF_INET : AF_INET6, data + 16, h);
    return (int) (16 + plen);
}

/* ob_proxy_parse - a v1 or v2 header at the start of data */
int ob_proxy_parse(const unsigned char *data, size_t len, struct ob_proxy_hdr *h,
		   size_t *need_r, const char **why_r)
{
    size_t k = len < 12 ? len : 12;

    memset(h, 0, sizeof(*h));
    *need_r = 0;
    *why_r = "";
    if (len == 0) {
	*need_r = 1;
	return 0;
    }
    if (memcmp(data, v2_sig, k) == 0) {
	if (len < 12) {
	    *need_r = 12;
	    return 0;
	}
	return v2_parse(data, len, h, need_r, why_r);
    }
    k = len < 6 ? len : 6;
    if (memcmp(data, "PROXY ", k) != 0)
	return fail(why_r, "no PROXY protocol signature");
    if (len < 6) {
	*need_r = 6;
	return 0;
    }
    return v1_parse(data, len, h, need_r, why_r);
}
