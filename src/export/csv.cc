#include "export/csv.h"

#include <fmt/format.h>

namespace sg {

namespace {

// What spreadsheets read as the start of a formula (OWASP "CSV injection"), TAB and CR included because
// some strip them before looking at the next character.
bool starts_formula(std::string_view s) {
  return !s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos;
}

}  // namespace

std::string csv_text(std::string_view s) {
  std::string cell;
  cell.reserve(s.size() + 2);
  if (starts_formula(s)) cell += '\'';
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f)
      cell += fmt::format("\\x{:02x}", b);
    else
      cell += c;
  }
  if (cell.find_first_of(",\"") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_number(int64_t v) { return fmt::format("{}", v); }

std::string csv_number(double v) { return fmt::format("{}", v); }

}  // namespace sg
