// The fingerprints of GET /v1/ip/{ip} (the evidence of an ip's latest probes), kept between requests and
// shared by every connection of the server: building them parses up to kEvidenceProbes stored probes, the
// largest share of a lookup's cost. An entry is valid only for the database state it was read from: a
// commit by any other connection (`run`, `ingest`, `identify` writing the file) starts a new generation,
// and every entry of an older one is dropped.
//
// How a generation is known across connections: each connection reads its data_version (storage/db.h)
// first in each read snapshot and reports it here. A change since its previous report (or a first
// report) means a commit may have happened since any entry was made, so the generation advances. A commit
// after an entry was read is seen by every connection at its next snapshot, before it can use the entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

namespace sg::serve {

class FingerprintCache {
 public:
  // At most `max_ips` entries (0: nothing is kept).
  explicit FingerprintCache(size_t max_ips = kDefaultIps) : max_ips_(max_ips) {}
  static constexpr size_t kDefaultIps = 16384;

  // A distinct number for each connection that reports here (a reopened connection gets a new one).
  uint64_t new_connection();
  // The generation the connection's current snapshot belongs to; `data_version` read first in it.
  uint64_t generation(uint64_t connection, int64_t data_version);
  // The entry for `ip` made in `generation`, or null.
  std::shared_ptr<const nlohmann::json> find(const std::string& ip, uint64_t generation);
  // Keeps `fingerprints` for `ip` if `generation` is still the current one.
  void put(const std::string& ip, uint64_t generation, std::shared_ptr<const nlohmann::json> fingerprints);
  size_t size();

 private:
  const size_t max_ips_;
  std::mutex m_;
  uint64_t connections_ = 0, generation_ = 0;
  std::unordered_map<uint64_t, int64_t> versions_;  // connection → its latest data_version
  std::unordered_map<std::string, std::shared_ptr<const nlohmann::json>> entries_;  // of generation_ only
};

}  // namespace sg::serve
