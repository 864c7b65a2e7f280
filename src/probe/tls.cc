// TLS ClientHello analyzer. The client stream is a sequence of TLS records; the ClientHello handshake
// message may be fragmented over several handshake records (RFC 8446 §5.1), so the record payloads are
// joined before the message is parsed. Every length read from the wire goes through a Cursor.
//
// SSLv2-compatible ClientHellos (first byte 0x80, RFC 5246 appendix E.2) are not TLS records: tls_match
// answers `no` for them and they stay `other` probes. Modern scanners do not send them.
#include "probe/tls.h"

#include <algorithm>
#include <iterator>

#include "probe/ja3.h"
#include "probe/ja4.h"
#include "util/hash.h"

namespace sg {

namespace {

constexpr uint8_t kHandshakeRecord = 0x16;
constexpr uint8_t kClientHello = 0x01;
constexpr size_t kRecordHeader = 5;
constexpr size_t kHandshakeHeader = 4;
// RFC 5246 §6.2.3: no record exceeds 2^14 + 2048 bytes. Larger lengths are garbage that would otherwise
// keep the session waiting for data that never comes.
constexpr uint16_t kMaxRecord = (1 << 14) + 2048;
// Largest ClientHello body the wire format allows: version 2 + random 32 + session id 1+32 + ciphers
// 2+65534 + compression 1+255 + extensions 2+65535. A bigger declared length is not a ClientHello, and
// refusing it keeps a hostile length from making the session layer wait for megabytes.
constexpr uint32_t kMaxHelloBody = 2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535;

enum Ext : uint16_t {
  kServerName = 0x0000,
  kSupportedGroups = 0x000a,
  kEcPointFormats = 0x000b,
  kSignatureAlgorithms = 0x000d,
  kAlpn = 0x0010,
  kSupportedVersions = 0x002b,
};

// Result of walking the records at the start of the stream.
struct Records {
  MessageState state = MessageState::need_more;
  const char* error = nullptr;  // set when state == invalid
  uint16_t record_version = 0;
  uint32_t hello_length = 0;  // the handshake header's 24-bit length, once seen
};

// Checks the handshake header once its 4 bytes are known.
const char* check_handshake_header(uint8_t type, uint32_t length) {
  if (type != kClientHello) return "tls.not_client_hello";
  if (length > kMaxHelloBody) return "tls.bad_handshake_length";
  return nullptr;
}

// Walks consecutive handshake records, appending their payloads to `payload` when it is given, until the
// whole ClientHello message is there. Stops at the first record that is cut short.
Records walk_records(ByteView stream, Bytes* payload) {
  Records r;
  Cursor c(stream);
  size_t joined = 0;       // handshake bytes seen so far, over all records
  uint8_t header[4] = {};  // the handshake header, which may itself be split over records
  while (c.remaining() >= kRecordHeader) {
    uint8_t type = 0;
    uint16_t version = 0, length = 0;
    c.u8(type);
    c.u16(version);
    c.u16(length);
    if (type != kHandshakeRecord) {
      r.error = joined == 0 ? "tls.not_handshake" : "tls.interleaved_record";
      break;
    }
    if (version >> 8 != 3) {
      r.error = "tls.bad_record_version";
      break;
    }
    if (length > kMaxRecord) {
      r.error = "tls.bad_record_length";
      break;
    }
    if (r.record_version == 0) r.record_version = version;  // the first record's (major 3, never 0)
    ByteView body;
    const bool whole = c.bytes(std::min<size_t>(length, c.remaining()), body) && body.size() == length;
    for (size_t i = 0; i < body.size() && joined + i < kHandshakeHeader; ++i) header[joined + i] = body[i];
    if (payload) payload->insert(payload->end(), body.begin(), body.end());
    joined += body.size();
    if (joined >= kHandshakeHeader) {
      r.hello_length = uint32_t(header[1]) << 16 | uint32_t(header[2]) << 8 | header[3];
      if ((r.error = check_handshake_header(header[0], r.hello_length))) break;
      if (joined >= kHandshakeHeader + r.hello_length) {
        r.state = MessageState::complete;
        return r;
      }
    }
    if (!whole) break;
  }
  if (r.error) r.state = MessageState::invalid;
  return r;
}

// Reads a vector of 16-bit values whose byte length is given by a `len_bytes`-byte prefix (1 or 2).
bool read_u16_list(Cursor& c, int len_bytes, std::vector<uint16_t>& out) {
  size_t n = 0;
  if (len_bytes == 1) {
    uint8_t l = 0;
    if (!c.u8(l)) return false;
    n = l;
  } else {
    uint16_t l = 0;
    if (!c.u16(l)) return false;
    n = l;
  }
  Cursor list(ByteView{});
  if (n % 2 != 0 || !c.sub(n, list)) return false;
  out.clear();
  uint16_t v = 0;
  while (list.u16(v)) out.push_back(v);
  return true;
}

// server_name: a list of (name_type, name); the first host_name (type 0) is the SNI. An empty body is
// legal (it is how servers acknowledge SNI) and leaves the name unset.
bool parse_server_name(Cursor& c, TlsProbe& out) {
  if (c.empty()) return true;
  uint16_t list_len = 0;
  Cursor list(ByteView{});
  if (!c.u16(list_len) || !c.sub(list_len, list)) return false;
  while (!list.empty()) {
    uint8_t type = 0;
    uint16_t len = 0;
    ByteView name;
    if (!list.u8(type) || !list.u16(len) || !list.bytes(len, name)) return false;
    if (type == 0 && !out.sni) out.sni = std::string(as_chars(name));
  }
  return true;
}

// ALPN: a 16-bit-length list of 8-bit-length protocol names. Empty names are kept (JA4 defines them).
bool parse_alpn(Cursor& c, TlsProbe& out) {
  uint16_t list_len = 0;
  Cursor list(ByteView{});
  if (!c.u16(list_len) || !c.sub(list_len, list)) return false;
  out.alpn.clear();
  while (!list.empty()) {
    uint8_t len = 0;
    ByteView name;
    if (!list.u8(len) || !list.bytes(len, name)) return false;
    out.alpn.emplace_back(as_chars(name));
  }
  return true;
}

bool parse_point_formats(Cursor& c, TlsProbe& out) {
  uint8_t len = 0;
  ByteView formats;
  if (!c.u8(len) || !c.bytes(len, formats)) return false;
  out.ec_point_formats.assign(formats.begin(), formats.end());
  return true;
}

// The extensions whose content feeds a field, with the error key for a malformed body.
struct BodyParser {
  uint16_t type;
  bool (*parse)(Cursor&, TlsProbe&);
  const char* error;
};
constexpr BodyParser kBodyParsers[] = {
    {kServerName, parse_server_name, "tls.bad_server_name"},
    {kSupportedGroups, [](Cursor& c, TlsProbe& o) { return read_u16_list(c, 2, o.supported_groups); },
     "tls.bad_supported_groups"},
    {kEcPointFormats, parse_point_formats, "tls.bad_ec_point_formats"},
    {kSignatureAlgorithms, [](Cursor& c, TlsProbe& o) { return read_u16_list(c, 2, o.signature_algorithms); },
     "tls.bad_signature_algorithms"},
    {kAlpn, parse_alpn, "tls.bad_alpn"},
    {kSupportedVersions, [](Cursor& c, TlsProbe& o) { return read_u16_list(c, 1, o.supported_versions); },
     "tls.bad_supported_versions"},
};

// Other extensions are recorded by type only. A body must be consumed exactly: bytes left over mean the
// inner length disagrees with the extension's own. RFC 8446 §4.2 forbids duplicates; the fields keep the
// first occurrence, tracked in `done` (one bit per parser, so hostile hellos with thousands of extensions
// cost no more than linear time).
const char* parse_extension_body(uint16_t type, Cursor body, TlsProbe& out, unsigned& done) {
  for (unsigned i = 0; i < std::size(kBodyParsers); ++i) {
    const BodyParser& p = kBodyParsers[i];
    if (p.type != type || (done & 1u << i)) continue;
    done |= 1u << i;
    return p.parse(body, out) && body.empty() ? nullptr : p.error;
  }
  return nullptr;
}

// The extensions block. Absent entirely is legal (pre-TLS 1.2 clients, RFC 5246 §7.4.1.2). In a hello cut
// short, the extensions that did arrive whole are still read.
const char* parse_extensions(Cursor& c, bool complete, TlsProbe& out) {
  if (c.empty()) return nullptr;
  uint16_t total = 0;
  if (!c.u16(total)) return "tls.bad_extensions_length";
  if (total > c.remaining() && complete) return "tls.bad_extensions_length";
  Cursor block(ByteView{});
  c.sub(std::min<size_t>(total, c.remaining()), block);
  unsigned done = 0;
  while (!block.empty()) {
    uint16_t type = 0, len = 0;
    Cursor body(ByteView{});
    if (!block.u16(type) || !block.u16(len) || !block.sub(len, body)) return "tls.bad_extension_length";
    out.extensions.push_back(type);
    if (const char* error = parse_extension_body(type, body, out, done)) return error;
  }
  return nullptr;
}

// The fixed fields ahead of the extensions.
const char* parse_hello_head(Cursor& c, TlsProbe& out) {
  ByteView random, session_id, ciphers, compression;
  if (!c.u16(out.version)) return "tls.truncated";
  if (!c.bytes(32, random)) return "tls.truncated";
  out.random.assign(random.begin(), random.end());
  Cursor(random).u32(out.gmt_unix_time);  // 32 bytes are there, so this read cannot fail
  uint8_t sid_len = 0;
  if (!c.u8(sid_len)) return "tls.truncated";
  if (sid_len > 32) return "tls.bad_session_id_length";
  if (!c.bytes(sid_len, session_id)) return "tls.truncated";
  out.session_id.assign(session_id.begin(), session_id.end());
  uint16_t cipher_len = 0;
  if (!c.u16(cipher_len)) return "tls.truncated";
  if (cipher_len % 2 != 0) return "tls.bad_cipher_suites_length";
  if (!c.bytes(cipher_len, ciphers)) return "tls.truncated";
  for (size_t i = 0; i < ciphers.size(); i += 2) out.ciphers.push_back(uint16_t(ciphers[i] << 8 | ciphers[i + 1]));
  uint8_t comp_len = 0;
  if (!c.u8(comp_len) || !c.bytes(comp_len, compression)) return "tls.truncated";
  out.compression_methods.assign(compression.begin(), compression.end());
  return nullptr;
}

// Parses the ClientHello body (after the 4-byte handshake header). `complete` is false when the message
// was cut short; then every read past the end is reported as truncation rather than as a bad length.
const char* parse_hello_body(ByteView body, bool complete, TlsProbe& out) {
  Cursor c(body);
  const char* error = parse_hello_head(c, out);
  if (!error) error = parse_extensions(c, complete, out);
  if (!complete) return "tls.truncated";
  if (!error && !c.empty()) error = "tls.trailing_data";
  return error;
}

}  // namespace

Match tls_match(ByteView stream) {
  if (stream.empty()) return Match::need_more;
  if (stream[0] != kHandshakeRecord) return Match::no;
  if (stream.size() < 2) return Match::need_more;
  if (stream[1] != 3) return Match::no;
  if (stream.size() < kRecordHeader) return Match::need_more;
  // The handshake type is the first payload byte; a zero-length first record defers the decision to
  // the parser rather than looking at the next record's header.
  const bool empty_record = stream[3] == 0 && stream[4] == 0;
  if (empty_record) return Match::yes;
  if (stream.size() < kRecordHeader + 1) return Match::need_more;
  return stream[kRecordHeader] == kClientHello ? Match::yes : Match::no;
}

MessageState tls_state(ByteView stream) { return walk_records(stream, nullptr).state; }

ParseStatus parse_tls_client_hello(ByteView stream, TlsProbe& out) {
  out = TlsProbe{};
  Bytes handshake;
  Records r = walk_records(stream, &handshake);
  out.record_version = r.record_version;
  if (r.state == MessageState::invalid) return {r.error};
  if (handshake.size() < kHandshakeHeader) return {"tls.truncated"};
  const bool complete = r.state == MessageState::complete;
  ByteView body = ByteView(handshake).subspan(kHandshakeHeader);
  if (complete) body = body.first(r.hello_length);  // records may carry a following handshake message
  if (const char* error = parse_hello_body(body, complete, out)) return {error};
  // Fingerprints only for a whole, well-formed hello: a partial one would name a client that does not exist.
  out.ja3 = ja3_string(out);
  out.ja3_hash = md5_hex(out.ja3);
  out.ja4 = ja4(out, 't');
  return {};
}

}  // namespace sg
