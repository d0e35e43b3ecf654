/*
 * NAME
 *	metrics_outbound.c - mxguard-outbound's figures: deliveries by status,
 *	TLS level reached, connection reuse
 * SYNOPSIS
 *	See metrics.h.
 * DESCRIPTION
 *	metrics_outbound_delivery() is called once per recipient where the
 *	proxy logs its Postfix-style delivery line (src/outbound/txn.c), so
 *	the counters and the log always agree. Names:
 *	  mxguard_outbound_deliveries_total{status}   sent, deferred, bounced
 *	  mxguard_outbound_tls_total{level}            dane, verified,
 *		encrypted, none: the TLS of the connection the reply came
 *		over (CV=dane, CV=yes, TLS without a verified peer, clear text)
 *	  mxguard_outbound_connection_reuse_total      deliveries over a
 *		connection taken from the connection cache
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	RFC 7672 (DANE for SMTP), RFC 3207 (STARTTLS).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "metrics/metrics.h"

#define M_DELIV	"mxguard_outbound_deliveries_total"
#define M_TLS	"mxguard_outbound_tls_total"
#define M_REUSE	"mxguard_outbound_connection_reuse_total"
#define H_DELIV	"recipients by delivery status (the status= of the log line)"
#define H_TLS	"recipients by TLS level of the next-hop connection"
#define H_REUSE	"recipients delivered over a cached connection"
#define M_PIPE	"mxguard_outbound_pipe_connect_total"
#define H_PIPE	"recipients whose next hop was offered early pipelining (used: L*, not used: L.)"

static pthread_once_t metrics_outbound_once = PTHREAD_ONCE_INIT;

/* metrics_outbound_setup - register the fixed metrics at 0 */
static void metrics_outbound_setup(void)
{
    static const char *const status[] = {"sent", "deferred", "bounced"};
    static const char *const levels[] = {"dane", "verified", "encrypted", "none"};
    char labels[48];

    metrics_common_init();
    for (size_t i = 0; i < sizeof(status) / sizeof(status[0]); i++) {
	snprintf(labels, sizeof(labels), "status=\"%s\"", status[i]);
	metrics_get(METRIC_COUNTER, M_DELIV, labels, H_DELIV);
    }
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
	snprintf(labels, sizeof(labels), "level=\"%s\"", levels[i]);
	metrics_get(METRIC_COUNTER, M_TLS, labels, H_TLS);
    }
    metrics_get(METRIC_COUNTER, M_REUSE, "", H_REUSE);
    metrics_get(METRIC_COUNTER, M_PIPE, "used=\"yes\"", H_PIPE);
    metrics_get(METRIC_COUNTER, M_PIPE, "used=\"no\"", H_PIPE);
}

/* metrics_outbound_init - register mxguard-outbound's metrics (once) */
void metrics_outbound_init(void)
{
    pthread_once(&metrics_outbound_once, metrics_outbound_setup);
}

/* metrics_outbound_delivery - one recipient's outcome; tls_cv NULL without TLS */
void metrics_outbound_delivery(const char *status, const char *tls_cv, int reused,
			       const char *pipe_marker)
{
    char labels[48];
    const char *level;

    metrics_outbound_init();
    if (strcmp(status, "sent") != 0 && strcmp(status, "deferred") != 0
	&& strcmp(status, "bounced") != 0)
	status = "other";
    snprintf(labels, sizeof(labels), "status=\"%s\"", status);
    metric_add(metrics_get(METRIC_COUNTER, M_DELIV, labels, H_DELIV), 1);
    if (tls_cv == NULL || *tls_cv == 0)
	level = "none";
    else if (strcmp(tls_cv, "dane") == 0)
	level = "dane";
    else if (strcmp(tls_cv, "yes") == 0)
	level = "verified";
    else
	level = "encrypted";
    snprintf(labels, sizeof(labels), "level=\"%s\"", level);
    metric_add(metrics_get(METRIC_COUNTER, M_TLS, labels, H_TLS), 1);
    if (reused)
	metric_add(metrics_get(METRIC_COUNTER, M_REUSE, "", H_REUSE), 1);
    if (pipe_marker && strcmp(pipe_marker, "L*") == 0)
	metric_add(metrics_get(METRIC_COUNTER, M_PIPE, "used=\"yes\"", H_PIPE), 1);
    else if (pipe_marker && strcmp(pipe_marker, "L.") == 0)
	metric_add(metrics_get(METRIC_COUNTER, M_PIPE, "used=\"no\"", H_PIPE), 1);
}
