// The bounded line reader: lines as they are (CRLF, no final newline), and an over-long line read past as
// one "too long" without being held (the buffer never grows), the lines after it intact.
#include "logs/line_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace {

using sg::logs::LineReader;

FILE* mem(const std::string& s) {
  FILE* f = tmpfile();
  fwrite(s.data(), 1, s.size(), f);
  rewind(f);
  return f;
}

TEST(LineReader, LinesCrlfAndNoFinalNewline) {
  FILE* f = mem("a\r\nbb\n\nccc");
  LineReader r(f, 16);
  std::string_view l;
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l, "a");
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l, "bb");
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l, "");
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l, "ccc");
  EXPECT_EQ(r.line_number(), 4u);
  EXPECT_EQ(r.next(l), LineReader::Result::end);
  fclose(f);
}

TEST(LineReader, OverLongLineIsOneSkipAndTheRestIsRead) {
  // 5 MB in one line against a 1 KiB limit: far more than the reader's buffer (limit + 64 KiB).
  std::string text = "first\n" + std::string(5 << 20, 'x') + "\nlast\n";
  FILE* f = mem(text);
  LineReader r(f, 1024);
  std::string_view l;
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l, "first");
  ASSERT_EQ(r.next(l), LineReader::Result::too_long);
  EXPECT_EQ(r.line_number(), 2u);
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l, "last");
  EXPECT_EQ(r.line_number(), 3u);
  EXPECT_EQ(r.next(l), LineReader::Result::end);
  fclose(f);
}

TEST(LineReader, OverLongLastLineWithoutNewline) {
  FILE* f = mem("ok\n" + std::string(300000, 'y'));
  LineReader r(f, 1000);
  std::string_view l;
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  ASSERT_EQ(r.next(l), LineReader::Result::too_long);
  EXPECT_EQ(r.next(l), LineReader::Result::end);
  fclose(f);
}

TEST(LineReader, LineExactlyAtTheLimitIsKept) {
  std::string line(1000, 'z');
  FILE* f = mem(line + "\n" + line + "z\n");
  LineReader r(f, 1000);
  std::string_view l;
  ASSERT_EQ(r.next(l), LineReader::Result::line);
  EXPECT_EQ(l.size(), 1000u);
  EXPECT_EQ(r.next(l), LineReader::Result::too_long);
  fclose(f);
}

}  // namespace
