/*
 * NAME
 *	cli - the commands of the mxguard program
 * SYNOPSIS
 *	#include "cli/cli.h"
 *
 *	struct cli_command { name, run, args, summary };
 *	int cmd_config_test(int argc, char **argv);
 *	int cmd_check(int argc, char **argv);
 *	int cmd_spf(int argc, char **argv);
 *	int cmd_sign(int argc, char **argv);
 *	int cmd_seal(int argc, char **argv);
 *	int cmd_status(int argc, char **argv);
 *	int cmd_dmarc_report(int argc, char **argv);
 *	int cmd_keygen(int argc, char **argv);
 *	int cmd_tlsa(int argc, char **argv);
 *	char *cli_read_message(const char *cmd, const char *file, size_t *len_r);
 *	const char *cli_eol(const char *data, size_t len);
 *	int cli_keys_check(const struct conf *c, struct buf *errors_r);
 * DESCRIPTION
 *	Each command lives in its own file src/cli/cmd_NAME.c and is one
 *	line of the command table in main.c. run() gets argv with argv[0]
 *	set to the command name, parses its own options (getopt_long) and
 *	returns the exit status.
 * DIAGNOSTICS
 *	Exit status: CLI_OK, CLI_FAIL (the command's check failed),
 *	CLI_USAGE (bad command line).
 * STANDARDS
 *	None.
 */
#ifndef MXG_CLI_CLI_H
#define MXG_CLI_CLI_H

#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2

struct cli_command {
    const char *name;			/* as typed: "config-test" */
    int (*run)(int argc, char **argv);
    const char *args;			/* usage after the name */
    const char *summary;		/* one line for --help */
};

int cmd_config_test(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_spf(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_dmarc_report(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_tlsa(int argc, char **argv);

#include <stddef.h>
struct conf;
struct buf;
char *cli_read_message(const char *cmd, const char *file, size_t *len_r);
const char *cli_eol(const char *data, size_t len);
int cli_keys_check(const struct conf *c, struct buf *errors_r);

#endif
