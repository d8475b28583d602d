#!/usr/bin/perl
# Score .eml files with SpamAssassin, local rules only, in ONE process.
# Usage: perl sa_score.pl FILE.eml...
# Output: one JSON object per line, in argument order:
#   {"file":"x.eml","score":0.712,"required":5,"tests":{"HTML_FONT_LOW_CONTRAST":0.713,...}}
use strict; use warnings;
use JSON::PP ();
use File::Temp qw(tempdir);
use Mail::SpamAssassin;
my $home = tempdir(CLEANUP => 1);
my $sa = Mail::SpamAssassin->new({
  rules_filename       => '/usr/share/spamassassin',  # Debian-shipped rules, ignore sa-update dirs
  local_tests_only     => 1,                          # = spamassassin -L (no DNS/Razor/Pyzor/URIBL)
  dont_copy_prefs      => 1,                          # = -x
  userprefs_filename   => "$home/user_prefs",         # absent -> no user prefs
  home_dir_for_helpers => $home,
  post_config_text     => "use_bayes 0\nbayes_auto_learn 0\nuse_auto_welcomelist 0\n",
});
$sa->init(1);
my $json = JSON::PP->new->canonical;
for my $f (@ARGV) {
  open(my $fh, '<', $f) or die "$f: $!\n";
  my $msg = $sa->parse($fh);
  close $fh;
  my $st = $sa->check($msg);
  my %tests = map { /^(.+)=(.+)$/ ? ($1 => $2 + 0) : () }
              split /,/, $st->get_names_of_tests_hit_with_scores;
  print $json->encode({ file => $f, score => $st->get_score + 0,
                        required => $st->get_required_score + 0, tests => \%tests }), "\n";
  $st->finish; $msg->finish;
}
