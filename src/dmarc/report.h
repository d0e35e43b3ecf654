/*
 * NAME
 *	report - DMARC aggregate reports from the history in the store
 * SYNOPSIS
 *	#include "dmarc/report.h"
 *
 *	int dmarc_report_build(const char *domain, const char *lines, size_t len,
 *			       const struct dmarc_report_opts *o,
 *			       struct dmarc_report *r, const char **why_r);
 *	void dmarc_report_clear(struct dmarc_report *r);
 *	int dmarc_report_gzip(const char *data, size_t len, struct buf *out);
 *	int dmarc_report_uri(const char *uri, size_t len, char **addr_r,
 *			     unsigned long long *max_r);
 *	int dmarc_report_message(const struct dmarc_report *r,
 *				 const struct dmarc_report_opts *o, const char *to,
 *				 const struct buf *gz, struct buf *out);
 *	int dmarc_report_authorized(struct dns_resolver *res, const struct dmarc_psl *psl,
 *				    const char *policy_domain, const char *addr,
 *				    const char **why_r);
 *	int dmarc_report_run(struct store *s, struct dns_resolver *res,
 *			     const struct dmarc_psl *psl, const struct dmarc_report_opts *o);
 *	int dmarc_report_pipe(const char *cmd, const struct buf *msg, char **why_r);
 * DESCRIPTION
 *	dmarc_report_build turns one day's history lines of one policy
 *	domain (dmarc_history.c's store format, versions 1 and 2) into the
 *	XML of an aggregate report: version 1.0, report_metadata,
 *	policy_published (from the latest record of the day), and one record
 *	per distinct (source IP, disposition, DKIM and SPF DMARC results,
 *	override reason, header_from, envelope_from, SPF and DKIM results)
 *	with its count. The report id is derived from the receiver, the
 *	domain and the day, so a report built again is the same report.
 *	Malformed lines are skipped and counted in r->skipped.
 *
 *	The format is RFC 7489's (7.2, Appendix C; namespace
 *	http://dmarc.org/dmarc-xml/0.1; pct and fo published; an IPv6
 *	source_ip written without zero compression, the only form its
 *	schema's pattern admits), or with o->rfc9990 RFC 9990's (namespace
 *	urn:ietf:params:xml:ns:dmarc-2.0): report_metadata/generator,
 *	policy_published with discovery_method, np, fo and testing and
 *	without pct; the disposition "pass" for a DMARC pass under a
 *	quarantine or reject policy; the reason policy_test_mode when t=y
 *	lowered the disposition; the policy that applied and t= join the
 *	grouping key; DKIM results in the order of RFC 9990 2.1.4 (a pass
 *	of the From domain, of a parent or child of it, other passes, the
 *	rest), at most 100 per record, each with its selector; the SPF
 *	scope only for mfrom (a null sender's HELO check has none).
 *
 *	dmarc_report_uri parses a rua URI "mailto:addr[!size[k|m|g|t]]".
 *	dmarc_report_authorized checks that addr may receive reports for
 *	policy_domain (RFC 7489 7.1): same organizational domain, or a
 *	"v=DMARC1" TXT record at POLICY._report._dmarc.ADDRDOMAIN.
 *	dmarc_report_message builds the report mail (RFC 7489 7.2.1.1: the
 *	subject "Report Domain: D Submitter: S Report-ID: <ID>", the
 *	gzip file "receiver!domain!begin!end!id.xml.gz" as attachment).
 *
 *	dmarc_report_run reports the day o->day for every policy domain with
 *	history: builds, compresses, writes the file into o->out_dir (when
 *	set), and unless o->dry_run sends one mail per authorized rua
 *	address within its size limit through o->sendmail (a command that
 *	reads the message with -t semantics). Each (day, domain, address)
 *	is marked in the store as queued before the command runs and as
 *	sent after it succeeded, so a second run sends nothing twice; after
 *	a crash or a failed command a run sends what was not marked sent
 *	(the same message: same Report-ID and Message-ID). Progress goes to
 *	stdout, one line per report and address.
 *
 *	dmarc_report_pipe runs cmd with /bin/sh and writes msg to its
 *	standard input (aggregate and failure reports are sent this way).
 * DIAGNOSTICS
 *	dmarc_report_build: 0, or -1 when no line could be used.
 *	dmarc_report_uri: 0 a mailto URI, -1 anything else.
 *	dmarc_report_authorized: 1 yes, 0 no (*why_r), -1 temporary.
 *	dmarc_report_run: 0 everything done, 1 something failed or was
 *	deferred (a later run retries it).
 *	dmarc_report_pipe: 0 the command exited 0, else -1 with *why_r
 *	(allocated).
 * STANDARDS
 *	RFC 7489 7.1 (external destinations), 7.2 (aggregate reports),
 *	7.2.1.1 (email transport), Appendix C (schema); RFC 9990 (DMARC
 *	aggregate reporting) 2.1, Appendix A; RFC 1952 (gzip);
 *	RFC 2045 (base64), RFC 2046 (multipart).
 */
#ifndef MXG_DMARC_REPORT_H
#define MXG_DMARC_REPORT_H
#include <stddef.h>
#include <time.h>
#include "util/buf.h"

struct store;
struct dns_resolver;
struct dmarc_psl;

struct dmarc_report_opts {
    const char *org_name;	/* report_metadata org_name */
    const char *email;		/* report_metadata email, the From: of reports */
    const char *receiver;	/* our domain, for the file name and Message-ID */
    const char *sendmail;	/* command line, e.g. "/usr/sbin/sendmail -t -oi" */
    const char *out_dir;	/* keep the .xml.gz files here, or NULL */
    const char *day;		/* "YYYY-MM-DD" (UTC) */
    time_t  begin, end;		/* the day's first and last second */
    int     dry_run;
    int     rfc9990;		/* the RFC 9990 format, else RFC 7489's */
};

struct dmarc_report {
    char   *domain;
    char   *rua;		/* of the latest record, or NULL */
    char   *report_id;
    char   *filename;		/* receiver!domain!begin!end!id.xml.gz */
    char   *xml;
    size_t  xml_len;
    unsigned long long messages;	/* lines counted */
    size_t  records;		/* <record> elements */
    size_t  skipped;		/* malformed lines */
};

int dmarc_report_build(const char *domain, const char *lines, size_t len,
		       const struct dmarc_report_opts *o, struct dmarc_report *r,
		       const char **why_r);
void dmarc_report_clear(struct dmarc_report *r);
int dmarc_report_gzip(const char *data, size_t len, struct buf *out);
int dmarc_report_uri(const char *uri, size_t len, char **addr_r, unsigned long long *max_r);
int dmarc_report_message(const struct dmarc_report *r, const struct dmarc_report_opts *o,
			 const char *to, const struct buf *gz, struct buf *out);
int dmarc_report_authorized(struct dns_resolver *res, const struct dmarc_psl *psl,
			    const char *policy_domain, const char *addr, const char **why_r);
int dmarc_report_run(struct store *s, struct dns_resolver *res, const struct dmarc_psl *psl,
		     const struct dmarc_report_opts *o);
int dmarc_report_pipe(const char *cmd, const struct buf *msg, char **why_r);

#endif
