// Capture input: pcap / pcapng files (plain, gzip or zstd, detected by content) and live interfaces,
// all read through libpcap so that one packet loop serves every source.
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "util/bytes.h"

namespace sg {

// A capture that cannot be opened or read; the message names the file and, where known, the byte offset.
class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RawPacket {
  int64_t ts_us = 0;
  ByteView data;          // captured bytes (valid until the next call to next())
  uint32_t wire_len = 0;  // original length on the wire
};

enum class Compression { none, gzip, zstd };

// libpcap's counters of a live capture (pcap_stats): packets the filter passed, and packets lost because the
// kernel's buffer was full (dropped) or by the interface (if_dropped). On Linux they count from the start.
struct LiveCounters {
  uint64_t received = 0, dropped = 0, if_dropped = 0;
};

class CaptureReader {
 public:
  // Throws CaptureError for a missing file, an unknown format or a corrupt header.
  // `name` is what messages call it, when not `path` (standard input spooled to a temporary file).
  static std::unique_ptr<CaptureReader> open_file(const std::string& path, const std::string& name = "");
  // Live capture; `bpf` may be empty. Throws CaptureError when the interface cannot be opened.
  static std::unique_ptr<CaptureReader> open_live(const std::string& iface, const std::string& bpf,
                                                  int snaplen = 65535);
  ~CaptureReader();
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  // Next packet; false at the end. A damaged file ends the stream early: then failed() is true and
  // error() says what and where. Everything returned before the damage is valid.
  bool next(RawPacket& out);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  int linktype() const { return linktype_; }
  bool live() const { return live_; }
  const std::string& name() const { return name_; }
  Compression compression() const { return compression_; }
  // Bytes of the (decompressed) capture stream consumed so far: the offset of the next record.
  uint64_t offset() const;
  // Size of the file on disk, 0 for live captures; with compressed_offset() it drives progress bars.
  uint64_t file_size() const { return file_size_; }
  uint64_t compressed_offset() const;
  // A live capture's counters so far; false for a file, or when libpcap cannot tell.
  bool live_counters(LiveCounters& out) const;
  // Stops a live capture from another thread or a signal handler.
  void break_loop();

  struct Stream;  // the decompressing stdio stream behind libpcap (defined in reader.cc)

 private:
  CaptureReader() = default;
  void advance_offset(uint32_t caplen);
  void wait(bool nap);  // live: the ring is empty
  std::string name_;
  pcap_t* pcap_ = nullptr;
  std::unique_ptr<Stream> stream_;
  int linktype_ = 0;
  bool live_ = false;
  Compression compression_ = Compression::none;
  uint64_t file_size_ = 0;
  uint64_t last_good_offset_ = 0;
  bool classic_pcap_ = false;   // pcap, not pcapng: records back to back (see advance_offset)
  uint32_t snapshot_ = 0;       // the file's snapshot length as libpcap applies it
  uint32_t record_header_ = 0;  // bytes before each record's data once measured; 0: ask ftell
  std::string error_;
  int fd_ = -1;                    // live: the socket to wait on
  unsigned empty_ = 0;             // live: reads in a row that found the ring empty
  std::atomic<bool> stop_{false};  // live: break_loop() was called
};

// A file's content, decompressed (gzip and zstd detected by content, as for captures), as a stdio stream: for
// readers of other formats (logs/) that want the same decoding and its damage reporting.
class DecodedFile {
 public:
  // Throws CaptureError for a missing file or a directory. `name` is what messages call it.
  static std::unique_ptr<DecodedFile> open(const std::string& path, const std::string& name = "");
  ~DecodedFile();
  DecodedFile(const DecodedFile&) = delete;
  DecodedFile& operator=(const DecodedFile&) = delete;

  FILE* file() const { return fp_; }
  Compression compression() const { return compression_; }
  // Why the decompressed stream ended early (bad gzip/zstd data, a read error); empty otherwise.
  const std::string& decode_error() const;
  uint64_t file_size() const { return file_size_; }
  uint64_t compressed_offset() const;

 private:
  DecodedFile();
  std::unique_ptr<CaptureReader::Stream> stream_;
  FILE* fp_ = nullptr;
  Compression compression_ = Compression::none;
  uint64_t file_size_ = 0;
};

}  // namespace sg
