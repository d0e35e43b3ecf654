/*
 * NAME
 *	arc_suite - run the ARC test suite (validation and signing) as TAP
 * SYNOPSIS
 *	arc_suite RECORDS MIN_VALIDATION MIN_SIGNING
 * DESCRIPTION
 *	Reads the records written by arc_suite_conv.py and runs each case
 *	through arc_verify (expected cv) or arc_verify + arc_seal (expected
 *	AAR, AMS and AS compared as tag sets, white space ignored, at the
 *	case's fixed t=). DNS comes from the suite's TXT records through the
 *	key fetch callback. Prints "arc validation: N/M" and
 *	"arc signing: N/M", every failing case with its reason, and one
 *	TAP result per suite: the score reaches the recorded baseline.
 *	Policy choices: an empty expected cv accepts fail or none; an AMS
 *	without c= is read as relaxed/relaxed (dkimpy), so ams_fields_c_na
 *	passes.
 * DIAGNOSTICS
 *	Exit 0 when both baselines are met.
 * STANDARDS
 *	RFC 8617; the ARC test suite's README (t/data/arc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "crypto/arc.h"
#include "mail/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#define MAX_TXT	64

struct suite {
    char   *txt_name[MAX_TXT], *txt_val[MAX_TXT];
    size_t  ntxt;
    char   *privkey, *domain, *sel;
    char   *kind, *name, *message, *cv, *t, *sigheaders, *srvid, *as, *ams, *aar;
    int     pass[2], total[2];
};

/* fetch - key fetch callback over the suite's TXT records */
static int fetch(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    struct suite *s = ctx;
    size_t  i;

    for (i = 0; i < s->ntxt; i++)
	if (strcasecmp(s->txt_name[i], name) == 0) {
	    *txt_r = xstrdup(s->txt_val[i]);
	    return 1;
	}
    *why_r = "no such record";
    return 0;
}

/* squash - copy without white space */
static char *squash(const char *v)
{
    char   *o = xmalloc(strlen(v) + 1), *p = o;

    for (; *v; v++)
	if (!isspace((unsigned char) *v))
	    *p++ = *v;
    *p = 0;
    return o;
}

/* norm - white space runs made one space, trimmed */
static char *norm(const char *v)
{
    struct buf b = BUF_INIT;
    int     wsp = 0;

    for (; *v; v++) {
	if (isspace((unsigned char) *v)) {
	    wsp = 1;
	    continue;
	}
	if (wsp && b.len)
	    buf_putc(&b, ' ');
	wsp = 0;
	buf_putc(&b, *v);
    }
    buf_putc(&b, 0);
    b.len--;
    return buf_steal(&b);
}

/* same_tags - the two tag lists hold the same tags and values */
static int same_tags(const char *want, const char *got, const char **why_r)
{
    struct crypto_taglist a, b;
    const char *why;
    size_t  i;
    int     same = 1;

    if (crypto_taglist_parse(want, strlen(want), &a, &why) < 0
	|| crypto_taglist_parse(got, strlen(got), &b, &why) < 0) {
	*why_r = "unparsable";
	same = 0;
    } else if (a.count != b.count) {
	*why_r = "tag count differs";
	same = 0;
    } else {
	for (i = 0; i < a.count && same; i++) {
	    const struct crypto_tag *t = crypto_tag_get(&b, a.tags[i].name);
	    char   *x, *y;

	    if (t == NULL) {
		*why_r = "tag missing";
		same = 0;
		break;
	    }
	    x = squash(a.tags[i].value);
	    y = squash(t->value);
	    if (strcmp(x, y) != 0) {
		*why_r = strcmp(a.tags[i].name, "b") == 0 ? "b= differs" :
		    strcmp(a.tags[i].name, "bh") == 0 ? "bh= differs" : "a tag differs";
		same = 0;
	    }
	    free(x);
	    free(y);
	}
    }
    crypto_taglist_free(&a);
    crypto_taglist_free(&b);
    return same;
}

/* run_verify - the chain state of a message */
static struct mail_msg *run_verify(struct suite *s, struct arc_result *res)
{
    struct crypto_keysrc src = {fetch, s, NULL, 0};
    struct mail_msg *m = NULL;
    struct arc_verify *v;
    const char *why;

    if (mail_msg_read_buf(s->message, strlen(s->message), &m, &why) < 0) {
	memset(res, 0, sizeof(*res));
	res->state = -1;
	res->reason = why;
	return NULL;
    }
    v = arc_verify_start(m->hdrs);
    arc_verify_body(v, m->body, m->body_len);
    arc_verify_end(v, &src, res);
    arc_verify_free(&v);
    return m;
}

/* case_validation - one validation case: 1 as expected */
static int case_validation(struct suite *s, const char **why_r)
{
    struct arc_result res;
    struct mail_msg *m = run_verify(s, &res);
    int     good;

    if (strcasecmp(s->cv, "None") == 0)
	good = res.state == ARC_NONE;
    else if (strcasecmp(s->cv, "Pass") == 0)
	good = res.state == ARC_PASS;
    else if (strcasecmp(s->cv, "Fail") == 0)
	good = res.state == ARC_FAIL;
    else
	good = res.state == ARC_FAIL || res.state == ARC_NONE;
    *why_r = res.reason ? res.reason : arc_state_name(res.state);
    arc_result_clear(&res);
    mail_msg_free(&m);
    return good;
}

/* case_signing - one signing case: 1 as expected */
static int case_signing(struct suite *s, EVP_PKEY *pkey, const char **why_r)
{
    struct arc_result res;
    struct mail_msg *m = run_verify(s, &res);
    struct arc_seal_opts o = {s->srvid, s->domain, s->sel, pkey, s->sigheaders,
	atoll(s->t), -1, "\r\n"};
    struct arc_seal_out out;
    int     good = 0, st;
    char   *a, *b;

    if (m == NULL)
	return (*why_r = res.reason, 0);
    st = arc_seal(m->hdrs, m->body, m->body_len, &res, &o, &out, why_r);
    if (*s->as == 0) {
	good = st < 0;
	if (!good)
	    *why_r = "sealed a chain that must not be extended";
    } else if (st == 0) {
	a = norm(s->aar);
	b = norm(out.aar);
	if (strcmp(a, b) != 0)
	    *why_r = "AAR differs";
	else if (same_tags(s->ams, out.ams, why_r) && same_tags(s->as, out.as, why_r))
	    good = 1;
	else if (*why_r && strcmp(*why_r, "b= differs") == 0)
	    *why_r = same_tags(s->ams, out.ams, why_r) ? "AS b= differs" : "AMS b= differs";
	if (!good && getenv("ARC_SUITE_VERBOSE"))
	    diag("ours:\nARC-Authentication-Results:%s\nARC-Message-Signature:%s\n"
		 "ARC-Seal:%s", out.aar, out.ams, out.as);
	free(a);
	free(b);
	arc_seal_out_clear(&out);
    }
    arc_result_clear(&res);
    mail_msg_free(&m);
    return good;
}

/* run_case - run the current case and count it */
static void run_case(struct suite *s)
{
    int     sign = strcmp(s->kind, "signing") == 0, good;
    const char *why = "";
    EVP_PKEY *pkey = NULL;
    char   *err = NULL;

    if (sign) {
	if ((pkey = crypto_privkey_pem(s->privkey, strlen(s->privkey), &err)) == NULL) {
	    good = 0;
	    why = err;
	} else {
	    good = case_signing(s, pkey, &why);
	}
    } else {
	good = case_validation(s, &why);
    }
    s->total[sign]++;
    s->pass[sign] += good;
    if (!good)
	diag("arc %s: %s FAILED (%s%s%s)", s->kind, s->name, why ? why : "",
	     sign ? "" : ", expected cv ", sign ? "" : s->cv);
    EVP_PKEY_free(pkey);
    free(err);
}

/* set - replace a string field */
static void set(char **field, const char *v, size_t len)
{
    free(*field);
    *field = xstrndup(v, len);
}

/* apply - one record */
static void apply(struct suite *s, const char *key, const char *v, size_t len)
{
    size_t  i;

    if (strcmp(key, "clear") == 0) {
	for (i = 0; i < s->ntxt; i++) {
	    free(s->txt_name[i]);
	    free(s->txt_val[i]);
	}
	s->ntxt = 0;
    } else if (strncmp(key, "txt ", 4) == 0 && s->ntxt < MAX_TXT) {
	s->txt_name[s->ntxt] = xstrdup(key + 4);
	s->txt_val[s->ntxt++] = xstrndup(v, len);
    } else if (strncmp(key, "case ", 5) == 0) {
	set(&s->name, key + 5, strlen(key + 5));
    } else if (strcmp(key, "end") == 0) {
	run_case(s);
    } else {
	static const char *const names[] = {"suite", "privkey", "domain", "sel",
	    "message", "cv", "t", "sigheaders", "srvid", "as", "ams", "aar", NULL};
	char  **fields[] = {&s->kind, &s->privkey, &s->domain, &s->sel, &s->message,
	    &s->cv, &s->t, &s->sigheaders, &s->srvid, &s->as, &s->ams, &s->aar};

	for (i = 0; names[i]; i++)
	    if (strcmp(key, names[i]) == 0)
		set(fields[i], v, len);
    }
}

int     main(int argc, char **argv)
{
    struct suite s;
    FILE   *fp;
    char    line[512], key[480], *v;
    size_t  len;
    int     minv, mins;
    char  **all[] = {&s.privkey, &s.domain, &s.sel, &s.kind, &s.name, &s.message,
	&s.cv, &s.t, &s.sigheaders, &s.srvid, &s.as, &s.ams, &s.aar};

    if (argc != 4 || (fp = fopen(argv[1], "rb")) == NULL) {
	fprintf(stderr, "usage: arc_suite RECORDS MIN_VALIDATION MIN_SIGNING\n");
	return 2;
    }
    minv = atoi(argv[2]);
    mins = atoi(argv[3]);
    memset(&s, 0, sizeof(s));
    while (fgets(line, sizeof(line), fp) != NULL) {
	char   *sp = strrchr(line, ' ');

	if (sp == NULL || sp - line >= (long) sizeof(key))
	    break;
	memcpy(key, line, (size_t) (sp - line));
	key[sp - line] = 0;
	len = strtoul(sp + 1, NULL, 10);
	v = xmalloc(len + 2);
	if (fread(v, 1, len + 1, fp) != len + 1) {
	    free(v);
	    break;
	}
	v[len] = 0;
	apply(&s, key, v, len);
	free(v);
    }
    fclose(fp);
    printf("# arc validation: %d/%d\n", s.pass[0], s.total[0]);
    printf("# arc signing: %d/%d\n", s.pass[1], s.total[1]);
    ok(s.total[0] > 0 && s.pass[0] >= minv, "arc validation suite: %d/%d pass (baseline %d)",
       s.pass[0], s.total[0], minv);
    ok(s.total[1] > 0 && s.pass[1] >= mins, "arc signing suite: %d/%d pass (baseline %d)",
       s.pass[1], s.total[1], mins);
    apply(&s, "clear", "", 0);
    for (len = 0; len < sizeof(all) / sizeof(all[0]); len++)
	free(*all[len]);
    return done_testing();
}
