#include "sense/answer_dns.h"

#include <algorithm>
#include <cctype>

namespace sg::sense {

namespace {

void put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

// The question's name, lower-cased for the comparison; false when it is malformed. Queries carry no
// compression pointers (RFC 1035 4.1.4 allows them only where a name was written before, and the question
// is the first name), so a pointer is refused.
bool read_name(Cursor& c, std::string& lower) {
  size_t total = 0;
  for (;;) {
    uint8_t len = 0;
    if (!c.u8(len)) return false;
    if (len == 0) return true;
    if (len > 63) return false;
    total += len + 1;
    if (total > 255) return false;
    ByteView label;
    if (!c.bytes(len, label)) return false;
    if (!lower.empty()) lower += '.';
    for (uint8_t ch : label) lower += static_cast<char>(std::tolower(ch));
  }
}

}  // namespace

std::optional<std::string> dns_answer(ByteView query, std::string_view version, size_t max_size) {
  Cursor c(query);
  uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  if (!c.u16(id) || !c.u16(flags) || !c.u16(qd) || !c.u16(an) || !c.u16(ns) || !c.u16(ar)) return std::nullopt;
  const bool qr = flags & 0x8000;
  const unsigned opcode = (flags >> 11) & 0xf;
  if (qr || opcode != 0 || qd != 1) return std::nullopt;
  const size_t qstart = c.pos();
  std::string name;
  uint16_t qtype = 0, qclass = 0;
  if (!read_name(c, name) || !c.u16(qtype) || !c.u16(qclass)) return std::nullopt;
  const std::string_view question = as_chars(query.subspan(qstart, c.pos() - qstart));

  const bool chaos_txt =
      qclass == 3 && (qtype == 16 || qtype == 255) &&
      (name == "version.bind" || name == "version.server" || name == "hostname.bind" || name == "id.server");
  const uint16_t rd = flags & 0x0100;
  // QR, AA, RD copied; RCODE 0 for the CHAOS names, 5 (REFUSED) for the rest.
  uint16_t out_flags = 0x8000 | 0x0400 | rd | (chaos_txt ? 0 : 5);
  std::string out;
  put16(out, id);
  put16(out, out_flags);
  put16(out, 1);
  put16(out, chaos_txt ? 1 : 0);
  put16(out, 0);
  put16(out, 0);
  out += question;
  if (chaos_txt) {
    const std::string_view txt = version.substr(0, std::min<size_t>(version.size(), 255));
    put16(out, 0xc00c);  // the question's name
    put16(out, 16);      // TXT
    put16(out, 3);       // CH
    put16(out, 0);       // TTL 0
    put16(out, 0);
    put16(out, static_cast<uint16_t>(txt.size() + 1));
    out += static_cast<char>(txt.size());
    out += txt;
  }
  if (out.size() > max_size) {
    // Header and question only, truncated: a real client retries over TCP.
    out.resize(12 + question.size());
    out[2] = static_cast<char>(out[2] | 0x02);  // TC
    out[6] = out[7] = 0;                        // ANCOUNT 0
  }
  if (out.size() > max_size) return std::nullopt;
  return out;
}

}  // namespace sg::sense
