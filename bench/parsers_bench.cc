// Micro-benchmarks of the per-probe hot paths: each analyzer on a typical scanner probe, and JSON export.
// Run: ./build/bench/parsers_bench
#include <benchmark/benchmark.h>

#include "bench_probes.h"
#include "export/json.h"
#include "probe/analyzer.h"
#include "probe/http.h"
#include "probe/tls.h"

namespace {

using sgbench::go_client_hello;
using sgbench::kZgrabGet;

void BM_HttpParse(benchmark::State& st) {
  sg::ByteView b = sg::as_bytes(kZgrabGet);
  for (auto _ : st) {
    sg::HttpProbe p;
    benchmark::DoNotOptimize(sg::parse_http_request(b, p));
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_HttpParse);

void BM_TlsParseWithFingerprints(benchmark::State& st) {
  static const std::string hello = go_client_hello();
  sg::ByteView b = sg::as_bytes(hello);
  for (auto _ : st) {
    sg::TlsProbe p;
    if (!sg::parse_tls_client_hello(b, p).ok()) st.SkipWithError("fixture does not parse");
    benchmark::DoNotOptimize(p.ja4);
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_TlsParseWithFingerprints);

void BM_ProbeToJson(benchmark::State& st) {
  sg::Probe p;
  p.src = "198.51.100.7";
  p.dst = "192.0.2.1";
  sg::analyze(sg::Service::http, sg::as_bytes(kZgrabGet), p);
  for (auto _ : st) benchmark::DoNotOptimize(sg::probe_to_jsonl(p));
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_ProbeToJson);

}  // namespace

BENCHMARK_MAIN();
