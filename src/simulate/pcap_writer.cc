#include "simulate/pcap_writer.h"

#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#if defined(__GLIBC__)
#include <stdio_ext.h>
#endif

namespace sg::sim {

namespace {

constexpr size_t kBufferSize = 1 << 20;
constexpr uint64_t kFileHeader = 24, kRecordHeader = 16;

std::runtime_error error(const std::string& path, const std::string& what) {
  return std::runtime_error(path + ": " + what);
}

// "dir/.name.XXXXXX": same directory, so rename() is atomic; hidden, so `ingest DIR` never sees it.
std::string temp_template(const std::string& path) {
  std::filesystem::path p(path);
  return (p.parent_path() / ("." + p.filename().string() + ".XXXXXX")).string();
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, int snaplen)
    : path_(path), snaplen_(uint32_t(snaplen)), buffer_(new char[kBufferSize]) {
  tmp_path_ = temp_template(path);
  int fd = mkstemp(tmp_path_.data());
  if (fd < 0) throw error(path, std::string("cannot create: ") + std::strerror(errno));
  fchmod(fd, 0644);  // mkstemp makes 0600; a capture is an ordinary shared file
  FILE* f = fdopen(fd, "wb");
  if (!f) {
    ::close(fd);
    unlink(tmp_path_.c_str());
    throw error(path, std::string("cannot open: ") + std::strerror(errno));
  }
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
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
  if (!flushed) {
    discard();
    throw error(path_, "write failed");
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    int e = errno;
    discard();
    throw error(path_, std::string("cannot rename into place: ") + std::strerror(e));
  }
  tmp_path_.clear();
  discard();
}

void PcapWriter::discard() {
  if (dumper_) pcap_dump_close(dumper_);
  dumper_ = nullptr;
  if (pcap_) pcap_close(pcap_);
  pcap_ = nullptr;
  if (!tmp_path_.empty()) unlink(tmp_path_.c_str());
  tmp_path_.clear();
}

}  // namespace sg::sim
