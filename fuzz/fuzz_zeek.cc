// libFuzzer: arbitrary bytes as a Zeek log (TSV headers and entries, JSON lines), line by line through one
// reader (so header changes carry over, as in a file), and the probes through the exporter.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "export/json.h"
#include "logs/zeek.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sg::logs::ZeekReader reader;
  sg::Probe p;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (reader.feed(text.substr(pos, end - pos), p).kind == sg::logs::LineOutcome::probe) (void)sg::probe_to_jsonl(p);
    pos = end + 1;
  }
  (void)sg::logs::looks_like_zeek_json(text);
  return 0;
}
