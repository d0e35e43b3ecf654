/*
 * NAME
 *	msg - logging for every mxguard program
 * SYNOPSIS
 *	#include "util/msg.h"
 *	void msg_open(const char *progname, enum msg_dest dest, int facility);
 *	void msg_set_verbose(int level);
 *	void msg_info(const char *fmt, ...);     LOG_INFO
 *	void msg_notice(const char *fmt, ...);   LOG_NOTICE
 *	void msg_warn(const char *fmt, ...);     LOG_WARNING
 *	void msg_error(const char *fmt, ...);    LOG_ERR
 *	void msg_debug(const char *fmt, ...);    LOG_DEBUG, only when verbose
 *	void msg_fatal(const char *fmt, ...);    logs, exits 1 (startup/config/OOM only)
 *	void msg_panic(const char *fmt, ...);    logs, aborts (a bug)
 *	int  msg_facility_parse(const char *name);  -1 if unknown
 * DESCRIPTION
 *	One line per event. Callers write "queue-id: module: what: detail";
 *	this module adds nothing but the destination's own prefix. Lines are
 *	cut at 2048 bytes and control characters are escaped, so hostile data
 *	(headers, DNS names) cannot forge log lines. Thread safe: no shared
 *	buffers, one write(2) or syslog(3) call per line.
 *	Never pass key material or passwords to these functions.
 */
#ifndef MXG_UTIL_MSG_H
#define MXG_UTIL_MSG_H

enum msg_dest { MSG_STDERR, MSG_SYSLOG };

void msg_open(const char *progname, enum msg_dest dest, int facility);
void msg_set_verbose(int level);
int msg_verbose(void);
int msg_facility_parse(const char *name);

#define MSG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void msg_info(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_notice(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_warn(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_error(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_debug(const char *fmt, ...) MSG_PRINTF(1, 2);
void msg_fatal(const char *fmt, ...) MSG_PRINTF(1, 2) __attribute__((noreturn));
void msg_panic(const char *fmt, ...) MSG_PRINTF(1, 2) __attribute__((noreturn));

#endif
