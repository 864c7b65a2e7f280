#include "util/hash.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "util/bytes.h"

namespace sg {

namespace {
std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // One context per thread, reinitialised per digest: EVP_Digest allocates and frees a context (and the
  // provider's state) every call, a visible cost at several digests per probe.
  thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
    throw std::runtime_error("OpenSSL digest failed");
  return to_hex(ByteView(out, len));
}
}  // namespace

// OpenSSL 3 looks an algorithm up on every EVP_md5()/EVP_sha256() use; fetching once keeps fingerprinting
// (three digests per ClientHello) off the profile.
std::string md5_hex(std::string_view data) {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return digest_hex(md, data);
}
std::string sha256_hex(std::string_view data) {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return digest_hex(md, data);
}

}  // namespace sg

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace sg {

std::string sha256_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(path.c_str(), "rb"), fclose);
  if (!f) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f.get())) > 0) EVP_DigestUpdate(ctx.get(), buf.data(), n);
  if (ferror(f.get())) throw std::runtime_error(path + ": read error: " + std::strerror(errno));
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return to_hex(ByteView(out, len));
}

}  // namespace sg
