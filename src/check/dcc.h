/*
 * NAME
 *	dcc - a client of dccifd, the DCC (Distributed Checksum Clearinghouse) daemon
 * SYNOPSIS
 *	#include "check/dcc.h"
 *
 *	int dcc_options_check(const char *options, const char **why_r);
 *	void dcc_request_envelope(struct buf *out, const struct dcc_request *req);
 *	int dcc_reply_parse(const char *data, size_t len, size_t nrcpt,
 *			    struct dcc_reply *r, const char **why_r);
 *	void dcc_reply_free(struct dcc_reply *r);
 *	const char *dcc_result_word(int letter);
 *
 *	int dcc_addr_parse(const char *spec, struct dcc_addr *a, const char **why_r);
 *	int dcc_talk(const struct dcc_addr *a, int timeout_ms,
 *		     const struct buf *head, const struct buf *body,
 *		     struct buf *reply, const char **why_r);
 *
 *	extern const struct check_module dcc_check_module;
 * DESCRIPTION
 *	dccifd(8) speaks a line protocol on a unix socket or TCP, one
 *	connection per message. The client sends, each line ending in
 *	'\n': the options (words such as "header", "grey-off", "query",
 *	"no-reject"), the client IP address optionally followed by '\r' and
 *	the client's host name, the HELO value, the envelope sender, one
 *	line per recipient (the Rcpt_To value optionally followed by '\r'
 *	and the local user name), an empty line, then the message (headers
 *	and body). It then half-closes the connection. dccifd answers with
 *	a line holding the overall result letter (A accept, R reject, S
 *	accept for some recipients, G greylist, T temporary failure), a
 *	line with one letter per recipient (A, R or G, in the order sent)
 *	and, with the "header" option, the X-DCC header field it made
 *	(possibly folded), up to the end of the connection.
 *
 *	dcc_request_envelope() writes the lines up to and including the
 *	empty line; the caller appends extra header lines and the message.
 *	Values are sent as they are, but CR and LF inside them (a
 *	recipient or HELO cannot hold them on the wire; a sender can't
 *	either) become spaces so that no value can shift the lines.
 *
 *	dcc_reply_parse() checks the answer strictly: the overall letter
 *	alone on its line, then exactly nrcpt letters out of A, R, G (an
 *	empty line is accepted for no recipients), then an optional header
 *	field "Name: value" whose continuation lines start with a blank;
 *	the header's value is returned unfolded as dccifd folded it
 *	('\n' kept before each continuation). Anything else is garbage.
 *
 *	dcc_addr_parse() accepts "/path" (a unix socket), "host,port" or
 *	"host:port" (host an IP address; "[v6]:port" or "v6,port" for IPv6).
 *	dcc_talk() connects, writes head then body, half-closes and reads
 *	the answer to the end, within timeout_ms overall (poll with a
 *	deadline on connect, every write and every read; no signal, no
 *	blocking call). The reply is cut at DCC_REPLY_MAX bytes (an error).
 * DIAGNOSTICS
 *	dcc_reply_parse, dcc_addr_parse, dcc_options_check, dcc_talk: 0 ok,
 *	-1 with a static reason in *why_r.
 * STANDARDS
 *	dccifd(8) and include/dccif.h of DCC 2.3 (Rhyolite Software).
 */
#ifndef MXG_CHECK_DCC_H
#define MXG_CHECK_DCC_H
#include <stddef.h>
#include <sys/socket.h>
#include "util/buf.h"

#define DCC_REPLY_MAX	(64 * 1024)

struct dcc_request {
    const char *options;	/* "header" */
    const char *client_ip;	/* "" when unknown */
    const char *client_name;	/* NULL or "" when not verified */
    const char *helo;
    const char *sender;		/* "" for the null sender: sent as "<>" */
    const char *const *rcpts;
    const char *const *users;	/* local user names, may be NULL */
    size_t nrcpt;
};

struct dcc_reply {
    char result;		/* 'A', 'R', 'S', 'G', 'T' */
    char *rcpt_letters;		/* nrcpt letters */
    char *hdr_name;		/* NULL when no header came back */
    char *hdr_value;
};

struct dcc_addr {
    int family;			/* AF_UNIX, AF_INET, AF_INET6 */
    struct sockaddr_storage ss;
    socklen_t len;
    char text[160];		/* for logs */
};

int dcc_options_check(const char *options, const char **why_r);
void dcc_request_envelope(struct buf *out, const struct dcc_request *req);
int dcc_reply_parse(const char *data, size_t len, size_t nrcpt, struct dcc_reply *r,
		    const char **why_r);
void dcc_reply_free(struct dcc_reply *r);
const char *dcc_result_word(int letter);

int dcc_addr_parse(const char *spec, struct dcc_addr *a, const char **why_r);
int dcc_talk(const struct dcc_addr *a, int timeout_ms, const struct buf *head,
	     const struct buf *body, struct buf *reply, const char **why_r);

struct check_module;
extern const struct check_module dcc_check_module;

#endif
