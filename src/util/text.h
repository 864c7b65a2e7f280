// Names compared as people type them: organisation names from label lists, settings and the command line.
#pragma once

#include <string>
#include <string_view>

namespace sg {

// Leading and trailing white space removed, ASCII letters lower-cased ("  Censys " → "censys").
std::string lower_trimmed(std::string_view s);

}  // namespace sg
