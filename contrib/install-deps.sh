#!/bin/sh
# install-deps.sh - install the Debian 12 packages mxguard needs
#
# SYNOPSIS
#	contrib/install-deps.sh [build|test]
#
# DESCRIPTION
#	"build" (the default) installs the compiler, autotools and the -dev
#	packages of every library mxguard links with. "test" adds the real
#	components the test suite starts: Postfix, unbound, nsd, ldns tools,
#	redis-server, swaks, clang (libFuzzer) and friends.
#	"test" also unpacks Debian's Sendmail (not installed: Postfix is the
#	system MTA) for the Sendmail tests: contrib/sendmail/fetch-test-sendmail.sh,
#	and Exim 4.96 for the pipe-connect tests: contrib/exim/fetch-test-exim.sh.
#	nodejs runs the vendored npm test peers of t/node (smtp-server, for
#	REQUIRETLS); those packages declare node >= 20: on Debian 12 (node
#	18) use the nodejs package of nodesource's Debian repository.
#	Services installed for tests are not started by the package scripts:
#	the tests start private instances on loopback ports themselves.
set -eu

BUILD_PKGS="build-essential autoconf automake libtool pkg-config
	libmilter-dev libopendmarc-dev libspf2-dev libssl-dev libhiredis-dev
	liblmdb-dev libconfig-dev publicsuffix zlib1g-dev libcurl4-openssl-dev"
TEST_PKGS="postfix unbound nsd ldnsutils redis-server swaks openssl
	clang libclang-rt-14-dev lmdb-utils perl procps iproute2 python3-cryptography
	miltertest libjson-pp-perl bsdutils util-linux groff-base python3-yaml opendmarc opendkim
	m4 libwrap0 sasl2-bin libnet-ssleay-perl curl systemd python3-dkim
	libidn12 libxml2-utils nodejs"

what=${1:-build}
pkgs=$BUILD_PKGS
[ "$what" = test ] && pkgs="$BUILD_PKGS $TEST_PKGS"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
fetch_sendmail() {
	[ "$what" = test ] || return 0
	$SUDO sh "$(dirname "$0")/sendmail/fetch-test-sendmail.sh"
	$SUDO sh "$(dirname "$0")/exim/fetch-test-exim.sh"
}
[ -z "$missing" ] && { fetch_sendmail; exit 0; }

# Postfix: install unconfigured; the tests run private instances.
echo "postfix postfix/main_mailer_type select No configuration" |
	$SUDO debconf-set-selections
# Keep package scripts from starting unbound/nsd/redis/postfix system
# services on a test machine (they would hold ports 25/53/6379).
policy=
if [ "$what" = test ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	policy=1
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
[ -n "$policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fetch_sendmail
exit 0
