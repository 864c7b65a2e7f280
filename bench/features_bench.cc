// Encoding throughput (docs/ARCHITECTURE.md "features"): stored probe JSON → image, per probe and through the batch
// reader (SQLite read + parse + encode), to compare with ingest's probe rate. Run: ./build/bench/features_bench
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench_probes.h"
#include "export/json.h"
#include "features/features.h"
#include "probe/analyzer.h"
#include "storage/probe_store.h"

namespace {

using sgbench::go_client_hello;
using sgbench::kZgrabGet;

using namespace sg::features;

const std::string kChromeGet =
    "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n"
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,"
    "image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n";

sg::Probe probe_of(sg::Service s, const std::string& payload, int64_t ts, int host) {
  sg::Probe p;
  p.ts_us = ts;
  p.src = "198.51.100." + std::to_string(host % 250);
  p.dst = "192.0.2.1";
  p.sport = uint16_t(40000 + host % 20000);
  p.dport = s == sg::Service::tls ? 443 : 80;
  sg::analyze(s, sg::as_bytes(payload), p);
  p.syn = sg::SynSignature{50, 64240, 1460, 7, {2, 4, 8, 1, 3}, 60, true};
  return p;
}

std::vector<std::string> all_fields(sg::Service s) {
  std::vector<std::string> out;
  for (const FieldSpec& f : service_fields(s)) out.push_back(f.name);
  return out;
}

// The fields `select` froze on the demo capture (bench/RESULTS.md), and every field as the upper bound.
const std::vector<std::string> kHttpTop = {"accept_encoding", "header_names", "header_order",
                                           "header_values",   "host",         "user_agent"};
const std::vector<std::string> kTlsTop = {"ciphers", "extensions",           "ja3",
                                          "ja4",     "signature_algorithms", "supported_groups"};

Encoder encoder_for(sg::Service s, const std::vector<std::string>& fields, const std::vector<std::string>& jsons) {
  TokenCounts c;
  c.fields = fields;
  c.counts.resize(fields.size());
  ProbeDoc d;
  for (const auto& j : jsons) {
    d.parse(j);
    add_probe_tokens(d, s, c);
  }
  LayoutRules rules;
  rules.min_count = 1;
  return Encoder(build_schema(s, c, SchemaMode::incremental, rules));
}

void encode_loop(benchmark::State& st, sg::Service s, const std::vector<std::string>& fields,
                 const std::vector<std::string>& jsons) {
  Encoder enc = encoder_for(s, fields, jsons);
  std::vector<uint8_t> out(enc.cells_per_probe());
  ProbeDoc scratch;
  size_t i = 0;
  for (auto _ : st) {
    if (!enc.encode_text(jsons[i++ % jsons.size()], scratch, out.data())) st.SkipWithError("bad json");
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations());
}

std::vector<std::string> http_jsons() {
  return {sg::probe_to_jsonl(probe_of(sg::Service::http, kZgrabGet, 1, 1)),
          sg::probe_to_jsonl(probe_of(sg::Service::http, kChromeGet, 2, 2))};
}
std::vector<std::string> tls_jsons() {
  return {sg::probe_to_jsonl(probe_of(sg::Service::tls, go_client_hello(), 1, 1))};
}

void BM_EncodeHttpTop6(benchmark::State& st) { encode_loop(st, sg::Service::http, kHttpTop, http_jsons()); }
void BM_EncodeHttpAllFields(benchmark::State& st) {
  encode_loop(st, sg::Service::http, all_fields(sg::Service::http), http_jsons());
}
void BM_EncodeTlsTop6(benchmark::State& st) { encode_loop(st, sg::Service::tls, kTlsTop, tls_jsons()); }
void BM_EncodeTlsAllFields(benchmark::State& st) {
  encode_loop(st, sg::Service::tls, all_fields(sg::Service::tls), tls_jsons());
}
BENCHMARK(BM_EncodeHttpTop6);
BENCHMARK(BM_EncodeHttpAllFields);
BENCHMARK(BM_EncodeTlsTop6);
BENCHMARK(BM_EncodeTlsAllFields);

// A store of SG_BENCH_PROBES probes (default 100,000; half HTTP, half TLS), built once.
struct BenchStore {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sg_features_bench_" + std::to_string(getpid()));
  std::string path;
  int probes = getenv("SG_BENCH_PROBES") ? std::atoi(getenv("SG_BENCH_PROBES")) : 100000;
  // Built in a child process, so that this process's peak memory is the reading alone.
  BenchStore() {
    std::filesystem::create_directories(dir);
    path = (dir / "bench.db").string();
    pid_t child = fork();
    if (child == 0) {
      build();
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) abort();
  }
  void build() const {
    sg::ProbeStore store(path);
    int64_t cap = store.begin_capture("bench", "bench", 0);
    std::string hello = go_client_hello();
    for (int i = 0; i < probes; ++i) {
      bool tls = i % 2;
      store.add_probe(
          cap, probe_of(tls ? sg::Service::tls : sg::Service::http, tls ? hello : (i % 4 ? kZgrabGet : kChromeGet),
                        1736121600LL * 1000000 + int64_t(i) * 1000, i));
    }
    store.flush();
  }
  ~BenchStore() { std::filesystem::remove_all(dir); }
};

BenchStore& bench_store() {
  static BenchStore s;
  return s;
}

// Resident memory now, in KiB.
long rss_kib() {
  long pages = 0, resident = 0;
  if (FILE* f = fopen("/proc/self/statm", "r")) {
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void reader_loop(benchmark::State& st, sg::Service s, const std::vector<std::string>& fields) {
  sg::ProbeStore store(bench_store().path);
  TokenCounts c = count_tokens(store.db(), s, fields, Window{});
  Schema schema = build_schema(s, c, SchemaMode::incremental, {});
  size_t n = 0;
  long before = rss_kib(), peak = before;
  for (auto _ : st) {
    BatchReader reader(store.db(), schema, Window{}, size_t(st.range(0)));
    EncodedBatch b;
    while (reader.next(b)) {
      n += b.size();
      peak = std::max(peak, rss_kib());
    }
  }
  st.SetItemsProcessed(int64_t(n));
  // What reading adds to the process (one page of rows, one batch of images, SQLite's page cache), and
  // the process's peak; neither should follow the size of the store.
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  st.counters["rss_growth_KiB"] = double(peak - before);
  st.counters["peak_rss_KiB"] = double(ru.ru_maxrss);
  st.counters["store_probes"] = bench_store().probes;
}

void BM_BatchReaderHttpTop6(benchmark::State& st) { reader_loop(st, sg::Service::http, kHttpTop); }
void BM_BatchReaderTlsTop6(benchmark::State& st) { reader_loop(st, sg::Service::tls, kTlsTop); }
BENCHMARK(BM_BatchReaderHttpTop6)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BatchReaderTlsTop6)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
