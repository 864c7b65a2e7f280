#include <gtest/gtest.h>

#include "label_fixtures.h"

namespace sg::labels {
namespace {

using test::TempDir;

class Importers : public ::testing::Test {
 protected:
  ParsedList parse(const std::string& name, const std::string& content, ImportOptions o) {
    std::string path = dir.file(name, content);
    return parse_list(path, content, o);
  }
  ImportOptions opt() { return test::options(aliases, rules); }
  TempDir dir;
  Aliases aliases = Aliases::builtin();
  RdnsRules rules = RdnsRules::builtin();
};

std::string prefix_text(const RawEntry& e) { return to_string(e.prefix.net) + "/" + std::to_string(e.prefix.bits); }

TEST_F(Importers, TsvWithPeriodsAndMalformedLines) {
  auto l = parse("labels.tsv",
                 "prefix\torg\tsource\tperiod\n"
                 "198.51.100.0/24\tcensys\tlistA\t2024\n"
                 "2001:db8::/48\tShadow-Server\tlistB\tcurrent\n"
                 "not-an-ip\tcensys\tlistA\t2024\n"
                 "203.0.113.7\tstretchoid\t\t2024_3Q\n"
                 "203.0.113.8\tstretchoid\tlistC\tsometime\n"
                 "203.0.113.9\n",
                 opt());
  EXPECT_EQ(l.format, Format::tsv);
  ASSERT_EQ(l.entries.size(), 3u);
  EXPECT_EQ(prefix_text(l.entries[0]), "198.51.100.0/24");
  EXPECT_EQ(l.entries[0].source, "listA");
  EXPECT_EQ(l.entries[1].org, "shadowserver");
  EXPECT_FALSE(l.entries[1].prefix.net.v4);
  EXPECT_EQ(l.entries[2].source, "test");  // empty column: the default source
  EXPECT_EQ(l.entries[2].period.from_us, test::day("2024-07-01"));
  ASSERT_EQ(l.refused.size(), 3u);
  EXPECT_EQ(l.refused[0].line, 4u);
  EXPECT_NE(l.refused[0].reason.find("not an IP"), std::string::npos);
  EXPECT_EQ(l.refused[1].line, 6u);
  EXPECT_NE(l.refused[1].reason.find("bad period"), std::string::npos);
  EXPECT_EQ(l.refused[2].line, 7u);
  EXPECT_EQ(l.refused[2].file, dir.path("labels.tsv"));
}

TEST_F(Importers, PlainListTakesOrganisationFromFileNameOrFlag) {
  auto l = parse("censys_v4.txt", "# Censys\n162.142.125.0/24\n\n167.94.138.1\nbogus line here\n10.0.0.0/8\n", opt());
  EXPECT_EQ(l.format, Format::plain);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].org, "censys");
  EXPECT_EQ(prefix_text(l.entries[1]), "167.94.138.1/32");
  ASSERT_EQ(l.refused.size(), 2u);
  EXPECT_EQ(l.refused[0].line, 5u);
  EXPECT_EQ(l.refused[1].line, 6u);
  EXPECT_NE(l.refused[1].reason.find("coarse prefix"), std::string::npos);

  auto o = opt();
  o.org = "Rapid7";
  auto f = parse("whatever.txt", "5.63.151.0/24\n", o);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].org, "rapid7");
}

TEST_F(Importers, CoarsePrefixesNeedForce) {
  std::string text = "4.144.0.0/12\n20.64.0.0/21\n2a06:4880::/29\n2a06:4880::/32\n";
  auto l = parse("stretchoid_ranges.txt", text, opt());
  EXPECT_EQ(l.entries.size(), 2u);  // /21 and /32 (IPv6) are fine
  EXPECT_EQ(l.refused.size(), 2u);
  auto o = opt();
  o.force = true;
  auto f = parse("stretchoid_ranges.txt", text, o);
  EXPECT_EQ(f.entries.size(), 4u);
  EXPECT_TRUE(f.refused.empty());
}

TEST_F(Importers, IpsetRestoreUsesSetNames) {
  auto l = parse("acknowledged.ipset",
                 "create censys.io hash:net family inet\nadd censys.io 162.142.125.0/24\n"
                 "create shodan.io hash:net family inet\nadd shodan.io 198.20.69.0/24\nadd shodan.io\njunk\n",
                 opt());
  EXPECT_EQ(l.format, Format::ipset);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].org, "censys");
  EXPECT_EQ(l.entries[1].org, "shodan");
  ASSERT_EQ(l.refused.size(), 2u);
  EXPECT_EQ(l.refused[0].line, 5u);
  EXPECT_EQ(l.refused[1].line, 6u);
}

TEST_F(Importers, CsvCountsUnknownAsNoLabel) {
  auto o = opt();
  o.period = parse_period("2024-12-01..2025-03-31");
  auto l = parse("labels_sd25.csv",
                 "IP,Label\n1.2.3.4,unknown\n5.6.7.8,stretchoid\n9.9.9.9\n2001:db8::1,Internet-Census\n", o);
  EXPECT_EQ(l.format, Format::csv);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].org, "stretchoid");
  EXPECT_EQ(l.entries[0].period.from_us, test::day("2024-12-01"));
  EXPECT_EQ(l.entries[1].org, "internet_census");
  EXPECT_EQ(l.unlabelled, 1u);
  ASSERT_EQ(l.refused.size(), 1u);
  EXPECT_EQ(l.refused[0].line, 4u);
}

TEST_F(Importers, PtrTableThroughRdnsRules) {
  auto o = opt();
  o.ptr_table = true;
  auto l = parse("ptr.csv",
                 "ip,name\n1.2.3.4,scanner-12.ch1.censys-scanner.com\n5.6.7.8,host.example.org\n"
                 "9.9.9.9,researchscanner200.eecs.berkeley.edu.\n",
                 o);
  EXPECT_EQ(l.format, Format::ptr_csv);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].org, "censys");
  EXPECT_EQ(l.entries[1].org, "berkeley");
  EXPECT_EQ(l.unlabelled, 1u);
}

TEST_F(Importers, CommentHostNamesNameTheOrganisationOfAggregateLists) {
  auto l = parse("mass_scanner.txt",
                 "# header\n129.82.138.12 # pinger1a.netsec.colostate.edu\n"
                 "71.6.135.131 # census3.shodan.io\n198.51.100.1 # unknown.example\n/w00tw00t.at.ISC.SANS.DFind:)\n",
                 opt());
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].org, "colostate");
  EXPECT_EQ(l.entries[1].org, "shodan");
  EXPECT_EQ(l.unlabelled, 1u);
  ASSERT_EQ(l.refused.size(), 1u);
  EXPECT_EQ(l.refused[0].line, 5u);
}

TEST_F(Importers, JsonRecordsAndMispWarninglists) {
  auto l = parse("surveyscanner_2024_1Q.json",
                 R"([{"ip":"2.56.155.240","scanner":"ipinfo","last_seen":"2024-03-30"},
                     {"ip":"2.59.22.234","scanner":"Shodan"}, {"scanner":"x"}, 7])",
                 opt());
  EXPECT_EQ(l.format, Format::records_json);
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[1].org, "shodan");
  EXPECT_EQ(l.entries[1].period.from_us, test::day("2024-01-01"));  // the quarter in the file name
  EXPECT_EQ(l.entries[1].period.to_us, test::day("2024-04-01"));
  EXPECT_EQ(l.refused.size(), 2u);

  auto m = parse(
      "censys/list.json",
      R"({"name":"List of known Censys scanners","type":"cidr","list":["162.142.125.0/24","2602:80d:1000::/48","censys.io"]})",
      opt());
  EXPECT_EQ(m.format, Format::misp_json);
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].org, "censys");  // the folder name: MISP keeps each list in <name>/list.json
  EXPECT_EQ(m.refused.size(), 1u);
}

TEST_F(Importers, JsonNumberOutOfRangeRefusesTheFile) {
  // Valid JSON grammar, but no double holds 1e999: the parser throws out_of_range rather than parse_error.
  auto l = parse("scanners.json", R"([{"ip":"2.56.155.240","scanner":"ipinfo","score":1e999}])", opt());
  EXPECT_TRUE(l.entries.empty());
  EXPECT_EQ(l.format, Format::unknown) << int(l.format);
  EXPECT_FALSE(l.skip_reason.empty());
}

TEST_F(Importers, NotAListIsSkippedWithAReason) {
  auto l = parse("README.md", "# Scanner lists\n\nThese are lists of scanners, see [the site](https://x).\n", opt());
  EXPECT_EQ(l.format, Format::unknown);
  EXPECT_FALSE(l.skip_reason.empty());
  auto lic = parse("LICENSE", "[yyyy] [name of copyright owner]\nLicensed under ...\n", opt());
  EXPECT_EQ(lic.format, Format::unknown);
}

TEST(Aliases, NormaliseSpellingsOntoCanonicalNames) {
  Aliases a = Aliases::builtin();
  EXPECT_EQ(a.normalise("bitsight"), "internet_census");
  EXPECT_EQ(a.normalise("internet-census(bitsight)"), "internet_census");
  EXPECT_EQ(a.normalise("paloalto-xpanse"), "expanse");
  EXPECT_EQ(a.normalise("Palo Alto Networks (Cortex-Xpanse)"), "expanse");
  EXPECT_EQ(a.normalise("nethash.censys.io"), "censys");
  EXPECT_EQ(a.normalise("Shadow-Server"), "shadowserver");
  EXPECT_EQ(a.normalise("Rapid7 (Project Sonar)"), "rapid7");
  EXPECT_EQ(a.normalise("The Technical University of Munich (TUM)"), "tum");
  EXPECT_EQ(a.normalise("Some New Scanner Co."), "some_new_scanner_co");
  EXPECT_FALSE(a.normalise("unknown"));
  EXPECT_FALSE(a.normalise("_ALL"));
  for (const char* paper :
       {"binaryedge",   "censys",    "criminalip", "cybergreen", "driftnet",     "fofa",   "internet_census",
        "internettl",   "intrinsec", "ipip",       "leakix",     "onyphe",       "quake",  "rapid7",
        "shadowserver", "shodan",    "stretchoid", "tum",        "x_threatbook", "zoomeye"})
    EXPECT_EQ(a.normalise(paper), paper);
}

TEST(Aliases, ReplacementTableAndBadLines) {
  Aliases a = Aliases::parse("# mine\nacme scanning\tacme\nnoise\t-\n", "mine.tsv");
  EXPECT_EQ(a.normalise("ACME-Scanning"), "acme");
  EXPECT_FALSE(a.normalise("noise"));
  EXPECT_EQ(a.normalise("bitsight"), "bitsight");  // the built-in table is replaced, not merged
  EXPECT_THROW(Aliases::parse("no tab here\n", "bad.tsv"), std::invalid_argument);
}

TEST(FileNames, OrganisationAndPeriod) {
  EXPECT_EQ(org_from_file_name("/x/cidr/censys_v4.txt"), "censys");
  EXPECT_EQ(org_from_file_name("02_CensysIO.txt"), "CensysIO");
  EXPECT_EQ(org_from_file_name("nethash.censys.io.ipset"), "censys.io");
  EXPECT_EQ(org_from_file_name("surveyscanner_2024_1Q.json"), "surveyscanner");
  EXPECT_FALSE(period_from_file_name("censys_v4.txt"));
  EXPECT_EQ(period_from_file_name("scanner_2023.json")->from_us, test::day("2023-01-01"));
}

}  // namespace
}  // namespace sg::labels

namespace sg::labels {
namespace {

TEST(Aliases, AddressFamilySuffixesAndAggregateNames) {
  Aliases a = Aliases::builtin();
  EXPECT_EQ(a.normalise("driftnet.io_ipv6"), "driftnet");
  EXPECT_EQ(a.normalise("censys.io_ipv6"), "censys");
  EXPECT_FALSE(a.normalise("InternetScannerSingleList"));
  EXPECT_EQ(a.normalise("FR Cert"), "anssi");
}

}  // namespace
}  // namespace sg::labels
