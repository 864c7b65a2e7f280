// libFuzzer: label lists of every format (detected by content) through the importers, the prefix index and
// the policy; and arbitrary text through the search-engine tag finder. Bad lines must become refusals.
#include <cstddef>
#include <cstdint>
#include <string>

#include "labels/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sg::labels::Aliases aliases = sg::labels::Aliases::builtin();
  static const sg::labels::RdnsRules rules = sg::labels::RdnsRules::builtin();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool ptr : {false, true}) {
    sg::labels::ImportOptions opt;
    opt.source = "fuzz";
    opt.aliases = &aliases;
    opt.rules = &rules;
    opt.ptr_table = ptr;
    auto list = sg::labels::parse_list("fuzz_list.txt", text, opt);
    sg::labels::PrefixIndex index;
    for (const auto& e : list.entries)
      index.add({e.prefix, index.intern_org(e.org), index.intern_source(e.source), e.period});
    index.build();
    std::vector<const sg::labels::Entry*> cover;
    for (const auto& e : list.entries) {
      index.covering(e.prefix.net, e.period.from_us, cover);
      sg::labels::decide(cover, {});
    }
    sg::labels::find_conflicts(index, 10);
  }
  sg::labels::TagKey key{};
  sg::labels::find_tags(key, text);
  return 0;
}
