#include "session/pipeline.h"

namespace sg {

void run_capture(CaptureReader& reader, SessionTracker& tracker, IngestStats& stats, const LoopOptions& opt) {
  const int linktype = reader.linktype();
  RawPacket raw;
  Packet pkt;
  uint64_t packets = 0, bytes = 0;
  bool stopped = false;
  Progress prog{&reader.name(), 0, reader.file_size(), 0, 0};
  // The hot loop: decode, skip with a counted reason, or hand the packet to its session.
  while (reader.next(raw)) {
    ++packets;
    bytes += raw.wire_len;
    if (const char* why = decode_packet(linktype, raw.data, pkt)) {
      stats.skip(why);
    } else {
      tracker.add(raw.ts_us, pkt);
    }
    if ((packets & 0xffff) == 0) {
      if (opt.stop && opt.stop->load(std::memory_order_relaxed)) {
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
  if (!stopped || opt.finish_on_stop) tracker.finish();
  stats.packets += packets;
  stats.bytes += bytes;
  ++stats.files;
  if (reader.failed()) stats.file_errors[reader.name()] = reader.error();
}

}  // namespace sg
