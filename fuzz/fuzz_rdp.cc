// libFuzzer: the rdp analyzer on arbitrary bytes must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>

#include "probe/rdp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  (void)sg::rdp_match(in);
  (void)sg::rdp_state(in);
  sg::RdpProbe out;
  (void)sg::parse_rdp(in, out);
  return 0;
}
