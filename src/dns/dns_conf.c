/*
 * NAME
 *	dns_conf - build the resolver from the configuration snapshot
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	struct dns_resolver *dns_resolver_from_conf(const struct conf *c,
 *						    const char **why_r);
 * DESCRIPTION
 *	Reads dns.servers, dns.timeout_ms, dns.retries, dns.dnssec,
 *	dns.cache_size and dns.static through the conf accessors (the keys,
 *	their defaults and ranges live in src/conf/conf_keys.c), then calls
 *	dns_resolver_new(). The resolver does not keep a reference to c.
 * DIAGNOSTICS
 *	NULL with *why_r set (details, e.g. static file FILE:LINE errors,
 *	are logged with msg_error).
 */
#include "config.h"
#include "conf/conf.h"
#include "dns/dns.h"

/* dns_resolver_from_conf - a resolver configured by the dns.* keys */
struct dns_resolver *dns_resolver_from_conf(const struct conf *c, const char **why_r)
{
    struct dns_config cfg = {0};
    const char *st = conf_str(c, "dns.static");

    cfg.nservers = conf_list(c, "dns.servers", &cfg.servers);
    cfg.timeout_ms = (int) conf_int(c, "dns.timeout_ms");
    cfg.retries = (int) conf_int(c, "dns.retries");
    cfg.dnssec = conf_bool(c, "dns.dnssec");
    cfg.cache_size = (size_t) conf_int(c, "dns.cache_size");
    cfg.static_file = st != NULL && *st ? st : NULL;
    return dns_resolver_new(&cfg, why_r);
}
