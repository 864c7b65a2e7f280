// Probes built in the tests: plain sg::Probe records stored through ProbeStore, so the feature stage reads
// exactly the export-contract JSON that ingest writes.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "features/features.h"
#include "probe/probe.h"
#include "storage/probe_store.h"
#include "storage/sqlite.h"

namespace sgtest {

constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kT0 = 1736121600LL * 1000000;  // 2025-01-06, a Monday

inline sg::Probe http_probe(int64_t ts, const std::string& src, const std::string& ua,
                            std::vector<std::pair<std::string, std::string>> extra = {}) {
  sg::Probe p;
  p.ts_us = ts;
  p.src = src;
  p.dst = "192.0.2.1";
  p.sport = uint16_t(40000 + ts % 20000);
  p.dport = 80;
  p.service = sg::Service::http;
  sg::HttpProbe h;
  h.method = "GET";
  h.uri = "/";
  h.version = "HTTP/1.1";
  h.headers = {{"Host", "192.0.2.1"}, {"User-Agent", ua}, {"Accept", "*/*"}};
  for (auto& e : extra) h.headers.push_back(e);
  h.user_agent = ua;
  h.host = "192.0.2.1";
  p.http = h;
  return p;
}

inline sg::Probe tls_probe(int64_t ts, const std::string& src, std::vector<uint16_t> ciphers, uint32_t seed) {
  sg::Probe p;
  p.ts_us = ts;
  p.src = src;
  p.dst = "192.0.2.1";
  p.sport = uint16_t(40000 + ts % 20000);
  p.dport = 443;
  p.service = sg::Service::tls;
  sg::TlsProbe t;
  t.record_version = 769;
  t.version = 771;
  t.random.resize(32);
  for (size_t i = 0; i < 32; ++i) t.random[i] = uint8_t((seed * 2654435761u) >> (i % 24));
  t.random[0] = uint8_t(seed), t.random[1] = uint8_t(seed >> 8), t.random[2] = uint8_t(seed >> 16);
  t.gmt_unix_time =
      uint32_t(t.random[0]) << 24 | uint32_t(t.random[1]) << 16 | uint32_t(t.random[2]) << 8 | t.random[3];
  t.session_id = std::vector<uint8_t>(t.random.rbegin(), t.random.rend());
  t.ciphers = std::move(ciphers);
  t.compression_methods = {0};
  t.extensions = {0, 10, 11, 13};
  t.supported_groups = {29, 23};
  t.ec_point_formats = {0};
  t.signature_algorithms = {1027, 2052};
  t.ja3 = "771,x";
  t.ja3_hash = "00112233445566778899aabbccddeeff";
  t.ja4 = "t13i000000_000000000000_000000000000";
  p.tls = t;
  return p;
}

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sg_features_" + std::to_string(getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

// Stores probes and labels them (org "" leaves a probe unlabelled).
inline void store_probes(sg::ProbeStore& store, const std::vector<std::pair<sg::Probe, std::string>>& probes) {
  int64_t cap = store.begin_capture(
      "test-" + std::to_string(probes.empty() ? 0 : probes.front().first.ts_us) + "-" + std::to_string(probes.size()),
      "test", 0);
  for (const auto& [p, org] : probes) store.add_probe(cap, p);
  store.flush();
  sg::features::ensure_label_table(store.db());
  sg::Stmt find(store.db(), "SELECT id FROM probes WHERE ts_us=? AND src=?");
  sg::Stmt ins(store.db(), "INSERT OR REPLACE INTO probe_labels(probe_id, org, source) VALUES(?,?,'test')");
  for (const auto& [p, org] : probes) {
    if (org.empty()) continue;
    find.bind(1, p.ts_us).bind(2, p.src);
    if (!find.step()) throw std::runtime_error("probe not stored");
    ins.bind(1, find.col_int(0)).bind(2, org);
    ins.step();
    ins.reset();
    find.reset();
  }
}

}  // namespace sgtest
