#!/usr/bin/perl
# t/lib/mx_staple.pl - an SMTP server with STARTTLS that staples an OCSP
# response (Postfix's smtpd cannot), for mxguard-outbound's OCSP tests.
#
# usage: mx_staple.pl ADDR PORT CHAIN.pem KEY.pem RESPONSE.der LOGFILE
#   Accepts every message and appends "got RCPTS ocsp=asked|not-asked" to
#   LOGFILE; RESPONSE.der ("" for none) is stapled when the client asks.
#   One connection at a time.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Handle;
use Net::SSLeay;

my ($addr, $port, $chain, $key, $respfile, $log) = @ARGV;
Net::SSLeay::initialize();
open(my $L, '>>', $log) or die "$log: $!";
$L->autoflush(1);
my $der = "";
if ($respfile ne "") { open(my $r, '<:raw', $respfile) or die "$respfile: $!"; local $/; $der = <$r>; }
my $ctx = Net::SSLeay::CTX_new() or die "CTX_new";
Net::SSLeay::CTX_use_certificate_chain_file($ctx, $chain) or die "chain";
Net::SSLeay::CTX_use_PrivateKey_file($ctx, $key, &Net::SSLeay::FILETYPE_PEM) or die "key";
my $asked = "not-asked";
# Server side: OpenSSL calls this when the client asked for a status; 0 = SSL_TLSEXT_ERR_OK.
Net::SSLeay::CTX_set_tlsext_status_cb($ctx, sub {
    my ($ssl) = @_;
    $asked = "asked";
    Net::SSLeay::set_tlsext_status_ocsp_resp($ssl, $der) if $der ne "";
    return $der ne "" ? 0 : 3;
});
my $srv = IO::Socket::INET->new(LocalAddr => $addr, LocalPort => $port, Listen => 16,
				ReuseAddr => 1) or die "listen $addr:$port: $!";
print $L "ready\n";
while (my $c = $srv->accept) {
    $c->autoflush(1);
    my ($ssl, @rcpts);
    $asked = "not-asked";
    my $put = sub { my $t = shift; $ssl ? Net::SSLeay::write($ssl, $t) : print $c $t; };
    my $get = sub { $ssl ? Net::SSLeay::ssl_read_CRLF($ssl) : scalar <$c> };
    $put->("220 staple.bed.test ESMTP\r\n");
    while (defined(my $line = $get->())) {
	$line =~ s/\r?\n$//;
	if ($line =~ /^EHLO/i) { $put->("250-staple.bed.test\r\n" . ($ssl ? "" : "250-STARTTLS\r\n") . "250 8BITMIME\r\n") }
	elsif ($line =~ /^STARTTLS/i) {
	    $put->("220 2.0.0 go ahead\r\n");
	    $ssl = Net::SSLeay::new($ctx);
	    Net::SSLeay::set_fd($ssl, fileno($c));
	    if (Net::SSLeay::accept($ssl) <= 0) { print $L "handshake failed\n"; last }
	}
	elsif ($line =~ /^RCPT TO:<([^>]*)>/i) { push @rcpts, $1; $put->("250 2.1.5 Ok\r\n") }
	elsif ($line =~ /^DATA/i) {
	    $put->("354 go ahead\r\n");
	    while (defined(my $d = $get->())) { last if $d =~ /^\.\r?\n?$/ }
	    print $L "got @rcpts ocsp=$asked\n";
	    $put->("250 2.0.0 Ok: queued\r\n");
	}
	elsif ($line =~ /^QUIT/i) { $put->("221 2.0.0 Bye\r\n"); last }
	else { $put->("250 2.0.0 Ok\r\n") }
    }
    Net::SSLeay::free($ssl) if $ssl;
    close $c;
}
