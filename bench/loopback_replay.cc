// A small tcpreplay for bench/live_loopback.sh: sends a capture's Ethernet frames on an interface (loopback)
// through a raw packet socket, paced to a bit rate, looping over the capture until a duration has passed.
// Prints what it sent. Needs root (CAP_NET_RAW).
// usage: loopback_replay FILE.pcap IFACE MBIT_PER_S SECONDS
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s FILE.pcap IFACE MBIT_PER_S SECONDS\n", argv[0]);
    return 2;
  }
  const double mbit = std::atof(argv[3]), seconds = std::atof(argv[4]);
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (!p) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  if (pcap_datalink(p) != DLT_EN10MB) {
    std::fprintf(stderr, "%s: not an Ethernet capture\n", argv[1]);
    return 1;
  }
  // The frames are held in memory so that reading the file does not pace the sending.
  std::vector<std::string> frames;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &hdr, &data) == 1 && frames.size() < 4'000'000)
    frames.emplace_back(reinterpret_cast<const char*>(data), hdr->caplen);
  pcap_close(p);
  if (frames.empty()) return 1;

  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) {
    std::perror("socket");
    return 1;
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_ifindex = static_cast<int>(if_nametoindex(argv[2]));
  addr.sll_protocol = htons(ETH_P_ALL);
  if (addr.sll_ifindex == 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror(argv[2]);
    return 1;
  }
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const double bytes_per_s = mbit * 1e6 / 8;
  uint64_t sent = 0, bytes = 0, failed = 0;
  for (size_t i = 0;; i = (i + 1) % frames.size()) {
    if ((sent & 255) == 0) {
      const double elapsed = std::chrono::duration<double>(clock::now() - t0).count();
      if (elapsed >= seconds) break;
      const double ahead = double(bytes) / bytes_per_s - elapsed;  // pace: never more than the rate
      if (ahead > 0) std::this_thread::sleep_for(std::chrono::duration<double>(ahead));
    }
    if (send(fd, frames[i].data(), frames[i].size(), 0) < 0) ++failed;
    ++sent;
    bytes += frames[i].size();
  }
  const double elapsed = std::chrono::duration<double>(clock::now() - t0).count();
  std::printf("sent %llu frames (%llu failed), %llu bytes in %.2f s: %.0f Mbit/s, %.0f frames/s\n",
              static_cast<unsigned long long>(sent), static_cast<unsigned long long>(failed),
              static_cast<unsigned long long>(bytes), elapsed, double(bytes) * 8 / elapsed / 1e6,
              double(sent) / elapsed);
  close(fd);
  return 0;
}
