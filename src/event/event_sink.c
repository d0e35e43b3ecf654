/*
 * NAME
 *	event_sink.c - deliver one expanded event action: log, redis, exec, lmdb
 * SYNOPSIS
 *	#include "event/event_int.h"
 *
 *	int event_sink_run(struct event_action *a, const struct event_job *j,
 *			   struct buf *result_r);
 *	void event_job_free(struct event_job **jp);
 * DESCRIPTION
 *	log: one msg_info line "event NAME: TEXT". redis: store_command()
 *	with the job's argv (each element one argument, whatever it holds);
 *	the action's store has timeout_ms as connect and command timeout
 *	and fails fast while it backs off after a failed connect. exec:
 *	posix_spawn (safe in a threaded process) of argv with the job's
 *	environment, in its own process group, with only descriptors 0-2
 *	(stderr is ours: the program's complaints reach our log), $event_json written to its
 *	standard input and its standard output read, all within timeout_ms;
 *	past that the process group is killed (SIGKILL) and reaped. lmdb:
 *	$event_json and a newline appended to the key in store.lmdb (opened
 *	on first use).
 *
 *	result_r (sync actions, may be NULL): redis: a string or status
 *	reply, or a non-zero integer; exec: the first line of its output.
 * DIAGNOSTICS
 *	0 delivered, -1 failed (logged with the action's FILE:LINE).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "event/event_int.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define EVENT_EXEC_OUT_MAX	4096

/* event_now_ms - a monotonic clock in milliseconds */
static long long event_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* event_run_redis - one command; its reply as the result */
static int event_run_redis(struct event_action *a, const struct event_job *j, struct buf *result_r)
{
    struct store_reply r;

    memset(&r, 0, sizeof(r));
    if (store_command(a->store, (int) j->argc, (const char *const *) j->argv, j->argvlen, &r) != 0) {
	msg_warn("event %s: %s: redis %s: %s", j->name, a->where, j->argv[0],
		 store_error(a->store));
	store_reply_clear(&r);
	return -1;
    }
    if (result_r && r.type == STORE_REPLY_STR)
	buf_append(result_r, r.str.data ? r.str.data : "", r.str.len);
    else if (result_r && r.type == STORE_REPLY_INT && r.integer != 0)
	buf_printf(result_r, "%lld", r.integer);
    store_reply_clear(&r);
    return 0;
}

/* event_run_lmdb - append the JSON line to the key */
static int event_run_lmdb(struct event_action *a, const struct event_job *j)
{
    const char *why = NULL;
    struct buf line = BUF_INIT;
    int r;

    pthread_mutex_lock(&a->lmdb_lock);
    if (!a->lmdb_tried) {
	a->lmdb_tried = 1;
	if ((a->lmdb = store_open_lmdb(a->lmdb_path, a->lmdb_map_mb, &why)) == NULL)
	    msg_warn("event: %s: lmdb %s: %s", a->where, a->lmdb_path, why ? why : "cannot open");
    }
    pthread_mutex_unlock(&a->lmdb_lock);
    if (a->lmdb == NULL)
	return -1;
    buf_puts(&line, j->json ? j->json : "{}");
    buf_putc(&line, '\n');
    r = store_append(a->lmdb, j->argv[0], line.data, line.len);
    if (r != 0)
	msg_warn("event %s: %s: lmdb append %s: %s", j->name, a->where, j->argv[0],
		 store_error(a->lmdb));
    buf_free(&line);
    return r;
}

/* event_exec_io - feed stdin, read stdout, until both are done or the deadline */
static int event_exec_io(int *inp, int *outp, const char *json, struct buf *output,
			 long long deadline)
{
    size_t off = 0, len = json ? strlen(json) : 0;
    int ret = 0, in = *inp, out = *outp;

    while (in >= 0 || out >= 0) {
	struct pollfd p[2] = {{in, POLLOUT, 0}, {out, POLLIN, 0}};
	long long left = deadline - event_now_ms();

	if (left <= 0
	    || (poll(p, 2, (int) (left > 60000 ? 60000 : left)) < 0 && errno != EINTR)) {
	    ret = -1;
	    break;
	}
	if (in >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
	    ssize_t n = off < len ? write(in, json + off, len - off) : 0;

	    if (n > 0)
		off += (size_t) n;
	    if (off >= len || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(in);		/* all written, or the program does not read */
		in = -1;
	    }
	}
	if (out >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) {
	    char tmp[1024];
	    ssize_t n = read(out, tmp, sizeof(tmp));

	    if (n > 0 && output->len < EVENT_EXEC_OUT_MAX)
		buf_append(output, tmp, (size_t) n);
	    else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		close(out);
		out = -1;
	    }
	}
    }
    *inp = in;
    *outp = out;
    return ret;
}

/* event_exec_reap - wait for pid until the deadline; kill its group after it */
static int event_exec_reap(pid_t pid, long long deadline, int *status_r)
{
    for (;;) {
	pid_t r = waitpid(pid, status_r, WNOHANG);

	if (r == pid)
	    return 0;
	if (r < 0 && errno != EINTR)
	    return 0;			/* someone else reaped it (SIGCHLD ignored) */
	if (event_now_ms() >= deadline) {
	    kill(-pid, SIGKILL);
	    (void) waitpid(pid, status_r, 0);
	    return -1;
	}
	usleep(2000);
    }
}

/* event_run_exec - the program with the event in env and JSON on stdin */
static int event_run_exec(struct event_action *a, const struct event_job *j, struct buf *result_r)
{
    long long deadline = event_now_ms() + a->timeout_ms;
    int pin[2], pout[2], status = 0, io;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    struct buf out = BUF_INIT;
    pid_t pid;

    if (pipe2(pin, O_CLOEXEC) != 0)
	return -1;
    if (pipe2(pout, O_CLOEXEC) != 0) {
	close(pin[0]);
	close(pin[1]);
	return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);	/* no milter socket leaks into it */
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    io = posix_spawn(&pid, j->argv[0], &fa, &attr, j->argv, j->env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(pin[0]);
    close(pout[1]);
    if (io != 0) {
	msg_warn("event %s: %s: exec %s: %s", j->name, a->where, j->argv[0], strerror(io));
	close(pin[1]);
	close(pout[0]);
	return -1;
    }
    fcntl(pin[1], F_SETFL, O_NONBLOCK);
    fcntl(pout[0], F_SETFL, O_NONBLOCK);
    io = event_exec_io(&pin[1], &pout[0], j->json, &out, deadline);
    if (pin[1] >= 0)			/* still open after a timeout */
	close(pin[1]);
    if (pout[0] >= 0)
	close(pout[0]);
    if (event_exec_reap(pid, io == 0 ? deadline : 0, &status) != 0 || io != 0) {
	msg_warn("event %s: %s: exec %s: killed after timeout_ms %d", j->name, a->where,
		 j->argv[0], a->timeout_ms);
	buf_free(&out);
	return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
	msg_warn("event %s: %s: exec %s: exit status %d", j->name, a->where, j->argv[0],
		 WEXITSTATUS(status));
    if (result_r && out.len) {
	size_t n = strcspn(buf_str(&out), "\r\n");

	buf_append(result_r, out.data, n);
    }
    buf_free(&out);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* event_sink_run - deliver one job */
int event_sink_run(struct event_action *a, const struct event_job *j, struct buf *result_r)
{
    switch (a->sink) {
    case EVENT_SINK_LOG:
	msg_info("event %s: %s", j->name, j->argv[0]);
	return 0;
    case EVENT_SINK_REDIS:
	return event_run_redis(a, j, result_r);
    case EVENT_SINK_EXEC:
	return event_run_exec(a, j, result_r);
    case EVENT_SINK_LMDB:
	return event_run_lmdb(a, j);
    }
    return -1;
}

/* event_job_free - free a job */
void event_job_free(struct event_job **jp)
{
    struct event_job *j = *jp;

    if (j == NULL)
	return;
    for (size_t i = 0; i < j->argc; i++)
	free(j->argv[i]);
    free(j->argv);
    free(j->argvlen);
    for (size_t i = 0; j->env && j->env[i]; i++)
	free(j->env[i]);
    free(j->env);
    free(j->json);
    free(j->name);
    free(j);
    *jp = NULL;
}
