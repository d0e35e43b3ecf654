/*
 * t/fuzz/metrics_http.c - fuzz target: the metrics listener's HTTP request
 * parser (metrics_http_parse). Checks that it answers only known statuses,
 * never asks for more once METRICS_HTTP_MAX bytes arrived, that a prefix
 * never gets a different final answer than "more", and that 200 only goes
 * to GET or HEAD of /metrics.
 */
#include "config.h"
#include "metrics/metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one request through the parser */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *req = (const char *) data;
    int head, st;

    if (size > METRICS_HTTP_MAX)
	size = METRICS_HTTP_MAX;
    st = metrics_http_parse(req, size, &head);
    if (st != 0 && st != 200 && st != 400 && st != 404 && st != 405 && st != 413 && st != 505)
	abort();
    if (st == 0 && size >= METRICS_HTTP_MAX)
	abort();
    if (st == 200 && !(size >= 14 && (memcmp(req, "GET /metrics", 12) == 0
				     || memcmp(req, "HEAD /metrics", 13) == 0)))
	abort();
    if (head && memcmp(req, "HEAD ", 5) != 0)
	abort();
    /* a prefix that already has an answer keeps it when more bytes follow */
    for (size_t cut = 1; st != 0 && st != 413 && cut < size; cut += 1 + size / 256) {
	int h2, st2 = metrics_http_parse(req, cut, &h2);
	if (st2 != 0 && st2 != st)
	    abort();
    }
    return 0;
}
