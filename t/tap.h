/*
 * NAME
 *	tap.h - a tiny TAP producer for C unit tests
 * SYNOPSIS
 *	ok(cond, "name", ...);  is_int(got, want, "name", ...);
 *	is_str(got, want, "name", ...);  diag("fmt", ...);
 *	return done_testing();
 * DESCRIPTION
 *	Prints "ok N - name" / "not ok N - name" and the plan "1..N" at the
 *	end, as automake's tap-driver.sh and prove expect. Header-only; each
 *	test program includes it once.
 */
#ifndef MXG_T_TAP_H
#define MXG_T_TAP_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline __attribute__((format(printf, 2, 0))) int tap_vok(int cond, const char *fmt, va_list ap)
{
    tap_n++;
    printf("%sok %d - ", cond ? "" : "not ", tap_n);
    vprintf(fmt, ap);
    printf("\n");
    if (!cond)
	tap_failed++;
    fflush(stdout);
    return cond;
}

static inline __attribute__((format(printf, 2, 3))) int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = tap_vok(cond, fmt, ap);
    va_end(ap);
    return r;
}

static inline __attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

static inline __attribute__((format(printf, 3, 4))) int is_int(long long got, long long want,
							      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = tap_vok(got == want, fmt, ap);
    va_end(ap);
    if (!r)
	diag("  got %lld, want %lld", got, want);
    return r;
}

static inline __attribute__((format(printf, 3, 4))) int is_str(const char *got, const char *want,
							      const char *fmt, ...)
{
    va_list ap;
    int same = (got == NULL && want == NULL) ||
	(got != NULL && want != NULL && strcmp(got, want) == 0);
    va_start(ap, fmt);
    int r = tap_vok(same, fmt, ap);
    va_end(ap);
    if (!r)
	diag("  got \"%s\", want \"%s\"", got ? got : "(null)", want ? want : "(null)");
    return r;
}

static inline int done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

#endif
