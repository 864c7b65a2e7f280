// Test helpers that assemble ClientHello bytes from plain lists, so tests state the input field by field
// and can break one length at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "probe/probe.h"

namespace sg::test {

inline Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(uint8_t(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

inline void put8(Bytes& b, uint8_t v) { b.push_back(v); }
inline void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put24(Bytes& b, uint32_t v) {
  b.push_back(uint8_t(v >> 16));
  put16(b, uint16_t(v));
}
inline void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

// A vector of 16-bit values behind a 1- or 2-byte length prefix.
inline Bytes u16_vector(const std::vector<uint16_t>& values, int len_bytes = 2) {
  Bytes b;
  if (len_bytes == 1)
    put8(b, uint8_t(values.size() * 2));
  else
    put16(b, uint16_t(values.size() * 2));
  for (uint16_t v : values) put16(b, v);
  return b;
}

struct Extension {
  uint16_t type;
  Bytes body;
};

inline Extension sni_ext(const std::string& host) {
  Bytes b;
  put16(b, uint16_t(host.size() + 3));
  put8(b, 0);  // host_name
  put16(b, uint16_t(host.size()));
  b.insert(b.end(), host.begin(), host.end());
  return {0x0000, b};
}
inline Extension alpn_ext(const std::vector<std::string>& protocols) {
  Bytes list;
  for (const auto& p : protocols) {
    put8(list, uint8_t(p.size()));
    list.insert(list.end(), p.begin(), p.end());
  }
  Bytes b;
  put16(b, uint16_t(list.size()));
  append(b, list);
  return {0x0010, b};
}
inline Extension groups_ext(const std::vector<uint16_t>& groups) { return {0x000a, u16_vector(groups)}; }
inline Extension sigalgs_ext(const std::vector<uint16_t>& algs) { return {0x000d, u16_vector(algs)}; }
inline Extension versions_ext(const std::vector<uint16_t>& versions) { return {0x002b, u16_vector(versions, 1)}; }
inline Extension point_formats_ext(const std::vector<uint8_t>& formats) {
  Bytes b{uint8_t(formats.size())};
  b.insert(b.end(), formats.begin(), formats.end());
  return {0x000b, b};
}

struct HelloSpec {
  uint16_t record_version = 0x0301;
  uint16_t version = 0x0303;
  Bytes random = Bytes(32, 0x11);
  Bytes session_id;
  std::vector<uint16_t> ciphers{0x1301};
  Bytes compression{0};
  std::optional<std::vector<Extension>> extensions;  // nullopt: no extensions block at all
};

// The ClientHello body: everything after the 4-byte handshake header.
inline Bytes hello_body(const HelloSpec& s) {
  Bytes b;
  put16(b, s.version);
  append(b, s.random);
  put8(b, uint8_t(s.session_id.size()));
  append(b, s.session_id);
  append(b, u16_vector(s.ciphers));
  put8(b, uint8_t(s.compression.size()));
  append(b, s.compression);
  if (s.extensions) {
    Bytes exts;
    for (const auto& e : *s.extensions) {
      put16(exts, e.type);
      put16(exts, uint16_t(e.body.size()));
      append(exts, e.body);
    }
    put16(b, uint16_t(exts.size()));
    append(b, exts);
  }
  return b;
}

// Handshake message: type 1, 24-bit length, body.
inline Bytes handshake(const Bytes& body, uint8_t type = 1) {
  Bytes b{type};
  put24(b, uint32_t(body.size()));
  append(b, body);
  return b;
}

// Wraps `payload` in handshake records carrying at most `fragment` bytes each.
inline Bytes records(const Bytes& payload, size_t fragment = 16384, uint16_t record_version = 0x0301) {
  Bytes out;
  for (size_t pos = 0; pos < payload.size(); pos += fragment) {
    const size_t n = std::min(fragment, payload.size() - pos);
    put8(out, 0x16);
    put16(out, record_version);
    put16(out, uint16_t(n));
    out.insert(out.end(), payload.begin() + pos, payload.begin() + pos + n);
  }
  return out;
}

inline Bytes client_hello(const HelloSpec& s) { return records(handshake(hello_body(s)), 16384, s.record_version); }

// Record payloads joined, i.e. the handshake bytes a single-or-multi-record stream carries.
inline Bytes record_payloads(const Bytes& stream) {
  Bytes out;
  for (size_t pos = 0; pos + 5 <= stream.size();) {
    const size_t n = size_t(stream[pos + 3]) << 8 | stream[pos + 4];
    out.insert(out.end(), stream.begin() + pos + 5, stream.begin() + std::min(stream.size(), pos + 5 + n));
    pos += 5 + n;
  }
  return out;
}

}  // namespace sg::test
