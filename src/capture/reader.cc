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

#include <poll.h>
#include <stdio_ext.h>
#include <time.h>

namespace sg {

constexpr int64_t kMaxCaptureSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// libpcap reads from a stdio FILE*. Compressed captures are decoded on the fly behind a glibc
// fopencookie stream, so libpcap's own pcap/pcapng parsing does the work for every variant.
struct CaptureReader::Stream {
  FILE* raw = nullptr;       // the compressed file on disk
  std::vector<uint8_t> zin;  // compressed bytes read from `raw`, not yet decoded
  bool eof = false;
  // gzip is inflated here rather than through gzread: gzread drops everything it decoded in a call that
  // ends in an error (a bad trailer CRC lost the whole capture), and we want every byte before the damage.
  z_stream gz{};
  bool gzip = false;
  bool gz_in_member = false;  // inside a gzip member (its trailer not yet checked)
  ZSTD_DStream* zs = nullptr;
  ZSTD_inBuffer zbuf{nullptr, 0, 0};
  size_t zhint = 0;          // non-zero while a zstd frame is unfinished: the input it asks for next
  bool zdrained = true;      // the last zstd call handed over everything it had decoded
  uint64_t pos = 0;          // decompressed bytes handed to stdio
  std::string decode_error;  // set once; the read after the last good bytes reports it

  ~Stream() {
    if (gzip) inflateEnd(&gz);
    if (zs) ZSTD_freeDStream(zs);
    if (raw) fclose(raw);
  }

  // More compressed input; false at the end of the file (or a read error, which is reported as damage).
  bool fill(const uint8_t*& next, size_t& avail) {
    if (eof) return false;
    size_t n = fread(zin.data(), 1, zin.size(), raw);
    if (n == 0) {
      eof = true;
      if (ferror(raw)) decode_error = fmt::format("read error: {}", std::strerror(errno));
      return false;
    }
    next = zin.data();
    avail = n;
    return true;
  }

  // What a decoder produced before it failed is returned first; the error comes with the next read, so
  // libpcap sees every record before the damage.
  ssize_t result(size_t produced) const {
    if (produced > 0) return static_cast<ssize_t>(produced);
    return decode_error.empty() ? 0 : -1;
  }

  ssize_t read_gzip(char* buf, size_t size) {
    if (!decode_error.empty()) return -1;
    gz.next_out = reinterpret_cast<Bytef*>(buf);
    gz.avail_out = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    const uInt want = gz.avail_out;
    while (gz.avail_out == want) {
      if (gz.avail_in == 0) {
        const uint8_t* next = nullptr;
        size_t avail = 0;
        if (!fill(next, avail)) {
          if (gz_in_member && decode_error.empty()) decode_error = "gzip: unexpected end of file";
          break;
        }
        gz.next_in = const_cast<Bytef*>(next);
        gz.avail_in = static_cast<uInt>(avail);
      }
      if (!gz_in_member) {  // a new member must start with the magic; anything else is trailing garbage
        if (gz.next_in[0] != 0x1f) {
          eof = true;
          gz.avail_in = 0;
          break;
        }
        inflateReset(&gz);
        gz_in_member = true;
      }
      int rc = inflate(&gz, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        gz_in_member = false;  // concatenated members (gzip a b > c) read on as one stream
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        decode_error = fmt::format("gzip: {}", gz.msg ? gz.msg : zError(rc));
        break;
      }
    }
    return result(want - gz.avail_out);
  }

  ssize_t read_zstd(char* buf, size_t size) {
    if (!decode_error.empty()) return -1;
    // zstd checks a frame's checksum in whatever call reaches it, and a failing call reports none of the
    // output it produced. So a call never gets both: output comes in steps of at most 4 KiB, and new input
    // (no more than zstd asks for, which is one block or the checksum) only once a call has handed over
    // everything decoded so far. A bad checksum then fails a call that had nothing to hand over.
    constexpr size_t kStep = 4096;
    ZSTD_outBuffer out{buf, 0, 0};
    while (out.pos < size) {
      out.size = std::min(size, out.pos + kStep);
      const size_t in_before = zbuf.pos, out_before = out.pos;
      const size_t window = zdrained ? std::min(zbuf.size, zbuf.pos + std::max<size_t>(zhint, 1)) : zbuf.pos;
      ZSTD_inBuffer in{zbuf.src, window, zbuf.pos};
      size_t rc = ZSTD_decompressStream(zs, &out, &in);  // with no input, flushes what it holds
      zbuf.pos = in.pos;
      if (ZSTD_isError(rc)) {
        decode_error = fmt::format("zstd: {}", ZSTD_getErrorName(rc));
        break;
      }
      zdrained = out.pos < out.size;  // room left over: nothing decoded is held back
      if (out.pos > out_before || zbuf.pos > in_before) {
        zhint = rc;  // only a call that moved says where the frame stands (an idle one asks for the next)
        continue;
      }
      if (window > in_before) {  // given input, it took none: never expected, but never loop on it
        decode_error = "zstd: the decoder stopped taking input";
        break;
      }
      if (zbuf.pos < zbuf.size) continue;  // it held nothing back after all: the next call gets input
      if (out.pos > 0) break;              // it needs more input: hand over what we have rather than wait
      const uint8_t* next = nullptr;
      size_t avail = 0;
      if (!fill(next, avail)) {
        if (zhint != 0 && decode_error.empty()) decode_error = "zstd: unexpected end of file";
        break;
      }
      zbuf = {next, avail, 0};
    }
    return result(out.pos);
  }

  uint64_t compressed_pos() const {
    if (!raw) return 0;
    const size_t pending = gzip ? gz.avail_in : zbuf.size - zbuf.pos;
    return static_cast<uint64_t>(ftello(raw)) - pending;
  }
};

namespace {

ssize_t cookie_read(void* cookie, char* buf, size_t size) {
  auto* s = static_cast<CaptureReader::Stream*>(cookie);
  ssize_t n = s->gzip ? s->read_gzip(buf, size) : s->read_zstd(buf, size);
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

namespace {

// Opens `path` into `s` and returns the stdio stream of its decompressed content: the file itself when it is
// not compressed (then s.raw is cleared: the caller owns the FILE*), else a cookie stream over `s`.
FILE* open_decoded(const std::string& path, const std::string& shown, CaptureReader::Stream& s, Compression& comp,
                   uint64_t& size) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw CaptureError(fmt::format("{}: cannot open: {}", shown, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw CaptureError(fmt::format("{}: is a directory", shown));
  size = static_cast<uint64_t>(st.st_size);
  s.raw = fopen(path.c_str(), "rb");
  if (!s.raw) throw CaptureError(fmt::format("{}: cannot open: {}", shown, std::strerror(errno)));
  comp = sniff(s.raw);

  FILE* fp = s.raw;
  if (comp != Compression::none) {
    s.zin.resize(1 << 17);
    if (comp == Compression::gzip) {
      if (inflateInit2(&s.gz, 16 + MAX_WBITS) != Z_OK)  // 16: gzip wrapper, header and trailer checked
        throw CaptureError(fmt::format("{}: cannot set up gzip decompression", shown));
      s.gzip = true;
    } else {
      s.zs = ZSTD_createDStream();
      ZSTD_initDStream(s.zs);
    }
    fp = fopencookie(&s, "rb", cookie_io_functions_t{cookie_read, nullptr, cookie_seek, cookie_close});
    if (!fp) throw CaptureError(fmt::format("{}: cannot set up decompression", shown));
  } else {
    s.raw = nullptr;  // the caller owns the FILE*
  }
  setvbuf(fp, nullptr, _IOFBF, 1 << 17);
  // One thread reads a file, so stdio's lock per call is not needed: libpcap makes two fread calls per
  // packet, and taking the lock was a visible part of them.
  __fsetlocking(fp, FSETLOCKING_BYCALLER);
  return fp;
}

}  // namespace

DecodedFile::DecodedFile() : stream_(std::make_unique<CaptureReader::Stream>()) {}

DecodedFile::~DecodedFile() {
  if (fp_) fclose(fp_);  // the cookie's close is a no-op; the Stream closes the compressed file
}

std::unique_ptr<DecodedFile> DecodedFile::open(const std::string& path, const std::string& name) {
  std::unique_ptr<DecodedFile> d(new DecodedFile);
  d->fp_ = open_decoded(path, name.empty() ? path : name, *d->stream_, d->compression_, d->file_size_);
  return d;
}

const std::string& DecodedFile::decode_error() const { return stream_->decode_error; }

uint64_t DecodedFile::compressed_offset() const {
  return compression_ == Compression::none ? static_cast<uint64_t>(ftello(fp_)) : stream_->compressed_pos();
}

std::unique_ptr<CaptureReader> CaptureReader::open_file(const std::string& path, const std::string& name) {
  std::unique_ptr<CaptureReader> r(new CaptureReader);
  r->name_ = name.empty() ? path : name;
  const std::string& shown = r->name_;
  r->stream_ = std::make_unique<Stream>();
  Stream& s = *r->stream_;
  FILE* fp = open_decoded(path, shown, s, r->compression_, r->file_size_);

  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  r->pcap_ = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (!r->pcap_) {
    fclose(fp);
    std::string why = s.decode_error.empty() ? errbuf : s.decode_error;
    throw CaptureError(fmt::format("{}: not a readable pcap/pcapng capture: {}", shown, why));
  }
  r->linktype_ = pcap_datalink(r->pcap_);
  r->last_good_offset_ = r->offset();
  // A classic pcap file has a 24-byte file header (a pcapng section header alone is 28 or more): its records
  // lie back to back, each a fixed header and caplen bytes, so next() can count offsets instead of asking.
  r->classic_pcap_ = r->last_good_offset_ == 24;
  r->snapshot_ = static_cast<uint32_t>(std::max(0, pcap_snapshot(r->pcap_)));
  return r;
}

std::unique_ptr<CaptureReader> CaptureReader::open_live(const std::string& iface, const std::string& bpf, int snaplen) {
  std::unique_ptr<CaptureReader> r(new CaptureReader);
  r->name_ = "live:" + iface;
  r->live_ = true;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  r->pcap_ = pcap_create(iface.c_str(), errbuf);
  if (!r->pcap_) throw CaptureError(fmt::format("{}: {}", iface, errbuf));
  pcap_set_snaplen(r->pcap_, snaplen);
  pcap_set_timeout(r->pcap_, 100);
  pcap_set_immediate_mode(r->pcap_, 1);
  // 128 MiB of kernel buffer rather than libpcap's 2: a burst of scanner traffic at line rate, or a pause
  // while the store commits, is held instead of dropped. With the 17 KiB snaplen of a live capture's default
  // byte cap, about 7,500 packets (64 MiB: about 3,700, and a replay on loopback lost 0.2-0.5% in half the
  // runs; 128 MiB still lost up to 0.4% in some until the store's writer ran below the reader: bench/RESULTS.md).
  pcap_set_buffer_size(r->pcap_, 128 << 20);
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
  // Non-blocking: next() naps when the ring is empty instead of being woken for every packet (see wait()).
  if (pcap_setnonblock(r->pcap_, 1, errbuf) != 0)
    throw CaptureError(fmt::format("{}: cannot capture: {}", iface, errbuf));
  r->fd_ = pcap_get_selectable_fd(r->pcap_);
  r->linktype_ = pcap_datalink(r->pcap_);
  return r;
}

// The ring is empty. Woken for each packet as it arrives (a blocking read in immediate mode), the reader spent
// most of its time switching tasks and dropped a third of a 400 Mbit/s replay on loopback; so it first naps
// briefly, letting packets gather in the ring, and only when that found nothing either does it wait for
// the socket (then traffic is sparse, and being woken per packet costs little), at most 100 ms so that a
// stop is seen.
void CaptureReader::wait(bool nap) {
  if (nap) {
    // 0.2 ms: about 200 packets at 1 M packets/s, well within the ring (about 7,500 slots of 17 KiB).
    // Naps of 0.05 and 0.5-1 ms dropped more.
    timespec t{0, 200'000};
    nanosleep(&t, nullptr);
    return;
  }
  if (fd_ < 0) return;
  pollfd p{fd_, POLLIN, 0};
  poll(&p, 1, 100);
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
      empty_ = 0;
      // A hostile record can carry any seconds value: clamped to 1970..9999 (and microseconds to one
      // second), the arithmetic here and in every later stage stays far from overflow.
      int64_t sec = std::clamp<int64_t>(int64_t(hdr->ts.tv_sec), 0, kMaxCaptureSeconds);
      int64_t usec = std::clamp<int64_t>(int64_t(hdr->ts.tv_usec), 0, 999999);
      out.ts_us = sec * 1000000 + usec;
      out.data = ByteView(data, hdr->caplen);
      out.wire_len = hdr->len;
      if (!live_) advance_offset(hdr->caplen);
      return true;
    }
    if (rc == 0) {  // live: nothing in the ring now
      if (stop_.load(std::memory_order_relaxed)) return false;
      wait(empty_++ == 0);
      continue;
    }
    if (rc == PCAP_ERROR_BREAK) return false;
    // libpcap reports a damaged file as an error; the offset is where the damaged record starts.
    std::string why = pcap_geterr(pcap_);
    if (stream_ && !stream_->decode_error.empty()) why = stream_->decode_error;
    error_ = live_ ? fmt::format("{}: {}", name_, why)
                   : fmt::format("{}: damaged capture at byte offset {}: {}", name_, last_good_offset_, why);
    return false;
  }
}

// Where the next record starts, for the damage message. ftell per packet was ~2% of `extract`; in a classic
// pcap file a record of caplen below the snapshot length is exactly its header and caplen bytes on disk
// (libpcap cuts only longer records down to the snapshot, after reading and discarding their tail), so the
// offset is counted. The header's size (16, or 24 in the patched formats) is measured once with ftell; pcapng
// (blocks of varying size, blocks skipped) and records at the snapshot length keep asking ftell.
void CaptureReader::advance_offset(uint32_t caplen) {
  if (record_header_ != 0 && caplen < snapshot_) {
    last_good_offset_ += record_header_ + caplen;
    return;
  }
  const uint64_t before = last_good_offset_;
  last_good_offset_ = offset();
  if (classic_pcap_ && record_header_ == 0 && caplen < snapshot_ && last_good_offset_ >= before + caplen) {
    const uint64_t measured = last_good_offset_ - before - caplen;
    if (measured == 16 || measured == 24) record_header_ = static_cast<uint32_t>(measured);
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

bool CaptureReader::live_counters(LiveCounters& out) const {
  pcap_stat st{};
  if (!live_ || !pcap_ || pcap_stats(pcap_, &st) != 0) return false;
  out = {st.ps_recv, st.ps_drop, st.ps_ifdrop};
  return true;
}

void CaptureReader::break_loop() {
  stop_.store(true, std::memory_order_relaxed);  // a lock-free atomic store: safe in a signal handler
  if (pcap_) pcap_breakloop(pcap_);
}

}  // namespace sg
