// libFuzzer: arbitrary bytes as Suricata EVE JSON lines, through the line parser and the exporter (what a
// probe from a log becomes). Bad records must become counted skips, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "export/json.h"
#include "logs/eve.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sg::Probe p;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (sg::logs::parse_eve_line(text.substr(pos, end - pos), p).kind == sg::logs::LineOutcome::probe)
      (void)sg::probe_to_jsonl(p);
    pos = end + 1;
  }
  (void)sg::logs::looks_like_eve(text);
  return 0;
}
