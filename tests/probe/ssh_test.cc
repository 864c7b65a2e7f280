#include "probe/ssh.h"

#include <gtest/gtest.h>

#include "probe/hassh.h"
#include "probe/proto_fixtures.h"
#include "util/hash.h"

namespace sg {
namespace {

using test::Buf;
using test::bytes_of;
using test::concat;
using test::from_hex;
using test::view;

// Client side of Arkime's tests/pcap/ssh2.pcap (OpenSSH 5.3): banner, then the KEXINIT packet
// (packet_length 788, padding 8). Arkime's expected HASSH is 21b457a327ce7a2d4fce5ef2c42400bd.
const Buf kOpenSsh53Banner = bytes_of("SSH-2.0-OpenSSH_5.3\r\n");
const Buf kOpenSsh53Kexinit = from_hex(
    "000003140814c639665f5425dcb80bf9f0a048380a410000007e6469666669652d68656c6c6d616e2d67726f75702d65"
    "786368616e67652d7368613235362c6469666669652d68656c6c6d616e2d67726f75702d65786368616e67652d736861"
    "312c6469666669652d68656c6c6d616e2d67726f757031342d736861312c6469666669652d68656c6c6d616e2d67726f"
    "7570312d736861310000000f7373682d7273612c7373682d6473730000009d6165733132382d6374722c616573313932"
    "2d6374722c6165733235362d6374722c617263666f75723235362c617263666f75723132382c6165733132382d636263"
    "2c336465732d6362632c626c6f77666973682d6362632c636173743132382d6362632c6165733139322d6362632c6165"
    "733235362d6362632c617263666f75722c72696a6e6461656c2d636263406c797361746f722e6c69752e73650000009d"
    "6165733132382d6374722c6165733139322d6374722c6165733235362d6374722c617263666f75723235362c61726366"
    "6f75723132382c6165733132382d6362632c336465732d6362632c626c6f77666973682d6362632c636173743132382d"
    "6362632c6165733139322d6362632c6165733235362d6362632c617263666f75722c72696a6e6461656c2d636263406c"
    "797361746f722e6c69752e736500000069686d61632d6d64352c686d61632d736861312c756d61632d3634406f70656e"
    "7373682e636f6d2c686d61632d726970656d643136302c686d61632d726970656d64313630406f70656e7373682e636f"
    "6d2c686d61632d736861312d39362c686d61632d6d64352d393600000069686d61632d6d64352c686d61632d73686131"
    "2c756d61632d3634406f70656e7373682e636f6d2c686d61632d726970656d643136302c686d61632d726970656d6431"
    "3630406f70656e7373682e636f6d2c686d61632d736861312d39362c686d61632d6d64352d39360000001a6e6f6e652c"
    "7a6c6962406f70656e7373682e636f6d2c7a6c69620000001a6e6f6e652c7a6c6962406f70656e7373682e636f6d2c7a"
    "6c6962000000000000000000000000000000000000000000");
const Buf kOpenSsh53 = concat(kOpenSsh53Banner, kOpenSsh53Kexinit);
constexpr size_t kOpenSsh53ListsEnd = 21 + 779;  // the tenth name-list ends here

void put_u32(Buf& b, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) b.push_back(uint8_t(v >> shift));
}

// A KEXINIT binary packet holding `lists` (ten name-lists) with `padding` zero bytes of padding.
Buf kexinit_packet(const std::vector<std::string>& lists, uint8_t padding = 4) {
  Buf payload = {20};
  payload.insert(payload.end(), 16, 0xAB);  // cookie
  for (const auto& l : lists) {
    put_u32(payload, uint32_t(l.size()));
    payload.insert(payload.end(), l.begin(), l.end());
  }
  payload.insert(payload.end(), {0, 0, 0, 0, 0});  // first_kex_packet_follows, reserved
  Buf packet;
  put_u32(packet, uint32_t(payload.size() + 1 + padding));
  packet.push_back(padding);
  packet.insert(packet.end(), payload.begin(), payload.end());
  packet.insert(packet.end(), padding, 0);
  return packet;
}

SshProbe parse_ok(const Buf& b) {
  SshProbe s;
  ParseStatus st = parse_ssh(view(b), s);
  EXPECT_TRUE(st.ok()) << st.error;
  return s;
}

TEST(SshParse, RealOpenSshKexinitHassh) {
  SshProbe s = parse_ok(kOpenSsh53);
  EXPECT_EQ(s.banner, "SSH-2.0-OpenSSH_5.3");
  ASSERT_TRUE(s.kexinit);
  ASSERT_EQ(s.kex_algorithms.size(), 4u);
  EXPECT_EQ(s.kex_algorithms[0], "diffie-hellman-group-exchange-sha256");
  EXPECT_EQ(s.host_key_algorithms, (std::vector<std::string>{"ssh-rsa", "ssh-dss"}));
  EXPECT_EQ(s.encryption_c2s.size(), 13u);
  EXPECT_EQ(s.encryption_c2s, s.encryption_s2c);
  EXPECT_EQ(s.mac_c2s.front(), "hmac-md5");
  EXPECT_EQ(s.compression_c2s, (std::vector<std::string>{"none", "zlib@openssh.com", "zlib"}));
  EXPECT_EQ(s.hassh_algorithms,
            "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,diffie-hellman-group14-sha1,"
            "diffie-hellman-group1-sha1;aes128-ctr,aes192-ctr,aes256-ctr,arcfour256,arcfour128,aes128-cbc,"
            "3des-cbc,blowfish-cbc,cast128-cbc,aes192-cbc,aes256-cbc,arcfour,rijndael-cbc@lysator.liu.se;"
            "hmac-md5,hmac-sha1,umac-64@openssh.com,hmac-ripemd160,hmac-ripemd160@openssh.com,hmac-sha1-96,"
            "hmac-md5-96;none,zlib@openssh.com,zlib");
  EXPECT_EQ(s.hassh, "21b457a327ce7a2d4fce5ef2c42400bd");
  EXPECT_EQ(ssh_match(view(kOpenSsh53)), Match::yes);
  EXPECT_EQ(ssh_state(view(kOpenSsh53)), MessageState::complete);
}

TEST(SshParse, SyntheticKexinitListsAndEmptyLists) {
  Buf b = concat(bytes_of("SSH-2.0-Go\r\n"),
                 kexinit_packet({"curve25519-sha256,ext-info-c", "ssh-ed25519", "aes128-gcm@openssh.com",
                                 "aes128-gcm@openssh.com", "", "", "none", "none", "", ""}));
  SshProbe s = parse_ok(b);
  EXPECT_EQ(s.banner, "SSH-2.0-Go");
  EXPECT_EQ(s.kex_algorithms, (std::vector<std::string>{"curve25519-sha256", "ext-info-c"}));
  EXPECT_TRUE(s.mac_c2s.empty());
  EXPECT_EQ(s.hassh_algorithms, "curve25519-sha256,ext-info-c;aes128-gcm@openssh.com;;none");
  EXPECT_EQ(s.hassh, md5_hex(s.hassh_algorithms));
  EXPECT_EQ(ssh_state(view(b)), MessageState::complete);
}

TEST(SshParse, EmptyEntriesInsideListsSurvive) {
  Buf b = concat(bytes_of("SSH-2.0-x\n"), kexinit_packet({"a,,b", "", "c,", "", "", "", "", "", "", ""}));
  SshProbe s = parse_ok(b);
  EXPECT_EQ(s.kex_algorithms, (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(s.hassh_algorithms, "a,,b;c,;;");
}

TEST(SshParse, BannerOnly) {
  Buf b = bytes_of("SSH-1.5-OpenSSH_6.2\n");
  SshProbe s = parse_ok(b);
  EXPECT_EQ(s.banner, "SSH-1.5-OpenSSH_6.2");
  EXPECT_FALSE(s.kexinit);
  EXPECT_EQ(s.hassh, "");
  EXPECT_EQ(s.hassh_algorithms, "");
  EXPECT_EQ(ssh_state(view(b)), MessageState::need_more);  // the KEXINIT may still come
  Buf partial = bytes_of("SSH-2.0-OpenSSH_for_Windows_7.7");
  EXPECT_EQ(parse_ok(partial).banner, "SSH-2.0-OpenSSH_for_Windows_7.7");
  EXPECT_EQ(ssh_state(view(partial)), MessageState::need_more);
}

TEST(SshParse, NonKexinitAfterBannerCompletes) {
  // A packet of another type (here 21, NEWKEYS) after the banner: the banner is the probe.
  Buf b = concat(bytes_of("SSH-2.0-libssh_0.9.6\r\n"), from_hex("0000000c 0a 15 00000000000000000000"));
  EXPECT_EQ(ssh_state(view(b)), MessageState::complete);
  SshProbe s = parse_ok(b);
  EXPECT_EQ(s.banner, "SSH-2.0-libssh_0.9.6");
  EXPECT_FALSE(s.kexinit);
  // Text after the banner, not a binary packet at all.
  Buf text = bytes_of("SSH-2.0-x\r\nhello there\r\n");
  EXPECT_EQ(ssh_state(view(text)), MessageState::complete);
  EXPECT_FALSE(parse_ok(text).kexinit);
}

TEST(SshParse, MalformedWholeKexinitIsAnError) {
  Buf packet = kexinit_packet({"a", "b", "c", "d", "e", "f", "g", "h", "", ""});
  packet[4 + 1 + 1 + 16 + 3] = 0xff;  // first name-list length now runs past the packet
  Buf b = concat(bytes_of("SSH-2.0-x\r\n"), packet);
  EXPECT_EQ(ssh_state(view(b)), MessageState::complete);
  SshProbe s;
  EXPECT_STREQ(parse_ssh(view(b), s).error, "ssh.bad_kexinit");
  EXPECT_EQ(s.banner, "SSH-2.0-x");
}

TEST(SshParse, PaddingLargerThanPacketIsNotKexinit) {
  Buf b = concat(bytes_of("SSH-2.0-x\r\n"), from_hex("00000008 09 14 00000000000000"));
  EXPECT_EQ(ssh_state(view(b)), MessageState::complete);
  EXPECT_FALSE(parse_ok(b).kexinit);
}

TEST(SshMatch, Prefixes) {
  auto match = [](std::string_view s) {
    Buf b = bytes_of(s);
    return ssh_match(view(b));
  };
  EXPECT_EQ(match(""), Match::need_more);
  EXPECT_EQ(match("S"), Match::need_more);
  EXPECT_EQ(match("SSH"), Match::need_more);
  EXPECT_EQ(match("SSH-"), Match::yes);
  EXPECT_EQ(match("SSX"), Match::no);
  EXPECT_EQ(match("ssh-2.0"), Match::no);
  EXPECT_EQ(match("GET / HTTP/1.1"), Match::no);
  // Lines before the identification line are not skipped: the banner must start the stream.
  EXPECT_EQ(match("hello\r\nSSH-2.0-x\r\n"), Match::no);
  Buf junk = bytes_of("xSSH-2.0-x\r\n");
  SshProbe s;
  EXPECT_STREQ(parse_ssh(view(junk), s).error, "ssh.no_banner");
  EXPECT_EQ(ssh_state(view(junk)), MessageState::invalid);
}

TEST(SshParse, OverlongBannerIsInvalid) {
  Buf b = bytes_of("SSH-2.0-" + std::string(2000, 'x'));
  EXPECT_EQ(ssh_state(view(b)), MessageState::invalid);
  SshProbe s;
  EXPECT_STREQ(parse_ssh(view(b), s).error, "ssh.banner_too_long");
  Buf terminated = bytes_of("SSH-2.0-" + std::string(2000, 'x') + "\r\n");
  EXPECT_EQ(ssh_state(view(terminated)), MessageState::invalid);
}

TEST(SshState, EveryPrefixOfRealStream) {
  for (size_t n = 0; n < kOpenSsh53.size(); ++n) {
    Buf b(kOpenSsh53.begin(), kOpenSsh53.begin() + n);
    EXPECT_EQ(ssh_match(view(b)), n < 4 ? Match::need_more : Match::yes) << n;
    EXPECT_EQ(ssh_state(view(b)), MessageState::need_more) << n;
    SshProbe s;
    ParseStatus st = parse_ssh(view(b), s);
    if (n < 4) continue;
    ASSERT_TRUE(st.ok()) << n << " " << st.error;
    // A KEXINIT cut short still gives its HASSH once the four lists it needs (and the rest) arrived.
    EXPECT_EQ(s.hassh, n >= kOpenSsh53ListsEnd ? "21b457a327ce7a2d4fce5ef2c42400bd" : "") << n;
  }
}

TEST(SshParse, FillHasshWithoutKexinitClears) {
  SshProbe s;
  s.kex_algorithms = {"x"};
  s.hassh = "stale";
  fill_hassh(s);
  EXPECT_EQ(s.hassh, "");
  EXPECT_EQ(s.hassh_algorithms, "");
}

TEST(SshParse, RandomGarbageNeverCrashes) {
  test::Garbage g(4253);
  Buf banner = bytes_of("SSH-2.0-x\r\n");
  for (int i = 0; i < 20000; ++i) {
    Buf b;
    switch (i % 3) {
      case 0:
        b = concat(banner, g.random(200));
        break;
      case 1:
        b = g.mutate(kOpenSsh53);
        break;
      default:
        b = concat(banner, g.mutate(kexinit_packet({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"})));
    }
    SshProbe s;
    ssh_match(view(b));
    ssh_state(view(b));
    parse_ssh(view(b), s);
  }
}

}  // namespace
}  // namespace sg
