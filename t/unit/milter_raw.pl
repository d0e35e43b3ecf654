#!/usr/bin/perl
# milter_raw.pl SOCKET SCENARIO [ARG] - a milter protocol client for what
# miltertest cannot send (it stops on packets over 64 KiB). Scenarios:
#   bigheader SIZE     a message with one header value of SIZE bytes (in one
#                      packet, as Postfix sends a long header), then a
#                      normal one; prints "eom: ACTIONS FINAL" per message
#                      (ACTIONS: reply commands before the final one, e.g.
#                      "i" for an inserted header; FINAL: c continue ...)
#   skip               negotiation as an MTA that cannot leave out the body
#                      (SMFIP_NOBODY not offered, SMFIP_SKIP offered), then
#                      one message with two body chunks; prints "proto
#                      NOBODY=0|1", "body: REPLY" for the first chunk and,
#                      when it was continued, for the second, then
#                      "eom: ACTIONS FINAL"
# Exit 0 when the conversation went as far as the scenario goes.
use strict;
use warnings;
use IO::Socket::UNIX;

my ($path, $scenario, $arg) = @ARGV;
die "usage: milter_raw.pl SOCKET SCENARIO [ARG]\n" unless $scenario;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path) or die "connect $path: $!\n";
$s->autoflush(1);

# send_pkt - one packet: 4-byte length, command, data
sub send_pkt {
    my ($cmd, $data) = @_;
    print $s pack('N', 1 + length $data) . $cmd . $data;
}

# readn - exactly n bytes, or undef at end of file
sub readn {
    my ($n) = @_;
    my $buf = '';
    while (length $buf < $n) {
        my $r = sysread($s, $buf, $n - length $buf, length $buf);
        return undef unless $r;
    }
    return $buf;
}

# reply - one packet as (command, data); command "closed" at end of file
sub reply {
    my $hdr = readn(4);
    return ('closed', '') unless defined $hdr;
    my $body = readn(unpack('N', $hdr));
    return ('closed', '') unless defined $body;
    return (substr($body, 0, 1), substr($body, 1));
}

# final - read replies until a final one; (actions, final command)
sub final {
    my $actions = '';
    for (;;) {
        my ($c) = reply();
        return ($actions, $c) if $c =~ /^(c|a|r|t|y|d|closed)$/;
        $actions .= $c;
    }
}

# SMFIC_OPTNEG: version 6, every action and protocol option offered
# (skip: all but SMFIP_NOBODY 0x10)
send_pkt('O', pack('NNN', 6, 0x1ff, $scenario eq 'skip' ? 0x1fffef : 0x1fffff));
my ($c, $d) = reply();
die "no option negotiation reply (got $c)\n" unless $c eq 'O';
my $proto = (unpack('NNN', $d))[2];
my $nr_hdr = $proto & 0x80;
my $nr_eoh = $proto & 0x40000;		# SMFIP_NR_EOH: no reply at end of headers
my $nr_body = $proto & 0x80000;		# SMFIP_NR_BODY: none per body chunk
# SMFIC_CONNECT: host name, family '4', port, address
send_pkt('C', "raw.example.org\0" . '4' . pack('n', 2525) . "192.0.2.99\0");
($c) = reply();
die "connect: $c\n" unless $c eq 'c';

if ($scenario eq 'bigheader') {
    for my $n (1, 2) {
        send_pkt("D", "Mi\0" . "4RAW$n\0");
        send_pkt('M', "<raw$n\@example.org>\0");
        ($c) = reply();
        die "mail: $c\n" unless $c eq 'c';
        send_pkt('R', "<r\@example.test>\0");
        ($c) = reply();
        die "rcpt: $c\n" unless $c eq 'c';
        send_pkt('L', "X-Long\0" . ($n == 1 ? 'x' x $arg : 'short') . "\0");
        unless ($nr_hdr) { ($c) = reply(); die "header: $c\n" unless $c eq 'c'; }
        send_pkt('L', "Subject\0message $n\0");
        unless ($nr_hdr) { ($c) = reply(); die "header: $c\n" unless $c eq 'c'; }
        send_pkt('N', '');
        unless ($nr_eoh) { ($c) = reply(); die "eoh: $c\n" unless $c eq 'c'; }
        send_pkt('E', '');
        my ($actions, $fin) = final();
        print "eom: $actions $fin\n";
        die "connection closed\n" if $fin eq 'closed';
    }
} elsif ($scenario eq 'skip') {
    printf "proto NOBODY=%d\n", ($proto & 0x10) ? 1 : 0;
    send_pkt("D", "Mi\0" . "4SKIP\0");
    send_pkt('M', "<skip\@example.org>\0");
    ($c) = reply();
    die "mail: $c\n" unless $c eq 'c';
    send_pkt('R', "<r\@example.test>\0");
    ($c) = reply();
    die "rcpt: $c\n" unless $c eq 'c';
    send_pkt('L', "Subject\0skip\0");
    unless ($nr_hdr) { ($c) = reply(); die "header: $c\n" unless $c eq 'c'; }
    send_pkt('N', '');
    unless ($nr_eoh) { ($c) = reply(); die "eoh: $c\n" unless $c eq 'c'; }
    send_pkt('B', "first chunk\r\n" x 100);
    ($c) = $nr_body ? ('c') : reply();
    print "body: $c\n";
    if ($c eq 'c') {
        send_pkt('B', "second chunk\r\n");
        ($c) = $nr_body ? ('c') : reply();
        print "body: $c\n";
    }
    send_pkt('E', '');
    my ($actions, $fin) = final();
    print "eom: $actions $fin\n";
} else {
    die "unknown scenario $scenario\n";
}
send_pkt('Q', '');
close $s;
exit 0;
