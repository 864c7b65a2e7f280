// CSV cells: attacker text cannot become a spreadsheet formula or hide control bytes; the tool's own
// numbers stay numbers.
#include "export/csv.h"

#include <gtest/gtest.h>

namespace sg {
namespace {

TEST(CsvText, FormulaStartsAreDefused) {
  EXPECT_EQ(csv_text("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_text("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  EXPECT_EQ(csv_text("+1+1"), "'+1+1");
  EXPECT_EQ(csv_text("-2+3"), "'-2+3");
  EXPECT_EQ(csv_text("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_text("\t=1"), "'\\x09=1");
  EXPECT_EQ(csv_text("\r=1"), "'\\x0d=1");
  EXPECT_EQ(csv_text("a=1"), "a=1");
  EXPECT_EQ(csv_text("Mozilla/5.0"), "Mozilla/5.0");
  EXPECT_EQ(csv_text(""), "");
}

TEST(CsvText, ControlBytesAreVisibleAndQuotingStaysRfc4180) {
  EXPECT_EQ(csv_text(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(csv_text("\x1b[2Jx"), "\\x1b[2Jx");
  EXPECT_EQ(csv_text("GET / HTTP/1.1\r\nHost: x"), "GET / HTTP/1.1\\x0d\\x0aHost: x");  // one row per line
  EXPECT_EQ(csv_text("del\x7f"), "del\\x7f");
  EXPECT_EQ(csv_text("h2,http/1.1"), "\"h2,http/1.1\"");
  EXPECT_EQ(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_text("Überwachung"), "Überwachung");
}

TEST(CsvNumber, NumbersStayNumbers) {
  EXPECT_EQ(csv_number(int64_t{-3}), "-3");
  EXPECT_EQ(csv_number(int64_t{443}), "443");
  EXPECT_EQ(csv_number(-0.25), "-0.25");
  CsvRow row;
  row.number(int64_t{-1}).text("-1").empty().text("x,y");
  EXPECT_EQ(row.line(), "-1,'-1,,\"x,y\"\n");
}

TEST(CsvText, NoCellStartsAFormulaOrHoldsARawControlByte) {
  const std::string starts = "=+-@\t\r\"' a";
  for (char first : starts)
    for (int b = 0; b < 256; ++b) {
      std::string in = std::string(1, first) + static_cast<char>(b) + "x";
      std::string cell = csv_text(in);
      std::string inner = cell.front() == '"' ? cell.substr(1) : cell;
      EXPECT_EQ(std::string_view("=+-@\t\r").find(inner.front()), std::string_view::npos) << cell;
      for (char c : cell) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << cell;
    }
}

}  // namespace
}  // namespace sg
