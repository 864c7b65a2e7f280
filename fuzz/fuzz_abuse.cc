// libFuzzer: AbuseIPDB check files (one object, an array, JSON Lines) through the parser. Whatever the bytes,
// records are either checks with a normalised ip and a 0..100 score or skips naming their line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "intel/abuse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = sg::intel::parse_abuse_checks(text, "fuzz.json");
  for (const auto& c : r.checks)
    if (c.ip.empty() || c.score < 0 || c.score > 100) std::abort();
  for (const auto& s : r.skips)
    if (s.reason.empty()) std::abort();
  return 0;
}
