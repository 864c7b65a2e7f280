#include "capture/reader.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sg {

// libpcap reads from a stdio FILE*. Compressed captures are decoded on the fly behind a glibc
// fopencookie stream, so libpcap's own pcap/pcapng parsing does the work for every variant.
struct CaptureReader::Stream {
  FILE* raw = nullptr;      // the file on disk (zstd / none)
  gzFile gz = nullptr;      // gzip reader (owns its own descriptor)
  ZSTD_DStream* zs = nullptr;
  std::vector<uint8_t> zin;
  ZSTD_inBuffer zbuf{nullptr, 0, 0};
  bool zeof = false;
  uint64_t pos = 0;         // decompressed bytes handed to stdio
  std::string decode_error;

  ~Stream() {
    if (gz) gzclose(gz);
    if (zs) ZSTD_freeDStream(zs);
    if (raw) fclose(raw);
  }

  ssize_t read_gzip(char* buf, size_t size) {
    int n = gzread(gz, buf, static_cast<unsigned>(std::min<size_t>(size, 1 << 30)));
    if (n < 0) {
      int err = 0;
      decode_error = fmt::format("gzip: {}", gzerror(gz, &err));
      return -1;
    }
    return n;
  }

  ssize_t read_zstd(char* buf, size_t size) {
    ZSTD_outBuffer out{buf, size, 0};
    while (out.pos == 0) {
      if (zbuf.pos == zbuf.size) {
        if (zeof) return 0;
        size_t n = fread(zin.data(), 1, zin.size(), raw);
        if (n == 0) {
          zeof = true;
          return 0;
        }
        zbuf = {zin.data(), n, 0};
      }
      size_t rc = ZSTD_decompressStream(zs, &out, &zbuf);
      if (ZSTD_isError(rc)) {
        decode_error = fmt::format("zstd: {}", ZSTD_getErrorName(rc));
        return -1;
      }
    }
    return static_cast<ssize_t>(out.pos);
  }

  uint64_t compressed_pos() const {
    if (gz) return static_cast<uint64_t>(gzoffset(gz));
    if (raw) return static_cast<uint64_t>(ftello(raw)) - (zbuf.size - zbuf.pos);
    return 0;
  }
};

namespace {

ssize_t cookie_read(void* cookie, char* buf, size_t size) {
  auto* s = static_cast<CaptureReader::Stream*>(cookie);
  ssize_t n = s->gz ? s->read_gzip(buf, size) : s->read_zstd(buf, size);
  if (n > 0) s->pos += static_cast<uint64_t>(n);
  return n;
}

// Only "where am I" is supported: enough for ftell, and libpcap never seeks an offline capture.
int cookie_seek(void* cookie, off64_t* off, int whence) {
  auto* s = static_cast<CaptureReader::Stream*>(cookie);
  if (whence == SEEK_CUR && *off == 0) {
    *off = static_cast<off64_t>(s->pos);
    return 0;
  }
  errno = ESPIPE;
  return -1;
}

int cookie_close(void*) { return 0; }  // the Stream is owned by the reader

Compression sniff(FILE* f) {
  uint8_t m[4] = {0, 0, 0, 0};
  size_t n = fread(m, 1, 4, f);
  rewind(f);
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return Compression::gzip;
  if (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return Compression::zstd;
  return Compression::none;
}

}  // namespace

std::unique_ptr<CaptureReader> CaptureReader::open_file(const std::string& path) {
  std::unique_ptr<CaptureReader> r(new CaptureReader);
  r->name_ = path;
  struct stat st{};
  if (stat(path.c_str(), &st) != 0)
    throw CaptureError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw CaptureError(fmt::format("{}: is a directory", path));
  r->file_size_ = static_cast<uint64_t>(st.st_size);
  r->stream_ = std::make_unique<Stream>();
  Stream& s = *r->stream_;
  s.raw = fopen(path.c_str(), "rb");
  if (!s.raw) throw CaptureError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  r->compression_ = sniff(s.raw);

  FILE* fp = s.raw;
  if (r->compression_ != Compression::none) {
    if (r->compression_ == Compression::gzip) {
      fclose(s.raw);
      s.raw = nullptr;
      s.gz = gzopen(path.c_str(), "rb");
      if (!s.gz) throw CaptureError(fmt::format("{}: cannot open gzip stream", path));
      gzbuffer(s.gz, 1 << 17);
    } else {
      s.zs = ZSTD_createDStream();
      ZSTD_initDStream(s.zs);
      s.zin.resize(ZSTD_DStreamInSize());
    }
    fp = fopencookie(&s, "rb", cookie_io_functions_t{cookie_read, nullptr, cookie_seek, cookie_close});
    if (!fp) throw CaptureError(fmt::format("{}: cannot set up decompression", path));
  } else {
    s.raw = nullptr;  // libpcap takes ownership of the FILE*
  }
  setvbuf(fp, nullptr, _IOFBF, 1 << 17);

  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  r->pcap_ = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (!r->pcap_) {
    fclose(fp);
    std::string why = s.decode_error.empty() ? errbuf : s.decode_error;
    throw CaptureError(fmt::format("{}: not a readable pcap/pcapng capture: {}", path, why));
  }
  r->linktype_ = pcap_datalink(r->pcap_);
  r->last_good_offset_ = r->offset();
  return r;
}

std::unique_ptr<CaptureReader> CaptureReader::open_live(const std::string& iface, const std::string& bpf,
                                                        int snaplen) {
  std::unique_ptr<CaptureReader> r(new CaptureReader);
  r->name_ = "live:" + iface;
  r->live_ = true;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  r->pcap_ = pcap_create(iface.c_str(), errbuf);
  if (!r->pcap_) throw CaptureError(fmt::format("{}: {}", iface, errbuf));
  pcap_set_snaplen(r->pcap_, snaplen);
  pcap_set_timeout(r->pcap_, 100);
  pcap_set_immediate_mode(r->pcap_, 1);
  pcap_set_tstamp_precision(r->pcap_, PCAP_TSTAMP_PRECISION_MICRO);
  if (int rc = pcap_activate(r->pcap_); rc < 0)
    throw CaptureError(fmt::format("{}: cannot capture: {}", iface, pcap_geterr(r->pcap_)));
  if (!bpf.empty()) {
    bpf_program prog{};
    if (pcap_compile(r->pcap_, &prog, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
      throw CaptureError(fmt::format("bad BPF filter '{}': {}", bpf, pcap_geterr(r->pcap_)));
    int rc = pcap_setfilter(r->pcap_, &prog);
    pcap_freecode(&prog);
    if (rc != 0) throw CaptureError(fmt::format("{}: cannot set filter: {}", iface, pcap_geterr(r->pcap_)));
  }
  r->linktype_ = pcap_datalink(r->pcap_);
  return r;
}

CaptureReader::~CaptureReader() {
  if (pcap_) pcap_close(pcap_);  // closes the FILE* it was given (the cookie close is a no-op)
}

bool CaptureReader::next(RawPacket& out) {
  for (;;) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    int rc = pcap_next_ex(pcap_, &hdr, &data);
    if (rc == 1) {
      out.ts_us = int64_t(hdr->ts.tv_sec) * 1000000 + hdr->ts.tv_usec;
      out.data = ByteView(data, hdr->caplen);
      out.wire_len = hdr->len;
      if (!live_) last_good_offset_ = offset();
      return true;
    }
    if (rc == 0) continue;  // live timeout with no packet
    if (rc == PCAP_ERROR_BREAK) return false;
    // libpcap reports a damaged file as an error; the offset is where the damaged record starts.
    std::string why = pcap_geterr(pcap_);
    if (stream_ && !stream_->decode_error.empty()) why = stream_->decode_error;
    error_ = live_ ? fmt::format("{}: {}", name_, why)
                   : fmt::format("{}: damaged capture at byte offset {}: {}", name_, last_good_offset_, why);
    return false;
  }
}

uint64_t CaptureReader::offset() const {
  if (live_ || !pcap_) return 0;
  long pos = ftell(pcap_file(pcap_));
  return pos < 0 ? 0 : static_cast<uint64_t>(pos);
}

uint64_t CaptureReader::compressed_offset() const {
  if (compression_ == Compression::none) return offset();
  return stream_ ? stream_->compressed_pos() : 0;
}

void CaptureReader::break_loop() {
  if (pcap_) pcap_breakloop(pcap_);
}

}  // namespace sg
