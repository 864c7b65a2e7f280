// Frames the simulator writes, read back and checked independently of its builders: pcap reading, an
// Ethernet frame's checksums, decoding through the capture stage. Shared by the simulator's tests.
#pragma once

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <string>
#include <vector>

#include "capture/packet.h"
#include "simulate/wire.h"
#include "support/temp_dir.h"

namespace simtest {

using namespace sg;
using namespace sg::simulate;
using sgtest::read_file;

// A fresh directory per test, removed afterwards.
struct TempDir : sgtest::TempDir {
  TempDir() : sgtest::TempDir("sg_simulate") {}
};

struct Frame {
  int64_t ts_us;
  Bytes data;
};

class VectorSink : public PacketSink {
 public:
  void packet(int64_t ts_us, ByteView frame) override { frames.push_back({ts_us, Bytes(frame.begin(), frame.end())}); }
  std::vector<Frame> frames;
};

inline std::vector<Frame> read_pcap(const std::string& path, int* linktype = nullptr) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(p, nullptr) << err;
  std::vector<Frame> out;
  if (!p) return out;
  if (linktype) *linktype = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1)
    out.push_back({int64_t(h->ts.tv_sec) * 1000000 + h->ts.tv_usec, Bytes(data, data + h->caplen)});
  pcap_close(p);
  return out;
}

// Independent of the builder's implementation: a plain big-endian word sum.
inline uint16_t ones_sum(const Bytes& b) {
  uint32_t sum = 0;
  for (size_t i = 0; i < b.size(); i += 2) sum += uint32_t(b[i] << 8 | (i + 1 < b.size() ? b[i + 1] : 0));
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

// Checks the IPv4 header checksum and the TCP/UDP checksum of an Ethernet frame.
inline void expect_checksums_ok(const Bytes& f) {
  ASSERT_GE(f.size(), 14u);
  bool v4 = f[12] == 0x08 && f[13] == 0x00;
  size_t ip = 14, l4 = v4 ? ip + 20 : ip + 40;
  Bytes pseudo;
  uint8_t proto;
  size_t l4_len;
  if (v4) {
    EXPECT_EQ(ones_sum(Bytes(f.begin() + ip, f.begin() + ip + 20)), 0xffff) << "IPv4 header checksum";
    proto = f[ip + 9];
    l4_len = size_t(f[ip + 2] << 8 | f[ip + 3]) - 20;
    pseudo.assign(f.begin() + ip + 12, f.begin() + ip + 20);
    pseudo.insert(pseudo.end(), {0, proto, uint8_t(l4_len >> 8), uint8_t(l4_len)});
  } else {
    proto = f[ip + 6];
    l4_len = size_t(f[ip + 4] << 8 | f[ip + 5]);
    pseudo.assign(f.begin() + ip + 8, f.begin() + ip + 40);
    pseudo.insert(pseudo.end(), {0, 0, uint8_t(l4_len >> 8), uint8_t(l4_len), 0, 0, 0, proto});
  }
  ASSERT_EQ(f.size(), l4 + l4_len) << "frame length matches the IP length";
  Bytes all = pseudo;
  all.insert(all.end(), f.begin() + long(l4), f.end());
  EXPECT_EQ(ones_sum(all), 0xffff) << (proto == 6 ? "TCP" : "UDP") << " checksum";
}

inline Packet decode(const Bytes& f) {
  Packet p;
  const char* err = decode_packet(DLT_EN10MB, f, p);
  EXPECT_EQ(err, nullptr) << err;
  return p;
}

inline IpAddr addr(const char* s) {
  IpAddr a;
  EXPECT_TRUE(parse_ip(s, a));
  return a;
}

inline Flow v4_flow() { return {{addr("198.51.100.20"), 40000}, {addr("192.0.2.10"), 443}, 0}; }
inline Flow v6_flow() { return {{addr("2001:db8:100::5"), 40001}, {addr("2001:db8::10"), 80}, 0x12345}; }

}  // namespace simtest
