#include "session/pipeline.h"

#include <vector>

namespace sg {

namespace {

// A packet read ahead of its turn: its own copy of the frame (libpcap reuses its buffer on the next read),
// decoded, and the hash of its session.
struct Ahead {
  int64_t ts_us = 0;
  std::vector<uint8_t> frame;
  Packet pkt;
  const char* skip = nullptr;     // why decoding refused it
  SessionTracker::Lookup lookup;  // its session's key and hash, worked out once
  bool session = false;           // TCP or UDP: it has a session to look up
};

}  // namespace

void run_capture(CaptureReader& reader, SessionTracker& tracker, IngestStats& stats, const LoopOptions& opt) {
  const int linktype = reader.linktype();
  RawPacket raw;
  uint64_t packets = 0, bytes = 0;
  bool stopped = false;
  Progress prog{&reader.name(), 0, reader.file_size(), 0, 0};
  // The hot loop: decode, skip with a counted reason, or hand the packet to its session. Packets go through
  // a three-deep pipeline in order: the newest has its index slot prefetched, the next its session, and
  // the oldest is handed to the tracker, so the two cache misses of a session lookup (most of the tracker's
  // time on a large capture) overlap with other work instead of stalling it.
  constexpr size_t kDepth = 3;
  Ahead ring[kDepth];
  size_t head = 0, held = 0;
  auto hand_over = [&] {
    Ahead& a = ring[head];
    if (a.skip)
      stats.skip(a.skip);
    else if (a.session)
      tracker.add(a.ts_us, a.pkt, a.lookup);
    else
      tracker.add(a.ts_us, a.pkt);  // moves capture time on (idle sessions end)
    head = (head + 1) % kDepth;
    --held;
  };
  while (reader.next(raw)) {
    ++packets;
    bytes += raw.wire_len;
    Ahead& a = ring[(head + held) % kDepth];
    a.ts_us = raw.ts_us;
    a.frame.assign(raw.data.begin(), raw.data.end());
    a.skip = decode_packet(linktype, ByteView(a.frame.data(), a.frame.size()), a.pkt);
    a.session = !a.skip && (a.pkt.proto == 6 || a.pkt.proto == 17);
    if (a.session) {
      a.lookup = SessionTracker::lookup(a.pkt);
      tracker.prefetch_slot(a.lookup);
    }
    ++held;
    if (held >= 2) {
      const Ahead& next = ring[(head + held - 2) % kDepth];
      if (next.session) tracker.prefetch_flow(next.lookup);
    }
    if (held == kDepth) hand_over();
    if ((packets & 0xffff) == 0) {
      if (opt.stop && opt.stop->load(std::memory_order_relaxed)) {
        while (held > 0) hand_over();  // every packet read is handed over, as without the pipeline
        stopped = true;
        break;
      }
      if (opt.progress) {
        prog.done_bytes = reader.compressed_offset();
        prog.packets = stats.packets + packets;
        prog.probes = stats.probes;
        opt.progress(prog);
      }
    }
  }
  while (held > 0) hand_over();
  if (!stopped || opt.finish_on_stop) tracker.finish();
  stats.packets += packets;
  stats.bytes += bytes;
  ++stats.files;
  if (reader.failed()) stats.file_errors[reader.name()] = reader.error();
}

}  // namespace sg
