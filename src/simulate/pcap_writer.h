// Ethernet pcap output for the simulator. Frames go through libpcap's dump writer so the files are exactly
// what libpcap-based readers expect; a capture appears under its final name only once it is complete.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "util/atomic_file.h"
#include "util/bytes.h"

struct pcap;
struct pcap_dumper;

namespace sg::simulate {

class PcapWriter {
 public:
  // Opens a temporary file beside `path` (util/atomic_file.h: hidden, so directory watchers skip it; a
  // symlink is followed, a FIFO written in place); throws std::runtime_error naming the path when it cannot
  // be created.
  explicit PcapWriter(const std::string& path, int snaplen = 65535);
  // Without close() the temporary file is removed and `path` is left as it was: a failed run leaves no
  // half-written capture behind.
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Microsecond timestamp; frames longer than the snap length are cut (the wire length is kept).
  void write(int64_t ts_us, ByteView frame);
  // Flushes, fsyncs and renames the file into place; throws std::runtime_error on a write or rename error.
  void close();

  const std::string& path() const { return path_; }
  uint64_t packets() const { return packets_; }
  uint64_t bytes() const { return bytes_; }  // file size: global header plus records

 private:
  void discard();

  std::string path_;
  uint32_t snaplen_;
  // stdio buffer of the dump file: big, because one small fwrite per header and per frame is the hot path
  std::unique_ptr<char[]> buffer_;
  AtomicFile file_;
  pcap* pcap_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  uint64_t packets_ = 0, bytes_ = 0;
};

}  // namespace sg::simulate
