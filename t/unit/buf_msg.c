/*
 * t/unit/buf_msg.c - util/buf growth and formatting; util/msg escapes
 * control characters so logged data cannot forge extra log lines.
 */
#include "config.h"
#include "util/buf.h"
#include "util/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* capture_log - run msg_info(text) with stderr redirected to a pipe */
static char *capture_log(const char *text)
{
    int fds[2], saved = dup(STDERR_FILENO);
    static char out[4096];
    if (pipe(fds) < 0)
	return NULL;
    dup2(fds[1], STDERR_FILENO);
    msg_info("q1: test: %s", text);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fds[1]);
    ssize_t n = read(fds[0], out, sizeof(out) - 1);
    close(fds[0]);
    out[n > 0 ? n : 0] = 0;
    return out;
}

int main(void)
{
    struct buf b = BUF_INIT;

    is_str(buf_str(&b), "", "empty buffer reads as empty string");
    for (int i = 0; i < 1000; i++)
	buf_puts(&b, "abc");
    is_int((long long) b.len, 3000, "buffer grows past its first allocation");
    ok(b.data[b.len] == 0, "buffer stays NUL-terminated after growth");
    buf_reset(&b);
    buf_printf(&b, "%s-%d", "x", 42);
    is_str(b.data, "x-42", "printf appends formatted text");
    char big[1000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    buf_printf(&b, "%s", big);
    is_int((long long) b.len, 4 + 999, "printf longer than the small stack buffer is complete");
    char *s = buf_steal(&b);
    ok(b.data == NULL && b.len == 0, "steal leaves the buffer empty");
    free(s);
    buf_quote(&b, "a\"b\nc", 80);
    is_str(b.data, "\"a\\x22b\\x0ac\"", "quote escapes quotes and newlines as \\xHH");
    buf_reset(&b);
    buf_quote(&b, "abcdef", 3);
    is_str(b.data, "\"abc...\"", "quote marks a cut value with ...");
    buf_free(&b);
    buf_append(&b, "a\0b", 3);
    is_int((long long) b.len, 3, "append keeps embedded NUL bytes");
    buf_free(&b);

    msg_open("t-msg", MSG_STDERR, 0);
    char *line = capture_log("evil\nt-msg[1]: forged");
    ok(line && strchr(line, '\n') == line + strlen(line) - 1,
       "a newline in logged data does not start a second log line");
    ok(line && strstr(line, "evil\\x0at-msg[1]: forged") != NULL,
       "the newline is shown escaped as \\x0a");
    line = capture_log("tab\there");
    ok(line && strstr(line, "tab\\x09here") != NULL, "control characters are escaped");
    is_int(msg_facility_parse("local3") >= 0, 1, "local3 is a syslog facility");
    is_int(msg_facility_parse("nonsense"), -1, "unknown facility is rejected");
    return done_testing();
}
