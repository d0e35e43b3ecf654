/*
 * t/unit/verdict.c - verdicts: default replies, code classes, multi-line
 * and hostile text, quarantine reasons, header operations, clearing
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/verdict.h"
#include "t/tap.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static void test_defaults(void)
{
    struct verdict v;

    verdict_init(&v);
    is_int(v.action, VERDICT_CONTINUE, "a new verdict continues");
    verdict_reply(&v, VERDICT_REJECT, NULL);
    ok(strcmp(v.rcode, "550") == 0 && strcmp(v.xcode, "5.7.1") == 0
       && strcmp(v.text, "Rejected by policy") == 0, "reject default: 550 5.7.1 Rejected by policy");
    verdict_reply(&v, VERDICT_TEMPFAIL, "");
    ok(strcmp(v.rcode, "451") == 0 && strcmp(v.xcode, "4.7.1") == 0
       && strcmp(v.text, "Try again later") == 0, "tempfail default: 451 4.7.1 Try again later");
    verdict_reply(&v, VERDICT_DISCARD, "ignored");
    ok(v.action == VERDICT_DISCARD && v.rcode[0] == 0 && v.text == NULL, "discard has no reply");
    verdict_reply(&v, VERDICT_QUARANTINE, NULL);
    is_str(v.quarantine_reason, "quarantined by policy", "quarantine default reason");
    verdict_reply(&v, VERDICT_QUARANTINE, "bad\r\nthing");
    is_str(v.quarantine_reason, "bad  thing", "a quarantine reason is one clean line");
    verdict_clear(&v);
    ok(v.quarantine_reason == NULL && v.action == VERDICT_CONTINUE, "verdict_clear resets");
}

static void test_codes(void)
{
    struct verdict v;

    verdict_init(&v);
    verdict_reply(&v, VERDICT_REJECT, "554 5.7.0 Go away");
    ok(strcmp(v.rcode, "554") == 0 && strcmp(v.xcode, "5.7.0") == 0 && strcmp(v.text, "Go away") == 0,
       "given codes are used");
    verdict_reply(&v, VERDICT_REJECT, "5.1.1 No such user");
    ok(strcmp(v.rcode, "550") == 0 && strcmp(v.xcode, "5.1.1") == 0, "an enhanced code alone gets 550");
    verdict_reply(&v, VERDICT_REJECT, "451 4.7.1 not a reject");
    ok(strcmp(v.rcode, "550") == 0 && strcmp(v.xcode, "5.7.1") == 0,
       "a reject never answers 4xx: wrong-class codes are replaced");
    verdict_reply(&v, VERDICT_TEMPFAIL, "550 5.7.1 not a tempfail");
    ok(strcmp(v.rcode, "451") == 0 && strcmp(v.xcode, "4.7.1") == 0, "a tempfail never answers 5xx");
    verdict_reply(&v, VERDICT_TEMPFAIL, "999 bogus");
    ok(strcmp(v.rcode, "451") == 0 && strcmp(v.text, "999 bogus") == 0,
       "an invalid code prefix stays text, defaults apply");
    verdict_reply(&v, VERDICT_REJECT, "550 5.7.1");
    is_str(v.text, "Rejected by policy", "codes without text get the default text");
    verdict_clear(&v);
}

static void test_lines(void)
{
    struct verdict v;
    char *big = xmalloc(2001), *many;

    verdict_init(&v);
    verdict_reply(&v, VERDICT_REJECT, "550 5.7.1 first line\r\nsecond\tline \nthird");
    is_str(v.text, "first line\nsecond line\nthird", "multi-line text: CR and TAB cleaned, lines kept");
    memset(big, 'x', 2000);
    big[2000] = 0;
    verdict_reply(&v, VERDICT_REJECT, big);
    is_int((long long) strlen(v.text), VERDICT_LINE_MAX, "a long line is cut to fit an SMTP reply line");
    memcpy(big, "\xc3\xa9", 2);
    for (int i = 2; i + 1 < 2000; i += 2)
	memcpy(big + i, "\xc3\xa9", 2);
    verdict_reply(&v, VERDICT_REJECT, big + 1);	/* odd offset: the cut lands mid-sequence */
    size_t len = strlen(v.text);
    ok(len <= VERDICT_LINE_MAX && ((unsigned char) v.text[len - 1] == 0xa9),
       "the cut never splits a UTF-8 sequence");
    many = xmalloc(200);
    many[0] = 0;
    for (int i = 0; i < 40; i++)
	strcat(many, "l\n");
    verdict_reply(&v, VERDICT_REJECT, many);
    size_t nl = 0;
    for (const char *p = v.text; *p; p++)
	nl += *p == '\n';
    is_int((long long) nl + 1, VERDICT_MAX_LINES, "at most VERDICT_MAX_LINES reply lines");
    free(many);
    free(big);
    verdict_clear(&v);
}

static void test_lists(void)
{
    struct verdict v;

    verdict_init(&v);
    for (int i = 0; i < 20; i++)
	verdict_add_header(&v, VERDICT_HDR_ADD, "X-N", "v", 0);
    verdict_add_header(&v, VERDICT_HDR_INSERT, "Authentication-Results", "mx; none", 0);
    verdict_add_header(&v, VERDICT_HDR_REMOVE, "X-Old", "ignored", 2);
    ok(v.nhdrs == 22 && v.hdrs[20].op == VERDICT_HDR_INSERT && v.hdrs[21].value == NULL
       && v.hdrs[21].index == 2, "header operations are kept in order; a removal has no value");
    verdict_del_rcpt(&v, "a@example.com");
    verdict_del_rcpt(&v, "b@example.com");
    ok(v.ndel_rcpts == 2 && strcmp(v.del_rcpts[1], "b@example.com") == 0, "deleted recipients kept");
    verdict_log(&v, "line\nwith\rcontrols");
    is_str(v.logs[0], "line with controls", "log lines are one clean line");
    verdict_clear(&v);
    ok(v.nhdrs == 0 && v.hdrs == NULL && v.nlogs == 0 && v.ndel_rcpts == 0, "verdict_clear frees all");
    is_str(verdict_action_name(VERDICT_QUARANTINE), "quarantine", "action names");
    is_str(verdict_action_name(VERDICT_CONTINUE), "continue", "action names: continue");
}

int main(void)
{
    msg_open("test_verdict", MSG_STDERR, 0);
    test_defaults();
    test_codes();
    test_lines();
    test_lists();
    return done_testing();
}
