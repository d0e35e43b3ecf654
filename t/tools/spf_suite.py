#!/usr/bin/python3
# t/tools/spf_suite.py - the RFC 7208 test suite (YAML) for the real DNS bed
#
# SYNOPSIS
#	spf_suite.py gen YAML OUTDIR
#	spf_suite.py score OUTDIR KNOWN_FAILURES
#
# DESCRIPTION
#	gen writes one directory per scenario of the suite, OUTDIR/NN/:
#	  zones      "ZONE FILE" lines; FILE holds records with absolute
#	             owner names, for t_dns_zone (nsd adds SOA and NS)
#	  timeouts   names whose every query must hang (t_dns_timeout)
#	  tests      one test a line, tab separated: id, client IP,
#	             MAIL FROM, HELO, acceptable results (space separated),
#	             expected explanation ("-" when none)
#	The suite's drivers serve SPF-type data as TXT when a name has no
#	TXT data ("TXT: NONE" stops that); we never query type SPF (RFC 7208
#	3.1). TIMEOUT on a name with no TXT data makes the name hang; on a
#	name with TXT data it is served normally (we only ask it for TXT,
#	the only query the suite's TIMEOUT stands for there), and so is a
#	TIMEOUT name with other names below it (a hanging stub zone would
#	take its whole subtree; the cases only need its own data). Every TLD and
#	registered domain seen gets a zone, so unknown names are NXDOMAIN,
#	as in the real DNS, and not SERVFAIL.
#
#	score reads OUTDIR/NN/out/ID (the output of `mxguard spf`: result
#	word on line 1, "explanation: " line) and prints one line per
#	failing case with the reason, then "spf suite: N/TOTAL". Cases
#	listed in KNOWN_FAILURES (id, then the reason) are marked as known.
#	Exit 0.
#
# DIAGNOSTICS
#	gen exits 1 with a message when the YAML cannot be read.
#
# STANDARDS
#	RFC 7208; openspf.org test suite 2014.04 (rfc7208-tests.yml).
import os
import re
import sys

import yaml

DOMAIN_RE = re.compile(r'[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+')
LABEL_RE = re.compile(r'[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?')


def labels_zone(name):
    """The zone a name is put in."""
    labels = name.rstrip('.').split('.')
    low = [x.lower() for x in labels]
    if low[-2:] == ['in-addr', 'arpa']:
        n = 4
    elif low[-2:] == ['ip6', 'arpa']:
        n = 6
    else:
        n = 2
    return '.'.join(low[-n:]) if len(labels) >= n else '.'.join(low)


def esc_label(label):
    out = ''
    for b in label.encode('utf-8'):
        c = chr(b)
        if c.isalnum() and b < 128 or c in '-_*':
            out += c
        else:
            out += '\\%03d' % b
    return out


def owner(name):
    return '.'.join(esc_label(x) for x in name.rstrip('.').split('.')) + '.'


def txt_rdata(value):
    parts = value if isinstance(value, list) else [value]
    chunks = []
    for p in parts:
        data = str(p).encode('utf-8')
        pieces = [data[i:i + 255] for i in range(0, len(data), 255)] or [b'']
        for piece in pieces:
            s = ''
            for b in piece:
                c = chr(b)
                if c in '"\\' or b < 32 or b > 126:
                    s += '\\%03d' % b
                else:
                    s += c
            chunks.append('"%s"' % s)
    # a TXT record of no string cannot be written: one empty string
    return ' '.join(chunks) or '""'


def records(name, rrs):
    """Zone lines for one name, and whether it must hang."""
    txt, spf, lines = [], [], []
    txt_none = timeout = False
    for rr in rrs:
        if rr == 'TIMEOUT':
            timeout = True
            continue
        (typ, val), = rr.items()
        if typ == 'TXT' and val == 'NONE':
            txt_none = True
        elif typ == 'TXT':
            txt.append(val)
        elif typ == 'SPF':
            spf.append(val)
        elif typ in ('A', 'AAAA'):
            lines.append('%s\t%s\t%s' % (owner(name), typ, val))
        elif typ == 'MX':
            host = val[1].rstrip('.')
            lines.append('%s\tMX\t%d %s' % (owner(name), val[0], owner(host) if host else '.'))
        elif typ in ('PTR', 'CNAME'):
            lines.append('%s\t%s\t%s' % (owner(name), typ, owner(val)))
    if not txt and not txt_none:
        txt = spf
    for t in txt:
        lines.append('%s\tTXT\t%s' % (owner(name), txt_rdata(t)))
    return lines, timeout and not txt


def seen_domains(doc):
    out = set()
    for name, rrs in doc['zonedata'].items():
        out.add(name)
        for rr in rrs:
            if isinstance(rr, dict):
                for v in rr.values():
                    for s in (v if isinstance(v, list) else [v]):
                        out.update(DOMAIN_RE.findall(str(s)))
    for t in doc['tests'].values():
        for k in ('mailfrom', 'helo'):
            v = str(t.get(k) or '')
            out.update(DOMAIN_RE.findall(v.split('@')[-1]))
    return out


def gen(path, outdir):
    with open(path, encoding='utf-8') as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for i, doc in enumerate(docs):
        d = os.path.join(outdir, '%02d' % i)
        os.makedirs(os.path.join(d, 'z'), exist_ok=True)
        zones, hang = {}, []
        for name, rrs in doc['zonedata'].items():
            lines, timeout = records(name, rrs)
            if timeout:
                hang.append(name)
            zones.setdefault(labels_zone(name), []).extend(lines)
        for name in seen_domains(doc):
            labels = name.rstrip('.').split('.')
            if not all(LABEL_RE.fullmatch(x) for x in labels) or \
                    not re.fullmatch(r'[A-Za-z][A-Za-z0-9-]*', labels[-1]):
                continue
            zones.setdefault(labels_zone(name), [])
            zones.setdefault(name.rstrip('.').split('.')[-1].lower(), [])
        # A hanging name with names below it would take them all with it
        # (a stub zone is a subtree): it is served, NODATA, instead.
        names = [n.lower().rstrip('.') for n in doc['zonedata']]
        hang = [h for h in hang if not any(n.endswith('.' + h.lower().rstrip('.')) for n in names)]
        hang_l = {h.lower().rstrip('.') for h in hang}
        with open(os.path.join(d, 'zones'), 'w') as zl:
            for z in sorted(zones):
                if z in hang_l:
                    continue
                zf = os.path.join(d, 'z', z + '.zone')
                with open(zf, 'w', encoding='ascii') as f:
                    for line in zones[z]:
                        f.write(line + '\n')
                zl.write('%s %s\n' % (z, zf))
        with open(os.path.join(d, 'timeouts'), 'w') as f:
            for h in hang:
                f.write(h + '\n')
        with open(os.path.join(d, 'tests'), 'w', encoding='utf-8') as f:
            for tid, t in doc['tests'].items():
                res = t['result']
                res = ' '.join(res) if isinstance(res, list) else res
                f.write('\t'.join([tid, str(t['host']), str(t.get('mailfrom') or ''),
                                   str(t.get('helo') or ''), res,
                                   str(t.get('explanation', '-'))]) + '\n')


def score(outdir, known_path):
    known = {}
    if known_path and os.path.exists(known_path):
        for line in open(known_path, encoding='utf-8'):
            line = line.strip()
            if line and not line.startswith('#'):
                tid, _, why = line.partition(' ')
                known[tid] = why.strip()
    total = passed = 0
    for sc in sorted(os.listdir(outdir)):
        tests = os.path.join(outdir, sc, 'tests')
        if not os.path.exists(tests):
            continue
        for line in open(tests, encoding='utf-8'):
            tid, ip, mfrom, helo, res, exp = line.rstrip('\n').split('\t')
            total += 1
            try:
                out = open(os.path.join(outdir, sc, 'out', tid), encoding='utf-8',
                           errors='replace').read().split('\n')
            except OSError:
                out = ['(no output)']
            got = out[0]
            gexp = next((x[len('explanation: '):] for x in out if x.startswith('explanation: ')), None)
            why = None
            if any('Sanitizer' in x or 'runtime error' in x for x in out):
                why = 'sanitizer report: %s' % next(x for x in out if 'Sanitizer' in x or 'runtime error' in x)
            elif got not in res.split():
                why = 'got %s, want %s' % (got, res)
            elif exp == 'DEFAULT' and got == 'fail' and 'explanation-source: default' not in out:
                why = 'explanation %r, want the default' % gexp
            elif exp not in ('-', 'DEFAULT') and got == 'fail' and (gexp or '').lower() != exp.lower():
                why = 'explanation %r, want %r' % (gexp, exp)
            if why is None:
                passed += 1
                continue
            detail = next((x for x in out if x.startswith('problem: ')), '')
            mark = ' [known: %s]' % known[tid] if tid in known else ''
            print('# spf suite: FAIL %s (%s %s <%s> helo=%s): %s %s%s' %
                  (tid, sc, ip, mfrom, helo, why, detail, mark))
    print('spf suite: %d/%d' % (passed, total))
    return passed


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'gen':
        try:
            gen(sys.argv[2], sys.argv[3])
        except (OSError, yaml.YAMLError) as e:
            print('spf_suite.py: %s' % e, file=sys.stderr)
            sys.exit(1)
    elif len(sys.argv) >= 3 and sys.argv[1] == 'score':
        score(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        print('usage: spf_suite.py gen YAML OUTDIR | score OUTDIR [KNOWN]', file=sys.stderr)
        sys.exit(2)
