// TLS for the sensor: a certificate (self-signed at start, or the operator's PEM files) and one connection's
// OpenSSL state over memory BIOs. The sensor reads the socket itself and records the raw ClientHello
// before OpenSSL sees a byte (the probe is the client's message as sent); OpenSSL then gets the same bytes
// from memory and answers into memory, and the event loop moves them to the socket. OpenSSL never touches
// the socket, so a slow or hostile peer cannot block it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/bytes.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace sg::sense {

class TlsContext {
 public:
  // cert/key empty: a fresh P-256 key and a self-signed certificate for `common_name`, valid a year.
  TlsContext(const std::string& cert_file, const std::string& key_file, const std::string& common_name);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
};

class TlsSession {
 public:
  explicit TlsSession(const TlsContext& ctx);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  enum class Step { want_more, done, failed };
  // Bytes from the socket.
  void feed(ByteView in);
  // Advances the handshake with what was fed.
  Step handshake();
  // Decrypted application bytes appended to `out`, at most `cap` bytes in `out`; failed on a TLS error
  // (done: the peer closed).
  Step read(std::string& out, size_t cap);
  void write(std::string_view plain);
  void close_notify();
  // What OpenSSL wrote for the peer, moved to `out`.
  void drain(std::string& out);

 private:
  SSL* ssl_ = nullptr;
};

}  // namespace sg::sense
