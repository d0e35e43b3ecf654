/*
 * NAME
 *	dcc_proto.c - dccifd's ASCII protocol: request envelope, reply parser, address
 * SYNOPSIS
 *	#include "check/dcc.h"
 *
 *	int dcc_options_check(const char *options, const char **why_r);
 *	void dcc_request_envelope(struct buf *out, const struct dcc_request *req);
 *	int dcc_reply_parse(const char *data, size_t len, size_t nrcpt,
 *			    struct dcc_reply *r, const char **why_r);
 *	void dcc_reply_free(struct dcc_reply *r);
 *	const char *dcc_result_word(int letter);
 *	int dcc_addr_parse(const char *spec, struct dcc_addr *a, const char **why_r);
 * DESCRIPTION
 *	Pure functions over strings (see dcc.h); no I/O.
 * DIAGNOSTICS
 *	0 ok, -1 with a static reason in *why_r.
 * STANDARDS
 *	dccifd(8), include/dccif.h of DCC 2.3.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "check/dcc.h"
#include "util/xmalloc.h"

/* The option words dccifd knows (dccif.h); "body" is refused: see below. */
static const char *const dcc_option_words[] = {
    "log", "spam", "header", "cksums", "query", "grey-off", "no-grey", "grey-query",
    "no-reject", "rcvd-nxt", "rcvd-next", NULL
};

/* dcc_options_check - every word of options is a dccifd option we can use */
int dcc_options_check(const char *options, const char **why_r)
{
    const char *p = options;

    while (*p) {
	size_t n;
	int known = 0;

	while (*p == ' ' || *p == '\t' || *p == ',')
	    p++;
	n = strcspn(p, " \t,");
	if (n == 0)
	    break;
	if (n == 4 && strncmp(p, "body", 4) == 0) {
	    *why_r = "\"body\" is not supported (a milter cannot take the body back)";
	    return -1;
	}
	for (size_t i = 0; dcc_option_words[i]; i++)
	    if (strlen(dcc_option_words[i]) == n && strncmp(p, dcc_option_words[i], n) == 0)
		known = 1;
	if (!known) {
	    *why_r = "unknown dccifd option (see dccifd(8))";
	    return -1;
	}
	p += n;
    }
    return 0;
}

/* dcc_put_value - s with CR and LF as spaces: a value never shifts the lines */
static void dcc_put_value(struct buf *out, const char *s)
{
    for (; s && *s; s++)
	buf_putc(out, *s == '\r' || *s == '\n' ? ' ' : *s);
}

/* dcc_request_envelope - options, client, HELO, sender, recipients, empty line */
void dcc_request_envelope(struct buf *out, const struct dcc_request *req)
{
    dcc_put_value(out, req->options);
    buf_putc(out, '\n');
    dcc_put_value(out, req->client_ip);
    if (req->client_ip && *req->client_ip && req->client_name && *req->client_name) {
	buf_putc(out, '\r');
	dcc_put_value(out, req->client_name);
    }
    buf_putc(out, '\n');
    dcc_put_value(out, req->helo);
    buf_putc(out, '\n');
    dcc_put_value(out, req->sender && *req->sender ? req->sender : "<>");
    buf_putc(out, '\n');
    for (size_t i = 0; i < req->nrcpt; i++) {
	dcc_put_value(out, req->rcpts[i]);
	if (req->users && req->users[i] && *req->users[i]) {
	    buf_putc(out, '\r');
	    dcc_put_value(out, req->users[i]);
	}
	buf_putc(out, '\n');
    }
    buf_putc(out, '\n');
}

/* dcc_line - the line at *pos (without '\n'); 0 when there is none */
static int dcc_line(const char *data, size_t len, size_t *pos, const char **line_r,
		    size_t *n_r)
{
    const char *nl;

    if (*pos >= len)
	return 0;
    *line_r = data + *pos;
    nl = memchr(*line_r, '\n', len - *pos);
    if (nl == NULL)
	return 0;			/* a line must end in '\n' */
    *n_r = (size_t) (nl - *line_r);
    if (*n_r > 0 && (*line_r)[*n_r - 1] == '\r')
	(*n_r)--;
    *pos = (size_t) (nl - data) + 1;
    return 1;
}

/* dcc_header_parse - "Name: value" with continuation lines; to the end of data */
static int dcc_header_parse(const char *h, size_t len, struct dcc_reply *r, const char **why_r)
{
    const char *colon, *v, *end = h + len;
    struct buf val = BUF_INIT;

    while (end > h && (end[-1] == '\n' || end[-1] == '\r'))
	end--;
    if (end == h)
	return 0;			/* no header: "header" not asked for */
    colon = memchr(h, ':', (size_t) (end - h));
    if (colon == NULL || colon == h) {
	*why_r = "header line without a field name";
	return -1;
    }
    for (const char *p = h; p < colon; p++)
	if (*p <= ' ' || *p >= 0x7f) {
	    *why_r = "bad character in the header field name";
	    return -1;
	}
    for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
	;
    for (const char *p = v; p < end; p++) {
	if (*p == '\r')
	    continue;
	if (*p == '\n') {
	    if (p + 1 >= end || (p[1] != ' ' && p[1] != '\t')) {
		buf_free(&val);
		*why_r = "text after the header field";
		return -1;
	    }
	    buf_putc(&val, '\n');
	    continue;
	}
	if (*p == 0 || (unsigned char) *p == 0x7f) {
	    buf_free(&val);
	    *why_r = "control character in the header";
	    return -1;
	}
	buf_putc(&val, *p);
    }
    r->hdr_name = xstrndup(h, (size_t) (colon - h));
    r->hdr_value = xstrdup(buf_str(&val));
    buf_free(&val);
    return 0;
}

/* dcc_reply_parse - result line, recipient letters, optional X-DCC header */
int dcc_reply_parse(const char *data, size_t len, size_t nrcpt, struct dcc_reply *r,
		    const char **why_r)
{
    const char *line;
    size_t pos = 0, n;

    memset(r, 0, sizeof(*r));
    if (!dcc_line(data, len, &pos, &line, &n)) {
	*why_r = "no result line";
	return -1;
    }
    if (n != 1 || strchr("ARSGT", line[0]) == NULL || line[0] == 0) {
	*why_r = "bad result line (not one of A R S G T)";
	return -1;
    }
    r->result = line[0];
    if (!dcc_line(data, len, &pos, &line, &n)) {
	*why_r = "no recipient result line";
	return -1;
    }
    if (n != nrcpt) {
	*why_r = "recipient result line does not have one letter per recipient";
	return -1;
    }
    for (size_t i = 0; i < n; i++)
	if (line[i] != 'A' && line[i] != 'R' && line[i] != 'G') {
	    *why_r = "bad recipient result letter (not one of A R G)";
	    return -1;
	}
    r->rcpt_letters = xstrndup(line, n);
    if (dcc_header_parse(data + pos, len - pos, r, why_r) != 0) {
	dcc_reply_free(r);
	return -1;
    }
    return 0;
}

/* dcc_reply_free - free what dcc_reply_parse allocated */
void dcc_reply_free(struct dcc_reply *r)
{
    free(r->rcpt_letters);
    free(r->hdr_name);
    free(r->hdr_value);
    memset(r, 0, sizeof(*r));
}

/* dcc_result_word - Exim's words: R, G fail; T defer; A, S accept */
const char *dcc_result_word(int letter)
{
    switch (letter) {
    case 'A':
    case 'S':
	return "accept";
    case 'R':
    case 'G':
	return "fail";
    default:
	return "defer";
    }
}

/* dcc_addr_inet - host (an IP address) and port text into a */
static int dcc_addr_inet(const char *host, size_t hlen, const char *port, struct dcc_addr *a,
			 const char **why_r)
{
    char h[64], *end;
    long pn = strtol(port, &end, 10);

    if (*port == 0 || *end != 0 || pn < 1 || pn > 65535) {
	*why_r = "bad port";
	return -1;
    }
    if (hlen == 0 || hlen >= sizeof(h)) {
	*why_r = "bad host";
	return -1;
    }
    memcpy(h, host, hlen);
    h[hlen] = 0;
    memset(&a->ss, 0, sizeof(a->ss));
    if (inet_pton(AF_INET, h, &((struct sockaddr_in *) &a->ss)->sin_addr) == 1) {
	struct sockaddr_in *sin = (struct sockaddr_in *) &a->ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short) pn);
	a->family = AF_INET;
	a->len = sizeof(*sin);
    } else if (inet_pton(AF_INET6, h, &((struct sockaddr_in6 *) &a->ss)->sin6_addr) == 1) {
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &a->ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short) pn);
	a->family = AF_INET6;
	a->len = sizeof(*sin6);
    } else {
	*why_r = "the host must be an IP address (no DNS lookup per message)";
	return -1;
    }
    return 0;
}

/* dcc_addr_parse - "/path", "host,port", "host:port" or "[v6]:port" */
int dcc_addr_parse(const char *spec, struct dcc_addr *a, const char **why_r)
{
    const char *sep;

    memset(a, 0, sizeof(*a));
    if (strlen(spec) >= sizeof(a->text)) {
	*why_r = "address too long";
	return -1;
    }
    strcpy(a->text, spec);
    if (spec[0] == '/') {
	struct sockaddr_un *sun = (struct sockaddr_un *) &a->ss;

	if (strlen(spec) >= sizeof(sun->sun_path)) {
	    *why_r = "unix socket path too long";
	    return -1;
	}
	sun->sun_family = AF_UNIX;
	strcpy(sun->sun_path, spec);
	a->family = AF_UNIX;
	a->len = sizeof(*sun);
	return 0;
    }
    if (spec[0] == '[' && (sep = strstr(spec, "]:")) != NULL)
	return dcc_addr_inet(spec + 1, (size_t) (sep - spec - 1), sep + 2, a, why_r);
    if ((sep = strrchr(spec, ',')) != NULL
	|| ((sep = strchr(spec, ':')) != NULL && strchr(sep + 1, ':') == NULL))
	return dcc_addr_inet(spec, (size_t) (sep - spec), sep + 1, a, why_r);
    *why_r = "neither a socket path (/...) nor host,port";
    return -1;
}
