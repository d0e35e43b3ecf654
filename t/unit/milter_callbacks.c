/*
 * milter_callbacks.c - unit tests of src/milter/callbacks.c that need no
 * MTA: milter.on_internal_error mapping, the callback descriptor.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf/conf.h"
#include "milter/callbacks.h"
#include "t/tap.h"

/* conf_with - load a config whose milter.on_internal_error is how */
static struct conf *conf_with(const char *how)
{
    char path[] = "/tmp/mxg-cb.XXXXXX";
    struct buf errs = BUF_INIT;
    struct conf *c;
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");

    fprintf(fp, "milter: { on_internal_error = \"%s\"; };\n", how);
    fclose(fp);
    c = conf_load(path, &errs);
    if (c == NULL)
	diag("conf_load: %s", buf_str(&errs));
    unlink(path);
    buf_free(&errs);
    return c;
}

int main(void)
{
    static const struct { const char *how; sfsistat want; } cases[] = {
	{"accept", SMFIS_ACCEPT}, {"tempfail", SMFIS_TEMPFAIL}, {"reject", SMFIS_REJECT},
    };
    struct smfiDesc desc;
    struct conf *c;

    is_int(milter_internal_error(NULL), SMFIS_TEMPFAIL,
	   "no config installed yet: internal error is tempfail");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	c = conf_with(cases[i].how);
	ok(c != NULL, "config with on_internal_error = %s loads", cases[i].how);
	if (c == NULL)
	    continue;
	is_int(milter_internal_error(c), cases[i].want, "on_internal_error = %s maps to its reply",
	       cases[i].how);
	conf_install(c);
	is_int(milter_internal_error(NULL), cases[i].want,
	       "on_internal_error = %s applies through the installed config", cases[i].how);
    }
    conf_install(NULL);
    c = conf_defaults();
    is_int(milter_internal_error(c), SMFIS_TEMPFAIL, "the default is tempfail");
    conf_unref(&c);

    milter_callbacks_desc(&desc);
    ok(desc.xxfi_negotiate && desc.xxfi_connect && desc.xxfi_helo && desc.xxfi_envfrom
       && desc.xxfi_envrcpt && desc.xxfi_header && desc.xxfi_eoh && desc.xxfi_body
       && desc.xxfi_eom && desc.xxfi_abort && desc.xxfi_close,
       "every stage later checks need has a callback");
    ok(desc.xxfi_data == NULL && desc.xxfi_unknown == NULL,
       "no DATA or unknown-command callback (those steps are turned off)");
    ok((desc.xxfi_flags & SMFIF_CHGBODY) == 0 && (desc.xxfi_flags & SMFIF_ADDHDRS),
       "registers header actions, never body replacement");
    return done_testing();
}
