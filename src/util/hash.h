// Digests through OpenSSL's EVP interface (fingerprints are MD5 / truncated SHA-256 by definition).
#pragma once

#include <string>
#include <string_view>

namespace sg {

std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace sg

namespace sg {
// SHA-256 of a whole file, streamed; throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);
}  // namespace sg
