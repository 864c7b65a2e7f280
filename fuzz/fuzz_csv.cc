// libFuzzer: the CSV writer and term_safe on hostile text. Beyond not crashing, their promises are checked:
// no raw control byte in either output, no CSV text cell that a spreadsheet reads as a formula, term_safe
// output valid UTF-8 and already safe, and numbers written as numbers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "export/csv.h"
#include "util/terminal.h"
#include "util/utf8.h"

namespace {

void check(bool ok) {
  if (!ok) abort();
}

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::string cell = sg::csv_text(in);
  check(!has_control(cell));
  std::string_view inner = !cell.empty() && cell.front() == '"' ? std::string_view(cell).substr(1) : cell;
  check(inner.empty() || std::string_view("=+-@\t\r").find(inner.front()) == std::string_view::npos);
  if (!cell.empty() && cell.front() == '"') check(cell.size() >= 2 && cell.back() == '"');

  std::string safe = sg::term_safe(in);
  check(!has_control(safe));
  check(sg::valid_utf8(safe));
  check(sg::term_safe(safe) == safe);
  if (sg::valid_utf8(in) && !has_control(in) && in.find("\xc2") == std::string_view::npos &&
      in.find("\xe2") == std::string_view::npos)
    check(safe == in);  // plain text is kept as it is

  if (size >= 8) {
    int64_t v;
    __builtin_memcpy(&v, data, 8);
    sg::CsvRow row;
    row.number(v).text(in);
    check(row.line().rfind(std::to_string(v) + ",", 0) == 0);  // a negative number is not defused
  }
  return 0;
}
