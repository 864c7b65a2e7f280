// Lookup throughput of the label prefix index: N random IPv4 addresses at random times (2021..2026)
// against a label list (default: the shared merged list, 219,848 rows), with the default policy, then N
// addresses drawn from the list's own entries (the hit path). Also times building the index.
//   labels_lookup [LIST_FILE_OR_DIR] [N]
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "labels/labels.h"

using namespace sg;
using namespace sg::labels;

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Result {
  size_t labelled = 0, conflicts = 0;
  double seconds = 0;
};

Result run(const PrefixIndex& index, const std::vector<IpAddr>& ips, const std::vector<int64_t>& times) {
  Result r;
  std::vector<const Entry*> cover;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < ips.size(); ++i) {
    index.covering(ips[i], times[i], cover);
    Decision d = decide(cover, Policy{});
    r.labelled += d.verdict == Verdict::labelled;
    r.conflicts += d.verdict == Verdict::conflict;
  }
  r.seconds = since(t0);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string list = argc > 1 ? argv[1] : std::string(SG_SHARED_DATA) + "/lists/merged_scanner_labels.tsv";
  size_t n = argc > 2 ? std::stoul(argv[2]) : 10'000'000;
  Aliases aliases = Aliases::builtin();
  RdnsRules rules = RdnsRules::builtin();
  auto t0 = std::chrono::steady_clock::now();
  PrefixIndex index;
  size_t rows = 0;
  for (const auto& file : list_files(list)) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    ImportOptions opt;
    opt.source = file;
    opt.aliases = &aliases;
    opt.rules = &rules;
    ParsedList parsed = parse_list(file, ss.str(), opt);
    for (const auto& e : parsed.entries) {
      index.add(Entry{e.prefix, index.intern_org(e.org), index.intern_source(e.source), e.period});
      ++rows;
    }
  }
  index.build();
  double build_s = since(t0);
  fmt::print("index: {} entries, {} organisations from {}; parse+build {:.2f} s\n", rows, index.orgs().size(), list,
             build_s);

  std::mt19937_64 rng(20250101);
  const int64_t from = *parse_time_us("2021-01-01"), to = *parse_time_us("2026-06-30");
  std::uniform_int_distribution<int64_t> when(from, to);
  std::vector<IpAddr> ips(n);
  std::vector<int64_t> times(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t v = static_cast<uint32_t>(rng());
    for (int b = 0; b < 4; ++b) ips[i].b[b] = static_cast<uint8_t>(v >> (24 - 8 * b));
    times[i] = when(rng);
  }
  Result random = run(index, ips, times);
  fmt::print("random IPv4: {} lookups in {:.3f} s = {:.1f} M lookups/s ({} labelled, {} conflicts)\n", n,
             random.seconds, n / random.seconds / 1e6, random.labelled, random.conflicts);

  const auto& entries = index.entries();
  std::uniform_int_distribution<size_t> pick(0, entries.size() - 1);
  for (size_t i = 0; i < n; ++i) {
    const Entry& e = entries[pick(rng)];
    ips[i] = e.prefix.net;
    if (e.prefix.net.v4 && e.prefix.bits < 32)
      ips[i].b[3] |= static_cast<uint8_t>(rng() & ((1u << (32 - e.prefix.bits)) - 1) & 0xff);
    times[i] = when(rng);
  }
  Result listed = run(index, ips, times);
  fmt::print("listed addresses (v4+v6): {} lookups in {:.3f} s = {:.1f} M lookups/s ({} labelled, {} conflicts)\n", n,
             listed.seconds, n / listed.seconds / 1e6, listed.labelled, listed.conflicts);
  return 0;
}
