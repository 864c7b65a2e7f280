// libFuzzer: simulate's truth file (what `evaluate --truth` reads) line by line, and the coarse forms of
// field values that attribution compares. A line is either a row with a known transport and names, or a
// skip with its reason; a coarse value is never longer than the value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "attribute/match_key.h"
#include "simulate/truth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (size_t at = 0; at <= text.size();) {
    size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(at, nl - at);
    sg::simulate::TruthRow row;
    std::string why;
    if (sg::simulate::parse_truth_line(line, row, why)) {
      if (row.org.empty() || (row.transport != "tcp" && row.transport != "udp")) std::abort();
    } else if (why.empty()) {
      std::abort();
    }
    for (const char* field : {"ciphers", "user_agent", "method"})
      if (sg::attribute::coarse_value(field, line).size() > line.size()) std::abort();
    at = nl + 1;
  }
  return 0;
}
