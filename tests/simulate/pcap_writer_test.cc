// The simulator's pcap writer: nothing visible before close(), an abandoned writer leaves no file.
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <string>

#include "simulate/pcap_writer.h"

#include "simulate/sim_frames.h"

using namespace simtest;
namespace fs = std::filesystem;

TEST(PcapWriterTest, WritesAtomicallyAndReadsBack) {
  TempDir dir;
  std::string path = dir.file("x.pcap");
  FrameBuilder fb;
  {
    PcapWriter w(path);
    TcpSegment seg;
    seg.flags = tcpflag::syn;
    w.write(1736121600123456, fb.tcp(v4_flow(), Dir::to_server, {}, seg));
    w.write(1736121601000001, fb.tcp(v4_flow(), Dir::to_client, {}, seg));
    EXPECT_FALSE(fs::exists(path)) << "not visible before close()";
    w.close();
    EXPECT_EQ(w.bytes(), fs::file_size(path));
  }
  int linktype = 0;
  auto frames = read_pcap(path, &linktype);
  EXPECT_EQ(linktype, DLT_EN10MB);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].ts_us, 1736121600123456);
  EXPECT_EQ(frames[1].ts_us, 1736121601000001);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(PcapWriterTest, AbandonedWriterLeavesNothing) {
  TempDir dir;
  std::string path = dir.file("y.pcap");
  { PcapWriter w(path); }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir.path()));
  EXPECT_THROW(PcapWriter(dir.file("missing/z.pcap")), std::runtime_error);
}
