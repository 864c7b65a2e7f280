// libFuzzer: the tls analyzer on arbitrary bytes must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>

#include "probe/tls.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  (void)sg::tls_match(in);
  (void)sg::tls_state(in);
  sg::TlsProbe out;
  (void)sg::parse_tls_client_hello(in, out);
  return 0;
}
