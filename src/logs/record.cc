#include "logs/record.h"

#include <arpa/inet.h>

#include <charconv>
#include <ctime>

namespace sg::logs {

namespace {

constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z, the captures' bound too

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

template <class T>
bool to_num(std::string_view s, T& out) {
  if (!digits(s)) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "123456" of a fraction, to microseconds (more digits are cut, fewer padded).
std::optional<int64_t> fraction_us(std::string_view f) {
  if (f.empty() || f.size() > 9 || !digits(f)) return std::nullopt;
  int64_t us = 0;
  for (size_t i = 0; i < 6; ++i) us = us * 10 + (i < f.size() ? f[i] - '0' : 0);
  return us;
}

}  // namespace

std::optional<std::string> normal_address(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string z(text);
  unsigned char b[16];
  char out[64];
  if (inet_pton(AF_INET, z.c_str(), b) == 1) return std::string(inet_ntop(AF_INET, b, out, sizeof out));
  if (inet_pton(AF_INET6, z.c_str(), b) == 1) {
    // An IPv4-mapped address stays as inet_ntop writes it, as the capture decoder does.
    return std::string(inet_ntop(AF_INET6, b, out, sizeof out));
  }
  return std::nullopt;
}

std::optional<uint16_t> parse_port(std::string_view text) {
  uint32_t v = 0;
  if (text.size() > 5 || !to_num(text, v) || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

std::optional<int64_t> parse_epoch_us(std::string_view text) {
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  int64_t s = 0;
  if (whole.size() > 12 || !to_num(whole, s) || s > kMaxSeconds) return std::nullopt;
  int64_t us = 0;
  if (dot != std::string_view::npos) {
    auto f = fraction_us(text.substr(dot + 1));
    if (!f) return std::nullopt;
    us = *f;
  }
  return s * 1000000 + us;
}

std::optional<int64_t> parse_iso_us(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!to_num(t.substr(0, 4), year) || !to_num(t.substr(5, 2), mon) || !to_num(t.substr(8, 2), day) ||
      !to_num(t.substr(11, 2), hour) || !to_num(t.substr(14, 2), min) || !to_num(t.substr(17, 2), sec))
    return std::nullopt;
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    return std::nullopt;
  std::string_view rest = t.substr(19);
  int64_t us = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    auto f = fraction_us(rest.substr(1, n - 1));
    if (!f) return std::nullopt;
    us = *f;
    rest = rest.substr(n);
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest == "z") {
    offset_s = 0;
  } else if (rest.size() == 5 || (rest.size() == 6 && rest[3] == ':')) {
    if (rest[0] != '+' && rest[0] != '-') return std::nullopt;
    int oh = 0, om = 0;
    if (!to_num(rest.substr(1, 2), oh) || !to_num(rest.substr(rest.size() - 2), om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  const int64_t s = static_cast<int64_t>(timegm(&tm)) - offset_s;
  if (s < 0 || s > kMaxSeconds) return std::nullopt;
  return s * 1000000 + us;
}

}  // namespace sg::logs
