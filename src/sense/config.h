// What `scannergrouper sense` is told: the ports it answers on per protocol, where it records, how it tags,
// and the limits that keep a hostile Internet from exhausting it (docs/SENSE.md). Plain data, filled by the
// command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sg::sense {

// The answer a port gives. The probe's service is still decided by the payload (docs/FIELDS.md): a TLS
// ClientHello sent to an HTTP port is recorded as `tls`, and answered as that port answers.
enum class Kind : uint8_t { http, tls, dns, ssh };
const char* kind_name(Kind k);

struct Listen {
  Kind kind = Kind::http;
  uint16_t port = 0;  // 0: any free port (the bound one is reported)
};

struct Limits {
  size_t max_connections = 4096;                 // open TCP connections; the oldest is closed to make room
  size_t message_cap = 16 * 1024;                // client bytes kept for a first message (= capture ingest's cap)
  size_t max_buffered = 32 * 1024 * 1024;        // client bytes held by all connections together
  int64_t read_timeout_ms = 10'000;              // the first message must be whole within this
  int64_t idle_timeout_ms = 5'000;               // no byte from the client for this long closes the connection
  int64_t lifetime_ms = 30'000;                  // no connection lives longer (TLS handshake and answer included)
  double session_rate = 20, session_burst = 60;  // new sessions (TCP or UDP) per second per source address
  double dns_rate = 5, dns_burst = 10;           // UDP answers per second per source address
  size_t dns_amplification = 3;                  // a UDP answer is at most this many times the query's size
  size_t max_sources = 65'536;                   // source addresses remembered by each rate limiter
};

struct SenseConfig {
  std::string db;                // SQLite probe store (the same file `ingest` writes)
  std::string bind = "0.0.0.0";  // listening address (one; IPv6 sockets are v6-only)
  std::vector<Listen> listeners;
  std::string sensor;  // the sensor's name: sealed into tags (as sensor_id) and named in the capture row
  // Where a per-probe sensor column should go once the store has one (a PostgreSQL backend is adding it):
  // Recorder's capture row names the sensor for now.
  std::string tag_key_file;  // with it, HTTP answers carry a Set-Cookie tag
  std::string cookie = "sid";
  std::string cert_file, key_file;  // PEM; empty: a self-signed certificate made at start
  std::string user;                 // drop to this user after binding (root's default: nobody)
  std::string server_banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3";
  std::string http_server = "nginx/1.22.1";
  Limits limits;
};

}  // namespace sg::sense
