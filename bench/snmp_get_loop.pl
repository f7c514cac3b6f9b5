#!/usr/bin/perl
# Bench helper: one long-lived SNMPv2c client issuing N GETs, each of all the
# given OIDs in one PDU, so process start-up is paid once and not per GET.
# Prints one line per GET: microseconds. Exits non-zero if any GET fails or
# returns an exception value (noSuchObject/noSuchInstance), so a benchmark of
# errors cannot pass for a fast one.
#   [GET_TIMEOUT=S] snmp_get_loop.pl PORT N OID...   (default 5 s)
use strict;
use warnings;
use Net::SNMP qw(:asn1);
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);

my ($port, $n, @oids) = @ARGV;
die "usage: $0 PORT N OID...\n" unless defined $n && @oids;
my ($s, $err) = Net::SNMP->session(-hostname => '127.0.0.1', -port => $port,
    -version => 'snmpv2c', -community => 'public', -timeout => ($ENV{GET_TIMEOUT} // 5), -retries => 0,
    -maxmsgsize => 65535);
die "session: $err\n" unless $s;
$| = 1;
for my $i (1 .. $n) {
    my $t0 = clock_gettime(CLOCK_MONOTONIC);
    my $r = $s->get_request(-varbindlist => \@oids);
    my $t1 = clock_gettime(CLOCK_MONOTONIC);
    die "GET $i failed: " . $s->error() . "\n" unless $r;
    my $types = $s->var_bind_types();
    for my $o (@oids) {
        my $t = $types->{$o} // -1;
        die "GET $i: $o: no value (type $t)\n"
            if $t == NOSUCHOBJECT || $t == NOSUCHINSTANCE || $t == ENDOFMIBVIEW || $t == -1;
    }
    if (defined $ENV{SHOW_FIRST} && $i == 1) {
        print STDERR join(' | ', map { $r->{$_} } @oids), "\n";
    }
    printf "%d\n", ($t1 - $t0) * 1e6;
}
$s->close();
