// JA4 per FoxIO's technical_details/JA4.md: ja4_a "t13d1516h2", ja4_b the cipher hash, ja4_c the
// extension + signature algorithm hash. GREASE is ignored everywhere, signature algorithms included (the
// reference tools were corrected to do so; Chrome sends GREASE there).
#include "probe/ja4.h"

#include <algorithm>
#include <cstdio>

#include "probe/ja3.h"
#include "util/hash.h"

namespace sg {

namespace {

constexpr uint16_t kServerName = 0x0000;
constexpr uint16_t kAlpn = 0x0010;

std::vector<uint16_t> without_grease(const std::vector<uint16_t>& values) {
  std::vector<uint16_t> out;
  for (uint16_t v : values)
    if (!is_grease(v)) out.push_back(v);
  return out;
}

// The spec maps the highest non-GREASE supported_versions value, else the legacy version.
const char* version_code(const TlsProbe& hello) {
  std::vector<uint16_t> supported = without_grease(hello.supported_versions);
  const uint16_t v = supported.empty() ? hello.version : *std::max_element(supported.begin(), supported.end());
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

// First and last character of the first ALPN value; when either end byte is not alphanumeric, the first
// and last hex digits of the value instead (keeps '_' and control bytes out of the fingerprint).
std::string alpn_code(const TlsProbe& hello) {
  if (hello.alpn.empty() || hello.alpn.front().empty()) return "00";
  const std::string& a = hello.alpn.front();
  const uint8_t first = uint8_t(a.front()), last = uint8_t(a.back());
  if (is_alnum(first) && is_alnum(last)) return {char(first), char(last)};
  static const char digits[] = "0123456789abcdef";
  return {digits[first >> 4], digits[last & 15]};
}

// Two-digit count, capped at 99 as the spec asks.
std::string count2(size_t n) {
  char buf[3];
  std::snprintf(buf, sizeof buf, "%02zu", std::min<size_t>(n, 99));
  return buf;
}

// Four lower-case hex digits per value, comma-separated (by hand: snprintf per value was a visible cost).
std::string hex_list(const std::vector<uint16_t>& values) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(values.size() * 5);
  for (uint16_t v : values) {
    if (!out.empty()) out += ',';
    const char h[4] = {digits[v >> 12], digits[(v >> 8) & 15], digits[(v >> 4) & 15], digits[v & 15]};
    out.append(h, 4);
  }
  return out;
}

// The spec prints twelve zeros for an empty list instead of hashing nothing, so an absence is visible.
std::string hash12(const std::string& s) { return s.empty() ? "000000000000" : sha256_hex(s).substr(0, 12); }

std::string cipher_hash(const std::vector<uint16_t>& ciphers) {
  std::vector<uint16_t> sorted = ciphers;
  std::sort(sorted.begin(), sorted.end());  // numeric order == order of the fixed-width hex strings
  return hash12(hex_list(sorted));
}

// SNI and ALPN are left out of the sorted extension list: ja4_a already carries them, and leaving them out
// keeps ja4_c the same whether a client connects to a name or an address.
std::string extension_hash(const std::vector<uint16_t>& extensions, const std::vector<uint16_t>& sigalgs) {
  std::vector<uint16_t> sorted;
  for (uint16_t e : extensions)
    if (e != kServerName && e != kAlpn) sorted.push_back(e);
  if (sorted.empty()) return hash12("");
  std::sort(sorted.begin(), sorted.end());
  std::string s = hex_list(sorted);
  if (!sigalgs.empty()) s += '_' + hex_list(sigalgs);
  return hash12(s);
}

}  // namespace

std::string ja4(const TlsProbe& hello, char transport) {
  const std::vector<uint16_t> ciphers = without_grease(hello.ciphers);
  const std::vector<uint16_t> extensions = without_grease(hello.extensions);
  const bool has_sni = std::find(extensions.begin(), extensions.end(), kServerName) != extensions.end();
  std::string a;
  a += transport;
  a += version_code(hello);
  a += has_sni ? 'd' : 'i';
  a += count2(ciphers.size());
  a += count2(extensions.size());
  a += alpn_code(hello);
  return a + '_' + cipher_hash(ciphers) + '_' + extension_hash(extensions, without_grease(hello.signature_algorithms));
}

}  // namespace sg
