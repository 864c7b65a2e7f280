// libFuzzer: the sensor's DNS answer (src/sense/answer_dns.h) reads the question of arbitrary bytes sent by
// anyone on the Internet; it must never crash, hang or read out of bounds, and never answer more than the
// bound it is given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sense/answer_dns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::ByteView in(data, size);
  for (size_t bound : {size_t(0), size, 3 * size, size_t(65535)}) {
    auto a = sg::sense::dns_answer(in, "9.18.28-1~deb12u2-Debian", bound);
    if (a && a->size() > bound) std::abort();
  }
  return 0;
}
