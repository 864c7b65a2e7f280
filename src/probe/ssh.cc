#include "probe/ssh.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "probe/hassh.h"

namespace sg {

namespace {

constexpr std::string_view kPrefix = "SSH-";
// RFC 4253 allows 255 bytes including CR LF; some clients overshoot, so allow more before giving up.
constexpr size_t kMaxBanner = 1024;
constexpr uint8_t kMsgKexinit = 20;
// RFC 4253 §6.1: implementations must handle packets of 35000 bytes; a bigger first packet is not a KEXINIT.
constexpr uint32_t kMaxPacket = 35000;
constexpr size_t kCookie = 16;

struct Banner {
  std::string_view text;  // without CR / LF
  size_t next = 0;        // offset of the first byte after the line
  bool whole = false;     // the LF arrived
};

// Expects ssh_match() == yes.
std::optional<Banner> find_banner(std::string_view s) {
  size_t lf = s.find('\n');
  if (lf == std::string_view::npos) {
    if (s.size() >= kMaxBanner) return std::nullopt;
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return Banner{s, s.size(), false};
  }
  if (lf >= kMaxBanner) return std::nullopt;
  std::string_view text = s.substr(0, lf);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return Banner{text, lf + 1, true};
}

enum class Packet { partial, kexinit, other };

// Classifies the bytes after the banner: the binary packet header is packet_length u32, padding_length u8,
// then the message type.
Packet classify_packet(ByteView rest, uint32_t& packet_length) {
  Cursor c(rest);
  uint8_t padding = 0, type = 0;
  if (!c.u32(packet_length) || !c.u8(padding) || !c.u8(type)) return Packet::partial;
  bool plausible = packet_length >= 2 && packet_length <= kMaxPacket && padding < packet_length - 1;
  return plausible && type == kMsgKexinit ? Packet::kexinit : Packet::other;
}

std::vector<std::string> split_names(std::string_view list) {
  std::vector<std::string> out;
  if (list.empty()) return out;
  out.reserve(std::count(list.begin(), list.end(), ',') + 1);  // one allocation for the list
  size_t start = 0;
  while (true) {
    size_t comma = list.find(',', start);
    out.emplace_back(list.substr(start, comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

bool read_name_list(Cursor& c, std::vector<std::string>& out) {
  uint32_t len = 0;
  ByteView b;
  if (!c.u32(len) || !c.bytes(len, b)) return false;
  out = split_names(as_chars(b));
  return true;
}

// Reads the ten name-lists of a KEXINIT payload, positioned after the message type byte.
bool read_kexinit(Cursor c, SshProbe& out) {
  std::vector<std::string>* lists[] = {
      &out.kex_algorithms, &out.host_key_algorithms, &out.encryption_c2s, &out.encryption_s2c, &out.mac_c2s,
      &out.mac_s2c,        &out.compression_c2s,     &out.compression_s2c};
  std::vector<std::string> languages;
  if (!c.skip(kCookie)) return false;
  for (auto* list : lists)
    if (!read_name_list(c, *list)) return false;
  return read_name_list(c, languages) && read_name_list(c, languages);
}

// Parses the KEXINIT packet at the start of `rest`. A packet cut short is not an error (the banner alone
// is a probe), but a whole packet whose lists do not fit is.
ParseStatus parse_kexinit(ByteView rest, SshProbe& out) {
  uint32_t packet_length = 0;
  if (classify_packet(rest, packet_length) != Packet::kexinit) return {};
  bool whole = rest.size() - 4 >= packet_length;
  ByteView packet = rest.subspan(4, std::min<size_t>(rest.size() - 4, packet_length));
  uint8_t padding = packet[0];
  size_t payload_len = std::min<size_t>(packet.size() - 1, packet_length - 1 - padding);
  Cursor c(packet.subspan(2, payload_len - 1));  // past padding_length and the message type
  SshProbe lists;
  if (!read_kexinit(c, lists)) return whole ? ParseStatus{"ssh.bad_kexinit"} : ParseStatus{};
  lists.banner = std::move(out.banner);
  lists.kexinit = true;
  out = std::move(lists);
  fill_hassh(out);
  return {};
}

}  // namespace

Match ssh_match(ByteView stream) {
  std::string_view s = as_chars(stream);
  size_t n = std::min(s.size(), kPrefix.size());
  if (s.substr(0, n) != kPrefix.substr(0, n)) return Match::no;
  return n == kPrefix.size() ? Match::yes : Match::need_more;
}

MessageState ssh_state(ByteView stream) {
  Match m = ssh_match(stream);
  if (m != Match::yes) return m == Match::no ? MessageState::invalid : MessageState::need_more;
  auto banner = find_banner(as_chars(stream));
  if (!banner) return MessageState::invalid;
  if (!banner->whole) return MessageState::need_more;
  uint32_t packet_length = 0;
  switch (classify_packet(stream.subspan(banner->next), packet_length)) {
    case Packet::partial:
      return MessageState::need_more;
    case Packet::other:
      return MessageState::complete;
    case Packet::kexinit:
      break;
  }
  return stream.size() - banner->next - 4 >= packet_length ? MessageState::complete : MessageState::need_more;
}

ParseStatus parse_ssh(ByteView stream, SshProbe& out) {
  out = SshProbe{};
  if (ssh_match(stream) != Match::yes) return {"ssh.no_banner"};
  auto banner = find_banner(as_chars(stream));
  if (!banner) return {"ssh.banner_too_long"};
  out.banner = banner->text;
  if (!banner->whole) return {};
  return parse_kexinit(stream.subspan(banner->next), out);
}

}  // namespace sg
