/*
 * NAME
 *	datafile.h - read a test data file from the source tree
 * SYNOPSIS
 *	char *t_data_file(const char *rel, size_t *len_r);
 * DESCRIPTION
 *	Reads $top_srcdir/t/data/REL (top_srcdir from the environment, as
 *	make check sets it; "." otherwise) whole, of any size, and returns it
 *	NUL-terminated (free it). len_r may be NULL. A missing file is a TAP
 *	"Bail out!": tests never run without their data. Header-only, like
 *	tap.h.
 */
#ifndef MXG_T_DATAFILE_H
#define MXG_T_DATAFILE_H
#include <stdio.h>
#include <stdlib.h>
#include "util/xmalloc.h"

static inline char *t_data_file(const char *rel, size_t *len_r)
{
    char path[1024];
    const char *top = getenv("top_srcdir");
    FILE *fp;
    size_t len = 0, cap = 65536, n;
    char *data = xmalloc(cap);

    snprintf(path, sizeof(path), "%s/t/data/%s", top ? top : ".", rel);
    if ((fp = fopen(path, "rb")) == NULL) {
	printf("Bail out! cannot read %s\n", path);
	exit(1);
    }
    while ((n = fread(data + len, 1, cap - len - 1, fp)) > 0) {
	len += n;
	if (len + 1 == cap)
	    data = xrealloc(data, cap *= 2);
    }
    fclose(fp);
    data[len] = 0;
    if (len_r)
	*len_r = len;
    return data;
}

#endif
