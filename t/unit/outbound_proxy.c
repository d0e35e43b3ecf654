/*
 * t/unit/outbound_proxy.c - the PROXY protocol parser (proxy_proto.h):
 * v1 TCP4/TCP6/UNKNOWN, v2 PROXY (INET, INET6, with TLVs) and LOCAL,
 * incomplete input asks for more, truncated, oversized and malformed
 * headers are refused with a reason, bytes after the header are not
 * taken.
 */
#include "config.h"
#include "outbound/proxy_proto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "t/tap.h"

/* addr_text - "ip port" of a parsed address */
static const char *addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;

    if (ss->ss_family == AF_INET) {
	const struct sockaddr_in *s = (const struct sockaddr_in *) ss;

	inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
	port = ntohs(s->sin_port);
    } else if (ss->ss_family == AF_INET6) {
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *) ss;

	inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
	port = ntohs(s->sin6_port);
    }
    snprintf(out, len, "%s %d", ip, port);
    return out;
}

/* parse_str - parse a text header; the result */
static int parse_str(const char *s, struct ob_proxy_hdr *h, size_t *need, const char **why)
{
    return ob_proxy_parse((const unsigned char *) s, strlen(s), h, need, why);
}

/* v1_cases - version 1 lines */
static void v1_cases(void)
{
    struct ob_proxy_hdr h;
    const char *why, *l;
    size_t need;
    char t[80], big[200];

    l = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 10026\r\nLHLO x\r\n";
    is_int(parse_str(l, &h, &need, &why), 47, "v1 TCP4: the header length, not the LHLO after it");
    is_int(h.version, 1, "v1 TCP4: version 1");
    is_int(h.local, 0, "v1 TCP4: addresses given");
    is_str(addr_text(&h.src, t, sizeof(t)), "192.0.2.7 56324", "v1 TCP4: source address and port");
    is_str(addr_text(&h.dst, t, sizeof(t)), "198.51.100.1 10026", "v1 TCP4: destination");
    l = "PROXY TCP6 2001:db8::7 2001:db8::1 65535 25\r\n";
    is_int(parse_str(l, &h, &need, &why), (int) strlen(l), "v1 TCP6 parsed");
    is_str(addr_text(&h.src, t, sizeof(t)), "2001:db8::7 65535", "v1 TCP6: source");
    l = "PROXY UNKNOWN\r\n";
    is_int(parse_str(l, &h, &need, &why), 15, "v1 UNKNOWN parsed");
    is_int(h.local, 1, "v1 UNKNOWN: the connection's own address stands");
    l = "PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n";
    ok(parse_str(l, &h, &need, &why) > 0 && h.local, "v1 UNKNOWN with addresses: they are ignored");
    is_int(parse_str("PROXY TCP4 192.0.2.7 19", &h, &need, &why), 0, "v1 truncated: incomplete");
    is_int((int) need, 24, "v1 truncated: one more byte wanted");
    is_int(parse_str("PROX", &h, &need, &why), 0, "v1 signature prefix: incomplete");
    is_int(parse_str("PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n", &h, &need, &why), -1,
	   "v1 TCP4 with an IPv6 address refused");
    is_str(why, "v1 address or port invalid for the protocol", "  with its reason");
    is_int(parse_str("PROXY TCP4 192.0.2.1 192.0.2.2 65536 25\r\n", &h, &need, &why), -1,
	   "v1 port above 65535 refused");
    is_int(parse_str("PROXY TCP4  192.0.2.1 192.0.2.2 1 25\r\n", &h, &need, &why), -1,
	   "v1 double space refused");
    is_int(parse_str("PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n", &h, &need, &why), -1,
	   "v1 missing port refused");
    is_int(parse_str("PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n", &h, &need, &why), -1,
	   "v1 unknown protocol refused");
    is_int(parse_str("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n", &h, &need, &why), -1,
	   "v1 bare LF refused");
    memset(big, 'A', sizeof(big));
    memcpy(big, "PROXY UNKNOWN ", 14);
    big[sizeof(big) - 1] = 0;
    is_int(parse_str(big, &h, &need, &why), -1, "v1 oversized line (no CRLF in 107 bytes) refused");
    is_str(why, "v1 line longer than 107 bytes", "  with its reason");
    memcpy(big + 106, "\r\n", 3);
    is_int(parse_str(big, &h, &need, &why), -1, "v1 line of 108 bytes refused");
    memcpy(big + 105, "\r\n", 3);
    is_int(parse_str(big, &h, &need, &why), 107, "v1 line of exactly 107 bytes accepted");
    is_int(parse_str("EHLO mta.example\r\n", &h, &need, &why), -1, "a command is not a header");
    is_str(why, "no PROXY protocol signature", "  with its reason");
}

static const unsigned char sig[12] = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
};

/* v2_make - a v2 header: command, family byte, address block of plen bytes */
static size_t v2_make(unsigned char *b, int cmd, int fam, const unsigned char *a, size_t plen)
{
    memcpy(b, sig, 12);
    b[12] = (unsigned char) (0x20 | cmd);
    b[13] = (unsigned char) fam;
    b[14] = (unsigned char) (plen >> 8);
    b[15] = (unsigned char) plen;
    if (a)
	memcpy(b + 16, a, plen);
    else
	memset(b + 16, 0, plen);
    return 16 + plen;
}

/* v2_cases - version 2 headers */
static void v2_cases(void)
{
    unsigned char b[4096], a[64] = { 192, 0, 2, 9, 203, 0, 113, 5, 0xdc, 0x05, 0x27, 0x1a };
    struct ob_proxy_hdr h;
    const char *why;
    size_t n, need;
    char t[80];

    n = v2_make(b, 1, 0x11, a, 12);
    memcpy(b + n, "LHLO x\r\n", 8);
    is_int(ob_proxy_parse(b, n + 8, &h, &need, &why), 28, "v2 PROXY INET: 16 + 12 bytes");
    ok(h.version == 2 && h.local == 0, "v2 PROXY INET: version 2 with addresses");
    is_str(addr_text(&h.src, t, sizeof(t)), "192.0.2.9 56325", "v2 INET: source address and port");
    is_str(addr_text(&h.dst, t, sizeof(t)), "203.0.113.5 10010", "v2 INET: destination");
    memset(a, 0, sizeof(a));
    a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8, a[15] = 0x42, a[32] = 0x01, a[33] = 0xbb;
    n = v2_make(b, 1, 0x21, a, 36);
    is_int(ob_proxy_parse(b, n, &h, &need, &why), 52, "v2 PROXY INET6 parsed");
    is_str(addr_text(&h.src, t, sizeof(t)), "2001:db8::42 443", "v2 INET6: source");
    n = v2_make(b, 1, 0x11, a, 12 + 20);	/* TLVs after the addresses */
    is_int(ob_proxy_parse(b, n, &h, &need, &why), 48, "v2 with TLVs: the whole length is the header");
    n = v2_make(b, 0, 0x00, NULL, 0);
    is_int(ob_proxy_parse(b, n, &h, &need, &why), 16, "v2 LOCAL parsed");
    is_int(h.local, 1, "v2 LOCAL: the connection's own address stands");
    n = v2_make(b, 1, 0x00, NULL, 0);
    ok(ob_proxy_parse(b, n, &h, &need, &why) == 16 && h.local, "v2 PROXY UNSPEC: own address stands");
    n = v2_make(b, 1, 0x31, NULL, 216);
    ok(ob_proxy_parse(b, n, &h, &need, &why) == 232 && h.local, "v2 PROXY UNIX: own address stands");
    n = v2_make(b, 1, 0x11, a, 12);
    is_int(ob_proxy_parse(b, 10, &h, &need, &why), 0, "v2 truncated signature: incomplete");
    is_int((int) need, 12, "  wants the signature");
    is_int(ob_proxy_parse(b, 14, &h, &need, &why), 0, "v2 truncated fixed part: incomplete");
    is_int((int) need, 16, "  wants 16 bytes");
    is_int(ob_proxy_parse(b, 20, &h, &need, &why), 0, "v2 truncated addresses: incomplete");
    is_int((int) need, 28, "  wants the announced length");
    n = v2_make(b, 1, 0x11, a, 8);
    is_int(ob_proxy_parse(b, n, &h, &need, &why), -1, "v2 INET with 8 address bytes refused");
    n = v2_make(b, 1, 0x11, NULL, 2000);
    is_int(ob_proxy_parse(b, 16, &h, &need, &why), -1, "v2 oversized (2000 bytes announced) refused");
    is_str(why, "v2 header longer than 1024 bytes", "  with its reason");
    n = v2_make(b, 1, 0x11, a, 12);
    b[12] = 0x11;
    is_int(ob_proxy_parse(b, n, &h, &need, &why), -1, "v2 version 1 in the version nibble refused");
    b[12] = 0x22;
    is_int(ob_proxy_parse(b, n, &h, &need, &why), -1, "v2 command 2 refused");
    b[12] = 0x21, b[13] = 0x12;
    is_int(ob_proxy_parse(b, n, &h, &need, &why), -1, "v2 DGRAM refused");
    b[13] = 0x41;
    is_int(ob_proxy_parse(b, n, &h, &need, &why), -1, "v2 family 4 refused");
    b[13] = 0x11, b[11] = 0x0B;
    is_int(ob_proxy_parse(b, n, &h, &need, &why), -1, "v2 with a wrong signature byte refused");
}

int main(void)
{
    v1_cases();
    v2_cases();
    return done_testing();
}
