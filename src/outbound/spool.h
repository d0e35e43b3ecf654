/*
 * NAME
 *	spool - the one bounded copy of a message in transit
 * SYNOPSIS
 *	#include "outbound/spool.h"
 *
 *	struct ob_spool *ob_spool_new(size_t mem_max, const char *tmpdir);
 *	int ob_spool_write(struct ob_spool *s, const void *data, size_t len);
 *	ssize_t ob_spool_pread(struct ob_spool *s, void *out, size_t len, size_t off);
 *	size_t ob_spool_size(const struct ob_spool *s);
 *	int ob_spool_8bit(const struct ob_spool *s);
 *	void ob_spool_free(struct ob_spool **sp);
 * DESCRIPTION
 *	The message as it travels on the wire (CRLF lines, dot-stuffed,
 *	without the final "."), kept in memory up to mem_max bytes and in an
 *	unlinked temporary file in tmpdir beyond that, so memory per session
 *	stays bounded whatever the message size. Several delivery threads
 *	read it at once with ob_spool_pread (no shared file offset); writes
 *	happen only before those threads start.
 * DIAGNOSTICS
 *	ob_spool_write: 0, or -1 when the temporary file cannot be created or
 *	written (errno set). ob_spool_pread: bytes read, 0 at the end, -1.
 */
#ifndef MXG_OUTBOUND_SPOOL_H
#define MXG_OUTBOUND_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

struct ob_spool;

struct ob_spool *ob_spool_new(size_t mem_max, const char *tmpdir);
int ob_spool_write(struct ob_spool *s, const void *data, size_t len);
ssize_t ob_spool_pread(struct ob_spool *s, void *out, size_t len, size_t off);
size_t ob_spool_size(const struct ob_spool *s);
int ob_spool_8bit(const struct ob_spool *s);
void ob_spool_free(struct ob_spool **sp);

#endif
