/*
 * NAME
 *	pipe_connect - early pipelining (EHLO before the banner) to next hops
 * SYNOPSIS
 *	#include "outbound/pipe_connect.h"
 *
 *	struct ob_ehlo_cache *ob_pipe_cache_open(struct conf *c);
 *	int ob_pipe_prepare(struct ob_out *o, const char *host,
 *			    const struct sockaddr_storage *ss, int port);
 *	int ob_pipe_start(struct ob_out *o, int starttls_ok, int tls_needed);
 *	int ob_pipe_tls_start(struct ob_out *o);
 *	int ob_pipe_sent(struct ob_out *o, const char *verb);
 *	int ob_pipe_unconfirmed(const struct ob_out *o);
 *	int ob_pipe_ehlo_seen(struct ob_out *o, int tls);
 *	int ob_pipe_drop_starttls(struct ob_out *o);
 *	int ob_pipe_retry(struct ob_out *o);
 *	const char *ob_pipe_marker(const struct ob_out *o);
 * DESCRIPTION
 *	Exim's pipe-connect (draft-harris-early-pipe): when the EHLO cache
 *	(ehlo_cache.h) says that the address and port of a new connection
 *	announced PIPECONNECT and PIPELINING (ob_pipe_prepare(), before the
 *	connect: the session then asks for TCP Fast Open, so that the first
 *	flight can ride in the SYN where both kernels allow it; without a
 *	Fast Open cookie the kernel sends it right after the handshake),
 *	ob_pipe_start() writes EHLO, and
 *	STARTTLS when the cached EHLO offered it and the TLS level will use
 *	it (starttls_ok); otherwise, unless TLS is required (tls_needed: then
 *	no mail command is ever written in clear text), it returns 2 and the
 *	session appends MAIL FROM, the known RCPTs and DATA (ob_out_mail()
 *	with the cached extensions) to the same first write, which leaves
 *	before the banner arrives. ob_pipe_tls_start(), right after the TLS
 *	handshake, writes EHLO when the post-TLS entry announced PIPECONNECT
 *	and PIPELINING, and the session appends the transaction again.
 *	ob_pipe_prepare() allows all this only for hosts in
 *	outbound.pipe_connect_hosts (the MX host name, then the address;
 *	no list: every host; a failed lookup: none).
 *
 *	The session (session_out.c) still reads every reply in order: the
 *	banner, the EHLO reply, the STARTTLS or MAIL reply...; ob_pipe_sent()
 *	tells it which of EHLO and STARTTLS are already on the wire. A reply
 *	to EHLO (clear or after STARTTLS) goes through ob_pipe_ehlo_seen(),
 *	which records it in the cache when it differs from the entry (or
 *	deletes the entry when the answer is not usable), and refuses (-1,
 *	o->io.why) a 250 whose PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN or
 *	STARTTLS differ from the entry an early transaction was written for.
 *
 *	Safety beyond Exim: a next hop that stopped accepting early input
 *	answers the early EHLO with "554 SMTP synchronization error" (Exim)
 *	or just closes. Anything that goes wrong before a valid banner (220)
 *	and EHLO reply (250) were read (after STARTTLS too, when that EHLO
 *	was early) is never a final failure: the session closes without QUIT
 *	and without a final dot, so the next hop drops any early transaction,
 *	and calls ob_pipe_retry(), which deletes the cache entry, logs it,
 *	and the same address is tried again at once without early pipelining.
 *
 *	ob_pipe_unconfirmed() is true while early commands were sent and the
 *	banner and EHLO reply are not yet known to be good (no HELO fallback
 *	then: the retry is cleaner). ob_pipe_drop_starttls() reads the reply
 *	to an early STARTTLS that the real EHLO no longer offers.
 *
 *	ob_pipe_marker() gives Exim's log markers for the delivery line:
 *	"L*" early pipelining was used, "L." the peer advertised it but it
 *	was not used (no or a changed cache entry), "" neither.
 * DIAGNOSTICS
 *	ob_pipe_cache_open: NULL when pipe-connect is off (logged when the
 *	config asked for it but the store failed).
 *	ob_pipe_prepare: 1 early pipelining planned, 0 not.
 *	ob_pipe_start: 2 EHLO written and the transaction may follow, 1 EHLO
 *	(and STARTTLS) written, 0 nothing. ob_pipe_tls_start: 1 EHLO written,
 *	0 not. ob_pipe_ehlo_seen: 0, or -1 see above. ob_pipe_sent: 1 when
 *	verb was already sent (the session only reads its reply).
 *	ob_pipe_drop_starttls: 0, or -1 (I/O failure, or the peer said 220).
 *	ob_pipe_retry: 1 retry the same address without early pipelining,
 *	0 the failure stands.
 * STANDARDS
 *	draft-harris-early-pipe; RFC 2920 (PIPELINING); RFC 3207 (STARTTLS);
 *	RFC 5321 4.3.1 (no command before the greeting, unless agreed).
 */
#ifndef MXG_OUTBOUND_PIPE_CONNECT_H
#define MXG_OUTBOUND_PIPE_CONNECT_H

#include "conf/conf.h"
#include "outbound/ehlo_cache.h"

struct ob_out;

enum { OB_PIPE_SENT_EHLO = 1, OB_PIPE_SENT_STARTTLS = 2 };

/* The pipe-connect state of one conversation (inside struct ob_out). */
struct ob_pipe {
    int allowed;		/* outbound.pipe_connect_hosts has the host */
    int early;			/* commands were sent before the banner */
    int txn;			/* ... and they include MAIL FROM (no STARTTLS) */
    int tls_early;		/* EHLO and MAIL... sent right after the handshake */
    int tls_valid;		/* a good EHLO reply after STARTTLS was read */
    int sent;			/* OB_PIPE_SENT_*: replies still to read */
    int valid;			/* a good banner and EHLO reply were read */
    int advertised;		/* the real EHLO announced PIPECONNECT */
    int used;			/* early pipelining succeeded: L* */
    int retried;		/* a failed early attempt was retried */
    int have[2];		/* cache entries found: [0] clear, [1] tls */
    struct ob_ehlo_caps cached[2];
};

struct sockaddr_storage;

struct ob_ehlo_cache *ob_pipe_cache_open(struct conf *c);
int ob_pipe_prepare(struct ob_out *o, const char *host, const struct sockaddr_storage *ss,
		    int port);
int ob_pipe_start(struct ob_out *o, int starttls_ok, int tls_needed);
int ob_pipe_tls_start(struct ob_out *o);
int ob_pipe_sent(struct ob_out *o, const char *verb);
int ob_pipe_unconfirmed(const struct ob_out *o);
int ob_pipe_ehlo_seen(struct ob_out *o, int tls);
int ob_pipe_drop_starttls(struct ob_out *o);
int ob_pipe_retry(struct ob_out *o);
const char *ob_pipe_marker(const struct ob_out *o);

#endif
