/*
 * NAME
 *	mxguard - command line tool of the mxguard suite
 * SYNOPSIS
 *	mxguard [-h | --help] [-V | --version]
 *	mxguard COMMAND [OPTIONS] [ARGS]
 *	mxguard help [COMMAND]
 * DESCRIPTION
 *	Dispatches to one command of the table below; each command lives
 *	in src/cli/cmd_NAME.c and parses its own options. Messages go to
 *	stderr through msg_*; results go to stdout.
 * DIAGNOSTICS
 *	Exit status 0 success, 1 the command failed, 2 usage error.
 * STANDARDS
 *	None.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "cli/cli.h"
#include "util/msg.h"

static const struct cli_command cli_commands[] = {
    {"check", cmd_check, "[-c FILE] [--ip IP] [--helo NAME] [--from ADDR] [--rcpt ADDR]... [--json] [FILE|-]",
     "run mxguardd's pipeline on a message file: header changes and verdict"},
    {"config-test", cmd_config_test, "[-c FILE] [--dump]",
     "check the configuration file; --dump prints the effective configuration"},
    {"dmarc-report", cmd_dmarc_report, "[-c FILE] [--date YYYY-MM-DD] [--dry-run] [--out DIR]",
     "send the DMARC aggregate reports (RFC 7489) of a day from the history in the store"},
    {"keygen", cmd_keygen, "[--algorithm rsa|ed25519] [--bits N] [--out FILE] DOMAIN SELECTOR",
     "a new DKIM/ARC signing key (mode 0600) and the TXT record to publish"},
    {"seal", cmd_seal, "[-c FILE] [--rcpt ADDR]... [FILE|-]",
     "add an ARC set (RFC 8617) to a message file; the sealed message on stdout"},
    {"sign", cmd_sign, "[-c FILE] [--domain DOMAIN] [FILE|-]",
     "DKIM-sign a message file with the config's keys; the signed message on stdout"},
    {"spf", cmd_spf, "[-c FILE] [--guess] [--helo-identity] IP ADDRESS [HELO]",
     "SPF result for a client IP and a MAIL FROM address (RFC 7208)"},
    {"tlsa", cmd_tlsa, "[--usage 3|2] [--selector 1|0] [--mtype 1|2|0] [--port 25] HOST CERTFILE",
     "the DANE TLSA record (RFC 7672) for a certificate"},
    {"status", cmd_status, "[-c FILE] [--listen IP:PORT] [--raw]",
     "a running daemon's counters from its metrics listener (metrics.listen)"},
};

#define CLI_NCOMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

/* usage - the help text, on fp */
static void usage(FILE *fp)
{
    fprintf(fp, "usage: mxguard [-h | --help] [-V | --version]\n"
	    "       mxguard COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < CLI_NCOMMANDS; i++)
	fprintf(fp, "  %s %s\n      %s\n", cli_commands[i].name, cli_commands[i].args,
		cli_commands[i].summary);
    fprintf(fp, "\n`mxguard COMMAND --help` describes a command; see mxguard(1).\n");
}

/* find_command - a command of the table by name, or NULL */
static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < CLI_NCOMMANDS; i++)
	if (strcmp(cli_commands[i].name, name) == 0)
	    return &cli_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const struct cli_command *cmd;

    msg_open("mxguard", MSG_STDERR, LOG_MAIL);
    if (argc < 2) {
	usage(stderr);
	return CLI_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
	usage(stdout);
	return CLI_OK;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
	printf("mxguard %s\n", PACKAGE_VERSION);
	return CLI_OK;
    }
    if (strcmp(argv[1], "help") == 0) {
	if (argc < 3) {
	    usage(stdout);
	    return CLI_OK;
	}
	if ((cmd = find_command(argv[2])) == NULL) {
	    msg_error("help: unknown command: %s", argv[2]);
	    return CLI_USAGE;
	}
	char *help_argv[] = { (char *) cmd->name, (char *) "--help", NULL };
	return cmd->run(2, help_argv);
    }
    if ((cmd = find_command(argv[1])) == NULL) {
	msg_error("unknown command: %s (try mxguard --help)", argv[1]);
	return CLI_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
