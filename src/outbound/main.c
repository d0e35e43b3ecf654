/*
 * NAME
 *	mxguard-outbound - outbound SMTP/LMTP proxy (skeleton)
 * SYNOPSIS
 *	mxguard-outbound [-fhtvV] [-c FILE]
 * DESCRIPTION
 *	This version loads and validates the configuration (the outbound.*
 *	keys included) with the same options and error reporting as
 *	mxguardd. Delivery itself (listener, routing, TLS/DANE sessions)
 *	arrives in a later version: without -t the program says so and exits
 *	1, so that nobody mistakes it for a working relay.
 *
 *	Beyond the type checks of the config module, outbound.listen entries
 *	must be "smtp:HOST:PORT" or "lmtp:HOST:PORT" (HOST an address, a
 *	name, or "[v6-address]"; PORT 1..65535).
 * DIAGNOSTICS
 *	-t: exit 0 when the configuration is valid, else 1 with every error
 *	on stderr. Without -t: always exit 1.
 * STANDARDS
 *	RFC 5321 (SMTP), RFC 2033 (LMTP) for the listen protocols.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "milter/daemon.h"
#include "util/msg.h"

#define PROG "mxguard-outbound"

/* outbound_listen_check - is one outbound.listen entry well formed? */
static int outbound_listen_check(const char *spec, const char **why_r)
{
    const char *hp, *colon;
    long port;
    char *end;

    if (strncmp(spec, "smtp:", 5) != 0 && strncmp(spec, "lmtp:", 5) != 0) {
	*why_r = "expected smtp:HOST:PORT or lmtp:HOST:PORT";
	return -1;
    }
    hp = spec + 5;
    if (*hp == '[') {
	colon = strchr(hp, ']');
	if (colon == NULL || colon == hp + 1 || colon[1] != ':') {
	    *why_r = "expected [IPv6-ADDRESS]:PORT";
	    return -1;
	}
	colon++;
    } else {
	colon = strrchr(hp, ':');
	if (colon == NULL || colon == hp || memchr(hp, ':', (size_t) (colon - hp)) != NULL) {
	    *why_r = "expected HOST:PORT (write IPv6 addresses as [ADDRESS]:PORT)";
	    return -1;
	}
    }
    port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != 0 || port < 1 || port > 65535) {
	*why_r = "port must be a number from 1 to 65535";
	return -1;
    }
    return 0;
}

/* outbound_check - semantic checks of outbound.* beyond the key table */
static int outbound_check(const struct conf *c)
{
    const char *const *items;
    size_t n = conf_list(c, "outbound.listen", &items);
    const char *why;
    int ret = 0;

    if (n == 0) {
	fprintf(stderr, "%s: outbound.listen: no listen address configured\n", PROG);
	ret = -1;
    }
    for (size_t i = 0; i < n; i++) {
	if (outbound_listen_check(items[i], &why) < 0) {
	    fprintf(stderr, "%s: outbound.listen: \"%s\": %s\n", PROG, items[i], why);
	    ret = -1;
	}
    }
    return ret;
}

int main(int argc, char **argv)
{
    struct daemon_opts opts;
    struct conf *c;

    daemon_opts_parse(argc, argv, PROG,
		      "the mxguard outbound SMTP/LMTP proxy (delivery not implemented yet)",
		      &opts);
    if ((c = daemon_conf_load(PROG, opts.config)) == NULL)
	exit(1);
    if (outbound_check(c) < 0) {
	conf_unref(&c);
	exit(1);
    }
    if (opts.test) {
	printf("%s: configuration %s is valid\n", PROG, daemon_conf_name(c));
	conf_unref(&c);
	exit(0);
    }
    fprintf(stderr, "%s: delivery is not implemented in this version\n", PROG);
    conf_unref(&c);
    exit(1);
}
