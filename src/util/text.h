// Names compared as people type them: organisation names from label lists, settings and the command line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sg {

// Leading and trailing white space removed, ASCII letters lower-cased ("  Censys " → "censys").
std::string lower_trimmed(std::string_view s);

// The parts of `s` between separators, empty ones kept ("a,,b" → a, "", b; "" → one empty part). Views
// into `s`.
std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace sg
