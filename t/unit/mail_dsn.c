/*
 * t/unit/mail_dsn.c - mail/dsn: enhanced status codes (RFC 3463) checked
 * exactly; SMTP reply texts split into code, enhanced code and text, with
 * mismatched classes refused.
 */
#include "config.h"
#include "mail/dsn.h"
#include "t/tap.h"

#include <string.h>

static void test_enh(void)
{
    static const struct {
	const char *in;
	int     rc;
    } cases[] = {
	{"5.7.1", 0}, {"4.2.0", 0}, {"2.0.0", 0}, {"5.7.26", 0}, {"5.999.999", 0},
	{"3.1.1", -1}, {"5.7", -1}, {"5..1", -1}, {"5.7.1.", -1}, {"5.1000.1", -1},
	{"5.7.x", -1}, {"", -1}, {"55.7.1", -1}, {"5.7.1 ", -1}, {"5.7.-1", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	struct mail_dsn_enh enh;

	is_int(mail_dsn_enh_parse(cases[i].in, strlen(cases[i].in), &enh), cases[i].rc,
	       "enhanced code \"%s\" %s", cases[i].in, cases[i].rc ? "refused" : "valid");
    }
    struct mail_dsn_enh enh;

    mail_dsn_enh_parse("5.7.26", 6, &enh);
    ok(enh.class_ == 5 && enh.subject == 7 && enh.detail == 26, "5.7.26 split into 5, 7, 26");
    is_str(enh.text, "5.7.26", "enhanced code text kept");
}

static void test_reply(void)
{
    struct mail_dsn_reply r;
    const char *why = NULL;

    is_int(mail_dsn_reply_split("550 5.7.1 Message rejected", &r, &why), 0, "full reply splits");
    ok(r.code == 550 && r.has_enh && strcmp(r.enh.text, "5.7.1") == 0, "code 550, enhanced 5.7.1");
    is_str(r.text, "Message rejected", "reply text after the codes");
    is_int(mail_dsn_reply_split("5.7.1 Message from x failed DMARC", &r, &why), 0,
	   "rule message with enhanced code only");
    ok(r.code == 0 && r.has_enh && r.enh.class_ == 5, "no reply code, enhanced class 5");
    is_str(r.text, "Message from x failed DMARC", "text after enhanced code");
    is_int(mail_dsn_reply_split("451 try later", &r, &why), 0, "reply code without enhanced code");
    ok(r.code == 451 && !r.has_enh, "code 451, no enhanced code");
    is_int(mail_dsn_reply_split("just text", &r, &why), 0, "plain text");
    ok(r.code == 0 && !r.has_enh, "no codes in plain text");
    is_str(r.text, "just text", "plain text kept whole");
    is_int(mail_dsn_reply_split("250-2.0.0 ok", &r, &why), 0, "continuation reply line");
    is_int(r.code, 250, "code before hyphen");
    is_int(mail_dsn_reply_split("550", &r, &why), 0, "bare code");
    is_str(r.text, "", "bare code has empty text");
    is_int(mail_dsn_reply_split("550 4.7.1 mismatch", &r, &why), -1, "class mismatch refused");
    is_str(why, "reply code and enhanced status code classes differ", "mismatch reason");
    is_int(mail_dsn_reply_split("650 x", &r, &why), -1, "reply code 6xx refused");
    is_int(mail_dsn_reply_split("590 x", &r, &why), -1, "reply code with second digit 9 refused");
    is_int(mail_dsn_reply_split("550 5.7 x", &r, &why), -1, "bad enhanced code refused");
    is_str(why, "invalid enhanced status code", "bad enhanced code reason");
}

int main(void)
{
    test_enh();
    test_reply();
    return done_testing();
}
