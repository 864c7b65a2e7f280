// Bounds-checked reading of untrusted bytes. Every parser reads through a Cursor so that a length field
// pointing past the end turns into a failed read, never an out-of-bounds access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sg {

using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
inline std::string_view as_chars(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

class Cursor {
 public:
  explicit Cursor(ByteView data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t pos() const { return pos_; }
  bool empty() const { return pos_ >= data_.size(); }
  // False once any read failed; later reads keep failing, so a parser may check once at the end.
  bool ok() const { return ok_; }

  bool u8(uint8_t& v) {
    if (!need(1)) return false;
    v = data_[pos_++];
    return true;
  }
  bool u16(uint16_t& v) {
    if (!need(2)) return false;
    v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u24(uint32_t& v) {
    if (!need(3)) return false;
    v = uint32_t(data_[pos_]) << 16 | uint32_t(data_[pos_ + 1]) << 8 | data_[pos_ + 2];
    pos_ += 3;
    return true;
  }
  bool u32(uint32_t& v) {
    if (!need(4)) return false;
    v = uint32_t(data_[pos_]) << 24 | uint32_t(data_[pos_ + 1]) << 16 | uint32_t(data_[pos_ + 2]) << 8 |
        data_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  bool bytes(size_t n, ByteView& out) {
    if (!need(n)) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(size_t n) {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }
  // A sub-cursor over the next n bytes (a length-prefixed vector), advancing past them.
  bool sub(size_t n, Cursor& out) {
    ByteView b;
    if (!bytes(n, b)) return false;
    out = Cursor(b);
    return true;
  }
  ByteView rest() const { return data_.subspan(pos_); }

 private:
  bool need(size_t n) {
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  ByteView data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string to_hex(ByteView b);
// The value of one hex digit (either case), or -1.
int hex_digit(char c);
// Decodes hex pairs from the front of `hex`, stopping at its end, at the first pair that is not hex, or after
// max_bytes bytes: stored payloads are hex text, and a preview or a key file reads only what is well formed.
std::string from_hex_prefix(std::string_view hex, size_t max_bytes = std::string::npos);

}  // namespace sg
