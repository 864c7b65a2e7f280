// The floor for `extract`: a bare libpcap loop that reads every packet of a capture and touches nothing
// but its length. bench/extract_ratios.sh divides extract's time by this program's.
// usage: pcap_read_loop FILE.pcap
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
    return 2;
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(argv[1], err);
  if (!p) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  uint64_t packets = 0, bytes = 0;
  int rc;
  while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
    ++packets;
    bytes += hdr->caplen;
  }
  if (rc == PCAP_ERROR) std::fprintf(stderr, "%s\n", pcap_geterr(p));
  pcap_close(p);
  std::printf("%llu packets, %llu bytes\n", static_cast<unsigned long long>(packets),
              static_cast<unsigned long long>(bytes));
  return rc == PCAP_ERROR ? 1 : 0;
}
