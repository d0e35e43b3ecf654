#!/usr/bin/perl
# t/tools/fake_dccifd.pl - a protocol-faithful stand-in for dccifd(8) in tests
#
# usage: fake_dccifd.pl [--unix PATH] [--tcp PORT] --log FILE [--pidfile FILE]
#                       [--slow SECONDS]
#
# DCC is not packaged in Debian, so the tests talk to this. It speaks the
# dccifd ASCII protocol (dccifd(8), include/dccif.h): it reads, one line
# each ending in "\n", the options, "IP\rNAME" (or "IP"), the HELO, the
# envelope sender, one line per recipient ("mailbox\ruser" or "mailbox"),
# an empty line, then the message up to the client's half-close (EOF). It
# answers the overall result line, the per-recipient line (one letter per
# recipient) and, with the "header" option, an X-DCC header field (folded),
# then closes. A request that breaks the protocol (missing lines, no empty
# line, no EOF) is logged as "PROTOCOL-ERROR why" and gets no answer.
#
# The answer is scripted by the message's "X-Fake-DCC: MODE" header:
#   A R G T     that overall letter, every recipient the same (A for T)
#   S           some: recipients whose local part starts with "bulk" get R,
#               "grey" get G, the others A
#   garbage     "Z\nhello\n"
#   short       "A\n" and nothing more (no recipient line)
#   slow        A, after sleeping --slow seconds (default 10)
#   close       close the connection after the first line, answering nothing
# Without the header the answer is A.
#
# Each request is logged as one line to --log:
#   opts=.. ip=.. name=.. helo=.. sender=.. rcpts=m1|u1,m2|u2 hdrs=N body=N
#   extra=<first header line> mode=..
# (CR shown as \r). Runs until killed; one child per connection.
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Socket::INET;
use IO::Select;
use Getopt::Long;
use POSIX ();

my ($unix, $tcp, $log, $pidfile, $slow) = (undef, undef, undef, undef, 10);
GetOptions('unix=s' => \$unix, 'tcp=i' => \$tcp, 'log=s' => \$log,
	   'pidfile=s' => \$pidfile, 'slow=i' => \$slow) && $log
    or die "usage: $0 [--unix PATH] [--tcp PORT] --log FILE\n";
$SIG{CHLD} = 'IGNORE';
$SIG{PIPE} = 'IGNORE';

my @listen;
if (defined $unix) {
    unlink $unix;
    push @listen, IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $unix, Listen => 16)
	or die "$0: $unix: $!\n";
    chmod 0777, $unix;
}
if (defined $tcp) {
    push @listen, IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $tcp,
					Listen => 16, ReuseAddr => 1, Proto => 'tcp')
	or die "$0: 127.0.0.1:$tcp: $!\n";
}
@listen or die "$0: --unix or --tcp needed\n";
if ($pidfile) {
    open(my $p, '>', $pidfile) or die "$pidfile: $!\n";
    print $p "$$\n";
    close $p;
}

sub logline {
    my ($line) = @_;
    open(my $l, '>>', $log) or die "$log: $!\n";
    print $l "$line\n";
    close $l;
}

sub show { my ($s) = @_; $s =~ s/\r/\\r/g; $s =~ s/\n/\\n/g; return $s }

# readline_fd - one "\n"-terminated line from the socket, undef at EOF
sub readline_fd {
    my ($c, $bufref) = @_;
    while (index($$bufref, "\n") < 0) {
	my $n = sysread($c, my $chunk, 65536);
	return undef if !$n;
	$$bufref .= $chunk;
    }
    my $i = index($$bufref, "\n");
    my $line = substr($$bufref, 0, $i);
    substr($$bufref, 0, $i + 1) = '';
    return $line;
}

sub serve {
    my ($c) = @_;
    my $buf = '';
    my $opts = readline_fd($c, \$buf);
    return logline("PROTOCOL-ERROR no options line") if !defined $opts;
    my @fields;
    for my $what (qw(client helo sender)) {
	my $l = readline_fd($c, \$buf);
	return logline("PROTOCOL-ERROR no $what line") if !defined $l;
	push @fields, $l;
    }
    my @rcpts;
    for (;;) {
	my $l = readline_fd($c, \$buf);
	return logline("PROTOCOL-ERROR no empty line after the recipients") if !defined $l;
	last if $l eq '';
	push @rcpts, $l;
    }
    # the message, up to EOF (the client's half-close)
    my $sel = IO::Select->new($c);
    for (;;) {
	if ($buf =~ /^X-Fake-DCC:[ \t]*close/mi) {	# before the client's EOF if it can
	    logline("close-early");
	    return;
	}
	return logline("PROTOCOL-ERROR no half-close within 20 s") if !$sel->can_read(20);
	my $n = sysread($c, my $chunk, 65536);
	last if !$n;
	$buf .= $chunk;
    }
    my ($head, $body) = split(/\r?\n\r?\n/, $buf, 2);
    $head //= '';
    $body //= '';
    my $mode = $head =~ /^X-Fake-DCC:[ \t]*(\S+)/mi ? $1 : 'A';
    my @hlines = grep { /^[^ \t]/ } split(/\r?\n/, $head);
    my ($ip, $name) = split(/\r/, $fields[0], 2);
    logline(sprintf("opts=%s ip=%s name=%s helo=%s sender=%s rcpts=%s hdrs=%d body=%d extra=%s mode=%s",
		    $opts, $ip, $name // '', $fields[1], $fields[2],
		    join(',', map { my ($m, $u) = split(/\r/, $_, 2); $m . '|' . ($u // '') } @rcpts),
		    scalar(@hlines), length($body), show($hlines[0] // ''), $mode));
    my $letters = '';
    my $overall = $mode;
    if ($mode eq 'S') {
	for my $r (@rcpts) {
	    $letters .= $r =~ /^bulk/i ? 'R' : $r =~ /^grey/i ? 'G' : 'A';
	}
    } elsif ($mode =~ /^[ARGT]$/) {
	$letters = ($mode eq 'T' ? 'A' : $mode) x scalar(@rcpts);
    } elsif ($mode eq 'garbage') {
	print $c "Z\nhello\n";
	return;
    } elsif ($mode eq 'short') {
	print $c "A\n";
	return;
    } elsif ($mode eq 'slow') {
	sleep $slow;
	($overall, $letters) = ('A', 'A' x scalar(@rcpts));
    } else {
	($overall, $letters) = ('A', 'A' x scalar(@rcpts));
    }
    my $answer = "$overall\n$letters\n";
    $answer .= "X-DCC-Fake-Metrics: fake.example 1201; bulk Body=many Fuz1=many\n"
	. "\tFuz2=many result=$overall\n" if $opts =~ /\bheader\b/;
    syswrite($c, $answer);
}

my $sel = IO::Select->new(@listen);
for (;;) {
    for my $l ($sel->can_read) {
	my $c = $l->accept or next;
	my $pid = fork;
	if (defined $pid && $pid == 0) {
	    close $_ for @listen;
	    serve($c);
	    close $c;
	    POSIX::_exit(0);
	}
	close $c;
    }
}
