#include "probe/dns.h"

#include <algorithm>
#include <string>

namespace sg {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr uint16_t kTypeOpt = 41;
// A name has at most 127 labels; more pointer hops than that can only be a loop.
constexpr int kMaxPointerHops = 128;
constexpr size_t kMaxNameWire = 255;
// Each RR takes at least 11 bytes, so a message cannot hold more than this many anyway; the cap only
// matters for lying counts.
constexpr size_t kMaxRecords = 65535 / 11 + 1;

void append_label(ByteView label, std::string& text) {
  if (!text.empty()) text += '.';
  for (uint8_t c : label) {
    // \DDD as BIND and Zeek print it, so a byte that is not printable, or a dot (which would read as a
    // label break), stays visible and unambiguous; the backslash is escaped for the same reason.
    if (c < 0x20 || c >= 0x7f || c == '.' || c == '\\') {
      char buf[5] = {'\\', char('0' + c / 100), char('0' + c / 10 % 10), char('0' + c % 10), 0};
      text += buf;
    } else {
      text += static_cast<char>(c);
    }
  }
}

// Reads a (possibly compressed) name starting at `pos` of `msg`; returns an error key or null. `end` is set
// past the name where it started (after its first pointer, if any). `text` may be null when only the
// extent is needed. Pointers may go anywhere in the message; the hop cap is what stops loops.
const char* read_name(ByteView msg, size_t pos, size_t& end, std::string* text) {
  int hops = 0;
  size_t wire = 0;
  bool jumped = false;
  while (true) {
    if (pos >= msg.size()) return "dns.truncated_name";
    uint8_t len = msg[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= msg.size()) return "dns.truncated_name";
      if (++hops > kMaxPointerHops) return "dns.pointer_loop";
      if (!jumped) end = pos + 2;
      jumped = true;
      pos = size_t(len & 0x3F) << 8 | msg[pos + 1];
      continue;
    }
    if (len & 0xC0) return "dns.bad_label";  // 0x40 / 0x80: extended label types, obsolete
    wire += size_t(len) + 1;
    if (wire > kMaxNameWire) return "dns.name_too_long";
    if (pos + 1 + len > msg.size()) return "dns.truncated_name";
    if (len == 0) {
      if (!jumped) end = pos + 1;
      return nullptr;
    }
    if (text) append_label(msg.subspan(pos + 1, len), *text);
    pos += 1 + size_t(len);
  }
}

void fill_header(Cursor& c, DnsProbe& out) {
  c.u16(out.id);
  c.u16(out.flags);
  c.u16(out.qdcount);
  c.u16(out.ancount);
  c.u16(out.nscount);
  c.u16(out.arcount);
  set_dns_flags(out.flags, out);
}

// Parses the first question; `end` is set past it.
const char* read_question(ByteView msg, DnsProbe& out, size_t& end) {
  size_t name_end = 0;
  if (const char* err = read_name(msg, kHeaderSize, name_end, &out.qname)) return err;
  Cursor c(msg.subspan(name_end));
  if (!c.u16(out.qtype) || !c.u16(out.qclass)) return "dns.truncated_question";
  end = name_end + 4;
  return nullptr;
}

DnsEdns read_opt(uint16_t udp_size, uint32_t ttl, ByteView rdata) {
  DnsEdns e;
  e.udp_size = udp_size;
  e.extended_rcode = uint8_t(ttl >> 24);
  e.version = uint8_t(ttl >> 16);
  e.do_bit = ttl & 0x8000;
  Cursor c(rdata);
  uint16_t code = 0, len = 0;
  while (c.u16(code) && c.u16(len) && c.skip(len)) e.options.push_back(code);
  return e;
}

// Walks the records after the question section looking for the OPT pseudo-RR. A malformed record ends the
// walk without failing the probe: the question is what identifies the scanner.
void read_records(ByteView msg, size_t pos, DnsProbe& out) {
  size_t questions = std::min<size_t>(out.qdcount, kMaxRecords) - 1;  // the first one is already read
  for (size_t i = 0; i < questions; ++i) {
    size_t end = 0;
    if (read_name(msg, pos, end, nullptr) || end + 4 > msg.size()) return;
    pos = end + 4;
  }
  size_t answers = size_t(out.ancount) + out.nscount;
  size_t total = std::min(answers + out.arcount, kMaxRecords);
  for (size_t i = 0; i < total; ++i) {
    size_t end = 0;
    if (read_name(msg, pos, end, nullptr)) return;
    Cursor c(msg.subspan(std::min(end, msg.size())));
    uint16_t type = 0, cls = 0, rdlen = 0;
    uint32_t ttl = 0;
    ByteView rdata;
    if (!c.u16(type) || !c.u16(cls) || !c.u32(ttl) || !c.u16(rdlen) || !c.bytes(rdlen, rdata)) return;
    if (type == kTypeOpt && i >= answers && !out.edns) out.edns = read_opt(cls, ttl, rdata);
    pos = end + 10 + rdlen;
  }
}

}  // namespace

constexpr uint16_t kMaxQuestions = 16;
constexpr uint16_t kMaxTcpQuery = 8192;  // queries are small; a larger length prefix is another protocol

Match dns_match(ByteView message) {
  DnsProbe p;
  if (message.size() < kHeaderSize) return Match::no;
  Cursor c(message);
  fill_header(c, p);
  // Real queries ask one question (a few at most); other binary protocols (ONC RPC record marks, SMB)
  // often pass the header test with absurd counts.
  if (p.qr || p.qdcount == 0 || p.qdcount > kMaxQuestions) return Match::no;
  size_t end = 0;
  return read_question(message, p, end) ? Match::no : Match::yes;
}

ParseStatus parse_dns_query(ByteView message, DnsProbe& out) {
  out = DnsProbe{};
  if (message.size() < kHeaderSize) return {"dns.short_header"};
  Cursor c(message);
  fill_header(c, out);
  if (out.qdcount == 0) return {"dns.no_question"};
  size_t end = 0;
  if (const char* err = read_question(message, out, end)) return {err};
  read_records(message, end, out);
  return {};
}

namespace {

// The message of a TCP stream: what follows the length prefix, up to that length.
ByteView tcp_message(ByteView stream, uint16_t& declared) {
  declared = uint16_t(stream[0] << 8 | stream[1]);
  ByteView rest = stream.subspan(2);
  return rest.first(std::min<size_t>(rest.size(), declared));
}

}  // namespace

Match dns_tcp_match(ByteView stream) {
  if (stream.size() < 2 + kHeaderSize) {
    if (stream.size() >= 2 && (stream[0] << 8 | stream[1]) < int(kHeaderSize)) return Match::no;
    if (stream.size() >= 5 && (stream[4] & 0x80)) return Match::no;  // QR set: a response
    return Match::need_more;
  }
  uint16_t declared = 0;
  ByteView msg = tcp_message(stream, declared);
  if (declared < kHeaderSize || declared > kMaxTcpQuery) return Match::no;
  Match m = dns_match(msg);
  if (m == Match::no && msg.size() < declared) {
    // The question may still be arriving; only the header decides "no" this early.
    DnsProbe p;
    Cursor c(msg);
    fill_header(c, p);
    return p.qr || p.qdcount == 0 ? Match::no : Match::need_more;
  }
  return m;
}

MessageState dns_tcp_state(ByteView stream) {
  Match m = dns_tcp_match(stream);
  if (m == Match::no) return MessageState::invalid;
  if (stream.size() < 2) return MessageState::need_more;
  size_t declared = size_t(stream[0] << 8 | stream[1]);
  return stream.size() - 2 >= declared ? MessageState::complete : MessageState::need_more;
}

ParseStatus parse_dns_tcp_query(ByteView stream, DnsProbe& out) {
  if (stream.size() < 2) {
    out = DnsProbe{};
    return {"dns.short_tcp_length"};
  }
  uint16_t declared = 0;
  // A stream cut short still yields its question when the question arrived.
  return parse_dns_query(tcp_message(stream, declared), out);
}

void set_dns_flags(uint16_t f, DnsProbe& out) {
  out.flags = f;
  out.qr = f & 0x8000;
  out.opcode = (f >> 11) & 0xF;
  out.aa = f & 0x0400;
  out.tc = f & 0x0200;
  out.rd = f & 0x0100;
  out.ra = f & 0x0080;
  out.z = f & 0x0040;
  out.ad = f & 0x0020;
  out.cd = f & 0x0010;
  out.rcode = f & 0xF;
}

}  // namespace sg
