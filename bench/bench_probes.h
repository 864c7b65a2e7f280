// Typical scanner probes the benchmarks time: zgrab2's HTTP GET and a Go crypto/tls (zgrab2) ClientHello.
#pragma once

#include <string>

#include "probe/tls_builder.h"

namespace sgbench {

inline const std::string kZgrabGet =
    "GET / HTTP/1.1\r\nHost: 192.0.2.1\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nAccept: */*\r\n"
    "Accept-Encoding: gzip\r\n\r\n";

// A ClientHello shaped like Go crypto/tls's (zgrab2): TLS 1.2 record, 1.3 in supported_versions.
inline std::string go_client_hello() {
  using namespace sg::test;
  HelloSpec h;
  h.ciphers = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0xcca9, 0xc013, 0xc009, 0xc014, 0xc00a,
               0x009c, 0x009d, 0x002f, 0x0035, 0xc012, 0x000a, 0x1301, 0x1302, 0x1303};
  h.extensions = std::vector<Extension>{
      sni_ext("example.com"),       groups_ext({0x001d, 0x0017, 0x0018, 0x0019}),
      point_formats_ext({0}),       sigalgs_ext({0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501}),
      alpn_ext({"h2", "http/1.1"}), versions_ext({0x0304, 0x0303})};
  sg::Bytes b = client_hello(h);
  return std::string(b.begin(), b.end());
}

}  // namespace sgbench
