/*
 * NAME
 *	listen - listening sockets, the accept loop, a thread per session
 * SYNOPSIS
 *	#include "outbound/listen.h"
 *
 *	int ob_listen_parse(const char *spec, struct ob_listener *l,
 *			    const char **why_r);
 *	int ob_listen_open(struct ob_listener *l, struct buf *why_r);
 *	int ob_listen_run(struct ob_listener *ls, size_t n, int signal_fd,
 *			  struct ob_settings *(*current)(void *), void *ctx,
 *			  int (*on_signal)(void *, int), size_t max_sessions);
 * DESCRIPTION
 *	ob_listen_parse() splits "smtp:HOST:PORT", "lmtp:[V6]:PORT" or
 *	"lmtp:unix:/path" (the outbound.listen syntax). ob_listen_open()
 *	binds (SO_REUSEADDR, TCP_NODELAY inherited by accepted sockets) and
 *	listens; call it as root before the privilege drop.
 *
 *	ob_listen_run() accepts connections on every listener and runs each
 *	in a detached thread (session_in.h) with the settings current at
 *	accept time (a reload only affects new sessions). Beyond
 *	max_sessions a client gets "421 4.3.2" at once. A byte on signal_fd
 *	calls on_signal(ctx, signo); it returns 1 to stop: the loop closes
 *	the listeners and waits up to 30 s for running sessions.
 * DIAGNOSTICS
 *	ob_listen_parse, ob_listen_open: 0, or -1 with a reason.
 *	ob_listen_run: 0 after a stop.
 */
#ifndef MXG_OUTBOUND_LISTEN_H
#define MXG_OUTBOUND_LISTEN_H

#include <stddef.h>
#include "outbound/outbound.h"

struct ob_listener {
    int lmtp;
    char host[256];		/* or the unix socket path */
    int is_unix;
    int port;
    int fd;
};

int ob_listen_parse(const char *spec, struct ob_listener *l, const char **why_r);
int ob_listen_open(struct ob_listener *l, struct buf *why_r);
int ob_listen_run(struct ob_listener *ls, size_t n, int signal_fd,
		  struct ob_settings *(*current)(void *), void *ctx,
		  int (*on_signal)(void *, int), size_t max_sessions);
size_t ob_listen_sessions(void);

#endif
