# tap-check.pl - parses a TAP file with TAP::Parser: tap-check.pl FILE [TESTS]; fails on parse errors,
# YAML blocks that do not parse (or lack "status"), Bail out!, a version other than 13, or a test count other than TESTS.
use strict; use warnings; use TAP::Parser;
my ($file, $want_tests) = @ARGV;
open(my $fh, '<', $file) or die "$file: $!"; local $/; my $tap = <$fh>; close $fh;
my $p = TAP::Parser->new({ tap => $tap, version => 13 });
my ($tests, $yaml, $bad) = (0, 0, 0);
while (my $r = $p->next) {
	$tests++ if $r->is_test;
	if ($r->is_yaml) { $yaml++; my $d = $r->data; unless (ref $d eq 'HASH' && defined $d->{status}) { print "YAML without status\n"; $bad++; } }
	if ($r->is_bailout) { print "unexpected Bail out!\n"; $bad++; }
}
my @errors = $p->parse_errors;
print "parse error: $_\n" for @errors;
print "$file: $tests tests, $yaml YAML blocks, version ", $p->version, "\n";
exit 1 if @errors || $bad || $p->version != 13 || (defined $want_tests && $tests != $want_tests);
