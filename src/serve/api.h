// The JSON API of `scannergrouper serve`, without any socket: a request (method, path, query parameters,
// body) in, a status and a JSON body out. http_server.h puts it behind cpp-httplib; tests call it directly.
//
// Routes (all GET unless said otherwise; every answer is a JSON object):
//   /v1/ip/{ip}           what the database says about one ip: the latest decision (organisation or
//                         "unknown", confidence, evidence kind, why), the label lists, first/last seen,
//                         weeks, services, ports, user agents, ja3/ja4, HASSH, SYN signatures..., and the
//                         per-week history
//   /v1/ip/{cidr}         the ips of a prefix (also /v1/ip?cidr=...), paged; at most /16 (IPv4), /112 (IPv6)
//   POST /v1/ip           {"ips": [ip or cidr, ...]} (at most kMaxBatch entries): a summary per ip
//   /v1/org/{org}         an organisation's ips (paged), its fingerprints and its weekly counts
//   /v1/search?ja4=...    the ips that sent a fingerprint (ja3, ja4, ua, qname, hassh, sni; contains=1 for a
//                         substring), paged
//   /v1/stats             totals: probes, ips, windows, organisations
// Paging: limit (1..kMaxLimit, default kDefaultLimit) and offset; answers carry total and next_offset.
// Errors: {"error": {"status": N, "code": "...", "message": "..."}} with a 4xx status for bad input.
// Reading only: the database is opened read-only, and each request reads one snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace sg {
class Db;
class ProbeStore;
class ScannerStore;
}  // namespace sg

namespace sg::serve {

class AnswerCache;

constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 1000;
constexpr int64_t kMaxOffset = 10'000'000;
constexpr size_t kMaxBody = 1 << 20;  // POST bodies beyond it: 413
constexpr size_t kMaxBatch = 1000;    // entries of a POST /v1/ip
constexpr int kMinPrefixV4 = 16, kMinPrefixV6 = 112;
constexpr size_t kMaxParam = 4096;          // a query parameter's length
constexpr size_t kMaxBatchResults = 10000;  // ips a POST /v1/ip answers, its prefixes' included
constexpr int kQueryTimeoutMs = 30000;

struct Request {
  std::string method = "GET";
  std::string path;                                // decoded, without the query
  std::multimap<std::string, std::string> params;  // decoded query parameters
  std::string body;
};

struct Response {
  int status = 200;
  std::string body;  // JSON
};

// The JSON text of a value for the API: '<', '>' and '&' written as \u escapes (so no string from a capture
// reads as markup anywhere it is pasted), invalid UTF-8 replaced.
std::string json_text(const nlohmann::json& value);

class Api {
 public:
  // Opens `db_path` read-only; throws StoreError when it cannot. A request whose queries run longer than
  // `query_timeout_ms` is stopped and answered 503 (a fingerprint search reads every probe of its service).
  // `cache`: the answers of /v1/ip/{ip} shared with the server's other connections (answer_cache.h);
  // null: one of its own.
  explicit Api(std::string db_path, int query_timeout_ms = kQueryTimeoutMs,
               std::shared_ptr<AnswerCache> cache = nullptr);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  Response handle(const Request& req);
  // The database's layout version (meta schema.version; 0 for a file no writer has set up yet).
  int schema_version();

 private:
  void open();
  Response route(const Request& req);
  std::string path_;
  std::unique_ptr<ProbeStore> store_;
  std::unique_ptr<ScannerStore> scanners_;
  bool complete_ = false;  // the file had every table when opened (else a writer may create them later)
  int timeout_ms_;
  int64_t deadline_ms_ = 0;  // steady-clock milliseconds; the database's interrupt check stops queries past it
  bool timed_out_ = false;
  std::shared_ptr<AnswerCache> cache_;
  uint64_t connection_ = 0;  // this connection's number in cache_
  uint64_t generation_ = 0;  // cache_'s generation of the current request's snapshot
};

// An error answer, for the HTTP layer's own errors (unknown route, body too large).
Response error_response(int status, const std::string& code, const std::string& message);

}  // namespace sg::serve
