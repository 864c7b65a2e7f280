// A small scanner database written directly, for the cluster analysis and the report: one week of http
// probes with model predictions, features in three separated groups of unknown ips (each group sends its
// own user agent), two known organisations whose probes sit near groups 0 and 2, a censys-labelled ip the
// model calls shodan (the paper's case 1), one unreadable stored probe and one hostile user agent.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "features/feature_store.h"
#include "features/labels.h"
#include "storage/prediction_store.h"
#include "storage/probe_store.h"
#include "storage/scanner_store.h"
#include "storage/sqlite.h"

namespace sgtest {

inline constexpr int64_t kWeek0 = 1736121600000000;  // 2025-01-06T00:00Z, a Monday (the default anchor)
inline constexpr int64_t kWeekUs = 7LL * 24 * 3600 * 1000000;
inline constexpr int kDim = 8;

struct UnknownDb {
  std::string path;
  std::unique_ptr<sg::ProbeStore> store;
  int64_t next_ts = kWeek0 + 3600000000;
  int64_t capture = 0;
  std::vector<sg::PredictionRow> preds;
  std::map<std::string, std::string> ip_org;  // scanner rows

  explicit UnknownDb(const std::string& name, bool hostile = true) {
    path = std::filesystem::path(testing::TempDir()) / name;
    for (auto s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
    store = std::make_unique<sg::ProbeStore>(path);
    capture = store->begin_capture("fixture-" + name, "fixture.pcap", 1);
    std::mt19937_64 rng(5);
    std::normal_distribution<double> g(0, 0.2);
    auto at = [&](int centre) {
      std::vector<float> f(kDim, 0.0f);
      for (int d = 0; d < kDim; ++d) f[d] = float((d == centre ? 10.0 : 0.0) + g(rng));
      return f;
    };
    // Unknown groups 0..2: 30 probes each from 3 ips; group 1's probes the model called rapid7.
    for (int grp = 0; grp < 3; ++grp)
      for (int i = 0; i < 30; ++i) {
        std::string ip = fmt::format("198.51.100.{}", grp * 10 + i % 3);
        std::string ua =
            grp == 2 && hostile && i == 0 ? "<script>alert(1)</script>" : fmt::format("group{}-agent/1.0", grp);
        add(ip, ua, grp == 1 ? "rapid7" : "unknown", at(grp), "unknown");
      }
    // Known organisations: shodan near group 0, onyphe near group 2.
    for (int i = 0; i < 20; ++i) add(fmt::format("203.0.113.{}", i % 4), "shodan/1", "shodan", at(0), "shodan");
    for (int i = 0; i < 20; ++i) add(fmt::format("203.0.113.{}", 50 + i % 4), "onyphe/1", "onyphe", at(2), "onyphe");
    // Case 1: a censys-labelled ip, predicted shodan probe by probe, still unknown at ip level.
    for (int i = 0; i < 4; ++i) {
      int64_t id = add("192.0.2.77", "censys-like/2", "shodan", at(0), "unknown");
      label(id, "Censys");
    }
    if (hostile) {  // a stored record that is not JSON: counted, never a crash
      int64_t id = add("198.51.100.99", "x", "unknown", at(1), "unknown");
      sg::Stmt s(store->db(), "UPDATE probes SET json='{not json' WHERE id=?");
      s.bind(1, id);
      s.step();
    }
    finish();
  }

  int64_t add(const std::string& ip, const std::string& ua, const std::string& pred, std::vector<float> f,
              const std::string& org) {
    int64_t ts = next_ts;
    next_ts += 60000000;
    nlohmann::json j{{"ts", "x"},
                     {"src", ip},
                     {"service", "http"},
                     {"http",
                      {{"method", "GET"},
                       {"uri", "/"},
                       {"version", "HTTP/1.1"},
                       {"user_agent", ua},
                       {"headers", nlohmann::json::array({{"User-Agent", ua}})}}}};
    sg::Stmt s(store->db(),
               "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) "
               "VALUES(?,?,?,40000,'192.0.2.1',80,'tcp','http',?)");
    s.bind(1, capture).bind(2, ts).bind(3, ip).bind(4, j.dump());
    s.step();
    int64_t id = store->db().last_insert_id();
    preds.push_back({id, "http-1", pred, 0.9, std::move(f)});
    ip_org[ip] = org;
    return id;
  }

  void label(int64_t id, const std::string& org) {
    sg::features::ensure_label_table(store->db());
    sg::Stmt s(store->db(), "INSERT INTO probe_labels(probe_id, org, source) VALUES(?,?,'test')");
    s.bind(1, id).bind(2, org);
    s.step();
  }

  void finish() {
    sg::PredictionStore(store->db()).put(preds);
    std::vector<sg::ScannerRow> rows;
    for (const auto& [ip, org] : ip_org) {
      sg::ScannerRow r;
      r.ip = ip;
      r.org = org;
      r.votes = "{}";
      r.evidence = "{}";
      r.services = "http";
      r.probes = 1;
      r.first_seen_us = r.last_seen_us = kWeek0;
      r.model_version = "ensemble-1";
      rows.push_back(r);
    }
    sg::ScannerStore(store->db()).replace_window(kWeek0, kWeek0 + kWeekUs, rows);
    sg::features::ensure_feature_tables(store->db());
    for (auto [rank, field, mi] : {std::tuple{1, "user_agent", 1.2}, {2, "method", 0.1}, {3, "uri", 0.05}}) {
      sg::Stmt s(store->db(),
                 "INSERT INTO feature_selection(service, rank, field, mi, distinct_values, present, ratio, selected, "
                 "random_flag, until_us) VALUES('http',?,?,?,5,100,0.05,?,0,?)");
      s.bind(1, int64_t(rank)).bind(2, field).bind_double(3, mi).bind(4, int64_t(rank < 3)).bind(5, kWeek0);
      s.step();
    }
  }
  sg::Db& db() { return store->db(); }
};

}  // namespace sgtest
