#include "util/uuid.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <string>

#include "util/bytes.h"

namespace sg {

namespace {
// A fixed random namespace for scannergrouper names (generated once; never change it, ids would move).
constexpr unsigned char kNamespace[16] = {0x6f, 0x3c, 0x2a, 0x91, 0x5e, 0x0b, 0x4d, 0x7a,
                                          0x9c, 0x18, 0xe2, 0x45, 0xb7, 0x63, 0x0d, 0xf1};
}  // namespace

std::string uuid_v5(std::string_view name) {
  return uuid_v5(std::string_view(reinterpret_cast<const char*>(kNamespace), sizeof kNamespace), name);
}

std::string uuid_v5_in(std::string_view ns, std::string_view name) {
  std::string bytes;
  for (char c : ns)
    if (c != '-') bytes += c;
  if (bytes.size() != 32) throw std::invalid_argument("uuid_v5_in: namespace is not a UUID");
  std::string raw;
  for (size_t i = 0; i < 32; i += 2) raw += static_cast<char>(std::stoi(bytes.substr(i, 2), nullptr, 16));
  return uuid_v5(raw, name);
}

std::string uuid_v5(std::string_view ns_bytes, std::string_view name) {
  std::string input(ns_bytes);
  input.append(name);
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), d, &len, EVP_sha1(), nullptr) != 1 || len < 16)
    throw std::runtime_error("OpenSSL SHA-1 failed");
  d[6] = static_cast<unsigned char>((d[6] & 0x0f) | 0x50);  // version 5
  d[8] = static_cast<unsigned char>((d[8] & 0x3f) | 0x80);  // RFC variant
  std::string hex = to_hex(ByteView(d, 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

}  // namespace sg
