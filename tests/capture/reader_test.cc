#include "capture/reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/frames.h"

namespace fs = std::filesystem;
using namespace sgtest;

namespace {

class ReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sg_reader_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    for (int i = 0; i < 5; ++i)
      frames_.push_back({1700000000000000 + i * 1000 + i,
                         ether(ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17, udp(1000 + i, 53, Bytes(10 + i, 'a'))))});
    write_pcap(path("plain.pcap"), DLT_EN10MB, frames_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  static void spit(const std::string& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }
  std::vector<sg::RawPacket> read_all(const std::string& p, std::unique_ptr<sg::CaptureReader>* keep = nullptr) {
    auto r = sg::CaptureReader::open_file(p);
    std::vector<sg::RawPacket> out;
    sg::RawPacket pkt;
    while (r->next(pkt)) {
      EXPECT_EQ(pkt.data.size(), frames_[out.size()].data.size());
      out.push_back(pkt);
    }
    if (keep) *keep = std::move(r);
    return out;
  }
  fs::path dir_;
  std::vector<Frame> frames_;
};

TEST_F(ReaderTest, ReadsPlainPcapWithTimestamps) {
  std::unique_ptr<sg::CaptureReader> r;
  auto pkts = read_all(path("plain.pcap"), &r);
  ASSERT_EQ(pkts.size(), 5u);
  EXPECT_EQ(pkts[3].ts_us, frames_[3].ts_us);
  EXPECT_FALSE(r->failed());
  EXPECT_EQ(r->linktype(), DLT_EN10MB);
  EXPECT_EQ(r->compression(), sg::Compression::none);
}

TEST_F(ReaderTest, ReadsGzipAndZstdByContentNotName) {
  std::string raw = slurp(path("plain.pcap"));
  {
    gzFile g = gzopen(path("a.cap").c_str(), "wb");  // deliberately no .gz suffix
    gzwrite(g, raw.data(), static_cast<unsigned>(raw.size()));
    gzclose(g);
  }
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3));
  spit(path("b.pcap.zst"), z);
  std::unique_ptr<sg::CaptureReader> rg, rz;
  EXPECT_EQ(read_all(path("a.cap"), &rg).size(), 5u);
  EXPECT_EQ(rg->compression(), sg::Compression::gzip);
  EXPECT_EQ(read_all(path("b.pcap.zst"), &rz).size(), 5u);
  EXPECT_EQ(rz->compression(), sg::Compression::zstd);
  EXPECT_FALSE(rz->failed()) << rz->error();
}

TEST_F(ReaderTest, TruncatedFileKeepsEarlierPacketsAndNamesOffset) {
  std::string raw = slurp(path("plain.pcap"));
  // global header 24, each record 16 + caplen; cut inside the third record's data
  size_t third = 24 + (16 + frames_[0].data.size()) + (16 + frames_[1].data.size());
  spit(path("cut.pcap"), raw.substr(0, third + 16 + 5));
  std::unique_ptr<sg::CaptureReader> r;
  auto pkts = read_all(path("cut.pcap"), &r);
  EXPECT_EQ(pkts.size(), 2u);
  ASSERT_TRUE(r->failed());
  EXPECT_NE(r->error().find("cut.pcap"), std::string::npos) << r->error();
  EXPECT_NE(r->error().find("byte offset " + std::to_string(third)), std::string::npos) << r->error();
}

// The damage offset is counted from record lengths in a classic pcap, except for records at or over the
// snapshot length, which libpcap cuts down after reading their whole length: those must not shift it.
TEST_F(ReaderTest, DamageOffsetIsExactAfterRecordsLongerThanTheSnapshot) {
  std::string raw = slurp(path("plain.pcap"));
  const uint32_t snaplen = static_cast<uint32_t>(frames_[2].data.size());  // records 0, 1 below; 3, 4 above
  raw.replace(16, 4, reinterpret_cast<const char*>(&snaplen), 4);          // the header's snaplen (host order)
  size_t fifth = 24;
  for (int i = 0; i < 4; ++i) fifth += 16 + frames_[i].data.size();
  spit(path("long.pcap"), raw.substr(0, fifth + 16 + 3));
  auto r = sg::CaptureReader::open_file(path("long.pcap"));
  sg::RawPacket pkt;
  std::vector<size_t> sizes;
  while (r->next(pkt)) sizes.push_back(pkt.data.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{frames_[0].data.size(), frames_[1].data.size(), snaplen, snaplen}));
  ASSERT_TRUE(r->failed());
  EXPECT_NE(r->error().find("byte offset " + std::to_string(fifth) + ":"), std::string::npos) << r->error();
}

TEST_F(ReaderTest, TruncatedGzipReportsDecompressedOffset) {
  std::string raw = slurp(path("plain.pcap"));
  std::string gzpath = path("t.pcap.gz");
  gzFile g = gzopen(gzpath.c_str(), "wb");
  gzwrite(g, raw.data(), static_cast<unsigned>(raw.size()));
  gzclose(g);
  std::string gz = slurp(gzpath);
  spit(gzpath, gz.substr(0, gz.size() - 30));  // lose the tail and the gzip trailer
  std::unique_ptr<sg::CaptureReader> r;
  auto pkts = read_all(gzpath, &r);
  EXPECT_LT(pkts.size(), 5u);
  EXPECT_TRUE(r->failed());
  EXPECT_NE(r->error().find("t.pcap.gz"), std::string::npos) << r->error();
}

TEST_F(ReaderTest, NotACaptureIsAClearError) {
  spit(path("notes.txt"), "this is not a capture, just text\n");
  try {
    sg::CaptureReader::open_file(path("notes.txt"));
    FAIL() << "expected CaptureError";
  } catch (const sg::CaptureError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("notes.txt"), std::string::npos);
    EXPECT_NE(msg.find("not a readable pcap/pcapng capture"), std::string::npos) << msg;
  }
  EXPECT_THROW(sg::CaptureReader::open_file(path("missing.pcap")), sg::CaptureError);
  EXPECT_THROW(sg::CaptureReader::open_file(dir_.string()), sg::CaptureError);
  spit(path("empty.pcap"), "");
  EXPECT_THROW(sg::CaptureReader::open_file(path("empty.pcap")), sg::CaptureError);
}

TEST_F(ReaderTest, CorruptZstdIsReportedNotCrashed) {
  std::string raw = slurp(path("plain.pcap"));
  std::string z(ZSTD_compressBound(raw.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), raw.data(), raw.size(), 3));
  for (size_t i = z.size() / 2; i < z.size(); i += 3) z[i] = static_cast<char>(z[i] ^ 0x5a);
  spit(path("bad.pcap.zst"), z);
  try {
    auto r = sg::CaptureReader::open_file(path("bad.pcap.zst"));
    sg::RawPacket p;
    size_t n = 0;
    while (r->next(p)) ++n;
    EXPECT_LE(n, 5u);
  } catch (const sg::CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.pcap.zst"), std::string::npos);
  }
}

// gzip members with a full flush between the parts: everything in the parts before a damaged one can be
// decoded, so a reader must hand all of it over.
// `ends` gets the compressed offset where each part ends.
std::string gzip_parts(const std::vector<std::string>& parts, std::vector<size_t>* ends = nullptr) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(parts[i].data()));
    z.avail_in = static_cast<uInt>(parts[i].size());
    const int flush = i + 1 == parts.size() ? Z_FINISH : Z_FULL_FLUSH;
    char buf[4096];
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      deflate(&z, flush);
      out.append(buf, sizeof buf - z.avail_out);
    } while (z.avail_out == 0);
    if (ends) ends->push_back(out.size());
  }
  deflateEnd(&z);
  return out;
}

// One zstd frame per part, each with a content checksum.
std::string zstd_frame(const std::string& part) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  std::string z(ZSTD_compressBound(part.size()), '\0');
  z.resize(ZSTD_compress2(c, z.data(), z.size(), part.data(), part.size()));
  ZSTD_freeCCtx(c);
  return z;
}

class DamagedCompressedTest : public ReaderTest {
 protected:
  // 60 packets with incompressible payloads, split after packet 30 (`head` = global header + 30 records).
  void SetUp() override {
    ReaderTest::SetUp();
    frames_.clear();
    uint32_t x = 12345;
    for (int i = 0; i < 60; ++i) {
      Bytes payload(200);
      for (auto& b : payload) b = static_cast<uint8_t>((x = x * 1103515245 + 12345) >> 16);
      frames_.push_back(
          {1700000000000000 + i * 1000, ether(ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 17, udp(2000 + i, 53, payload)))});
    }
    write_pcap(path("many.pcap"), DLT_EN10MB, frames_);
    std::string raw = slurp(path("many.pcap"));
    head_ = raw.substr(0, 24 + 30 * (16 + frames_[0].data.size()));
    tail_ = raw.substr(head_.size());
  }
  // Reads what it can; the packets must be the first ones written, byte for byte.
  size_t read_prefix(const std::string& p, std::unique_ptr<sg::CaptureReader>& r) {
    r = sg::CaptureReader::open_file(p);
    sg::RawPacket pkt;
    size_t n = 0;
    bool same = true;  // garbage after the damage may be decoded: read on (to the error), count no more
    while (r->next(pkt)) {
      same = same && n < frames_.size() && pkt.data.size() == frames_[n].data.size() &&
             std::equal(pkt.data.begin(), pkt.data.end(), frames_[n].data.begin());
      if (same) ++n;
    }
    return n;
  }
  std::string head_, tail_;
};

TEST_F(DamagedCompressedTest, GzipBadTrailerKeepsEveryPacketAndNamesTheOffset) {
  const size_t total = head_.size() + tail_.size();
  for (size_t back : {8u, 2u}) {  // the CRC-32, then the length field
    std::string gz = gzip_parts({head_ + tail_});
    gz[gz.size() - back] = static_cast<char>(gz[gz.size() - back] ^ 0x01);
    spit(path("bad.pcap.gz"), gz);
    std::unique_ptr<sg::CaptureReader> r;
    EXPECT_EQ(read_prefix(path("bad.pcap.gz"), r), 60u) << "trailer byte -" << back;
    ASSERT_TRUE(r->failed());
    EXPECT_NE(r->error().find("bad.pcap.gz: damaged capture at byte offset " + std::to_string(total)),
              std::string::npos)
        << r->error();
    EXPECT_NE(r->error().find(back == 8 ? "incorrect data check" : "incorrect length check"), std::string::npos)
        << r->error();
  }
}

TEST_F(DamagedCompressedTest, GzipFlippedByteKeepsThePacketsBeforeIt) {
  std::vector<size_t> ends;
  std::string gz = gzip_parts({head_, tail_}, &ends);
  const size_t at = (ends[0] + ends[1]) / 2;  // the middle of the tail's compressed bytes
  gz[at] = static_cast<char>(gz[at] ^ 0x40);
  spit(path("flip.pcap.gz"), gz);
  std::unique_ptr<sg::CaptureReader> r;
  EXPECT_GE(read_prefix(path("flip.pcap.gz"), r), 30u);
  ASSERT_TRUE(r->failed());
  EXPECT_NE(r->error().find("flip.pcap.gz: damaged capture at byte offset "), std::string::npos) << r->error();
}

TEST_F(DamagedCompressedTest, TruncatedGzipTrailerIsDamageAfterEveryPacket) {
  std::string gz = gzip_parts({head_ + tail_});
  spit(path("short.pcap.gz"), gz.substr(0, gz.size() - 4));
  std::unique_ptr<sg::CaptureReader> r;
  EXPECT_EQ(read_prefix(path("short.pcap.gz"), r), 60u);
  ASSERT_TRUE(r->failed());
  EXPECT_NE(r->error().find("unexpected end of file"), std::string::npos) << r->error();
}

TEST_F(DamagedCompressedTest, ConcatenatedGzipMembersReadAsOneStream) {
  spit(path("two.pcap.gz"), gzip_parts({head_}) + gzip_parts({tail_}));
  std::unique_ptr<sg::CaptureReader> r;
  EXPECT_EQ(read_prefix(path("two.pcap.gz"), r), 60u);
  EXPECT_FALSE(r->failed()) << r->error();
}

// zstd checks a frame's checksum in whatever call reaches it, and drops that call's output on a mismatch;
// the reader gives it the checksum only in a call with nothing left to hand over, so every packet stays
// (before: the whole frame, then the last 4 KiB).
TEST_F(DamagedCompressedTest, ZstdBadChecksumKeepsEveryPacket) {
  std::string z = zstd_frame(head_ + tail_);
  z.back() = static_cast<char>(z.back() ^ 0x01);
  spit(path("bad.pcap.zst"), z);
  std::unique_ptr<sg::CaptureReader> r;
  EXPECT_EQ(read_prefix(path("bad.pcap.zst"), r), 60u);
  ASSERT_TRUE(r->failed());
  EXPECT_NE(r->error().find("bad.pcap.zst: damaged capture at byte offset"), std::string::npos) << r->error();
}

TEST_F(DamagedCompressedTest, ZstdDamagedSecondFrameKeepsTheFirst) {
  std::string first = zstd_frame(head_), second = zstd_frame(tail_);
  second[second.size() / 2] = static_cast<char>(second[second.size() / 2] ^ 0x40);
  spit(path("flip.pcap.zst"), first + second);
  std::unique_ptr<sg::CaptureReader> r;
  EXPECT_GE(read_prefix(path("flip.pcap.zst"), r), 30u);
  ASSERT_TRUE(r->failed());
  EXPECT_NE(r->error().find("flip.pcap.zst: damaged capture at byte offset"), std::string::npos) << r->error();
}

}  // namespace

namespace {

// A pcapng packet stamped at the largest 64-bit microsecond count (its seconds times a million would
// overflow): the reader clamps the time to the year 9999 instead of overflowing (the fuzzer's finding).
TEST_F(ReaderTest, AnAbsurdPcapngTimestampIsClampedNotOverflowed) {
  std::string b;
  auto u32 = [&](uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); };  // little-endian host
  auto u16 = [&](uint16_t v) { b.append(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0A0D0D0A), u32(28), u32(0x1A2B3C4D), u16(1), u16(0), u32(0xFFFFFFFF), u32(0xFFFFFFFF), u32(28);  // SHB
  u32(1), u32(20), u16(DLT_EN10MB), u16(0), u32(0), u32(20);                                             // IDB
  const std::string frame(frames_[0].data.begin(), frames_[0].data.end());
  uint32_t padded = uint32_t((frame.size() + 3) / 4 * 4);
  u32(6), u32(32 + padded), u32(0), u32(0xFFFFFFFF), u32(0xFFFFFFFF), u32(uint32_t(frame.size())),
      u32(uint32_t(frame.size()));  // EPB: timestamp 2^64 - 1 µs
  b += frame;
  b.append(padded - frame.size(), '\0');
  u32(32 + padded);
  spit(path("absurd.pcapng"), b);
  auto r = sg::CaptureReader::open_file(path("absurd.pcapng"));
  sg::RawPacket pkt;
  ASSERT_TRUE(r->next(pkt)) << r->error();
  EXPECT_GE(pkt.ts_us, 0);
  EXPECT_LE(pkt.ts_us, 253402300799LL * 1000000 + 999999);
  EXPECT_EQ(pkt.data.size(), frame.size());
}

}  // namespace
