/*
 * NAME
 *	proxy_proto - the PROXY protocol header (haproxy), versions 1 and 2
 * SYNOPSIS
 *	#include "outbound/proxy_proto.h"
 *
 *	int ob_proxy_parse(const unsigned char *data, size_t len,
 *			   struct ob_proxy_hdr *h, size_t *need_r,
 *			   const char **why_r);
 * DESCRIPTION
 *	A pure parser of the header a load balancer sends before anything
 *	else on a connection it forwards: version 1 ("PROXY TCP4 src dst
 *	sport dport" CRLF, at most 107 bytes) or version 2 (the 12-byte
 *	signature, version/command, family, length, addresses, TLVs).
 *	data holds what has been read so far, from the first byte of the
 *	connection; nothing after the header is looked at.
 *
 *	On success h->local says that the connection's own address stands:
 *	a v1 UNKNOWN, a v2 LOCAL command (health checks) or a v2 family
 *	other than INET/INET6 (UNSPEC, UNIX). Otherwise h->src and h->dst
 *	are the addresses the proxy received the connection from and on.
 * DIAGNOSTICS
 *	n > 0: a complete header of n bytes. 0: incomplete; read until len
 *	is at least *need_r and call again. -1: not a valid PROXY header
 *	(also one longer than the limits below), *why_r a static reason.
 * STANDARDS
 *	The PROXY protocol, versions 1 and 2 (haproxy doc/proxy-protocol.txt,
 *	2020/03/05); Exim's specification, "Proxy Protocol".
 */
#ifndef MXG_OUTBOUND_PROXY_PROTO_H
#define MXG_OUTBOUND_PROXY_PROTO_H

#include <stddef.h>
#include <sys/socket.h>

#define OB_PROXY_V1_MAX	107	/* the whole line with its CRLF */
#define OB_PROXY_V2_MAX	1024	/* address block and TLVs; longer: refused */

struct ob_proxy_hdr {
    int version;		/* 1 or 2 */
    int local;			/* 1: keep the connection's own address */
    struct sockaddr_storage src, dst;
};

int ob_proxy_parse(const unsigned char *data, size_t len, struct ob_proxy_hdr *h,
		   size_t *need_r, const char **why_r);

#endif
