// A bounded line reader over a (decompressed) stdio stream: lines are handed out one at a time, and a line
// longer than the limit is never held in memory: its bytes are read past and it comes back as one "too long"
// line, so a 1 GB line costs a counted skip, not a gigabyte.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace sg::logs {

class LineReader {
 public:
  static constexpr size_t kDefaultMaxLine = 1 << 20;  // far above any real EVE or Zeek record

  explicit LineReader(FILE* f, size_t max_line = kDefaultMaxLine);

  enum class Result { line, too_long, end };
  // The next line without its "\n" (and a "\r" before it); `line` stays valid until the next call. For
  // too_long, `line` is empty and the rest of that line has been skipped.
  Result next(std::string_view& line);
  // 1-based number of the line last returned.
  uint64_t line_number() const { return line_no_; }
  // Whether the stream ended in a read error (as opposed to its end).
  bool read_error() const { return error_; }

 private:
  bool fill();  // more bytes into buf_; false at the end of the stream
  FILE* f_;
  size_t max_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // unread bytes are buf_[begin_, end_)
  uint64_t line_no_ = 0;
  bool eof_ = false, error_ = false;
};

}  // namespace sg::logs
