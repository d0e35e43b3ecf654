/*
 * NAME
 *	t/unit/event.c - event actions: config checks, matching, exec sink
 *	(environment, JSON on stdin, sync result, timeout kill), the bounded
 *	queue (drops counted, bounded drain), end-of-message events, JSON
 * DESCRIPTION
 *	Real programs (/bin/sh scripts written at test time) are the exec
 *	sinks; the Redis and log sinks are tested with a real redis-server
 *	and mxguardd (t/unit/event_redis.sh, t/e2e/event_postfix.sh).
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf/conf.h"
#include "event/event.h"
#include "policy/verdict.h"
#include "store/store.h"
#include "t/tap.h"

static char dir[] = "/tmp/mxguard-event.XXXXXX";
static const struct fact_table *const tables[] = {&fact_table_core, NULL};

/* bus - an event bus from config text; errors in *errs */
static struct event_bus *bus(const char *text, struct buf *errs)
{
    struct conf *c;
    struct event_bus *b;

    buf_reset(errs);
    if ((c = conf_load_string(text, "ev.conf", errs)) == NULL)
	return NULL;
    b = event_bus_new(c, tables, errs);
    conf_unref(&c);
    return b;
}

/* script - write an executable /bin/sh script NAME with BODY; its path */
static char *script(const char *name, const char *body)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    FILE *fp;

    sprintf(path, "%s/%s", dir, name);
    fp = fopen(path, "w");
    fprintf(fp, "#!/bin/sh\n%s\n", body);
    fclose(fp);
    chmod(path, 0755);
    return path;
}

/* slurp - a file's content ("" when missing), static buffer */
static const char *slurp(const char *name)
{
    static char text[8192];
    char path[256];
    FILE *fp;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fp = fopen(path, "r")) == NULL)
	return "";
    n = fread(text, 1, sizeof(text) - 1, fp);
    text[n] = 0;
    fclose(fp);
    return text;
}

static void test_config_errors(void)
{
    struct buf e = BUF_INIT;
    char text[1024];

    ok(bus("events: { actions = ( ); };", &e) == NULL && e.len == 0,
       "no actions: no bus, no error");
    ok(bus("events: { actions = ( { on = [ \"msg:bogus\" ]; log = \"x\"; } ); };", &e) == NULL
       && strstr(buf_str(&e), "ev.conf:1: events.actions: on: unknown event \"msg:bogus\""),
       "an unknown event name is an error with FILE:LINE");
    ok(bus("events: { actions = ( { on = \"nope:\"; log = \"x\"; } ); };", &e) == NULL,
       "a prefix no event has is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; log = \"x\"; redis = \"PING\"; } ); };", &e)
       == NULL && strstr(buf_str(&e), "exactly one of log, redis, exec, lmdb"),
       "two sinks in one action is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; } ); };", &e) == NULL,
       "an action without a sink is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; log = \"x\"; colour = 1; } ); };", &e) == NULL
       && strstr(buf_str(&e), "unknown member \"colour\""), "an unknown member is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; log = \"$no_such_var\"; } ); };", &e) == NULL
       && strstr(buf_str(&e), "no_such_var"), "an unknown variable in a template is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; exec = \"relative/prog\"; } ); };", &e) == NULL
       && strstr(buf_str(&e), "absolute path"), "a relative exec program is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; exec = \"/nonexistent/prog\"; } ); };", &e)
       == NULL && strstr(buf_str(&e), "cannot be run"), "a missing exec program is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; redis = \"XADD s * a b\"; } ); };", &e) == NULL
       && strstr(buf_str(&e), "no server"), "a redis sink without a server is an error");
    ok(bus("events: { actions = ( { on = \"msg:\"; log = \"x\"; timeout_ms = 0; } ); };", &e)
       == NULL, "timeout_ms 0 is an error");
    snprintf(text, sizeof(text), "events: { actions = (\n"
	     " { on = \"bogus\"; log = \"x\"; },\n { on = \"msg:\"; log = \"$nope\"; } ); };");
    ok(bus(text, &e) == NULL && strstr(buf_str(&e), "ev.conf:2:")
       && strstr(buf_str(&e), "ev.conf:3:"), "every bad action is reported, not only the first");
    buf_free(&e);
}

static void test_exec(void)
{
    struct buf e = BUF_INIT, res = BUF_INIT;
    struct facts *f = facts_alloc();
    struct event_bus *b;
    char text[2048];
    char *env = script("env.sh", "cd \"$(dirname \"$0\")\"; "
		       "printf '%s|%s|%s\\n' \"$event_name\" \"$event_data\" \"$sender_address\" "
		       ">env.out; cat >stdin.out; echo 'go away, $event_data'");
    char *slow = script("slow.sh", "cd \"$(dirname \"$0\")\"; echo $$ >slow.pid; sleep 30; "
			"echo never >slow.out");
    pid_t pid;

    snprintf(text, sizeof(text), "events: { actions = (\n"
	     " { on = \"smtp:connect\"; exec = \"%s\"; sync = true; timeout_ms = 10000; },\n"
	     " { on = \"smtp:helo\"; exec = \"%s\"; sync = true; timeout_ms = 300; } ); };",
	     env, slow);
    b = bus(text, &e);
    ok(b != NULL, "exec actions load (%s)", buf_str(&e));
    if (b == NULL)
	return;
    facts_set(f, FACT_MSG, "sender_address", "a \"b\"@example.org");
    ok(event_fire(b, "smtp:connect", "192.0.2.1", f, &res) == 1,
       "a sync exec with output on smtp:connect gives a result (1)");
    is_str(buf_str(&res), "go away, $event_data", "the result is the first line of its output");
    is_str(slurp("env.out"), "smtp:connect|192.0.2.1|a \"b\"@example.org\n",
	   "the program sees event_name, event_data and the facts in its environment");
    ok(strncmp(slurp("stdin.out"), "{", 1) == 0
       && strstr(slurp("stdin.out"), "\"event_name\":\"smtp:connect\"")
       && strstr(slurp("stdin.out"), "\"sender_address\":\"a \\\"b\\\"@example.org\""),
       "the program gets the event as JSON on standard input (quotes escaped)");
    ok(facts_get(f, "event_name") == NULL, "the event variables are gone after the event");
    buf_reset(&res);
    ok(event_fire(b, "smtp:helo", "h.example", f, &res) == 0 && res.len == 0,
       "a sync exec past its timeout_ms gives no result");
    pid = (pid_t) atoi(slurp("slow.pid"));
    ok(pid > 0 && kill(pid, 0) != 0 && errno == ESRCH,
       "the sleeping program was killed (its pid %d is gone)", (int) pid);
    is_str(slurp("slow.out"), "", "the killed program never finished its work");
    ok(event_fire(b, "msg:mail", "x", f, &res) == 0, "an event without an action does nothing");
    event_bus_free(&b);
    facts_free(&f);
    buf_free(&e);
    buf_free(&res);
    free(env);
    free(slow);
}

static void test_queue(void)
{
    struct buf e = BUF_INIT;
    struct facts *f = facts_alloc();
    struct event_bus *b;
    struct event_stats st;
    char text[1024];
    char *append = script("append.sh", "cd \"$(dirname \"$0\")\"; sleep 0.2; "
			  "echo \"$event_data\" >>queue.out");

    snprintf(text, sizeof(text), "events: { queue_max = 2; actions = (\n"
	     " { on = \"msg:rcpt\"; exec = \"%s\"; timeout_ms = 5000; } ); };", append);
    b = bus(text, &e);
    ok(b != NULL, "an async exec action with events.queue_max = 2 loads");
    if (b == NULL)
	return;
    for (int i = 0; i < 10; i++) {
	char d[16];

	snprintf(d, sizeof(d), "r%d", i);
	event_fire(b, "msg:rcpt", d, f, NULL);
    }
    event_bus_stats(b, &st);
    ok(st.dropped >= 7 && st.dropped + st.queued == 10,
       "10 events at once into a queue of 2: at least 7 dropped and counted (%llu dropped, "
       "%llu queued)", st.dropped, st.queued);
    event_bus_free(&b);
    ok(strstr(slurp("queue.out"), "r0\n") != NULL,
       "the queued events are delivered by the worker before the bus ends");
    facts_free(&f);
    buf_free(&e);
    free(append);
}

static void test_msg_end(void)
{
    struct buf e = BUF_INIT;
    struct facts *f = facts_alloc();
    struct event_bus *b;
    struct verdict v;
    char text[1024];
    char *rec = script("rec.sh", "cd \"$(dirname \"$0\")\"; "
		       "echo \"$event_name=$event_data\" >>end.out");

    snprintf(text, sizeof(text), "events: { actions = (\n"
	     " { on = \"*\"; exec = \"%s\"; sync = true; } ); };", rec);
    b = bus(text, &e);
    ok(b != NULL, "a sync exec on every event loads");
    if (b == NULL)
	return;
    facts_set(f, FACT_MSG, "spf", "fail");
    facts_set(f, FACT_MSG, "spf_smtp_comment", "not permitted");
    facts_set(f, FACT_MSG, "dcc", "fail");
    facts_set(f, FACT_MSG, "dcc_result", "R");
    facts_set(f, FACT_MSG, "dmarc_status", "temperror");
    verdict_init(&v);
    verdict_reply(&v, VERDICT_REJECT, "550 5.7.1 go away");
    event_msg_end(b, f, &v);
    is_str(slurp("end.out"), "spf:fail=not permitted\ndcc:fail=R\ndns:fail=dmarc_status\n"
	   "msg:reject=550 5.7.1 go away\nmsg:complete=reject\n",
	   "end of message: check failures, dns:fail, msg:reject with the reply, msg:complete");
    verdict_clear(&v);
    event_bus_free(&b);
    facts_free(&f);
    buf_free(&e);
    free(rec);
}

static void test_lmdb(void)
{
    struct buf e = BUF_INIT, val = BUF_INIT;
    struct facts *f = facts_alloc();
    struct event_bus *b;
    struct store *st;
    const char *why = NULL;
    char text[1024];

    snprintf(text, sizeof(text), "store: { lmdb = \"%s/ev.mdb\"; };\n"
	     "events: { actions = ( { on = \"msg:\"; lmdb = \"ev:$event_name\"; } ); };", dir);
    b = bus(text, &e);
    ok(b != NULL, "an lmdb action loads");
    if (b == NULL)
	return;
    facts_set(f, FACT_MSG, "sender_address", "s@example.org");
    event_fire(b, "msg:mail", "s@example.org", f, NULL);
    event_fire(b, "msg:mail", "t@example.org", f, NULL);
    event_bus_free(&b);			/* delivers what is queued */
    snprintf(text, sizeof(text), "%s/ev.mdb", dir);
    st = store_open_lmdb(text, 16, &why);
    ok(st != NULL && store_get(st, "ev:msg:mail", &val) == 1,
       "the events were appended to the key ev:msg:mail of store.lmdb");
    is_str(buf_str(&val), "{\"sender_address\":\"s@example.org\",\"event_name\":\"msg:mail\","
	   "\"event_data\":\"s@example.org\"}\n{\"sender_address\":\"s@example.org\","
	   "\"event_name\":\"msg:mail\",\"event_data\":\"t@example.org\"}\n",
	   "one JSON line per event, in order");
    store_close(&st);
    facts_free(&f);
    buf_free(&e);
    buf_free(&val);
}

static void test_names_json(void)
{
    struct facts *f = facts_alloc();
    struct buf j = BUF_INIT;

    ok(event_name_valid("smtp:connect") && event_name_valid("msg:")
       && event_name_valid("*") && event_name_valid("msg:host:defer")
       && event_name_valid("tls:cert"), "known names, prefixes and * are valid");
    ok(!event_name_valid("msg") && !event_name_valid("msg:acc") && !event_name_valid(""),
       "a name without its colon, a partial name and nothing are not");
    facts_set(f, FACT_MSG, "sender_address", "a\r\n\"x\"\\@\xff.example");
    event_json(&j, f);
    is_str(buf_str(&j), "{\"sender_address\":\"a\\r\\n\\\"x\\\"\\\\@\\ufffd.example\"}",
	   "JSON escapes CR LF quotes backslashes, and a bad byte becomes U+FFFD");
    buf_free(&j);
    facts_free(&f);
}

int main(void)
{
    char cmd[300];

    if (mkdtemp(dir) == NULL)
	return 1;
    test_config_errors();
    test_names_json();
    test_exec();
    test_queue();
    test_msg_end();
    test_lmdb();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
	diag("could not remove %s", dir);
    return done_testing();
}
