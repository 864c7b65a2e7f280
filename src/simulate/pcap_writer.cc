#include "simulate/pcap_writer.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#if defined(__GLIBC__)
#include <stdio_ext.h>
#endif

#include "util/atomic_file.h"

namespace sg::simulate {

namespace {

constexpr size_t kBufferSize = 1 << 20;
constexpr uint64_t kFileHeader = 24, kRecordHeader = 16;

std::runtime_error error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, int snaplen)
    : path_(path), snaplen_(uint32_t(snaplen)), buffer_(new char[kBufferSize]), file_(path) {
  FILE* f = std::fopen(file_.write_path().c_str(), "wb");
  if (!f) throw error(path, std::string("cannot open: ") + std::strerror(errno));
  setvbuf(f, buffer_.get(), _IOFBF, kBufferSize);
#if defined(__GLIBC__)
  __fsetlocking(f, FSETLOCKING_BYCALLER);  // one thread writes; skip the per-fwrite lock
#endif
  pcap_ = pcap_open_dead(DLT_EN10MB, snaplen);
  dumper_ = pcap_ ? pcap_dump_fopen(pcap_, f) : nullptr;
  if (!dumper_) {
    fclose(f);
    discard();
    throw error(path, "cannot start a pcap file");
  }
  bytes_ = kFileHeader;
}

PcapWriter::~PcapWriter() { discard(); }

void PcapWriter::write(int64_t ts_us, ByteView frame) {
  pcap_pkthdr h{};
  h.ts.tv_sec = ts_us / 1000000;
  h.ts.tv_usec = ts_us % 1000000;
  h.len = uint32_t(frame.size());
  h.caplen = std::min(h.len, snaplen_);
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, frame.data());
  ++packets_;
  bytes_ += kRecordHeader + h.caplen;
}

void PcapWriter::close() {
  if (!dumper_) throw error(path_, "already closed");
  bool flushed = pcap_dump_flush(dumper_) == 0 && !ferror(pcap_dump_file(dumper_));
  flushed &= std::fclose(pcap_dump_file(dumper_)) == 0;  // pcap_dump_close() would hide this error
  dumper_ = nullptr;
  if (!flushed) {
    discard();
    throw error(path_, "write failed");
  }
  file_.commit();  // fsync and rename into place; on error it removes the temporary and throws naming the file
  discard();
}

void PcapWriter::discard() {
  if (dumper_) pcap_dump_close(dumper_);
  dumper_ = nullptr;
  if (pcap_) pcap_close(pcap_);
  pcap_ = nullptr;
  file_.abandon();  // nothing once committed
}

}  // namespace sg::simulate
