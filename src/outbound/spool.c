/*
 * NAME
 *	spool.c - memory first, then an unlinked temporary file
 * DESCRIPTION
 *	See spool.h.
 */
#include "config.h"
#include "outbound/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xmalloc.h"

struct ob_spool {
    struct buf mem;
    size_t mem_max;
    int fd;			/* -1 while everything is in mem */
    size_t size;
    int eightbit;
    char *tmpdir;
};

/* ob_spool_new - an empty spool */
struct ob_spool *ob_spool_new(size_t mem_max, const char *tmpdir)
{
    struct ob_spool *s = xcalloc(1, sizeof(*s));

    s->mem_max = mem_max;
    s->fd = -1;
    s->tmpdir = xstrdup(tmpdir != NULL && *tmpdir ? tmpdir : "/tmp");
    return s;
}

/* spool_write_all - write len bytes to the file */
static int spool_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
	ssize_t n = write(fd, p, len);

	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    return -1;
	p += n;
	len -= (size_t) n;
    }
    return 0;
}

/* spool_to_file - move the memory part into a new unlinked file */
static int spool_to_file(struct ob_spool *s)
{
    s->fd = open(s->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (s->fd < 0) {
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/mxguard-outbound.XXXXXX", s->tmpdir);
	s->fd = mkstemp(path.data);
	if (s->fd >= 0)
	    (void) unlink(path.data);
	buf_free(&path);
	if (s->fd < 0)
	    return -1;
    }
    if (spool_write_all(s->fd, s->mem.data, s->mem.len) < 0)
	return -1;
    buf_free(&s->mem);
    return 0;
}

/* ob_spool_write - append message bytes */
int ob_spool_write(struct ob_spool *s, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len && !s->eightbit; i++)
	if (p[i] & 0x80)
	    s->eightbit = 1;
    if (s->fd < 0 && s->size + len > s->mem_max && spool_to_file(s) < 0)
	return -1;
    if (s->fd < 0)
	buf_append(&s->mem, data, len);
    else if (spool_write_all(s->fd, data, len) < 0)
	return -1;
    s->size += len;
    return 0;
}

/* ob_spool_pread - read from offset off without moving any shared position */
ssize_t ob_spool_pread(struct ob_spool *s, void *out, size_t len, size_t off)
{
    if (off >= s->size)
	return 0;
    if (len > s->size - off)
	len = s->size - off;
    if (s->fd < 0) {
	memcpy(out, s->mem.data + off, len);
	return (ssize_t) len;
    }
    for (;;) {
	ssize_t n = pread(s->fd, out, len, (off_t) off);

	if (n < 0 && errno == EINTR)
	    continue;
	return n;
    }
}

/* ob_spool_size - bytes stored */
size_t ob_spool_size(const struct ob_spool *s)
{
    return s->size;
}

/* ob_spool_8bit - did any byte have the high bit set? */
int ob_spool_8bit(const struct ob_spool *s)
{
    return s->eightbit;
}

/* ob_spool_free - release memory and the file */
void ob_spool_free(struct ob_spool **sp)
{
    struct ob_spool *s = *sp;

    if (s == NULL)
	return;
    if (s->fd >= 0)
	(void) close(s->fd);
    buf_free(&s->mem);
    free(s->tmpdir);
    free(s);
    *sp = NULL;
}
