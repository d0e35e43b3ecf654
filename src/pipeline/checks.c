/*
 * NAME
 *	checks.c - the registry of check modules
 * SYNOPSIS
 *	#include "pipeline/check.h"
 *
 *	extern const struct check_module *const check_modules[];
 * DESCRIPTION
 *	Every check module (spf, dkim, arc, dmarc, dcc) is one line here,
 *	in the order its hooks run at each stage (DMARC after SPF and DKIM,
 *	whose facts it reads). The list ends with NULL.
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	None.
 */
#include "config.h"
#include <stddef.h>
#include "pipeline/check.h"
#include "check/dcc.h"
#include "check/dkim_check.h"
#include "check/dmarc_check.h"
#include "check/spf.h"

const struct check_module *const check_modules[] = {
    &spf_check_module,
    &dkim_check_module,
    &arc_check_module,
    &dmarc_check_module,
    &dcc_check_module,
    NULL
};
