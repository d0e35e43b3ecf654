/*
 * NAME
 *	signals - SIGHUP/SIGTERM/SIGINT for mxguardd despite libmilter's own
 *	signal thread
 * SYNOPSIS
 *	#include "milter/signals.h"
 *
 *	void milter_signals_init(int *read_fd_r);
 *	int milter_signals_libmilter_ready(int timeout_ms);
 *	void milter_signals_enable_reload(void);
 *	void milter_signals_notify(void);
 * DESCRIPTION
 *	libmilter's smfi_main() starts a thread that sigwait()s for SIGHUP,
 *	SIGTERM and SIGINT, and stops the milter on any of them (Sendmail
 *	libmilter signal.c, mi_signal_thread: SIGHUP and SIGTERM ->
 *	mi_stop_milters(MILTER_STOP), SIGINT -> MILTER_ABRT; unchanged in
 *	Debian's 8.17). mxguardd wants SIGHUP to reload instead.
 *
 *	So the three signals are caught by handlers in the MAIN thread, which
 *	never blocks them (SA_NODEFER, and the milter thread gets its blocked
 *	mask from pthread_attr_setsigmask_np, not from the main thread), and
 *	each handler writes the signal number to a self-pipe that the main
 *	loop reads. For a signal sent to the process, Linux first offers it to
 *	the thread-group leader when that thread does not block it (kernel
 *	signal.c, complete_signal), and libmilter's thread, asleep in
 *	sigtimedwait, is not woken.
 *
 *	One gap remains: a signal that is pending for a moment (raised, main
 *	thread not yet run) when libmilter's thread FIRST enters sigwait()
 *	can be taken by that thread. Therefore SIGHUP is ignored (dropped by
 *	the kernel at once, queued nowhere) from milter_signals_init() until
 *	milter_signals_enable_reload(), which mxguardd calls once
 *	milter_signals_libmilter_ready() saw libmilter's thread asleep in
 *	rt_sigtimedwait (/proc/self/task/TID/syscall; after the privilege drop
 *	the process is made dumpable for just that moment, or those files
 *	would belong to root). The pidfile is written after
 *	that, so nobody using it can hit the gap. A SIGTERM in the gap is
 *	harmless: if libmilter takes it, it stops, as asked.
 *
 *	milter_signals_notify() writes a 0 byte to the self-pipe: the milter
 *	thread's way to say that smfi_main() returned.
 * DIAGNOSTICS
 *	milter_signals_libmilter_ready: 1 seen, 0 not seen in time, -1
 *	/proc unreadable.
 */
#ifndef MXG_MILTER_SIGNALS_H
#define MXG_MILTER_SIGNALS_H

void milter_signals_init(int *read_fd_r);
int milter_signals_libmilter_ready(int timeout_ms);
void milter_signals_enable_reload(void);
void milter_signals_notify(void);

#endif
