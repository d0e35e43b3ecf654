#!/usr/bin/perl
# t/lib/mx_flaky.pl - a next hop that fails on purpose (mxguard-outbound tests)
#
# usage: mx_flaky.pl ADDR PORT MODE LOGFILE
#   MODE die     dies (exit without a word) after the first line of DATA
#   MODE dot     reads the whole message and the final dot, then dies
#   MODE accept  accepts every message; appends "got RCPTS" to LOGFILE
#   MODE helo    like accept, but refuses EHLO with 502 (HELO works)
#   MODE nodsn   like accept, but EHLO does not offer DSN
#   MODE busy    greets with 421 and closes
# Every mode logs "connect", each command and "died" to LOGFILE. One
# connection at a time; EHLO offers PIPELINING, SIZE, DSN and 8BITMIME, no
# STARTTLS.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Handle;
use POSIX ();

my ($addr, $port, $mode, $log) = @ARGV;
open(my $L, '>>', $log) or die "$log: $!";
$L->autoflush(1);
my $srv = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port, Listen => 16,
				ReuseAddr => 1) or die "listen $addr:$port: $!";
print $L "ready $mode\n";
while (my $c = $srv->accept) {
    $c->autoflush(1);
    print $L "connect\n";
    if ($mode eq 'busy') { print $c "421 4.3.2 flaky.bed.test busy, try later\r\n"; close $c; next }
    print $c "220 flaky.bed.test ESMTP\r\n";
    my @rcpts;
    while (defined(my $line = <$c>)) {
	$line =~ s/\r?\n$//;
	print $L "cmd $line\n";
	if ($line =~ /^EHLO/i && $mode eq 'helo') { print $c "502 5.5.2 EHLO not here\r\n" }
	elsif ($line =~ /^EHLO/i && $mode eq 'nodsn') { print $c "250-flaky.bed.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n" }
	elsif ($line =~ /^EHLO/i) { print $c "250-flaky.bed.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-DSN\r\n250 8BITMIME\r\n" }
	elsif ($line =~ /^RCPT TO:<([^>]*)>/i) { push @rcpts, $1; print $c "250 2.1.5 Ok\r\n" }
	elsif ($line =~ /^DATA/i) {
	    print $c "354 go ahead\r\n";
	    my $first = <$c>;
	    if ($mode eq 'die') { print $L "died\n"; POSIX::_exit(1) }
	    while (defined(my $d = <$c>)) { last if $d =~ /^\.\r?\n$/ }
	    if ($mode eq 'dot') { print $L "died\n"; POSIX::_exit(1) }
	    print $L "got @rcpts\n";
	    print $c "250 2.0.0 Ok: queued\r\n";
	}
	elsif ($line =~ /^QUIT/i) { print $c "221 2.0.0 Bye\r\n"; last }
	else { print $c "250 2.0.0 Ok\r\n" }
    }
    close $c;
}
