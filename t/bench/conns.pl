#!/usr/bin/perl
# conns.pl SOCKET N READY-FILE - open N milter connections to a unix SOCKET,
# each through option negotiation and the connect step (as an MTA does at
# the start of an SMTP session), create READY-FILE, then hold them open
# until killed. Prints how many it holds.
use strict;
use warnings;
use IO::Socket::UNIX;

my ($path, $n, $ready) = @ARGV;
die "usage: conns.pl SOCKET N READY-FILE\n" unless $ready;

# pkt - one milter packet: 4-byte length, command, data
sub pkt { my ($c, $d) = @_; return pack('N', 1 + length $d) . $c . $d; }

# reply - read one packet's command from socket s
sub reply {
    my ($s) = @_;
    my $hdr = '';
    while (length $hdr < 4) {
        my $r = sysread($s, $hdr, 4 - length $hdr, length $hdr);
        die "eof\n" unless $r;
    }
    my $len = unpack('N', $hdr);
    my $body = '';
    while (length $body < $len) {
        my $r = sysread($s, $body, $len - length $body, length $body);
        die "eof\n" unless $r;
    }
    return substr($body, 0, 1);
}

my @held;
for my $i (1 .. $n) {
    my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path)
        or die "connection $i: $!\n";
    syswrite($s, pkt('O', pack('NNN', 6, 0x1ff, 0x1fffff)));
    reply($s) eq 'O' or die "connection $i: no negotiation reply\n";
    syswrite($s, pkt('C', "client$i.example\0" . '4' . pack('n', 1024 + $i) . "192.0.2.1\0"));
    reply($s) eq 'c' or die "connection $i: connect not continued\n";
    push @held, $s;
}
print scalar(@held), " connections held\n";
open(my $f, '>', $ready) or die "$ready: $!\n";
close $f;
sleep 3600;
