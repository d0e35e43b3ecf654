/*
 * t/unit/outbound_parts.c - the pure parts of mxguard-outbound: SMTP reply
 * and EHLO parsing, the failure-to-reply mapping, the spool, listener
 * specs and TLS level order.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "outbound/listen.h"
#include "outbound/outbound.h"
#include "outbound/reply.h"
#include "outbound/spool.h"
#include "outbound/trouble.h"
#include "t/tap.h"

/* feed - add lines to a reply; the last add_line result */
static int feed(struct ob_reply *r, const char *const *lines)
{
    int ret = -1;

    ob_reply_reset(r);
    for (; *lines; lines++)
	ret = ob_reply_add_line(r, *lines, strlen(*lines));
    return ret;
}

static void test_reply(void)
{
    struct ob_reply r = { 0 };
    const char *multi[] = { "250-mx.example.test hello", "250-PIPELINING", "250-SIZE 1000",
	"250-starttls", "250-ENHANCEDSTATUSCODES", "250-DSN", "250-8BITMIME", "250 SMTPUTF8", NULL };
    const char *enh[] = { "550-5.1.1 first line", "550 5.1.1 second line", NULL };
    const char *mixed[] = { "250-a", "550 b", NULL };
    const char *bare[] = { "421", NULL };
    const char *junk[] = { "hello", NULL };
    const char *badcode[] = { "199 x", NULL };
    const char *cls[] = { "451 5.7.1 class differs", NULL };
    struct ob_ehlo e;

    is_int(feed(&r, multi), 1, "a multi-line reply completes at its last line");
    is_int(r.code, 250, "its code");
    is_int(r.lines, 8, "all lines kept");
    is_str(r.first, "250-mx.example.test hello", "the first line as received");
    is_int(ob_ehlo_parse(&r, &e), 0, "EHLO reply parses");
    ok(e.flags & OB_EHLO_PIPELINING, "PIPELINING seen");
    ok(e.flags & OB_EHLO_STARTTLS, "keywords are case-insensitive (starttls)");
    ok((e.flags & OB_EHLO_DSN) && (e.flags & OB_EHLO_8BITMIME) && (e.flags & OB_EHLO_SMTPUTF8)
       && (e.flags & OB_EHLO_ENHANCED), "DSN, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES seen");
    is_int((long long) e.size, 1000, "SIZE value");
    ok(!(e.flags & OB_EHLO_CHUNKING), "CHUNKING not announced, not seen");
    ok(!(feed(&r, (const char *[]) { "250 only the greeting line", NULL }) != 1
	 || ob_ehlo_parse(&r, &e) != 0 || e.flags != 0), "a one-line EHLO reply has no extensions");

    is_int(feed(&r, enh), 1, "enhanced codes are parsed");
    is_str(r.enh, "5.1.1", "the enhanced code");
    is_str(buf_str(&r.text), "first line\nsecond line", "and removed from every line");
    is_int(feed(&r, mixed), -1, "a line with another code is malformed");
    is_int(feed(&r, bare), 1, "a bare code is a complete reply");
    is_int(r.code, 421, "bare code");
    is_int(feed(&r, junk), -1, "text without a code is malformed");
    is_int(feed(&r, badcode), -1, "code 199 is malformed");
    is_int(feed(&r, cls), 1, "an enhanced code of another class");
    is_str(r.enh, "", "is not taken as one");
    ob_reply_free(&r);
}

static void test_trouble(void)
{
    struct ob_diag d = { 0 };
    struct ob_reply r = { 0 };
    struct ob_result res;
    struct ob_io io;

    strcpy(d.host, "mx.example.test");
    strcpy(d.addr, "192.0.2.1");
    d.port = 25;
    strcpy(d.greeting, "220 mx.example.test ESMTP");
    strcpy(d.ehlo, "250-mx.example.test");
    strcpy(d.command, "RCPT TO");
    ob_result_trouble(&res, OB_TR_NULL_MX, NULL, "example.test");
    ok(res.code == 556 && strcmp(res.enh, "5.1.10") == 0, "null MX is 556 5.1.10");
    is_str(ob_result_status(&res), "bounced", "and bounces");
    ob_result_trouble(&res, OB_TR_CONNECT, &d, "refused");
    ok(res.code == 451 && strcmp(res.enh, "4.4.1") == 0, "connection failure is 451 4.4.1");
    ok(strstr(res.text, "(remote mx.example.test[192.0.2.1]:25; greeting: 220 mx.example.test "
	      "ESMTP; ehlo: 250-mx.example.test; in reply to RCPT TO)") != NULL,
       "DSN diagnostics name host, greeting, EHLO and command");
    ob_result_trouble(&res, OB_TR_TLSA_FAIL, &d, NULL);
    ok(res.code == 451 && strcmp(res.enh, "4.7.5") == 0, "TLSA lookup failure is 4.7.5");
    ob_result_trouble(&res, OB_TR_TLS_MISSING, &d, NULL);
    is_str(res.enh, "4.7.4", "TLS not offered is 4.7.4");
    ob_result_trouble(&res, OB_TR_DNS_TEMP, NULL, NULL);
    is_str(res.enh, "4.4.3", "DNS failure is 4.4.3");
    ob_result_trouble(&res, OB_TR_OTHER_DOMAIN, NULL, NULL);
    ok(res.code == 452 && strcmp(res.enh, "4.5.3") == 0, "another domain in SMTP mode: 452 4.5.3");
    ob_result_trouble(&res, OB_TR_LOST, &d, NULL);
    is_str(ob_result_status(&res), "deferred", "a lost connection defers");

    (void) feed(&r, (const char *[]) { "550 no such user", NULL });
    ob_result_from_reply(&res, &r, &d);
    ok(res.code == 550 && strcmp(res.enh, "5.0.0") == 0, "a reply without enhanced code gets X.0.0");
    ok(strncmp(res.text, "no such user\n(remote mx.example.test", 36) == 0,
       "the next hop's text comes first, diagnostics on their own line");
    ob_io_init(&io, -1);
    ob_result_put(&io, &res);
    ok(strncmp(io.wbuf.data, "550-5.0.0 no such user\r\n550 5.0.0 (remote", 41) == 0,
       "it goes to the MTA as a multi-line reply");
    buf_free(&io.wbuf);
    (void) feed(&r, (const char *[]) { "250 2.0.0 queued", NULL });
    ob_result_from_reply(&res, &r, &d);
    is_str(res.text, "queued", "a success carries no diagnostics");
    ob_reply_free(&r);
}

static void test_spool(void)
{
    struct ob_spool *sp = ob_spool_new(16, NULL);
    char out[64];
    ssize_t n;

    is_int(ob_spool_write(sp, "line one\r\n", 10), 0, "write into memory");
    is_int(ob_spool_write(sp, "line \xc3\xa9two\r\n", 12), 0, "write past the memory limit (file)");
    is_int((long long) ob_spool_size(sp), 22, "size counts both");
    ok(ob_spool_8bit(sp), "8-bit content noticed");
    n = ob_spool_pread(sp, out, sizeof(out), 0);
    ok(n == 22 && memcmp(out, "line one\r\nline \xc3\xa9two\r\n", 22) == 0,
       "read back whole from the temporary file");
    n = ob_spool_pread(sp, out, 4, 5);
    ok(n == 4 && memcmp(out, "one\r", 4) == 0, "read at an offset");
    is_int(ob_spool_pread(sp, out, 4, 22), 0, "end of spool");
    ob_spool_free(&sp);
    ok(sp == NULL, "free clears the pointer");
}

static void test_listen(void)
{
    struct ob_listener l;
    const char *why;

    ok(ob_listen_parse("lmtp:127.0.0.1:10026", &l, &why) == 0 && l.lmtp && l.port == 10026
       && strcmp(l.host, "127.0.0.1") == 0, "lmtp:HOST:PORT");
    ok(ob_listen_parse("smtp:[::1]:25", &l, &why) == 0 && !l.lmtp && strcmp(l.host, "::1") == 0,
       "smtp:[V6]:PORT");
    ok(ob_listen_parse("lmtp:unix:/run/x.sock", &l, &why) == 0 && l.is_unix
       && strcmp(l.host, "/run/x.sock") == 0, "lmtp:unix:/path");
    ok(ob_listen_parse("smtp:::1:25", &l, &why) < 0, "bare IPv6 refused");
    ok(ob_listen_parse("tcp:1.2.3.4:25", &l, &why) < 0, "unknown protocol refused");
}

static void test_levels(void)
{
    const char *order[] = { "none", "may", "encrypt", "dane", "dane-only", "verify", "secure" };

    for (int i = 0; i < 7; i++)
	is_int(ob_tls_level_parse(order[i]), i, "TLS level %s is number %d", order[i], i);
    is_int(ob_tls_level_parse("require"), -1, "no level 'require'");
    is_str(ob_tls_level_name(OB_TLS_DANE_ONLY), "dane-only", "level names");
}

int main(void)
{
    test_reply();
    test_trouble();
    test_spool();
    test_listen();
    test_levels();
    return done_testing();
}
