// JA4 per FoxIO's technical_details/JA4.md: ja4_a "t13d1516h2", ja4_b the cipher hash, ja4_c the
// extension + signature algorithm hash. GREASE is ignored everywhere, signature algorithms included (the
// reference tools were corrected to do so; Chrome sends GREASE there).
#include "probe/ja4.h"

#include <algorithm>
#include <string>
#include <vector>

#include "probe/ja3.h"
#include "util/hash.h"

namespace sg {

namespace {

constexpr uint16_t kServerName = 0x0000;
constexpr uint16_t kAlpn = 0x0010;

// The list without GREASE values, into `out` (a buffer the caller reuses: a ClientHello has several lists).
void without_grease(const std::vector<uint16_t>& values, std::vector<uint16_t>& out) {
  out.clear();
  for (uint16_t v : values)
    if (!is_grease(v)) out.push_back(v);
}

// The spec maps the highest non-GREASE supported_versions value, else the legacy version.
const char* version_code(const TlsProbe& hello) {
  uint16_t v = hello.version;
  bool any = false;
  for (uint16_t s : hello.supported_versions)
    if (!is_grease(s) && (!any || s > v)) v = s, any = true;
  switch (v) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

bool is_alnum(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

constexpr char kHexDigits[] = "0123456789abcdef";

// First and last character of the first ALPN value; when either end byte is not alphanumeric, the first
// and last hex digits of the value instead (keeps '_' and control bytes out of the fingerprint).
void append_alpn_code(std::string& out, const TlsProbe& hello) {
  if (hello.alpn.empty() || hello.alpn.front().empty()) return void(out += "00");
  const std::string& a = hello.alpn.front();
  const uint8_t first = uint8_t(a.front()), last = uint8_t(a.back());
  if (is_alnum(first) && is_alnum(last)) return void((out += char(first)) += char(last));
  (out += kHexDigits[first >> 4]) += kHexDigits[last & 15];
}

// Two-digit count, capped at 99 as the spec asks.
void append_count2(std::string& out, size_t n) {
  n = std::min<size_t>(n, 99);
  (out += char('0' + n / 10)) += char('0' + n % 10);
}

// Four lower-case hex digits per value, comma-separated, appended (by hand: snprintf per value was a visible
// cost).
void append_hex_list(std::string& out, const std::vector<uint16_t>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const uint16_t v = values[i];
    if (i) out += ',';
    const char h[4] = {kHexDigits[v >> 12], kHexDigits[(v >> 8) & 15], kHexDigits[(v >> 4) & 15], kHexDigits[v & 15]};
    out.append(h, 4);
  }
}

// The first 12 hex digits of the SHA-256 of `s`; the spec prints twelve zeros for an empty list instead of
// hashing nothing, so an absence is visible.
void append_hash12(std::string& out, const std::string& s) {
  if (s.empty()) return void(out += "000000000000");
  out.append(sha256_hex(s), 0, 12);
}

}  // namespace

std::string ja4(const TlsProbe& hello, char transport) {
  // Scratch lists and text kept per thread: a fingerprint is taken for every ClientHello.
  thread_local std::vector<uint16_t> ciphers, extensions, sigalgs;
  thread_local std::string text;
  without_grease(hello.ciphers, ciphers);
  without_grease(hello.extensions, extensions);
  const bool has_sni = std::find(extensions.begin(), extensions.end(), kServerName) != extensions.end();
  std::string out;
  out.reserve(36);  // t13d1516h2_8daaf6152771_e5627efa2ab1
  out += transport;
  out += version_code(hello);
  out += has_sni ? 'd' : 'i';
  append_count2(out, ciphers.size());
  append_count2(out, extensions.size());
  append_alpn_code(out, hello);
  out += '_';
  // ja4_b: the ciphers in numeric order (== the order of their fixed-width hex strings)
  std::sort(ciphers.begin(), ciphers.end());
  text.clear();
  append_hex_list(text, ciphers);
  append_hash12(out, text);
  out += '_';
  // ja4_c: SNI and ALPN are left out of the sorted extension list: ja4_a already carries them, and leaving
  // them out keeps ja4_c the same whether a client connects to a name or an address.
  std::erase_if(extensions, [](uint16_t e) { return e == kServerName || e == kAlpn; });
  text.clear();
  if (!extensions.empty()) {
    std::sort(extensions.begin(), extensions.end());
    append_hex_list(text, extensions);
    without_grease(hello.signature_algorithms, sigalgs);
    if (!sigalgs.empty()) text += '_', append_hex_list(text, sigalgs);
  }
  append_hash12(out, text);
  return out;
}

}  // namespace sg
