// The answers of GET /v1/ip/{ip}, kept between requests and shared by every connection of the server: an
// answer is a function of the database's state and the ip, and building it (its fingerprints parse up to
// 1000 stored probes) is most of a lookup's cost. An entry is valid only for the state it was read from:
// a commit by any other connection (`run`, `ingest`, `identify` writing the file) starts a new
// generation, and every entry of an older one is dropped, so an answer never lags the file.
//
// How a generation is known across connections: each connection reads its data_version (storage/db.h)
// first in each read snapshot and reports it here. A change since its previous report (or a first report)
// means a commit may have happened since any entry was made, so the generation advances. A commit after an
// entry was read is seen by every connection at its next snapshot, before it can use the entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sg::serve {

class AnswerCache {
 public:
  static constexpr size_t kDefaultIps = 16384;
  // At most `max_ips` answers (0: nothing is kept).
  explicit AnswerCache(size_t max_ips = kDefaultIps) : max_ips_(max_ips) {}

  // A distinct number for each connection that reports here (a reopened connection gets a new one).
  uint64_t new_connection();
  // The generation the connection's current snapshot belongs to; `data_version` read first in it.
  uint64_t generation(uint64_t connection, int64_t data_version);
  // The answer for `ip` made in `generation`, or null.
  std::shared_ptr<const std::string> find(const std::string& ip, uint64_t generation);
  // Keeps `answer` for `ip` if `generation` is still the current one.
  void put(const std::string& ip, uint64_t generation, std::shared_ptr<const std::string> answer);
  size_t size();

 private:
  const size_t max_ips_;
  std::mutex m_;
  uint64_t connections_ = 0, generation_ = 0;
  std::unordered_map<uint64_t, int64_t> versions_;  // connection → its latest data_version
  std::unordered_map<std::string, std::shared_ptr<const std::string>> entries_;  // of generation_ only
};

}  // namespace sg::serve
