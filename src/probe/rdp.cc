#include "probe/rdp.h"

#include <algorithm>
#include <string_view>

namespace sg {

namespace {

constexpr size_t kTpktHeader = 4;
constexpr size_t kCrFixed = 7;  // LI, code, dst-ref, src-ref, class
constexpr size_t kMinTpkt = kTpktHeader + kCrFixed;
constexpr std::string_view kCookiePrefix = "Cookie: mstshash=";
constexpr uint8_t kNegReq = 0x01;
constexpr size_t kNegReqSize = 8;

size_t tpkt_length(ByteView s) { return size_t(s[2]) << 8 | s[3]; }

// RDP_NEG_REQ: type, flags, length u16 LE (always 8), requestedProtocols u32 LE (MS-RDPBCGR 2.2.1.1.1).
bool looks_like_neg_req(ByteView b) { return b.size() >= 4 && b[0] == kNegReq && b[2] == kNegReqSize && b[3] == 0; }

ParseStatus read_neg_req(ByteView b, RdpProbe& out) {
  if (b.empty() || b[0] != kNegReq) return {};  // other negotiation structures are not fingerprinted
  if (!looks_like_neg_req(b)) return {"rdp.bad_neg_req"};
  if (b.size() < kNegReqSize) return {"rdp.truncated_neg_req"};
  out.neg_flags = b[1];
  out.requested_protocols = uint32_t(b[4]) | uint32_t(b[5]) << 8 | uint32_t(b[6]) << 16 | uint32_t(b[7]) << 24;
  return {};
}

// The CR TPDU's user data: an optional CRLF-terminated cookie or routing token, then an optional
// RDP_NEG_REQ.
ParseStatus read_user_data(ByteView data, RdpProbe& out) {
  std::string_view s = as_chars(data);
  if (s.empty() || looks_like_neg_req(data)) return read_neg_req(data, out);
  size_t crlf = s.find("\r\n");
  std::string_view line = s.substr(0, crlf);
  if (line.starts_with(kCookiePrefix))
    out.cookie = std::string(line.substr(kCookiePrefix.size()));
  else if (crlf != std::string_view::npos)
    out.routing_token = std::string(line);
  else
    return {"rdp.bad_user_data"};
  // A cookie without its CRLF is kept: the name is what identifies the client.
  if (crlf == std::string_view::npos) return {};
  return read_neg_req(data.subspan(crlf + 2), out);
}

}  // namespace

Match rdp_match(ByteView stream) {
  if (stream.empty()) return Match::need_more;
  if (stream[0] != 0x03 || (stream.size() > 1 && stream[1] != 0x00)) return Match::no;
  if (stream.size() < kTpktHeader) return Match::need_more;
  size_t len = tpkt_length(stream);
  if (len < kMinTpkt) return Match::no;
  if (stream.size() < kTpktHeader + 2) return Match::need_more;
  uint8_t li = stream[4], code = stream[5];
  // LI counts the TPDU header after itself; the CR's fixed part alone is 6 bytes.
  if (li < kCrFixed - 1 || size_t(li) + 1 > len - kTpktHeader) return Match::no;
  return (code & 0xF0) == 0xE0 ? Match::yes : Match::no;
}

MessageState rdp_state(ByteView stream) {
  Match m = rdp_match(stream);
  if (m != Match::yes) return m == Match::no ? MessageState::invalid : MessageState::need_more;
  return stream.size() >= tpkt_length(stream) ? MessageState::complete : MessageState::need_more;
}

ParseStatus parse_rdp(ByteView stream, RdpProbe& out) {
  out = RdpProbe{};
  if (rdp_match(stream) != Match::yes) return {"rdp.not_connection_request"};
  ByteView tpdu = stream.first(std::min(stream.size(), tpkt_length(stream))).subspan(kTpktHeader);
  if (tpdu.size() < kCrFixed) return {"rdp.truncated"};
  // MS-RDPBCGR counts the cookie and RDP_NEG_REQ inside LI, but the TPKT length bounds them either way, so
  // a client that sets LI to the fixed part only is read the same.
  return read_user_data(tpdu.subspan(kCrFixed), out);
}

}  // namespace sg
