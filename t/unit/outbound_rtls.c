/*
 * t/unit/outbound_rtls.c - REQUIRETLS tagging and MTA-STS parsing without
 * a network: the header scanner (Require-TLS-ESMTP: yes, TLS-Required:
 * No, folded lines, the body ignored), the mode and per-host TLS level
 * rules (requiretls.h), the 4.7.30 -> 5.7.30 step (trouble.h), and the
 * MTA-STS TXT record and policy parsers and the mx pattern match
 * (mta_sts_parse.h) on the examples of RFC 8461 and broken variants.
 */
#include "config.h"
#include "outbound/mta_sts_parse.h"
#include "outbound/requiretls.h"
#include "outbound/trouble.h"

#include <string.h>

#include "t/tap.h"

#define S(x) x, sizeof(x) - 1

/* header_cases - the scanner */
static void header_cases(void)
{
    is_int(ob_rtls_header_scan(S("From: a@b\r\nTLS-Required: No\r\n\r\nbody\r\n")),
	   OB_RTLS_HDR_NO, "TLS-Required: No is found");
    is_int(ob_rtls_header_scan(S("tls-required:   no  (sender's wish)\n\n")), OB_RTLS_HDR_NO,
	   "name and word without case, blanks and a comment around the word");
    is_int(ob_rtls_header_scan(S("Require-TLS-ESMTP: yes\nSubject: x\n\n")),
	   OB_RTLS_HDR_REQUIRE, "Require-TLS-ESMTP: yes is found");
    is_int(ob_rtls_header_scan(S("TLS-Required:\n No\nRequire-TLS-ESMTP :YES\n\n")),
	   OB_RTLS_HDR_NO | OB_RTLS_HDR_REQUIRE, "folded value and a blank before the colon");
    is_int(ob_rtls_header_scan(S("Subject: x\n\nTLS-Required: No\n")), 0,
	   "a tag in the body is not a header");
    is_int(ob_rtls_header_scan(S("TLS-Required: Nope\nRequire-TLS-ESMTP: yes please\n\n")), 0,
	   "other words are not the tags");
    is_int(ob_rtls_header_scan(S("X-TLS-Required: No\n\n")), 0, "another field name is not the tag");
}

/* mode_cases - tagging and levels */
static void mode_cases(void)
{
    is_int(ob_rtls_mode(1, OB_RTLS_HDR_NO, 0), OB_RTLS_REQUIRE,
	   "MAIL FROM REQUIRETLS wins over TLS-Required: No");
    is_int(ob_rtls_mode(0, OB_RTLS_HDR_REQUIRE, 0), OB_RTLS_NORMAL,
	   "Require-TLS-ESMTP is ignored unless the site asks for it");
    is_int(ob_rtls_mode(0, OB_RTLS_HDR_REQUIRE, 1), OB_RTLS_REQUIRE,
	   "Require-TLS-ESMTP tags with outbound.requiretls_header");
    is_int(ob_rtls_level(OB_RTLS_NOTLS, OB_TLS_DANE_ONLY), OB_TLS_MAY, "TLS-Required: No caps at may");
    is_int(ob_rtls_level(OB_RTLS_REQUIRE, OB_TLS_MAY), OB_TLS_DANE,
	   "REQUIRETLS looks TLSA up (at least dane)");
    is_int(ob_rtls_host_level(OB_RTLS_REQUIRE, OB_TLS_DANE, 1), OB_TLS_DANE,
	   "REQUIRETLS host with usable TLSA: DANE");
    is_int(ob_rtls_host_level(OB_RTLS_REQUIRE, OB_TLS_DANE, 0), OB_TLS_VERIFY,
	   "REQUIRETLS host without usable TLSA: PKIX with the name (verify)");
}

/* trouble_cases - the step is named; 5.7.30 after the last MX */
static void trouble_cases(void)
{
    struct ob_result r;
    char text[200];
    int t = ob_rtls_trouble(OB_RTLS_REQUIRE, OB_TR_TLS_MISSING, NULL, text, sizeof(text));

    is_int(t, OB_TR_RTLS_TEMP, "REQUIRETLS: missing STARTTLS is a REQUIRETLS failure");
    ok(strcmp(text, "STARTTLS not offered") == 0, "... naming the step (%s)", text);
    is_int(ob_rtls_trouble(OB_RTLS_NORMAL, OB_TR_TLS_FAIL, "x", text, sizeof(text)), OB_TR_TLS_FAIL,
	   "other mail keeps its TLS failure");
    ob_result_trouble(&r, OB_TR_RTLS_TEMP, NULL, "the next hop does not advertise REQUIRETLS");
    ok(r.code == 451 && strcmp(r.enh, "4.7.30") == 0, "a skipped host: 451 4.7.30");
    ob_result_last_host(&r);
    ok(r.code == 550 && strcmp(r.enh, "5.7.30") == 0
       && strstr(r.text, "REQUIRETLS support required: the next hop") != NULL,
       "after the last MX: 550 5.7.30 REQUIRETLS support required: STEP");
    ob_result_trouble(&r, OB_TR_CONNECT, NULL, NULL);
    ob_result_last_host(&r);
    is_int(r.code, 451, "a connection failure stays temporary");
}

/* sts_cases - RFC 8461 parsers */
static void sts_cases(void)
{
    struct ob_sts_policy p;
    const char *why;
    char id[33];

    ok(ob_sts_txt_parse(S("v=STSv1; id=20160831085700Z;"), id) == 0
       && strcmp(id, "20160831085700Z") == 0, "RFC 8461 TXT example: id %s", id);
    ok(ob_sts_txt_parse(S("v=STSv1;id=a1;ext-x=1.2"), id) == 0, "an extension field is ignored");
    ok(ob_sts_txt_parse(S("v=STSv1; id=123456789012345678901234567890123"), id) < 0,
       "an id of 33 characters is refused");
    ok(ob_sts_txt_parse(S("v=STSv1;"), id) < 0, "a record without id is refused");
    ok(ob_sts_txt_parse(S("id=1; v=STSv1"), id) < 0, "v=STSv1 must come first");
    ok(ob_sts_policy_parse(S("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
			     "mx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"),
			   &p, &why) == 0 && p.mode == OB_STS_ENFORCE && p.max_age == 604800
       && p.nmx == 3, "RFC 8461 policy example: enforce, max_age 604800, 3 mx");
    ok(ob_sts_mx_match(&p, "mail.example.com") && ob_sts_mx_match(&p, "MAIL.example.com."),
       "an exact mx matches (case, trailing dot)");
    ok(ob_sts_mx_match(&p, "mx1.example.net"), "*.example.net matches one label");
    ok(!ob_sts_mx_match(&p, "a.b.example.net") && !ob_sts_mx_match(&p, "example.net"),
       "*.example.net matches neither two labels nor the bare domain");
    ok(!ob_sts_mx_match(&p, "evil-mail.example.com"), "no partial match");
    ok(ob_sts_policy_parse(S("version: STSv1\nmode: enforce\nmax_age: 86400\n"), &p, &why) < 0,
       "enforce without mx is refused");
    ok(ob_sts_policy_parse(S("version: STSv1\nmode: none\nmax_age: 0\n"), &p, &why) == 0,
       "mode none needs no mx");
    ok(ob_sts_policy_parse(S("version: STSv1\nmode: testing\nmx: a.test\nmax_age: 9999999999\n"),
			   &p, &why) == 0 && p.max_age == OB_STS_MAX_AGE,
       "max_age is clamped to 31557600");
    ok(ob_sts_policy_parse(S("version: STSv1\nmode: sometimes\nmx: a\nmax_age: 1\n"), &p, &why) < 0,
       "an unknown mode is refused");
    ok(ob_sts_policy_parse(S("version: STSv1\nmode: enforce\nmx: *.*.x\nmax_age: 1\n"), &p, &why) < 0,
       "a wildcard beyond the left-most label is refused");
}

int main(void)
{
    header_cases();
    mode_cases();
    trouble_cases();
    sts_cases();
    return done_testing();
}
