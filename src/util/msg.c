/*
 * msg.c - logging to syslog or stderr, one sanitized line per event.
 * See msg.h for the interface.
 */
#include "config.h"
#include "util/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#define MSG_LINE_MAX 2048

static const char *msg_progname = "mxguard";
static enum msg_dest msg_dest = MSG_STDERR;
static int msg_verbose_level;

/* msg_open - choose the destination; call once at startup, before threads */
void msg_open(const char *progname, enum msg_dest dest, int facility)
{
    msg_progname = progname;
    msg_dest = dest;
    if (dest == MSG_SYSLOG)
	openlog(progname, LOG_PID | LOG_NDELAY, facility);
}

void msg_set_verbose(int level) { msg_verbose_level = level; }
int msg_verbose(void) { return msg_verbose_level; }

/* msg_facility_parse - map "mail", "local0".."local7", "daemon" to LOG_* */
int msg_facility_parse(const char *name)
{
    static const struct { const char *name; int fac; } tab[] = {
	{"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
	if (strcasecmp(name, tab[i].name) == 0)
	    return tab[i].fac;
    return -1;
}

/* msg_sanitize - escape control characters so data cannot forge lines */
static void msg_sanitize(char *out, size_t outlen, const char *in)
{
    size_t o = 0;
    for (; *in && o + 5 < outlen; in++) {
	unsigned char c = (unsigned char) *in;
	if (c < 0x20 || c == 0x7f) {
	    o += (size_t) snprintf(out + o, outlen - o, "\\x%02x", c);
	} else {
	    out[o++] = (char) c;
	}
    }
    out[o] = 0;
}

static __attribute__((format(printf, 3, 0))) void msg_vlog(int prio, const char *tag, const char *fmt, va_list ap)
{
    char raw[MSG_LINE_MAX];
    char line[MSG_LINE_MAX];

    vsnprintf(raw, sizeof(raw), fmt, ap);
    msg_sanitize(line, sizeof(line), raw);
    if (msg_dest == MSG_SYSLOG) {
	if (tag)
	    syslog(prio, "%s: %s", tag, line);
	else
	    syslog(prio, "%s", line);
    } else {
	char out[MSG_LINE_MAX + 128];
	int n = snprintf(out, sizeof(out), "%s[%ld]: %s%s%s\n", msg_progname,
			 (long) getpid(), tag ? tag : "", tag ? ": " : "", line);
	if (n > (int) sizeof(out))
	    n = (int) sizeof(out);
	if (write(STDERR_FILENO, out, (size_t) n) < 0) {
	    /* nowhere else to report it */
	}
    }
}

#define MSG_FN(name, prio, tag) \
    void name(const char *fmt, ...) { \
	va_list ap; va_start(ap, fmt); msg_vlog(prio, tag, fmt, ap); va_end(ap); }

MSG_FN(msg_info, LOG_INFO, NULL)
MSG_FN(msg_notice, LOG_NOTICE, NULL)
MSG_FN(msg_warn, LOG_WARNING, "warning")
MSG_FN(msg_error, LOG_ERR, "error")

void msg_debug(const char *fmt, ...)
{
    va_list ap;
    if (msg_verbose_level <= 0)
	return;
    va_start(ap, fmt);
    msg_vlog(LOG_DEBUG, "debug", fmt, ap);
    va_end(ap);
}

void msg_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_vlog(LOG_CRIT, "fatal", fmt, ap);
    va_end(ap);
    exit(1);
}

void msg_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_vlog(LOG_CRIT, "panic", fmt, ap);
    va_end(ap);
    abort();
}
