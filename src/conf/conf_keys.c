/*
 * NAME
 *	conf_keys - the one table of configuration keys
 * SYNOPSIS
 *	#include "conf/conf_impl.h"
 *
 *	extern const struct conf_key conf_keys[];
 *	extern const size_t conf_key_count;
 *	int conf_key_index(const char *name);
 *	const struct conf_key *conf_member_find(const struct conf_key *members,
 *						const char *name);
 *	int conf_key_is_prefix(const char *name);
 *	const char *conf_type_name(enum conf_type type);
 * DESCRIPTION
 *	Every key of mxguard.conf is declared here, once: full dotted name,
 *	type, default, range or allowed words, an optional value check and
 *	one doc line. The loader, the accessors, --dump, --list-keys and the
 *	man page coverage test all read this table; adding a key means adding
 *	one line here and documenting it in mxguard.conf(5).
 *
 *	Sections ("milter") and sub-groups ("dmarc.forensic", "arc.seal")
 *	are not declared: they are the prefixes of the key names.
 * DIAGNOSTICS
 *	conf_key_index: the index in conf_keys[], or -1.
 *	conf_key_is_prefix: 1 when name is a section or sub-group.
 * STANDARDS
 *	None; each key's doc line names the RFC it configures.
 */
#include "config.h"

#include <string.h>

#include "conf/conf_impl.h"

#define K_BOOL(n, d, text) \
    { .name = (n), .type = CONF_BOOL, .def_int = (d), .doc = (text) }
#define K_INT(n, d, lo, hi, text) \
    { .name = (n), .type = CONF_INT, .def_int = (d), .min = (lo), .max = (hi), .doc = (text) }
#define K_STR(n, d, fn, text) \
    { .name = (n), .type = CONF_STR, .def_str = (d), .check = (fn), .doc = (text) }
#define K_ENUM(n, d, w, text) \
    { .name = (n), .type = CONF_ENUM, .def_str = (d), .words = (w), .doc = (text) }
#define K_LIST(n, d, fn, text) \
    { .name = (n), .type = CONF_LIST, .def_list = (d), .check = (fn), .doc = (text) }
#define K_CIDRS(n, d, text) \
    { .name = (n), .type = CONF_CIDRS, .def_list = (d), .doc = (text) }

static const char *const none[] = { NULL };
static const char *const loopback[] = { "127.0.0.0/8", "::1", NULL };

static const char *const w_internal[] = { "accept", "tempfail", "reject", NULL };
static const char *const w_alg[] = { "rsa-sha256", "ed25519-sha256", NULL };
static const char *const w_canon[] = {
    "relaxed/relaxed", "relaxed/simple", "simple/relaxed", "simple/simple", NULL
};
static const char *const w_sha1[] = { "policy", "neutral", NULL };
static const char *const w_discovery[] = { "psl", "treewalk", NULL };
static const char *const w_report_format[] = { "rfc7489", "rfc9990", NULL };
static const char *const w_dane[] = { "no", "try", "require", NULL };
static const char *const w_tls[] = {
    "none", "may", "encrypt", "dane", "dane-only", "verify", "secure", NULL
};
static const char *const w_ocsp[] = { "no", "request", "require", NULL };

static const char *const signed_headers[] = {
    "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To",
    "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", NULL
};
static const char *const oversign[] = { "From", "To", "Subject", NULL };
static const char *const arc_headers[] = {
    "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To",
    "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    "DKIM-Signature", NULL
};
static const char *const w_seal_when[] = { "relayed", "control", "always", NULL };
static const char *const listen_default[] = { "lmtp:127.0.0.1:10026", NULL };

/* The members of each dkim.sign entry. */
static const struct conf_key dkim_sign_members[] = {
    {.name = "domain", .type = CONF_STR, .def_str = "", .flags = CONF_F_REQUIRED,
     .doc = "the d= domain to sign for"},
    {.name = "selector", .type = CONF_STR, .def_str = "", .flags = CONF_F_REQUIRED,
     .doc = "the s= selector"},
    {.name = "key", .type = CONF_STR, .def_str = "", .flags = CONF_F_REQUIRED,
     .doc = "the private key file (PEM)"},
    {.name = "algorithm", .type = CONF_ENUM, .def_str = "rsa-sha256", .words = w_alg,
     .doc = "the signing algorithm"},
    {.name = NULL},
};

const struct conf_key conf_keys[] = {
    /* log */
    K_STR("log.facility", "mail", conf_check_facility,
	  "syslog facility: mail, daemon, user, local0..local7"),
    K_INT("log.verbose", 0, 0, 3, "debug logging level; 0 logs only events"),

    /* milter */
    K_STR("milter.socket", "inet:8891@127.0.0.1", conf_check_milter_socket,
	  "where mxguardd listens: inet:PORT@HOST, inet6:PORT@HOST, unix:/path or local:/path"),
    K_STR("milter.authserv_id", "", NULL,
	  "authserv-id of the Authentication-Results headers; empty means the host name"),
    K_STR("milter.user", "mxguard", NULL, "user mxguardd runs as after binding its socket"),
    K_STR("milter.group", "", NULL, "group mxguardd runs as; empty means the user's group"),
    K_STR("milter.pidfile", "", NULL, "file to write the daemon's process id to; empty: none"),
    K_ENUM("milter.on_internal_error", "tempfail", w_internal,
	   "what to answer the MTA when mxguardd itself fails on a message from other clients"),
    K_ENUM("milter.on_internal_error_authenticated", "tempfail", w_internal,
	   "the same, for a message from an SMTP-authenticated client"),
    K_ENUM("milter.on_internal_error_trusted", "tempfail", w_internal,
	   "the same, for a message from a client in milter.trusted_hosts"),
    K_CIDRS("milter.trusted_hosts", loopback,
	    "clients of the site itself (networks or addresses): their mail is checked"
	    " and gets Authentication-Results like any other, but rules see the fact"
	    " trusted = yes, an internal error answers milter.on_internal_error_trusted,"
	    " and checks that treat the site's own mail apart read it (DKIM signs it,"
	    " ARC does not seal it as relayed mail)"),
    K_INT("milter.max_message_size", 52428800, 0, 2147483648LL,
	  "largest message body checked, in bytes; 0 means no limit"),
    K_INT("milter.timeout_s", 300, 1, 3600, "libmilter timeout talking to the MTA, in seconds"),
    K_INT("milter.backlog", 128, 1, 65535, "listen(2) backlog of the milter socket"),

    /* dns */
    K_LIST("dns.servers", none, conf_check_dns_server,
	   "name servers: \"ip\", \"ip:port\" or \"[ipv6]:port\"; empty means /etc/resolv.conf"),
    K_INT("dns.timeout_ms", 5000, 100, 60000, "time to wait for one answer, in milliseconds"),
    K_INT("dns.retries", 2, 0, 10, "how many times a query is retried after a timeout"),
    K_BOOL("dns.dnssec", 1, "ask for DNSSEC validation status (the AD bit) of answers"),
    K_INT("dns.cache_size", 10000, 0, 1000000, "answers kept in the DNS cache; 0 disables it"),
    K_STR("dns.static", "", NULL,
	  "file of static DNS answers that override the network (tests); empty: none"),

    /* store */
    K_STR("store.lmdb", "/var/lib/mxguard/state.mdb", NULL, "the LMDB state file"),
    K_INT("store.lmdb_map_size_mb", 256, 1, 65536, "largest size of the LMDB file, in MiB"),
    K_STR("store.redis", "", conf_check_redis,
	  "Redis server for state shared by a fleet: \"host:port/db\" or \"unix:/path/db\"; "
	  "empty: LMDB only"),
    {.name = "store.redis_password", .type = CONF_STR, .def_str = "", .flags = CONF_F_SECRET,
     .doc = "Redis AUTH password; empty: none (never shown by --dump)"},
    K_INT("store.redis_timeout_ms", 2000, 1, 600000,
	  "Redis connect and command timeout, in milliseconds"),

    /* spf */
    K_BOOL("spf.enabled", 1, "check SPF (RFC 7208) of the MAIL FROM identity"),
    K_BOOL("spf.helo", 1, "also check the HELO identity"),
    K_STR("spf.guess", "v=spf1 a/24 mx/24 ptr ?all", NULL,
	  "record used for the best-guess result when a domain publishes none"),
    K_BOOL("spf.guess_enabled", 0, "compute the best-guess result ($spf_guess)"),
    K_INT("spf.time_budget_ms", 20000, 100, 600000,
	  "longest time one SPF evaluation may take, in milliseconds"),

    /* dkim */
    K_BOOL("dkim.verify", 1, "verify DKIM signatures (RFC 6376, RFC 8463)"),
    {.name = "dkim.sign", .type = CONF_GROUPS, .members = dkim_sign_members,
     .doc = "signing identities: a list of groups { domain; selector; key; algorithm; }"},
    K_STR("dkim.key_table", "", NULL,
	  "signing keys by domain: file:PATH (lines DOMAIN SELECTOR ALGORITHM KEYFILE) or "
	  "lmdb:PATH (DOMAIN -> \"SELECTOR ALGORITHM KEYFILE[; ...]\"); empty: none"),
    K_LIST("dkim.signed_headers", signed_headers, NULL, "header fields covered by signatures"),
    K_LIST("dkim.oversign", oversign, NULL,
	   "header fields signed once more than present, so none can be added"),
    K_ENUM("dkim.canonicalization", "relaxed/relaxed", w_canon,
	   "header/body canonicalization of signatures made"),
    K_INT("dkim.min_key_bits", 1024, 1024, 8192,
	  "RSA keys shorter than this many bits fail verification"),
    K_ENUM("dkim.sha1", "policy", w_sha1,
	   "rsa-sha1 signatures: policy (a failure) or neutral (ignored)"),

    /* arc */
    K_BOOL("arc.verify", 1, "verify ARC sets (RFC 8617)"),
    {.name = "arc.seal.admd", .type = CONF_STR, .def_str = "", .flags = CONF_F_REQUIRED,
     .doc = "sealing domain (d=); the arc.seal group is optional, without it nothing is sealed"},
    {.name = "arc.seal.selector", .type = CONF_STR, .def_str = "", .flags = CONF_F_REQUIRED,
     .doc = "sealing selector (s=)"},
    {.name = "arc.seal.key", .type = CONF_STR, .def_str = "", .flags = CONF_F_REQUIRED,
     .doc = "sealing private key file (PEM)"},
    K_LIST("arc.seal.options", none, NULL,
	   "sealing options: \"timestamps\" (t=), \"expire\" (x= 30 days on), "
	   "\"expire=+SECONDS\", \"expire=TIME\""),
    K_STR("arc.key_table", "", NULL,
	  "sealing keys by domain: file:PATH (lines DOMAIN SELECTOR KEYFILE) or lmdb:PATH; "
	  "the first recipient domain found seals, else arc.seal"),
    K_LIST("arc.signed_headers", arc_headers, NULL,
	   "header fields covered by the ARC-Message-Signature (never ARC fields)"),
    K_ENUM("arc.seal_when", "relayed", w_seal_when,
	   "seal when a rule sets control = arc_seal (control), also every message not from "
	   "an authenticated or trusted client (relayed), or every message (always)"),
    K_LIST("arc.trusted_sealers", none, NULL,
	   "ARC sealer domains whose results may override a local DMARC failure"),

    /* dmarc */
    K_BOOL("dmarc.enabled", 1, "evaluate DMARC (RFC 7489)"),
    K_STR("dmarc.psl", "/usr/share/publicsuffix/public_suffix_list.dat", NULL,
	  "the public suffix list file"),
    K_ENUM("dmarc.discovery", "psl", w_discovery,
	   "how the organizational domain is found: psl or treewalk"),
    K_STR("dmarc.history", "store", NULL,
	  "\"store\": every evaluated message appends a record to the state store "
	  "(store.redis, else store.lmdb) for dmarc-report; empty: no record"),
    K_STR("dmarc.history_file", "", NULL,
	  "also append each record to this file in OpenDMARC's history format "
	  "(for opendmarc-import); empty: none"),
    K_BOOL("dmarc.forensic.enabled", 1,
	   "send failure (forensic) reports (RFC 6591) for messages a rule set "
	   "control = dmarc_enable_forensic on; false: never"),
    K_STR("dmarc.forensic.sender", "", NULL,
	  "From: and envelope sender of failure reports; empty: "
	  "Mail Delivery System <MAILER-DAEMON@authserv-id>, envelope <>"),
    K_INT("dmarc.forensic.rate_limit", 10, 1, 1000000,
	  "failure reports per destination address and hour (counted in the store)"),
    K_INT("dmarc.forensic.headers_max", 65536, 1024, 1048576,
	  "largest header block copied into a failure report, in bytes (whole fields)"),
    K_INT("dmarc.forensic.body_max", 0, 0, 10485760,
	  "0: failure reports carry the header fields (text/rfc822-headers); N: the whole "
	  "message (message/rfc822) with at most N bytes of body, which mxguardd then keeps "
	  "in memory for every message until its end"),
    K_STR("dmarc.report.email", "", NULL,
	  "From: address of aggregate reports (report_metadata email); "
	  "mxguard dmarc-report needs it"),
    K_STR("dmarc.report.org_name", "", NULL,
	  "org_name of aggregate reports; empty: milter.authserv_id"),
    K_ENUM("dmarc.report.format", "rfc7489", w_report_format,
	   "aggregate report XML: rfc7489 (namespace dmarc-xml/0.1, what most report "
	   "consumers read) or rfc9990 (urn:ietf:params:xml:ns:dmarc-2.0, DMARCbis)"),
    K_STR("dmarc.report.sendmail", "/usr/sbin/sendmail -t -oi", NULL,
	  "command that sends one report mail, read on its standard input "
	  "(recipients from its To: field)"),
    K_BOOL("dmarc.reject_on_nofrom", 0, "reject messages without a usable From: domain"),

    /* dcc */
    K_BOOL("dcc.enabled", 0, "ask dccifd about every message"),
    K_STR("dcc.address", "/var/dcc/dccifd", NULL,
	  "dccifd socket: a path, or \"host,port\" for TCP (host an IP address)"),
    K_STR("dcc.options", "header", NULL,
	  "options sent to dccifd on its first line (header, grey-off, query, no-reject, ...)"),
    K_BOOL("dcc.defer_ok", 1,
	   "dccifd unreachable, slow or answering garbage: skip the check instead of dcc = defer"),
    K_BOOL("dcc.direct_add_header", 1, "add dccifd's X-DCC header at the end of the header"),
    K_INT("dcc.timeout_ms", 30000, 100, 600000,
	  "the whole dccifd conversation (connect, send, answer), in milliseconds"),
    K_BOOL("dcc.per_recipient", 0,
	   "on answer S, remove the recipients dccifd rejected (R, G) and deliver to the rest"),
    K_STR("dcc.client_ip_override", "", NULL,
	  "\"file:/path\" of \"helo-name: address\" lines: address sent to dccifd for that HELO"),

    /* lists, rules, events */
    {.name = "lists", .type = CONF_NAMED,
     .doc = "named lists: NAME = \"file:/path\" | \"lmdb:/path\" | \"redis:COMMAND\" "
     "or a list of entries; rules refer to them as +NAME"},
    {.name = "rules.connect", .type = CONF_RAW,
     .doc = "rules run when a client connects: a list of groups { if = {...}; then = VERB; ... }"},
    {.name = "rules.helo", .type = CONF_RAW,
     .doc = "rules run at HELO/EHLO, after the HELO checks"},
    {.name = "rules.mail", .type = CONF_RAW,
     .doc = "rules run at MAIL FROM, after the sender checks (SPF)"},
    {.name = "rules.rcpt", .type = CONF_RAW,
     .doc = "rules run for each RCPT TO; a reject refuses that recipient only"},
    {.name = "rules.data", .type = CONF_RAW,
     .doc = "rules run at end of message, after every check; first match wins"},
    {.name = "events.actions", .type = CONF_RAW,
     .doc = "event actions: a list of groups { on = [EVENTS]; log|redis|exec|lmdb = ...; }"},
    K_INT("events.queue_max", 10000, 1, 10000000,
	  "events waiting for the worker at most; more are dropped and counted"),

    /* metrics */
    K_STR("metrics.listen", "", conf_check_metrics_listen,
	  "HTTP listener for Prometheus (GET /metrics), \"IP:PORT\" or \"[IPv6]:PORT\"; empty: off"),

    /* outbound */
    K_LIST("outbound.listen", listen_default, conf_check_listen,
	   "where mxguard-outbound listens: \"smtp:HOST:PORT\", \"lmtp:HOST:PORT\" "
	   "(HOST may be [IPv6]) or \"lmtp:unix:/path\""),
    K_CIDRS("outbound.allowed_clients", loopback, "clients allowed to connect"),
    K_STR("outbound.helo_name", "", NULL, "EHLO name; empty means the host name"),
    K_INT("outbound.port", 25, 1, 65535, "TCP port of next hops"),
    K_STR("outbound.relay_host", "", NULL,
	  "send everything to this host instead of the MX; empty: use MX records"),
    K_ENUM("outbound.dane", "try", w_dane, "DANE (RFC 7672): no, try or require"),
    K_ENUM("outbound.tls", "may", w_tls,
	   "default TLS level, as in Postfix: none, may, encrypt, dane, dane-only, verify "
	   "or secure; lists tls_LEVEL set it per destination domain"),
    K_ENUM("outbound.ocsp", "request", w_ocsp, "OCSP stapling: no, request or require"),
    K_BOOL("outbound.pipe_connect", 1,
	   "early pipelining (EHLO, and MAIL/RCPT/DATA where no STARTTLS comes between) to "
	   "hosts known to accept it"),
    K_LIST("outbound.pipe_connect_hosts", none, NULL,
	   "next hops that may get pipe_connect (Exim's hosts_pipe_connect), matched by MX "
	   "host name, then by IP address: names, \".domain\", \"*.domain\", addresses, CIDRs, "
	   "\"!entry\", or one \"file:\", \"lmdb:\" or \"redis:\" source; empty: every host"),
    K_BOOL("outbound.requiretls", 1,
	   "offer REQUIRETLS (RFC 8689) to the MTA after STARTTLS and honour it"),
    K_BOOL("outbound.requiretls_header", 0,
	   "a \"Require-TLS-ESMTP: yes\" header makes a message REQUIRETLS (site convention)"),
    K_BOOL("outbound.tls_required_header", 1,
	   "honour \"TLS-Required: No\" (RFC 8689): TLS at most may, no DANE or MTA-STS"),
    K_BOOL("outbound.mta_sts", 0,
	   "apply enforce MTA-STS policies (RFC 8461) to all mail, not only to REQUIRETLS mail"),
    K_STR("outbound.mta_sts_ca_file", "", NULL,
	  "CA file for MTA-STS policy servers; empty means the system CA store"),
    K_INT("outbound.mta_sts_port", 443, 1, 65535, "HTTPS port of MTA-STS policy servers"),
    K_INT("outbound.mta_sts_timeout_s", 10, 1, 120, "timeout for fetching an MTA-STS policy"),
    K_INT("outbound.ehlo_cache_expire_s", 604800, 0, 31536000,
	  "how long EHLO answers are remembered for pipe_connect, in seconds"),
    K_STR("outbound.user", "mxguard", NULL,
	  "user mxguard-outbound runs as after binding its listeners"),
    K_STR("outbound.group", "", NULL, "group mxguard-outbound runs as; empty: the user's group"),
    K_STR("outbound.pidfile", "", NULL, "file to write mxguard-outbound's process id to"),
    K_INT("outbound.max_message_size", 52428800, 0, 2147483648LL,
	  "largest message accepted from the MTA, in bytes (SIZE); 0 = no limit"),
    K_INT("outbound.spool_memory", 262144, 0, 1073741824,
	  "bytes of a message kept in memory; the rest goes to an unlinked file in spool_dir"),
    K_STR("outbound.spool_dir", "/tmp", NULL, "directory for the temporary message copies"),
    K_INT("outbound.connect_timeout_s", 30, 1, 600, "TCP connect timeout to next hops"),
    K_INT("outbound.connection_cache_s", 2, 0, 300,
	  "seconds an idle next-hop connection is kept for the next message to the same "
	  "destination; 0: no connection cache"),
    K_INT("outbound.max_sessions", 1000, 1, 100000,
	  "concurrent sessions from the MTA; more get 421 4.3.2"),
    K_STR("outbound.ca_file", "", NULL,
	  "CA certificates for verify and secure; empty: the system CA store"),
    K_STR("outbound.tls_cert_file", "", NULL,
	  "certificate chain offered to the MTA with STARTTLS; empty: a self-signed one "
	  "made at the first start and kept in state_dir"),
    K_STR("outbound.tls_key_file", "", NULL,
	  "private key of tls_cert_file (mode 0600: a key readable by group or other is "
	  "refused); empty: in tls_cert_file"),
    K_STR("outbound.dsn_sendmail", "/usr/sbin/sendmail -t -oi", NULL,
	  "command (run by /bin/sh, -f '<>' added) the proxy pipes a \"relayed\" DSN to when a "
	  "next hop without DSN took a recipient whose NOTIFY has SUCCESS (RFC 3461 6.2); "
	  "empty: none sent, a warning logged"),
    K_STR("outbound.state_dir", "/var/lib/mxguard", NULL,
	  "directory (not writable by group or other) where mxguard-outbound keeps its "
	  "self-signed STARTTLS certificate, starttls-cert.pem and starttls-key.pem (mode "
	  "0600); empty or unusable: one made for each run"),
    K_CIDRS("outbound.proxy_hosts", none,
	    "load balancers that must send a PROXY protocol v1/v2 header first; "
	    "its address is then the client"),
};

const size_t conf_key_count = sizeof(conf_keys) / sizeof(conf_keys[0]);

/* conf_key_index - find a key of the table by its full name */
int conf_key_index(const char *name)
{
    for (size_t i = 0; i < conf_key_count; i++)
	if (strcmp(conf_keys[i].name, name) == 0)
	    return (int) i;
    return -1;
}

/* conf_member_find - find a member of a group list by its relative name */
const struct conf_key *conf_member_find(const struct conf_key *members, const char *name)
{
    for (; members->name != NULL; members++)
	if (strcmp(members->name, name) == 0)
	    return members;
    return NULL;
}

/* conf_key_is_prefix - is name a section or sub-group of some key? */
int conf_key_is_prefix(const char *name)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < conf_key_count; i++)
	if (strncmp(conf_keys[i].name, name, len) == 0 && conf_keys[i].name[len] == '.')
	    return 1;
    return 0;
}

/* conf_type_name - the type's name in errors and the key listing */
const char *conf_type_name(enum conf_type type)
{
    switch (type) {
    case CONF_BOOL:
	return "bool";
    case CONF_INT:
	return "int";
    case CONF_STR:
	return "string";
    case CONF_ENUM:
	return "enum";
    case CONF_LIST:
	return "string list";
    case CONF_CIDRS:
	return "CIDR list";
    case CONF_NAMED:
	return "named lists";
    case CONF_GROUPS:
	return "group list";
    case CONF_RAW:
	return "list of groups";
    }
    return "?";
}
