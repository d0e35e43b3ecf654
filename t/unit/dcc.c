/*
 * NAME
 *	t/unit/dcc.c - dccifd protocol: reply parser, request envelope, address, options
 * DESCRIPTION
 *	The pure parts of src/check/dcc_proto.c; the conversation itself is
 *	tested against t/tools/fake_dccifd.pl (t/unit/dcc_check.sh) and through
 *	Postfix (t/e2e/dcc_postfix.sh).
 */
#include "config.h"
#include <string.h>
#include <stdlib.h>
#include "check/dcc.h"
#include "t/tap.h"

/* parse - dcc_reply_parse of a C string; the reason in *why_r */
static int parse(const char *s, size_t nrcpt, struct dcc_reply *r, const char **why_r)
{
    *why_r = NULL;
    return dcc_reply_parse(s, strlen(s), nrcpt, r, why_r);
}

static void test_replies(void)
{
    struct dcc_reply r;
    const char *why;

    ok(parse("A\nAA\nX-DCC-Fake-Metrics: h 1201; Body=1\n", 2, &r, &why) == 0,
       "an A answer with two recipient letters and a header parses");
    is_int(r.result, 'A', "the overall letter is A");
    is_str(r.rcpt_letters, "AA", "the recipient letters are kept in order");
    is_str(r.hdr_name, "X-DCC-Fake-Metrics", "the header field name is returned");
    is_str(r.hdr_value, "h 1201; Body=1", "the header value is returned without the blank");
    dcc_reply_free(&r);

    ok(parse("S\nARG\nX-DCC-x: a=1\n\tb=2\n c=3\n", 3, &r, &why) == 0,
       "an S answer with a folded header parses");
    is_str(r.rcpt_letters, "ARG", "mixed recipient letters A R G are kept in order");
    is_str(r.hdr_value, "a=1\n\tb=2\n c=3", "folding of the header is kept as dccifd made it");
    dcc_reply_free(&r);

    ok(parse("T\r\nA\r\n", 1, &r, &why) == 0 && r.hdr_name == NULL,
       "CRLF line ends are accepted; no header without the header option");
    dcc_reply_free(&r);
    ok(parse("R\n\n", 0, &r, &why) == 0 && r.result == 'R',
       "no recipients: an empty recipient line is accepted");
    dcc_reply_free(&r);

    ok(parse("Z\nA\n", 1, &r, &why) < 0 && strstr(why, "A R S G T"),
       "an unknown overall letter is garbage");
    ok(parse("AA\nA\n", 1, &r, &why) < 0, "two letters on the result line are garbage");
    ok(parse("", 1, &r, &why) < 0 && strcmp(why, "no result line") == 0,
       "an empty answer (dccifd closed early) is an error");
    ok(parse("A\n", 1, &r, &why) < 0 && strcmp(why, "no recipient result line") == 0,
       "an answer without the recipient line is an error");
    ok(parse("A", 0, &r, &why) < 0, "a result line without its newline is an error");
    ok(parse("A\nAA\n", 1, &r, &why) < 0 && strstr(why, "one letter per recipient"),
       "more recipient letters than recipients is an error");
    ok(parse("A\nA\n", 2, &r, &why) < 0, "fewer recipient letters than recipients is an error");
    ok(parse("A\nX\n", 1, &r, &why) < 0 && strstr(why, "A R G"),
       "a recipient letter other than A R G is an error");
    ok(parse("A\nA\nno colon here\n", 1, &r, &why) < 0, "a header line without a colon is an error");
    ok(parse("A\nA\nX-DCC: a\nY: b\n", 1, &r, &why) < 0,
       "a second header field (not a continuation) is an error");
    ok(parse("A\nA\nX DCC: a\n", 1, &r, &why) < 0, "a blank in the field name is an error");
    {
	static const char nul[] = "A\nA\nX-DCC: a\0b\n";

	ok(dcc_reply_parse(nul, sizeof(nul) - 1, 1, &r, &why) < 0,
	   "a NUL inside the header value is an error");
    }
    is_str(dcc_result_word('A'), "accept", "A is accept");
    is_str(dcc_result_word('S'), "accept", "S is accept");
    is_str(dcc_result_word('R'), "fail", "R is fail");
    is_str(dcc_result_word('G'), "fail", "G is fail");
    is_str(dcc_result_word('T'), "defer", "T is defer");
}

static void test_envelope(void)
{
    const char *rcpts[] = {"a@example.com", "b@example.com"};
    const char *users[] = {"a", NULL};
    struct dcc_request req = {"header grey-off", "192.0.2.1", "mx.example.org",
	"helo.example.org", "s@example.org", rcpts, users, 2};
    struct buf b = BUF_INIT;

    dcc_request_envelope(&b, &req);
    is_str(buf_str(&b), "header grey-off\n192.0.2.1\rmx.example.org\nhelo.example.org\n"
	   "s@example.org\na@example.com\ra\nb@example.com\n\n",
	   "the envelope: options, IP\\rname, HELO, sender, mailbox\\ruser lines, empty line");
    buf_reset(&b);
    req.client_name = NULL;
    req.sender = "";
    req.helo = "evil\r\nR\n";
    req.nrcpt = 0;
    dcc_request_envelope(&b, &req);
    is_str(buf_str(&b), "header grey-off\n192.0.2.1\nevil  R \n<>\n\n",
	   "no name: IP alone; null sender as <>; CR/LF inside a value become spaces");
    buf_free(&b);
}

static void test_addr_options(void)
{
    struct dcc_addr a;
    const char *why;

    ok(dcc_addr_parse("/var/dcc/dccifd", &a, &why) == 0 && a.family == AF_UNIX,
       "a path is a unix socket");
    ok(dcc_addr_parse("127.0.0.1,1234", &a, &why) == 0 && a.family == AF_INET,
       "host,port is TCP");
    ok(dcc_addr_parse("127.0.0.1:1234", &a, &why) == 0 && a.family == AF_INET,
       "host:port is TCP");
    ok(dcc_addr_parse("[::1]:1234", &a, &why) == 0 && a.family == AF_INET6,
       "[v6]:port is TCP over IPv6");
    ok(dcc_addr_parse("::1,1234", &a, &why) == 0 && a.family == AF_INET6,
       "v6,port is TCP over IPv6");
    ok(dcc_addr_parse("dcc.example.org,1234", &a, &why) < 0 && strstr(why, "IP address"),
       "a host name is refused (no DNS lookup per message)");
    ok(dcc_addr_parse("127.0.0.1,99999", &a, &why) < 0, "a port over 65535 is refused");
    ok(dcc_addr_parse("dccifd", &a, &why) < 0, "a relative name is refused");

    ok(dcc_options_check("header", &why) == 0, "option header is known");
    ok(dcc_options_check("header grey-off no-reject query log", &why) == 0,
       "several known options separated by blanks are accepted");
    ok(dcc_options_check("header body", &why) < 0 && strstr(why, "body"),
       "option body is refused");
    ok(dcc_options_check("header bogus", &why) < 0, "an unknown option is refused");
}

int main(void)
{
    test_replies();
    test_envelope();
    test_addr_options();
    return done_testing();
}
