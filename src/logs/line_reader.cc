#include "logs/line_reader.h"

#include <cstring>

namespace sg::logs {

namespace {
constexpr size_t kChunk = 1 << 16;
}

LineReader::LineReader(FILE* f, size_t max_line) : f_(f), max_(max_line), buf_(max_line + kChunk) {}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unread tail at the front: the buffer never grows past max_ + kChunk
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t room = buf_.size() - end_;
  if (room == 0) return false;
  const size_t n = fread(buf_.data() + end_, 1, room, f_);
  if (n == 0) {
    eof_ = true;
    error_ = ferror(f_) != 0;
    return false;
  }
  end_ += n;
  return true;
}

LineReader::Result LineReader::next(std::string_view& line) {
  size_t scanned = 0;  // bytes of the current line already searched for '\n'
  for (;;) {
    const char* start = buf_.data() + begin_;
    const size_t avail = end_ - begin_;
    if (const void* nl = std::memchr(start + scanned, '\n', avail - scanned)) {
      size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      ++line_no_;
      begin_ += len + 1;
      if (len > max_) {
        line = {};
        return Result::too_long;
      }
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      return Result::line;
    }
    scanned = avail;
    if (avail > max_) {
      // Over the limit with no end in sight: drop what is held and read on to the newline, in chunks.
      ++line_no_;
      begin_ = end_ = 0;
      for (;;) {
        if (!fill()) {
          line = {};
          return Result::too_long;
        }
        if (const void* nl = std::memchr(buf_.data(), '\n', end_)) {
          begin_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
          line = {};
          return Result::too_long;
        }
        end_ = 0;
      }
    }
    if (!fill()) {
      // fill() may have moved the unread bytes to the front: read them from where they are now.
      const char* rest = buf_.data() + begin_;
      size_t len = end_ - begin_;
      if (len == 0) return Result::end;
      // The last line without a final newline.
      ++line_no_;
      begin_ = end_;
      if (rest[len - 1] == '\r') --len;
      line = std::string_view(rest, len);
      return Result::line;
    }
  }
}

}  // namespace sg::logs
