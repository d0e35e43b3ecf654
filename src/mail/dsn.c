/*
 * NAME
 *	dsn.c - SMTP reply and enhanced status code parsing
 * DESCRIPTION
 *	See dsn.h.
 */
#include "config.h"
#include "mail/dsn.h"

#include <stdio.h>
#include <string.h>

/* digits - parse 1 to max decimal digits at s[*i], -1 if none or too many */
static int digits(const char *s, size_t len, size_t *i, size_t max)
{
    size_t start = *i;
    int v = 0;

    while (*i < len && s[*i] >= '0' && s[*i] <= '9' && *i - start < max + 1)
	v = v * 10 + (s[(*i)++] - '0');
    if (*i == start || *i - start > max)
	return -1;
    return v;
}

/* mail_dsn_enh_parse - check "class.subject.detail" exactly */
int mail_dsn_enh_parse(const char *s, size_t len, struct mail_dsn_enh *enh_r)
{
    size_t i = 0;
    int c, sub, det;

    if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
	return -1;
    c = s[0] - '0';
    i = 2;
    if ((sub = digits(s, len, &i, 3)) < 0 || i >= len || s[i] != '.')
	return -1;
    i++;
    if ((det = digits(s, len, &i, 3)) < 0 || i != len)
	return -1;
    enh_r->class_ = c;
    enh_r->subject = sub;
    enh_r->detail = det;
    snprintf(enh_r->text, sizeof(enh_r->text), "%d.%d.%d", c, sub, det);
    return 0;
}

/* mail_dsn_reply_split - "[code ][x.y.z ]text" into its parts */
int mail_dsn_reply_split(const char *s, struct mail_dsn_reply *reply_r, const char **why_r)
{
    size_t word;

    memset(reply_r, 0, sizeof(*reply_r));
    word = strcspn(s, " -");
    if (word == 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'
	&& s[2] >= '0' && s[2] <= '9') {
	if (s[0] < '2' || s[0] > '5' || s[1] > '5') {
	    *why_r = "invalid SMTP reply code";
	    return -1;
	}
	reply_r->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	if (*s)
	    s++;
    }
    word = strcspn(s, " ");
    if (word > 0 && s[0] >= '0' && s[0] <= '9' && s[1] == '.') {
	if (mail_dsn_enh_parse(s, word, &reply_r->enh) < 0) {
	    *why_r = "invalid enhanced status code";
	    return -1;
	}
	reply_r->has_enh = 1;
	s += word;
	if (*s)
	    s++;
    }
    if (reply_r->code && reply_r->has_enh && reply_r->code / 100 != reply_r->enh.class_) {
	*why_r = "reply code and enhanced status code classes differ";
	return -1;
    }
    reply_r->text = s;
    return 0;
}
