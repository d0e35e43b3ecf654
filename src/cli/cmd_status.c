/*
 * NAME
 *	cmd_status - mxguard status: a running daemon's counters on the console
 * SYNOPSIS
 *	mxguard status [-c FILE] [--listen IP:PORT] [--raw]
 * DESCRIPTION
 *	For sites without Prometheus: fetches http://metrics.listen/metrics
 *	(the address from the configuration file, or --listen) from the
 *	running mxguardd or mxguard-outbound with one HTTP/1.0 GET and prints
 *	it grouped: messages by verdict, results per check, check latency
 *	(calls and mean per check and stage), milter connections, outbound
 *	deliveries by status and TLS level and connection reuse, DNS (with
 *	the cache hit ratio), store errors, events, then every other sample
 *	as it came; groups the daemon does not have are left out. --raw prints the exposition text unchanged.
 * DIAGNOSTICS
 *	Exit 0 when the daemon answered 200; 1 when metrics.listen is off,
 *	the daemon cannot be reached or answers otherwise (the reason on
 *	stderr); 2 for a bad command line.
 * STANDARDS
 *	RFC 1945 (HTTP/1.0); Prometheus text exposition format 0.0.4.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "metrics/metrics.h"
#include "util/buf.h"

#define STATUS_TIMEOUT_MS	5000
#define STATUS_MAX_BYTES	(8 * 1024 * 1024)

static const char status_usage[] =
    "usage: mxguard status [-c FILE] [--listen IP:PORT] [--raw]\n"
    "  -c, --config FILE  the configuration file (default " MXG_DEFAULT_CONFIG ")\n"
    "  -l, --listen ADDR  the metrics listener (default: metrics.listen of the file)\n"
    "  -r, --raw          print the Prometheus text as the daemon sent it\n";

struct sample {
    char *name, *labels;	/* labels without braces, "" when none */
    double value;
};

/* status_fetch - GET /metrics from spec into body; -1 with a message on stderr */
static int status_fetch(const char *spec, struct buf *body)
{
    static const char req[] = "GET /metrics HTTP/1.0\r\nUser-Agent: mxguard-status\r\n\r\n";
    struct sockaddr_storage ss;
    socklen_t len;
    const char *why = "", *hdr_end;
    struct buf in = BUF_INIT;
    char chunk[8192];
    int fd, r = -1;

    if (metrics_http_addr(spec, &ss, &len, &why) < 0) {
	fprintf(stderr, "mxguard status: %s: %s\n", spec, why);
	return -1;
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0
	|| connect(fd, (struct sockaddr *) &ss, len) < 0
	|| write(fd, req, sizeof(req) - 1) != (ssize_t) (sizeof(req) - 1)) {
	fprintf(stderr, "mxguard status: cannot reach http://%s/metrics: %s"
		" (is the daemon running with metrics.listen set?)\n", spec, strerror(errno));
	goto done;
    }
    for (;;) {
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, STATUS_TIMEOUT_MS) <= 0) {
	    fprintf(stderr, "mxguard status: http://%s/metrics: no answer in %d ms\n", spec,
		    STATUS_TIMEOUT_MS);
	    goto done;
	}
	if ((n = read(fd, chunk, sizeof(chunk))) < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    break;
	buf_append(&in, chunk, (size_t) n);
	if (in.len > STATUS_MAX_BYTES) {
	    fprintf(stderr, "mxguard status: answer over %d bytes\n", STATUS_MAX_BYTES);
	    goto done;
	}
    }
    if (in.len < 12 || strncmp(buf_str(&in), "HTTP/1.", 7) != 0
	|| strncmp(buf_str(&in) + 9, "200", 3) != 0
	|| (hdr_end = strstr(buf_str(&in), "\r\n\r\n")) == NULL) {
	fprintf(stderr, "mxguard status: http://%s/metrics answered: %.*s\n", spec,
		(int) strcspn(buf_str(&in), "\r\n"), buf_str(&in));
	goto done;
    }
    hdr_end += 4;
    buf_append(body, hdr_end, in.len - (size_t) (hdr_end - in.data));
    r = 0;
  done:
    if (fd >= 0)
	close(fd);
    buf_free(&in);
    return r;
}

/* status_parse - the samples of the exposition text; their count */
static size_t status_parse(char *text, struct sample **out)
{
    size_t n = 0, cap = 0;
    struct sample *v = NULL;

    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
	char *brace = strchr(line, '{'), *sp, *labels = (char *) "";

	if (*line == '#' || *line == 0)
	    continue;
	if (brace != NULL && (sp = strchr(brace, '}')) != NULL) {
	    *brace = 0;
	    *sp = 0;
	    labels = brace + 1;
	    sp++;
	} else if ((sp = strchr(line, ' ')) != NULL)
	    *sp = 0, sp++;
	else
	    continue;
	if (n == cap && (v = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v))) == NULL) {
	    perror("mxguard status");
	    exit(CLI_FAIL);
	}
	v[n].name = line;
	v[n].labels = labels;
	v[n].value = strtod(sp, NULL);
	n++;
    }
    *out = v;
    return n;
}

/* status_label - copy the value of label key from labels into out ("" if absent) */
static const char *status_label(const char *labels, const char *key, char *out, size_t len)
{
    size_t klen = strlen(key);
    const char *p = labels;

    *out = 0;
    while ((p = strstr(p, key)) != NULL) {
	if ((p == labels || p[-1] == ',') && strncmp(p + klen, "=\"", 2) == 0) {
	    const char *v = p + klen + 2, *e = strchr(v, '"');
	    snprintf(out, len, "%.*s", (int) (e ? e - v : 0), v);
	    break;
	}
	p += klen;
    }
    return out;
}

/* status_value - the value of (name, labels), 0 when absent */
static double status_value(const struct sample *v, size_t n, const char *name, const char *labels)
{
    for (size_t i = 0; i < n; i++)
	if (strcmp(v[i].name, name) == 0 && strcmp(v[i].labels, labels) == 0)
	    return v[i].value;
    return 0;
}

/* status_has - is there a sample named name */
static int status_has(const struct sample *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
	if (strcmp(v[i].name, name) == 0)
	    return 1;
    return 0;
}

/* status_words - "key=value" of label key for every sample named name */
static void status_words(const struct sample *v, size_t n, const char *title, const char *name,
			 const char *key, const char *group_key)
{
    char group[128], prev[128] = "", word[128];

    for (size_t i = 0; i < n; i++) {
	if (strcmp(v[i].name, name) != 0)
	    continue;
	status_label(v[i].labels, group_key ? group_key : key, group, sizeof(group));
	if (group_key && strcmp(group, prev) != 0) {
	    printf("%s%-24s", *prev ? "\n" : "", group);
	    snprintf(prev, sizeof(prev), "%s", group);
	} else if (!group_key && !*prev) {
	    printf("%-24s", title);
	    snprintf(prev, sizeof(prev), "x");
	}
	printf(" %s=%.0f", status_label(v[i].labels, key, word, sizeof(word)), v[i].value);
    }
    if (*prev)
	printf("\n");
}

/* status_latency - calls and mean per (check, stage) from the histograms */
static void status_latency(const struct sample *v, size_t n)
{
    char check[64], stage[32], what[100];

    for (size_t i = 0; i < n; i++) {
	if (strcmp(v[i].name, "mxguard_check_duration_seconds_count") != 0 || v[i].value <= 0)
	    continue;
	double sum = status_value(v, n, "mxguard_check_duration_seconds_sum", v[i].labels);
	status_label(v[i].labels, "check", check, sizeof(check));
	status_label(v[i].labels, "stage", stage, sizeof(stage));
	snprintf(what, sizeof(what), "%s/%s", check, stage);
	printf("latency %-16s %.0f calls, mean %.3f ms\n", what, v[i].value,
	       sum * 1000 / v[i].value);
    }
}

/* status_print - the grouped report */
static void status_print(const char *spec, const struct sample *v, size_t n)
{
    static const char *const known[] = {
	"mxguard_messages_total", "mxguard_check_results_total", "mxguard_check_duration_seconds",
	"mxguard_milter_connections", "mxguard_dns_", "mxguard_store_errors_total",
	"mxguard_event_", "mxguard_start_time_seconds", "mxguard_outbound_",
    };
    double start = status_value(v, n, "mxguard_start_time_seconds", "");

    printf("%-24s http://%s/metrics\n", "metrics", spec);
    if (start > 0)
	printf("%-24s %.0f s\n", "up", (double) time(NULL) - start);
    status_words(v, n, "messages", "mxguard_messages_total", "verdict", NULL);
    if (status_has(v, n, "mxguard_check_results_total"))
	printf("results (per check)\n");
    status_words(v, n, NULL, "mxguard_check_results_total", "result", "check");
    status_latency(v, n);
    if (status_has(v, n, "mxguard_milter_connections"))
	printf("%-24s %.0f in flight, %.0f opened\n", "milter connections",
	       status_value(v, n, "mxguard_milter_connections", ""),
	       status_value(v, n, "mxguard_milter_connections_total", ""));
    status_words(v, n, "outbound deliveries", "mxguard_outbound_deliveries_total", "status", NULL);
    status_words(v, n, "outbound tls", "mxguard_outbound_tls_total", "level", NULL);
    if (status_has(v, n, "mxguard_outbound_connection_reuse_total"))
	printf("%-24s %.0f\n", "outbound conn reuse",
	       status_value(v, n, "mxguard_outbound_connection_reuse_total", ""));
    printf("%-24s lookups=%.0f queries=%.0f cache_hits=%.0f hit_ratio=%.2f errors=%.0f"
	   " timeouts=%.0f\n", "dns",
	   status_value(v, n, "mxguard_dns_lookups_total", ""),
	   status_value(v, n, "mxguard_dns_queries_total", ""),
	   status_value(v, n, "mxguard_dns_cache_hits_total", ""),
	   status_value(v, n, "mxguard_dns_cache_hit_ratio", ""),
	   status_value(v, n, "mxguard_dns_errors_total", ""),
	   status_value(v, n, "mxguard_dns_timeouts_total", ""));
    printf("%-24s %.0f\n", "store errors", status_value(v, n, "mxguard_store_errors_total", ""));
    if (status_has(v, n, "mxguard_event_queue_depth") || status_has(v, n, "mxguard_event_drops_total"))
	printf("%-24s depth=%.0f dropped=%.0f\n", "events",
	       status_value(v, n, "mxguard_event_queue_depth", ""),
	       status_value(v, n, "mxguard_event_drops_total", ""));
    for (size_t i = 0; i < n; i++) {
	int seen = 0;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]) && !seen; k++)
	    seen = strncmp(v[i].name, known[k], strlen(known[k])) == 0;
	if (!seen)
	    printf("%s%s%s%s %.17g\n", v[i].name, *v[i].labels ? "{" : "", v[i].labels,
		   *v[i].labels ? "}" : "", v[i].value);
    }
}

/* cmd_status - print a running daemon's counters */
int cmd_status(int argc, char **argv)
{
    static const struct option opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"listen", required_argument, NULL, 'l'},
	{"raw", no_argument, NULL, 'r'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
    };
    const char *path = NULL, *spec = NULL;
    struct buf errs = BUF_INIT, body = BUF_INIT;
    struct conf *c = NULL;
    struct sample *v = NULL;
    int raw = 0, ch, r = CLI_FAIL;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:l:rh", opts, NULL)) != -1) {
	switch (ch) {
	case 'c':
	    path = optarg;
	    break;
	case 'l':
	    spec = optarg;
	    break;
	case 'r':
	    raw = 1;
	    break;
	case 'h':
	    fputs(status_usage, stdout);
	    return CLI_OK;
	default:
	    fputs(status_usage, stderr);
	    return CLI_USAGE;
	}
    }
    if (optind != argc) {
	fputs(status_usage, stderr);
	return CLI_USAGE;
    }
    if (spec == NULL) {
	if ((c = conf_open(path, &errs)) == NULL) {
	    fputs(buf_str(&errs), stderr);
	    goto done;
	}
	spec = conf_str(c, "metrics.listen");
	if (*spec == 0) {
	    fprintf(stderr, "mxguard status: metrics.listen is off in %s: set it (e.g."
		    " \"127.0.0.1:9893\") and restart the daemon, or give --listen\n",
		    path ? path : MXG_DEFAULT_CONFIG);
	    goto done;
	}
    }
    if (status_fetch(spec, &body) < 0)
	goto done;
    if (raw)
	fwrite(body.data, 1, body.len, stdout);
    else {
	size_t n = body.len ? status_parse(body.data, &v) : 0;
	status_print(spec, v, n);
    }
    r = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
  done:
    free(v);
    buf_free(&body);
    buf_free(&errs);
    if (c)
	conf_unref(&c);
    return r;
}
