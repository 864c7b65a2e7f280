// libFuzzer: the http analyzer on arbitrary bytes must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>

#include "probe/http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  (void)sg::http_match(in);
  (void)sg::http_state(in);
  sg::HttpProbe out;
  (void)sg::parse_http_request(in, out);
  return 0;
}
