/*
 * NAME
 *	trouble.c - failure and reply mapping for the MTA
 * DESCRIPTION
 *	See trouble.h.
 */
#include "config.h"
#include "outbound/trouble.h"

#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    const char *enh;
    const char *what;
} trouble_map[] = {
    [OB_TR_DNS_TEMP] = {451, "4.4.3", "DNS lookup failed"},
    [OB_TR_NO_DOMAIN] = {550, "5.4.4", "host or domain name not found"},
    [OB_TR_NULL_MX] = {556, "5.1.10", "recipient domain does not accept mail"},
    [OB_TR_CONNECT] = {451, "4.4.1", "cannot connect to the next hop"},
    [OB_TR_TIMEOUT] = {451, "4.4.2", "timeout talking to the next hop"},
    [OB_TR_LOST] = {451, "4.4.2", "lost connection with the next hop"},
    [OB_TR_PROTOCOL] = {451, "4.5.0", "protocol error from the next hop"},
    [OB_TR_TLS_MISSING] = {451, "4.7.4", "TLS is required, but was not offered"},
    [OB_TR_TLS_FAIL] = {451, "4.7.5", "TLS failure"},
    [OB_TR_TLSA_FAIL] = {451, "4.7.5", "TLSA lookup failed, host not used"},
    [OB_TR_POLICY_TEMP] = {451, "4.3.0", "TLS policy lookup failed"},
    [OB_TR_LOCAL] = {451, "4.3.0", "local error in mxguard-outbound"},
    [OB_TR_OTHER_DOMAIN] = {452, "4.5.3", "one recipient domain per transaction, "
			    "send this recipient in another transaction"},
    [OB_TR_RTLS_TEMP] = {451, "4.7.30", "REQUIRETLS support required"},
    [OB_TR_RTLS] = {550, "5.7.30", "REQUIRETLS support required"},
    [OB_TR_STS_MX] = {451, "4.7.5", "MX host not allowed by the MTA-STS policy"},
};

/* diag_append - the DSN-info line: host, greeting, EHLO, command */
static void diag_append(struct ob_result *r, const struct ob_diag *d)
{
    size_t len = strlen(r->text);

    if (d == NULL || d->host[0] == 0)
	return;
    snprintf(r->text + len, sizeof(r->text) - len,
	     "%s(remote %s[%s]:%d; greeting: %s; ehlo: %s%s%s)", len ? "\n" : "",
	     d->host, d->addr, d->port, d->greeting[0] ? d->greeting : "none",
	     d->ehlo[0] ? d->ehlo : "none", d->command[0] ? "; in reply to " : "",
	     d->command);
}

/* ob_result_from_reply - the next hop's own reply, with diagnostics */
void ob_result_from_reply(struct ob_result *r, const struct ob_reply *rep,
			  const struct ob_diag *d)
{
    r->code = rep->code;
    if (rep->enh[0])
	snprintf(r->enh, sizeof(r->enh), "%s", rep->enh);
    else
	snprintf(r->enh, sizeof(r->enh), "%d.0.0", rep->code / 100);
    snprintf(r->text, sizeof(r->text), "%s", buf_str(&rep->text));
    if (r->code >= 400)
	diag_append(r, d);
}

/* ob_result_trouble - one of our own failures, with diagnostics */
void ob_result_trouble(struct ob_result *r, enum ob_trouble t, const struct ob_diag *d,
		       const char *detail)
{
    r->code = trouble_map[t].code;
    snprintf(r->enh, sizeof(r->enh), "%s", trouble_map[t].enh);
    snprintf(r->text, sizeof(r->text), "%s%s%s", trouble_map[t].what,
	     detail && *detail ? ": " : "", detail ? detail : "");
    diag_append(r, d);
}

/* ob_result_put - queue r as an SMTP reply (one line per text line) */
void ob_result_put(struct ob_io *io, const struct ob_result *r)
{
    const char *p = r->text;

    for (;;) {
	const char *nl = strchr(p, '\n');
	int len = nl ? (int) (nl - p) : (int) strlen(p);

	ob_io_printf(io, "%d%c%s%s%.*s\r\n", r->code, nl ? '-' : ' ', r->enh,
		     len > 0 ? " " : "", len, p);
	if (nl == NULL)
	    break;
	p = nl + 1;
    }
}

/* ob_result_status - Postfix's status= word for r */
const char *ob_result_status(const struct ob_result *r)
{
    return r->code < 400 ? "sent" : r->code < 500 ? "deferred" : "bounced";
}

/* ob_result_last_host - no host left: a REQUIRETLS tempfail becomes permanent */
void ob_result_last_host(struct ob_result *r)
{
    if (strcmp(r->enh, trouble_map[OB_TR_RTLS_TEMP].enh) != 0)
	return;
    r->code = trouble_map[OB_TR_RTLS].code;
    snprintf(r->enh, sizeof(r->enh), "%s", trouble_map[OB_TR_RTLS].enh);
}
