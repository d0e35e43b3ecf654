/*
 * t/unit/cidr.c - util/cidr: parsing, host-bit errors, v4/v6/mapped matching.
 */
#include "config.h"
#include "util/cidr.h"
#include "t/tap.h"

#include <sys/socket.h>

static int parses(const char *s)
{
    struct cidr c;
    const char *why = NULL;
    return cidr_parse(s, &c, &why) == 0;
}

static int matches(const char *net, const char *addr)
{
    struct cidr n, a;
    const char *why;
    if (cidr_parse(net, &n, &why) < 0 || cidr_addr_parse(addr, &a) < 0)
	return -1;
    return cidr_match(&n, &a);
}

int main(void)
{
    ok(parses("192.0.2.1"), "bare IPv4 address parses");
    ok(parses("192.0.2.0/24"), "IPv4 network parses");
    ok(parses("2001:db8::/32"), "IPv6 network parses");
    ok(parses("[2001:db8::1]"), "bracketed IPv6 address parses");
    ok(parses("0.0.0.0/0"), "default route parses");
    ok(!parses("192.0.2.1/24"), "host bits below the prefix are an error");
    ok(!parses("192.0.2.0/33"), "IPv4 prefix over 32 is an error");
    ok(!parses("2001:db8::/129"), "IPv6 prefix over 128 is an error");
    ok(!parses("300.1.1.1"), "octet over 255 is an error");
    ok(!parses("example.com"), "a name is not a CIDR");
    ok(!parses("10.0.0.0/"), "empty prefix is an error");
    ok(!parses("10.0.0.0/-1"), "negative prefix is an error");
    ok(!parses(""), "empty string is an error");
    is_int(matches("192.0.2.0/24", "192.0.2.77"), 1, "address inside IPv4 network matches");
    is_int(matches("192.0.2.0/24", "192.0.3.1"), 0, "address outside IPv4 network does not match");
    is_int(matches("192.0.2.128/25", "192.0.2.127"), 0, "partial-byte prefix excludes lower half");
    is_int(matches("192.0.2.128/25", "192.0.2.200"), 1, "partial-byte prefix includes upper half");
    is_int(matches("2001:db8::/32", "2001:db8:1::5"), 1, "address inside IPv6 network matches");
    is_int(matches("2001:db8::/32", "2001:db9::5"), 0, "address outside IPv6 network does not match");
    is_int(matches("127.0.0.0/8", "::ffff:127.0.0.1"), 1, "IPv4-mapped IPv6 address matches IPv4 network");
    is_int(matches("::ffff:10.0.0.0/104", "::ffff:10.1.2.3"), 1,
	   "IPv4-mapped network matches an IPv4-mapped address inside it");
    is_int(matches("::ffff:10.0.0.0/104", "10.1.2.3"), 1, "IPv4-mapped network matches the plain IPv4 address");
    is_int(matches("::ffff:10.0.0.0/104", "11.1.2.3"), 0, "IPv4-mapped network excludes addresses outside it");
    is_int(matches("::1", "127.0.0.1"), 0, "IPv6 network never matches an IPv4 address");
    struct cidr c;
    char out[64];
    const char *why;
    cidr_parse("2001:db8::/32", &c, &why);
    cidr_format(&c, out, sizeof(out));
    is_str(out, "2001:db8::/32", "IPv6 network formats back");
    return done_testing();
}
