/*
 * NAME
 *	dnsq - query through mxguard's resolver (a test tool)
 * SYNOPSIS
 *	dnsq [-s SERVER[:PORT]]... [-t TIMEOUT_MS] [-r RETRIES] [-n]
 *	     [-f STATIC_FILE] TYPE NAME
 * DESCRIPTION
 *	Prints one status line, then one line per record of TYPE:
 *
 *	    status=found|notfound|temporary|permanent secure=0|1 nxdomain=0|1 canonical=NAME
 *	    TYPE TTL DATA
 *
 *	DATA: A/AAAA the address; MX "PREF EXCHANGE" ("." for a null MX);
 *	TXT the joined string in double quotes (" and \ escaped with \,
 *	other non-printables as \DDD); PTR/CNAME the target; TLSA "USAGE
 *	SELECTOR MTYPE HEX". The reason of a temporary or permanent result
 *	goes to stderr. -n: no DNSSEC (no DO, no AD). End-to-end tests parse
 *	this format: keep it stable.
 * DIAGNOSTICS
 *	Exit 0 after a lookup whatever its result, 2 on usage errors.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "dns/dns.h"

#define MAX_SERVERS 16

/* usage - print the synopsis and exit 2 */
static void usage(const char *why)
{
    if (why)
	fprintf(stderr, "dnsq: %s\n", why);
    fprintf(stderr, "usage: dnsq [-s SERVER[:PORT]]... [-t TIMEOUT_MS] [-r RETRIES] [-n] "
	    "[-f STATIC_FILE] TYPE NAME\n");
    exit(2);
}

/* print_txt - the joined TXT string, quoted and escaped */
static void print_txt(const char *s, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) s[i];
	if (c == '"' || c == '\\')
	    printf("\\%c", c);
	else if (c < 0x20 || c >= 0x7f)
	    printf("\\%03u", c);
	else
	    putchar(c);
    }
    putchar('"');
}

/* print_rr - one "TYPE TTL DATA" line */
static void print_rr(const struct dns_rr *rr)
{
    char addr[INET6_ADDRSTRLEN];

    printf("%s %u ", dns_type_name(rr->type), rr->ttl);
    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
	inet_ntop(rr->type == DNS_T_A ? AF_INET : AF_INET6, rr->u.addr, addr, sizeof(addr));
	printf("%s", addr);
	break;
    case DNS_T_MX:
	printf("%u %s", rr->u.mx.pref, *rr->u.mx.exchange ? rr->u.mx.exchange : ".");
	break;
    case DNS_T_TXT:
	print_txt(rr->u.txt.text, rr->u.txt.len);
	break;
    case DNS_T_PTR:
    case DNS_T_CNAME:
	printf("%s", rr->u.target);
	break;
    case DNS_T_TLSA:
	printf("%u %u %u ", rr->u.tlsa.usage, rr->u.tlsa.selector, rr->u.tlsa.mtype);
	for (size_t i = 0; i < rr->u.tlsa.len; i++)
	    printf("%02x", rr->u.tlsa.data[i]);
	break;
    }
    putchar('\n');
}

/* int_arg - a non-negative integer option value */
static int int_arg(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == 0 || *end || v < 0 || v > 1000000)
	usage("bad number");
    return (int) v;
}

int main(int argc, char **argv)
{
    const char *servers[MAX_SERVERS];
    struct dns_config cfg = {.timeout_ms = 0, .retries = -1, .dnssec = 1};
    struct dns_resolver *r;
    struct dns_answer *a;
    char *why;
    int c, type;

    cfg.servers = servers;
    while ((c = getopt(argc, argv, "s:t:r:nf:")) != -1) {
	switch (c) {
	case 's':
	    if (cfg.nservers == MAX_SERVERS)
		usage("too many servers");
	    servers[cfg.nservers++] = optarg;
	    break;
	case 't':
	    cfg.timeout_ms = int_arg(optarg);
	    break;
	case 'r':
	    cfg.retries = int_arg(optarg);
	    break;
	case 'n':
	    cfg.dnssec = 0;
	    break;
	case 'f':
	    cfg.static_file = optarg;
	    break;
	default:
	    usage(NULL);
	}
    }
    if (argc - optind != 2)
	usage("want TYPE NAME");
    if ((type = dns_type_parse(argv[optind])) < 0)
	usage("unknown type (A AAAA MX TXT PTR CNAME TLSA)");
    if ((r = dns_resolver_open(&cfg, &why)) == NULL) {
	fprintf(stderr, "dnsq: %s\n", why);
	free(why);
	return 2;
    }
    dns_lookup(r, argv[optind + 1], (enum dns_type) type, NULL, &a);
    printf("status=%s secure=%d nxdomain=%d canonical=%s\n", dns_status_name(a->status),
	   a->secure, a->nxdomain, a->canonical ? a->canonical : "");
    for (size_t i = 0; i < a->count; i++)
	print_rr(&a->rrs[i]);
    if (a->reason)
	fprintf(stderr, "dnsq: %s\n", a->reason);
    fflush(stdout);
    dns_answer_free(&a);
    dns_resolver_free(&r);
    return 0;
}
