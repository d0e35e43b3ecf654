# daemon_sockopt.pl PID PORT - read TCP_NODELAY from another process's own
# sockets. For every TCP socket of PID whose local port is PORT, print
# "listen N" or "conn N" (N = TCP_NODELAY). The descriptors are copied with
# pidfd_open(2) + pidfd_getfd(2) (Linux 5.6+, needs ptrace rights: root),
# so this reads the real option of the daemon's listener and of the
# connections it accepted, which no client-side test can see.
use strict;
use warnings;
use Socket qw(IPPROTO_TCP TCP_NODELAY SOL_SOCKET SO_ACCEPTCONN AF_INET AF_INET6
	      sockaddr_family unpack_sockaddr_in unpack_sockaddr_in6);

my ($pid, $port) = @ARGV;
my $pidfd = syscall(434, $pid + 0, 0);	# SYS_pidfd_open (x86_64 and generic)
die "daemon_sockopt: pidfd_open $pid: $!\n" if $pidfd < 0;
opendir(my $dir, "/proc/$pid/fd") or die "daemon_sockopt: /proc/$pid/fd: $!\n";
for my $fd (sort { $a <=> $b } grep { /^\d+$/ } readdir $dir) {
	my $link = readlink("/proc/$pid/fd/$fd") // next;
	next unless $link =~ /^socket:/;
	my $copy = syscall(438, $pidfd + 0, $fd + 0, 0);	# SYS_pidfd_getfd
	die "daemon_sockopt: pidfd_getfd $fd: $!\n" if $copy < 0;
	open(my $s, "+<&=", $copy) or die "daemon_sockopt: fdopen: $!\n";
	my $name = getsockname($s) or next;
	my $fam = sockaddr_family($name);
	next unless $fam == AF_INET || $fam == AF_INET6;
	my ($p) = $fam == AF_INET ? unpack_sockaddr_in($name) : unpack_sockaddr_in6($name);
	next unless $p == $port;
	my $acc = getsockopt($s, SOL_SOCKET, SO_ACCEPTCONN);
	my $nd = getsockopt($s, IPPROTO_TCP, TCP_NODELAY);
	die "daemon_sockopt: getsockopt: $!\n" unless defined $acc && defined $nd;
	printf "%s %d\n", unpack("i", $acc) ? "listen" : "conn", unpack("i", $nd);
}
