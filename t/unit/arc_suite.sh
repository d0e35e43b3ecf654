#!/bin/sh
# arc_suite.sh - the ARC test suite (t/data/arc): validation and signing
# scores through src/crypto's arc_verify and arc_seal. The YAML is read
# by Debian's /usr/bin/python3 with python3-yaml (CI installs it: a
# missing module is a failure, not a skip). Raise the baselines as the
# scores improve; they are the recorded minimum, not the target.
. "$top_srcdir/t/lib/common.sh"
MIN_VALIDATION=171
MIN_SIGNING=17
rec="$T_DIR/arc.rec"
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    echo "1..1"
    echo "not ok 1 - python3-yaml is needed to read the ARC suite (apt-get install python3-yaml)"
    exit 1
fi
/usr/bin/python3 "$top_srcdir/t/tools/arc_suite_conv.py" validation \
    "$top_srcdir/t/data/arc/arc-draft-validation-tests.yml" "$rec" &&
/usr/bin/python3 "$top_srcdir/t/tools/arc_suite_conv.py" signing \
    "$top_srcdir/t/data/arc/arc-draft-sign-tests.yml" "$rec" || {
    echo "1..1"; echo "not ok 1 - cannot convert the ARC suite"; exit 1; }
exec "$top_builddir/t/tools/arc_suite" "$rec" $MIN_VALIDATION $MIN_SIGNING
