// libFuzzer: link/IP/transport decoding (tunnels included) of arbitrary frames, for every link type.
#include <pcap/dlt.h>

#include <cstddef>
#include <cstdint>

#include "capture/packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // fuzz/make_corpus.py writes its seeds with these indexes: keep the order, append new link types
  static const int kLinks[] = {DLT_EN10MB,    DLT_RAW,        DLT_NULL,  DLT_LOOP,
                               DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NFLOG, DLT_C_HDLC};
  constexpr size_t kCount = sizeof kLinks / sizeof kLinks[0];
  sg::Packet p;
  (void)sg::decode_packet(kLinks[data[0] % kCount], sg::ByteView(data + 1, size - 1), p);
  return 0;
}
