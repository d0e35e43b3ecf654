/*
 * NAME
 *	conf_load - check a parsed libconfig tree against the key table
 * SYNOPSIS
 *	#include "conf/conf_load.h"
 *
 *	int conf_load_tree(struct conf *c, const char *name, struct buf *errors_r);
 * DESCRIPTION
 *	Internal to src/conf; see conf_load.c.
 * DIAGNOSTICS
 *	The number of errors appended to *errors_r.
 * STANDARDS
 *	libconfig 1.5.
 */
#ifndef MXG_CONF_CONF_LOAD_H
#define MXG_CONF_CONF_LOAD_H
#include "conf/conf_impl.h"
#include "util/buf.h"

int conf_load_tree(struct conf *c, const char *name, struct buf *errors_r);

#endif
