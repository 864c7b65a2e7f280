// Micro-benchmarks of the per-probe hot paths: each analyzer on a typical scanner probe, and JSON export.
// Run: ./build/bench/parsers_bench
#include <benchmark/benchmark.h>

#include "export/json.h"
#include "probe/analyzer.h"
#include "probe/http.h"
#include "probe/tls.h"
#include "probe/tls_builder.h"

namespace {

const std::string kZgrabGet =
    "GET / HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\n"
    "Accept-Encoding: gzip\r\n\r\n";

// A ClientHello shaped like Go crypto/tls's (zgrab2): TLS 1.2 record, 1.3 in supported_versions.
std::string go_client_hello() {
  using namespace sg::test;
  HelloSpec h;
  h.ciphers = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0xcca9, 0xc013, 0xc009, 0xc014, 0xc00a,
               0x009c, 0x009d, 0x002f, 0x0035, 0xc012, 0x000a, 0x1301, 0x1302, 0x1303};
  h.extensions = std::vector<Extension>{sni_ext("example.com"),
                                        groups_ext({0x001d, 0x0017, 0x0018, 0x0019}),
                                        point_formats_ext({0}),
                                        sigalgs_ext({0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501}),
                                        alpn_ext({"h2", "http/1.1"}),
                                        versions_ext({0x0304, 0x0303})};
  sg::Bytes b = client_hello(h);
  return std::string(b.begin(), b.end());
}

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
