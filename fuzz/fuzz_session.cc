// libFuzzer: a stream of frames (2-byte length prefixed, raw IP) through the decoder and the session
// tracker, with a tiny table and byte cap so eviction, reassembly and every analyzer are exercised.
#include <pcap/dlt.h>

#include <cstddef>
#include <cstdint>

#include "capture/packet.h"
#include "session/tracker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sg::SessionConfig cfg;
  cfg.max_sessions = 8;
  cfg.byte_cap = 512;
  sg::IngestStats stats;
  size_t probes = 0;
  sg::SessionTracker tracker(
      cfg, [&](sg::Probe&) { ++probes; }, stats);
  int64_t ts = 0;
  size_t off = 0;
  while (off + 3 <= size) {
    size_t len = size_t(data[off]) << 8 | data[off + 1];
    ts += data[off + 2] * 1000000LL;  // time jumps trigger idle eviction
    off += 3;
    if (len > size - off) len = size - off;
    sg::Packet p;
    if (!sg::decode_packet(DLT_RAW, sg::ByteView(data + off, len), p)) tracker.add(ts, p);
    off += len;
  }
  tracker.finish();
  return 0;
}
