# t/lib/common.sh - shared shell helpers for end-to-end tests (TAP output)
#
# Source this first. It gives:
#   T_DIR              a private temporary directory, removed at exit
#   t_free_port        print a free TCP port on 127.0.0.1 (also free for UDP)
#   t_on_exit CMD      run CMD at exit (LIFO), e.g. to stop what a test started
#   t_wait_port PORT [SECONDS]   wait until 127.0.0.1:PORT accepts TCP
#   t_wait_file FILE [SECONDS]   wait until FILE exists
#   ok COND-STATUS NAME / t_ok NAME CMD... / t_is GOT WANT NAME / t_skip_all WHY
#   t_done             print the plan; exit status is the number of failures (max 1)
#   t_bin NAME         path of a built program (src/NAME or t/tools/NAME)
# Every helper that starts a process registers its stop with t_on_exit, so
# a test kills exactly what it started, even when it fails half way.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mxguard-t.XXXXXX")
chmod 755 "$T_DIR"
T_N=0
T_FAILED=0
T_EXIT_CMDS=""

t_on_exit() { T_EXIT_CMDS="$1
$T_EXIT_CMDS"; }
t_cleanup() {
	printf '%s\n' "$T_EXIT_CMDS" | while IFS= read -r c; do
		[ -n "$c" ] && eval "$c" >/dev/null 2>&1
	done
	[ -n "${T_KEEP:-}" ] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT
trap 'exit 129' HUP INT TERM

t_bin() {
	for d in "$top_builddir/src" "$top_builddir/t/tools"; do
		[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	echo "t_bin: $1 not built" >&2
	return 1
}

# t_free_port - ask the kernel for a free port, TCP and UDP both free
t_free_port() {
	perl -MIO::Socket::INET -e '
	  for (1..50) {
	    my $s = IO::Socket::INET->new(Listen=>1, LocalAddr=>"127.0.0.1", LocalPort=>0, Proto=>"tcp") or next;
	    my $p = $s->sockport; close $s;
	    my $u = IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>$p, Proto=>"udp") or next;
	    close $u; print "$p\n"; exit 0;
	  } exit 1;'
}

t_wait_port() {
	_p=$1; _s=${2:-10}; _i=0
	while [ "$_i" -lt $((_s * 10)) ]; do
		perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(PeerAddr=>"127.0.0.1", PeerPort=>$ARGV[0], Timeout=>1) ? 0 : 1)' "$_p" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

t_wait_file() {
	_f=$1; _s=${2:-10}; _i=0
	while [ "$_i" -lt $((_s * 10)) ]; do
		[ -e "$_f" ] && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# ok STATUS NAME - report a TAP result from an exit status (0 = ok)
ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAILED=$((T_FAILED + 1)); fi
}
t_ok() { _name=$1; shift; "$@"; ok $? "$_name"; }
t_is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got '$1', want '$2'"; fi
}
t_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
t_skip_all() { echo "1..0 # SKIP $1"; exit 0; }
t_bail() { echo "Bail out! $1"; exit 1; }
# t_need TOOL... - bail out naming the first tool not on PATH (installed by contrib/install-deps.sh test)
t_need() {
	for _tool in "$@"; do
		command -v "$_tool" >/dev/null || t_bail "$_tool is missing (contrib/install-deps.sh test)"
	done
}
t_done() { echo "1..$T_N"; [ "$T_FAILED" -eq 0 ]; exit $?; }
