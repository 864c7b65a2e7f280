#include "capture/reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

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
  static void spit(const std::string& p, const std::string& data) {
    std::ofstream(p, std::ios::binary) << data;
  }
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
  EXPECT_FALSE(rz->failed());
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

}  // namespace
