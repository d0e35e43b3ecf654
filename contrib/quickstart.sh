#!/bin/sh
# quickstart.sh - first README command: install, build, start mxguardd
#
# SYNOPSIS
#	sh contrib/quickstart.sh        (as root, or a user with sudo)
#
# DESCRIPTION
#	Installs the Debian 12 build dependencies, builds mxguard out of tree
#	in ./build, installs it under /usr/local, creates the unprivileged
#	system user "mxguard" that mxguardd drops to, and runs mxguardd in
#	the foreground with the embedded default configuration (used when
#	/etc/mxguard/mxguard.conf does not exist): the milter listens on
#	inet:8891@127.0.0.1. Point Postfix at it with
#	    postconf -e smtpd_milters=inet:127.0.0.1:8891 milter_default_action=tempfail
#	Stop it with Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

sh contrib/install-deps.sh build
sh contrib/build.sh build
$SUDO make -C build install >/dev/null
if ! getent passwd mxguard >/dev/null; then
	$SUDO useradd --system --home-dir /var/lib/mxguard --no-create-home \
		--shell /usr/sbin/nologin mxguard
fi
$SUDO install -d -o mxguard -g mxguard -m 0750 /var/lib/mxguard
echo "quickstart: starting mxguardd in the foreground (Ctrl-C stops it)"
exec $SUDO /usr/local/sbin/mxguardd -f
