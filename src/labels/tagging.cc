#include "labels/tagging.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "labels/text.h"
#include "util/atomic_file.h"
#include "util/bytes.h"

namespace sg::labels {

namespace {

constexpr size_t kNonce = 12, kPlain = 38, kMac = 16, kRaw = kNonce + kPlain + kMac;
constexpr std::string_view kAad = "scannergrouper-tag-v1";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static_assert(kRaw * 4 / 3 == kTagChars);

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
  return ctx;
}

std::string b64url(const uint8_t* data, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t(data[i]) << 16 | (i + 1 < n ? uint32_t(data[i + 1]) << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
    size_t chars = i + 2 < n ? 4 : i + 1 < n ? 3 : 2;
    for (size_t k = 0; k < chars; ++k) out += kB64[(v >> (18 - 6 * k)) & 63];
  }
  return out;
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool is_b64(char c) { return b64_value(c) >= 0; }

// Only whole 4-character groups: a tag is always 88 characters.
bool un_b64url(std::string_view s, std::vector<uint8_t>& out) {
  if (s.size() % 4 != 0) return false;
  out.clear();
  for (size_t i = 0; i < s.size(); i += 4) {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int x = b64_value(s[i + k]);
      if (x < 0) return false;
      v = v << 6 | uint32_t(x);
    }
    out.push_back(uint8_t(v >> 16));
    out.push_back(uint8_t(v >> 8));
    out.push_back(uint8_t(v));
  }
  return true;
}

void put_be(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = uint8_t(v);
}

uint64_t get_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

}  // namespace

TagKey load_tag_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the key file", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  TagKey key{};
  if (data.size() == key.size()) {
    std::memcpy(key.data(), data.data(), key.size());
    return key;
  }
  std::string hex = trim(data);
  if (hex.size() != 2 * key.size())
    throw std::runtime_error(fmt::format("{}: a key file holds 32 raw bytes or 64 hex digits", path));
  std::string bytes = from_hex_prefix(hex);
  if (bytes.size() != key.size()) throw std::runtime_error(fmt::format("{}: the key is not hexadecimal", path));
  std::memcpy(key.data(), bytes.data(), key.size());
  return key;
}

void write_new_tag_key(const std::string& path) {
  TagKey key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    throw std::runtime_error("OpenSSL: no random bytes for a key");
  std::string hex;
  for (uint8_t b : key) hex += fmt::format("{:02x}", b);
  hex += '\n';
  write_text_atomically(path, hex, 0600);  // a secret: owner only
}

std::string make_tag(const TagKey& key, const TagRecord& rec) {
  uint8_t raw[kRaw];
  if (RAND_bytes(raw, kNonce) != 1) throw std::runtime_error("OpenSSL: no random bytes for a nonce");
  uint8_t plain[kPlain] = {};
  plain[0] = 1;
  put_be(plain + 1, rec.sensor, 4);
  put_be(plain + 5, static_cast<uint64_t>(rec.time_us), 8);
  put_be(plain + 13, rec.record, 8);
  plain[21] = rec.scanner.v4 ? 4 : 6;
  std::memcpy(plain + 22, rec.scanner.b.data(), 16);
  auto ctx = new_ctx();
  int len = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), raw) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(kAad.data()),
                              static_cast<int>(kAad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), raw + kNonce, &len, plain, kPlain) == 1 && len == int(kPlain) &&
            EVP_EncryptFinal_ex(ctx.get(), raw + kNonce + kPlain, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kMac, raw + kNonce + kPlain) == 1;
  if (!ok) throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
  return b64url(raw, kRaw);
}

std::optional<TagRecord> open_tag(const TagKey& key, std::string_view tag) {
  std::vector<uint8_t> raw;
  if (tag.size() != kTagChars || !un_b64url(tag, raw) || raw.size() != kRaw) return std::nullopt;
  uint8_t plain[kPlain];
  auto ctx = new_ctx();
  int len = 0;
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), raw.data()) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(kAad.data()),
                              static_cast<int>(kAad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), plain, &len, raw.data() + kNonce, kPlain) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kMac, raw.data() + kNonce + kPlain) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), plain + len, &len) == 1;  // verifies the GCM tag
  if (!ok || plain[0] != 1 || (plain[21] != 4 && plain[21] != 6)) return std::nullopt;
  TagRecord rec;
  rec.sensor = static_cast<uint32_t>(get_be(plain + 1, 4));
  rec.time_us = static_cast<int64_t>(get_be(plain + 5, 8));
  rec.record = get_be(plain + 13, 8);
  rec.scanner.v4 = plain[21] == 4;
  std::memcpy(rec.scanner.b.data(), plain + 22, 16);
  return rec;
}

std::vector<FoundTag> find_tags(const TagKey& key, std::string_view text) {
  // Candidates are runs of base64url characters; a tag may sit inside a longer run (a cookie glued to
  // other text), so every 88-character window of a run is tried, up to a bound that keeps hostile input cheap.
  constexpr size_t kMaxRun = 4096;
  std::vector<FoundTag> out;
  size_t i = 0;
  while (i < text.size()) {
    if (!is_b64(text[i])) {
      ++i;
      continue;
    }
    size_t b = i;
    while (i < text.size() && is_b64(text[i])) ++i;
    size_t run = i - b;
    if (run < kTagChars || run > kMaxRun) continue;
    for (size_t off = b; off + kTagChars <= i;) {
      if (auto rec = open_tag(key, text.substr(off, kTagChars))) {
        out.push_back({off, *rec});
        off += kTagChars;
      } else {
        ++off;
      }
    }
  }
  return out;
}

}  // namespace sg::labels
