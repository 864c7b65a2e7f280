// Test fixtures the tests write themselves: raw frames and small pcap files built byte by byte.
#pragma once

#include <pcap/pcap.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sgtest {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}

// IPv4 header + TCP or UDP segment (checksums left zero: the decoder must not depend on them).
inline Bytes ipv4(const std::array<uint8_t, 4>& src, const std::array<uint8_t, 4>& dst, uint8_t proto, const Bytes& l4,
                  uint8_t ttl = 64, uint16_t frag = 0x4000) {
  Bytes b = {0x45, 0};
  put16(b, uint16_t(20 + l4.size()));
  put16(b, 1);
  put16(b, frag);
  b.push_back(ttl);
  b.push_back(proto);
  put16(b, 0);
  b.insert(b.end(), src.begin(), src.end());
  b.insert(b.end(), dst.begin(), dst.end());
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

inline Bytes tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                 const std::string& payload = "", const Bytes& options = {}, uint16_t window = 64240) {
  Bytes opts = options;
  while (opts.size() % 4) opts.push_back(0);
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, seq);
  put32(b, ack);
  b.push_back(uint8_t((20 + opts.size()) / 4 << 4));
  b.push_back(flags);
  put16(b, window);
  put16(b, 0);
  put16(b, 0);
  b.insert(b.end(), opts.begin(), opts.end());
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, uint16_t(8 + payload.size()));
  put16(b, 0);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes ether(const Bytes& ip, uint16_t type = 0x0800) {
  Bytes b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  put16(b, type);
  b.insert(b.end(), ip.begin(), ip.end());
  return b;
}

struct Frame {
  int64_t ts_us;
  Bytes data;
};

// Writes frames to a pcap file through libpcap itself.
inline void write_pcap(const std::string& path, int linktype, const std::vector<Frame>& frames) {
  pcap_t* dead = pcap_open_dead(linktype, 65535);
  pcap_dumper_t* d = pcap_dump_open(dead, path.c_str());
  for (const Frame& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = f.ts_us / 1000000;
    h.ts.tv_usec = f.ts_us % 1000000;
    h.caplen = h.len = static_cast<bpf_u_int32>(f.data.size());
    pcap_dump(reinterpret_cast<u_char*>(d), &h, f.data.data());
  }
  pcap_dump_close(d);
  pcap_close(dead);
}

inline const uint8_t TCP_FIN = 1, TCP_SYN = 2, TCP_RST = 4, TCP_PSH = 8, TCP_ACK = 16;

// A whole TCP session on Ethernet/IPv4: handshake, client payload in `segments`, FIN.
inline std::vector<Frame> tcp_session(int64_t t0, std::array<uint8_t, 4> c, std::array<uint8_t, 4> s, uint16_t cport,
                                      uint16_t sport, const std::vector<std::string>& segments,
                                      const Bytes& syn_options = {2, 4, 0x05, 0xb4}) {
  std::vector<Frame> out;
  uint32_t cseq = 1000, sseq = 50000;
  out.push_back({t0, ether(ipv4(c, s, 6, tcp(cport, sport, cseq, 0, TCP_SYN, "", syn_options)))});
  out.push_back({t0 + 100, ether(ipv4(s, c, 6, tcp(sport, cport, sseq, cseq + 1, TCP_SYN | TCP_ACK)))});
  out.push_back({t0 + 200, ether(ipv4(c, s, 6, tcp(cport, sport, cseq + 1, sseq + 1, TCP_ACK)))});
  uint32_t seq = cseq + 1;
  int64_t t = t0 + 300;
  for (const auto& seg : segments) {
    out.push_back({t, ether(ipv4(c, s, 6, tcp(cport, sport, seq, sseq + 1, TCP_ACK | TCP_PSH, seg)))});
    seq += static_cast<uint32_t>(seg.size());
    t += 100;
  }
  out.push_back({t, ether(ipv4(c, s, 6, tcp(cport, sport, seq, sseq + 1, TCP_ACK | TCP_FIN)))});
  return out;
}

}  // namespace sgtest
