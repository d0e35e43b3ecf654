/*
 * NAME
 *	dmarc_check - the DMARC check module of the pipeline
 * SYNOPSIS
 *	#include "check/dmarc_check.h"
 *
 *	extern const struct check_module dmarc_check_module;  (dmarc_check.c)
 *	extern const struct fact_table dmarc_fact_table;
 * DESCRIPTION
 *	See dmarc_check.c; the evaluation core is declared in dmarc.h.
 */
#ifndef MXG_CHECK_DMARC_CHECK_H
#define MXG_CHECK_DMARC_CHECK_H
#include "pipeline/check.h"

extern const struct check_module dmarc_check_module;
extern const struct fact_table dmarc_fact_table;

#endif
