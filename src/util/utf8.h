// UTF-8 validation for text from the wire and from label files, shared by every writer that has to keep
// such text readable (JSON export, terminal output).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sg {

// Length of the valid UTF-8 sequence starting at s[i], 0 if invalid (overlongs, surrogates, beyond
// U+10FFFF and cut sequences rejected).
size_t utf8_seq(std::string_view s, size_t i);

bool valid_utf8(std::string_view s);

// Text from the wire is not always UTF-8. Valid UTF-8 passes unchanged; any other byte is written as the
// four characters \xNN (Zeek's convention), so the JSON stays valid and the raw byte stays visible.
std::string utf8_safe(std::string_view s);

}  // namespace sg
