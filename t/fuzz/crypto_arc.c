/*
 * t/fuzz/crypto_arc.c - fuzz target: ARC chain validation and DKIM
 * verification of a whole message (hostile ARC/DKIM headers: duplicate
 * and missing instances, broken tags, 8-bit and NUL octets). Keys come
 * from a fixed Ed25519 record for every name, so the crypto paths run
 * too. Checks that results are in range and every reason is set on
 * failure; aborts otherwise.
 */
#include "config.h"
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "mail/msg.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fetch - one key for every name; names holding "tmp" fail temporarily */
static int fetch(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    (void) ctx;
    if (strstr(name, "tmp")) {
	*why_r = "SERVFAIL";
	return -1;
    }
    *txt_r = xstrdup("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    return 1;
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crypto_keysrc src = {fetch, NULL, NULL, 0};
    struct mail_msg *m = NULL;
    const struct dkim_result *res;
    struct arc_result ar;
    struct arc_verify *av;
    struct dkim_verify *dv;
    const char *why;
    size_t  n, k;

    if (mail_msg_read_buf((const char *) data, size, &m, &why) < 0)
	return 0;
    av = arc_verify_start(m->hdrs);
    arc_verify_body(av, m->body, m->body_len);
    arc_verify_end(av, &src, &ar);
    if (ar.state < ARC_NONE || ar.state > ARC_TEMPERROR)
	abort();
    if ((ar.state == ARC_FAIL || ar.state == ARC_TEMPERROR) && ar.reason == NULL)
	abort();
    if (ar.count < 0 || ar.count > ARC_MAX_SETS)
	abort();
    arc_result_clear(&ar);
    arc_verify_free(&av);

    dv = dkim_verify_start(m->hdrs, NULL);
    dkim_verify_body(dv, m->body, m->body_len);
    n = dkim_verify_end(dv, &src, &res);
    for (k = 0; k < n; k++) {
	if (res[k].result < DKIM_PASS || res[k].result > DKIM_PERMERROR)
	    abort();
	if (res[k].result != DKIM_PASS && res[k].reason == NULL)
	    abort();
    }
    dkim_verify_free(&dv);
    mail_msg_free(&m);
    return 0;
}
