#include "sense/tls.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace sg::sense {

namespace {

[[noreturn]] void fail(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw std::runtime_error(fmt::format("TLS: {}{}{}", what, e ? ": " : "", buf));
}

void self_signed(SSL_CTX* ctx, const std::string& cn) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) fail("cannot make a key");
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  uint8_t serial[8];
  if (!x || RAND_bytes(serial, sizeof serial) != 1) fail("cannot make a certificate");
  serial[0] &= 0x7f;  // a positive serial number
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial, sizeof serial, nullptr), BN_free);
  X509_NAME* name = X509_get_subject_name(x.get());
  const std::string subject = cn.empty() ? "localhost" : cn.substr(0, 64);
  bool ok = X509_set_version(x.get(), 2) == 1 && bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) &&
            X509_gmtime_adj(X509_getm_notBefore(x.get()), -86400) &&
            X509_gmtime_adj(X509_getm_notAfter(x.get()), 365L * 86400) &&
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(subject.c_str()), -1, -1, 0) == 1 &&
            X509_set_issuer_name(x.get(), name) == 1 && X509_set_pubkey(x.get(), key.get()) == 1 &&
            X509_sign(x.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) fail("cannot sign the certificate");
  if (SSL_CTX_use_certificate(ctx, x.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
    fail("cannot use the certificate");
}

}  // namespace

TlsContext::TlsContext(const std::string& cert_file, const std::string& key_file, const std::string& common_name) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) fail("cannot make a context");
  // A sensor answers whatever scanners offer, old protocol versions and weak suites included: refusing them
  // would lose the probes of old scanners, and nothing it serves is secret.
  SSL_CTX_set_security_level(ctx_, 0);
  SSL_CTX_set_min_proto_version(ctx_, 0);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  if (cert_file.empty() != key_file.empty()) {
    SSL_CTX_free(ctx_);
    throw std::runtime_error("TLS: --cert and --key go together");
  }
  try {
    if (cert_file.empty()) {
      self_signed(ctx_, common_name);
    } else {
      if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1) fail(cert_file);
      if (SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1) fail(key_file);
      if (SSL_CTX_check_private_key(ctx_) != 1) fail("the key does not match the certificate");
    }
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsSession::TlsSession(const TlsContext& ctx) {
  ssl_ = SSL_new(ctx.get());
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (!ssl_ || !in || !out) {
    BIO_free(in);
    BIO_free(out);
    SSL_free(ssl_);
    fail("cannot start a session");
  }
  SSL_set_bio(ssl_, in, out);  // the SSL owns both from here
  SSL_set_accept_state(ssl_);
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

void TlsSession::feed(ByteView in) {
  if (!in.empty()) BIO_write(SSL_get_rbio(ssl_), in.data(), static_cast<int>(in.size()));
}

TlsSession::Step TlsSession::handshake() {
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) return Step::done;
  const int e = SSL_get_error(ssl_, r);
  ERR_clear_error();  // the thread's error queue must not grow with every hostile peer
  return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? Step::want_more : Step::failed;
}

TlsSession::Step TlsSession::read(std::string& out, size_t cap) {
  char buf[4096];
  while (out.size() < cap) {
    const int n = SSL_read(ssl_, buf, static_cast<int>(std::min(sizeof buf, cap - out.size())));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    const int e = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Step::want_more;
    return e == SSL_ERROR_ZERO_RETURN ? Step::done : Step::failed;
  }
  return Step::want_more;
}

void TlsSession::write(std::string_view plain) {
  if (!plain.empty() && SSL_write(ssl_, plain.data(), static_cast<int>(plain.size())) <= 0) ERR_clear_error();
}

void TlsSession::close_notify() {
  if (SSL_shutdown(ssl_) < 0) ERR_clear_error();
}

void TlsSession::drain(std::string& out) {
  BIO* w = SSL_get_wbio(ssl_);
  char buf[4096];
  int n;
  while ((n = BIO_read(w, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
}

}  // namespace sg::sense
