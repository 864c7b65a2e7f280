// Load for `scannergrouper serve`: T client threads, each with one keep-alive connection, ask
// GET /v1/ip/{ip} for ips taken in turn from a file for D seconds; prints requests per second, latency
// percentiles and the status counts. The server runs separately (bench/serve_bench.sh starts it and reads
// its peak memory). PATH: ask that one path instead (GET / is the page, no database: the ceiling of the
// HTTP layer and this client on the machine).
//   serve_load HOST PORT IPS_FILE THREADS SECONDS [PATH]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: serve_load HOST PORT IPS_FILE THREADS SECONDS [PATH]\n");
    return 2;
  }
  const std::string host = argv[1];
  const int port = std::stoi(argv[2]), threads = std::stoi(argv[4]);
  const double seconds = std::stod(argv[5]);
  const std::string fixed_path = argc == 7 ? argv[6] : "";
  std::vector<std::string> ips;
  std::ifstream in(argv[3]);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) ips.push_back(l);
  if (ips.empty()) {
    std::fprintf(stderr, "serve_load: no ips in %s\n", argv[3]);
    return 1;
  }
  std::mutex m;
  std::vector<double> latencies_us;
  std::map<int, long> statuses;
  long bytes = 0;
  const auto stop = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      httplib::Client cli(host, port);
      cli.set_keep_alive(true);
      cli.set_tcp_nodelay(true);
      std::vector<double> mine;
      std::map<int, long> codes;
      long got = 0;
      for (size_t i = size_t(t) * 7919; std::chrono::steady_clock::now() < stop; ++i) {
        const auto a = std::chrono::steady_clock::now();
        auto res = cli.Get(fixed_path.empty() ? "/v1/ip/" + ips[i % ips.size()] : fixed_path);
        const auto b = std::chrono::steady_clock::now();
        mine.push_back(std::chrono::duration<double, std::micro>(b - a).count());
        ++codes[res ? res->status : -1];
        if (res) got += long(res->body.size());
      }
      std::lock_guard<std::mutex> lock(m);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
      for (auto [c, n] : codes) statuses[c] += n;
      bytes += got;
    });
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies_us.begin(), latencies_us.end());
  auto pct = [&](double p) { return latencies_us[std::min(latencies_us.size() - 1, size_t(p * latencies_us.size()))]; };
  std::printf("threads %d  requests %zu  %.0f req/s  latency us p50 %.0f p90 %.0f p99 %.0f max %.0f  %.1f KiB/answer",
              threads, latencies_us.size(), latencies_us.size() / elapsed, pct(0.5), pct(0.9), pct(0.99),
              latencies_us.back(), bytes / 1024.0 / double(latencies_us.size()));
  for (auto [c, n] : statuses) std::printf("  status %d: %ld", c, n);
  std::printf("\n");
  return statuses.size() == 1 && statuses.count(200) ? 0 : 1;
}
