// Small text helpers shared by the list parsers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::labels {

std::string trim(std::string_view s);
// The text before a '#' (the whole line when there is none).
std::string_view strip_comment(std::string_view line);
// Calls fn for each line without its line end (LF or CRLF); a last line without LF counts.
void for_each_line(std::string_view text, const std::function<void(std::string_view)>& fn);
std::vector<std::string> split(std::string_view s, char sep);
// Whitespace-separated tokens.
std::vector<std::string> tokens(std::string_view s);
std::string lower(std::string_view s);

}  // namespace sg::labels
