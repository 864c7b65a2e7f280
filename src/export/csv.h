// CSV exports (RFC 4180 quoting) that are safe to open in a spreadsheet. Text cells carry attacker text
// (user agents, URIs, banners, label names): a cell that starts with = + - @ (or TAB, CR) is a formula to
// Excel and LibreOffice (=HYPERLINK(...), =cmd|...), so it gets a leading ' and is read as text; control
// bytes become visible \xNN escapes so no cell hides a NUL, an ESC sequence or a line break. Numbers the
// tool writes itself (a negative count, a probability) must stay numbers, so a writer says which a cell
// is: csv_text for text, csv_number for numbers. The escapes are for reading, not for round trips: the
// JSON Lines exports are the lossless ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sg {

// A text cell: formula start defused, control bytes escaped, quoted when it holds , " or a quote.
std::string csv_text(std::string_view s);

// A number cell, written as a number (never defused).
std::string csv_number(int64_t v);
std::string csv_number(double v);

// One row, cell by cell, each cell stated as text or number.
class CsvRow {
 public:
  CsvRow& text(std::string_view s) { return add(csv_text(s)); }
  CsvRow& number(int64_t v) { return add(csv_number(v)); }
  CsvRow& number(double v) { return add(csv_number(v)); }
  CsvRow& empty() { return add(""); }
  // The row with its line end.
  std::string line() const { return row_ + "\n"; }

 private:
  CsvRow& add(const std::string& cell) {
    if (cells_++) row_ += ',';
    row_ += cell;
    return *this;
  }
  std::string row_;
  size_t cells_ = 0;
};

}  // namespace sg
