// Temporary files and databases for the label tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "labels/labels.h"
#include "storage/probe_store.h"
#include "storage/sqlite.h"

namespace sg::labels::test {

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sg-labels-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content) const {
    auto p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& name = "") const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

inline ImportOptions options(const Aliases& aliases, const RdnsRules& rules, const std::string& source = "test") {
  ImportOptions o;
  o.source = source;
  o.aliases = &aliases;
  o.rules = &rules;
  return o;
}

inline int64_t day(const std::string& ymd) { return *parse_time_us(ymd); }

// Adds a probe row (and its capture) straight into the probe store's tables.
inline int64_t add_probe(Db& db, const std::string& src, int64_t ts_us) {
  db.exec(
      "INSERT OR IGNORE INTO captures(id, sha256, path, size, status, started_at) "
      "VALUES(1, 'x', 'x', 0, 'complete', 'now')");
  Stmt s(db,
         "INSERT INTO probes(capture_id, ts_us, src, sport, dst, dport, transport, service, json) "
         "VALUES(1, ?, ?, 40000, '192.0.2.1', 80, 'tcp', 'http', '{}')");
  s.bind(1, ts_us).bind(2, src);
  s.step();
  return db.last_insert_id();
}

}  // namespace sg::labels::test
