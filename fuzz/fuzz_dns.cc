// libFuzzer: the dns analyzer on arbitrary bytes must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>

#include "probe/dns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  (void)sg::dns_match(in);
  (void)sg::dns_tcp_match(in);
  (void)sg::dns_tcp_state(in);
  sg::DnsProbe t;
  (void)sg::parse_dns_tcp_query(in, t);
  sg::DnsProbe out;
  (void)sg::parse_dns_query(in, out);
  return 0;
}
