// Import and relabel cost: imports a label list (default: the shared merged list) into a fresh database
// holding N probes (half from listed prefixes, half random IPv4, times 2021..2026), then times the relabel
// after import and a second, idempotent import of the same list.
//   labels_relabel [LIST_FILE_OR_DIR] [N]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "labels/labels.h"
#include "storage/probe_store.h"
#include "storage/sqlite.h"

using namespace sg;
using namespace sg::labels;

int main(int argc, char** argv) {
  std::string list = argc > 1 ? argv[1] : std::string(SG_SHARED_DATA) + "/lists/merged_scanner_labels.tsv";
  size_t n = argc > 2 ? std::stoul(argv[2]) : 1'000'000;
  std::string db_path =
      fmt::format("{}/sg-relabel-bench-{}.db", std::filesystem::temp_directory_path().string(), getpid());
  {
    ProbeStore store(db_path);
    // Addresses to draw "listed" probes from: the list's own entries.
    Aliases aliases = Aliases::builtin();
    RdnsRules rules = RdnsRules::builtin();
    std::vector<IpAddr> listed;
    for (const auto& file : list_files(list)) {
      ImportOptions opt;
      opt.source = "x";
      opt.aliases = &aliases;
      opt.rules = &rules;
      std::ifstream in(file, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      for (const auto& e : parse_list(file, ss.str(), opt).entries) listed.push_back(e.prefix.net);
    }
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int64_t> when(*parse_time_us("2021-01-01"), *parse_time_us("2026-06-30"));
    Transaction tx(store.db());
    store.db().exec(
        "INSERT INTO captures(id, sha256, path, size, status, started_at) VALUES(1,'b','b',0,'complete','now')");
    Stmt s(store.db(),
           "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) "
           "VALUES(1, ?, ?, ?, '192.0.2.1', 80, 'tcp', 'http', '{}')");
    for (size_t i = 0; i < n; ++i) {
      IpAddr ip;
      if (i % 2 == 0 && !listed.empty()) {
        ip = listed[rng() % listed.size()];
      } else {
        uint32_t v = static_cast<uint32_t>(rng());
        for (int b = 0; b < 4; ++b) ip.b[b] = static_cast<uint8_t>(v >> (24 - 8 * b));
      }
      s.bind(1, when(rng)).bind(2, to_string(ip)).bind(3, static_cast<int64_t>(i % 65536));
      s.step();
      s.reset();
    }
    tx.commit();
  }
  for (int round = 1; round <= 2; ++round) {
    ProbeStore store(db_path);
    ImportRequest req;
    req.paths = {list};
    auto t0 = std::chrono::steady_clock::now();
    ImportReport r = run_import(store.db(), req);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    size_t entries = 0;
    for (const auto& f : r.files) entries += f.list.entries.size();
    fmt::print(
        "import #{}: {} new entries, {} probes relabelled ({} labelled, {} written, {} conflicts) in {:.2f} s "
        "= {:.2f} M probes/s\n",
        round, entries, r.relabel.probes, r.relabel.labelled, r.relabel.added + r.relabel.changed + r.relabel.removed,
        r.relabel.conflicts, secs, r.relabel.probes / secs / 1e6);
  }
  std::filesystem::remove(db_path);
  std::filesystem::remove(db_path + "-wal");
  std::filesystem::remove(db_path + "-shm");
  return 0;
}
