// The cost of `serve`'s GET /v1/ip/{ip} without HTTP: one thread calls serve::Api::handle for ips taken in
// turn from a file for D seconds and prints lookups per second (one core; no client, no sockets). Run it
// under `perf record -g` to see where a lookup's time goes; bench/serve_bench.sh measures the whole service.
// CACHE_IPS: the answer cache's size (as `serve --cache-ips`; 0: every lookup is built from the database).
//   serve_api_loop DB IPS_FILE SECONDS [CACHE_IPS]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "serve/answer_cache.h"
#include "serve/api.h"

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: serve_api_loop DB IPS_FILE SECONDS [CACHE_IPS]\n");
    return 2;
  }
  std::vector<std::string> ips;
  std::ifstream in(argv[2]);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) ips.push_back(l);
  if (ips.empty()) {
    std::fprintf(stderr, "serve_api_loop: no ips in %s\n", argv[2]);
    return 1;
  }
  const size_t cache_ips = argc == 5 ? std::stoul(argv[4]) : sg::serve::AnswerCache::kDefaultIps;
  sg::serve::Api api(argv[1], sg::serve::kQueryTimeoutMs, std::make_shared<sg::serve::AnswerCache>(cache_ips));
  const double seconds = std::stod(argv[3]);
  std::map<int, long> statuses;
  long n = 0, bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto stop = start + std::chrono::duration<double>(seconds);
  for (size_t i = 0; std::chrono::steady_clock::now() < stop; ++i) {
    sg::serve::Request r;
    r.path = "/v1/ip/" + ips[i % ips.size()];
    auto res = api.handle(r);
    ++statuses[res.status];
    bytes += long(res.body.size());
    ++n;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("lookups %ld  %.0f lookups/s on one thread  %.1f KiB/answer", n, double(n) / elapsed,
              double(bytes) / 1024.0 / double(n));
  for (auto [c, k] : statuses) std::printf("  status %d: %ld", c, k);
  std::printf("\n");
  return statuses.size() == 1 && statuses.count(200) ? 0 : 1;
}
