// The recorder: a connection's events through the session tracker into the probe store, as a capture of the
// same session would give (the end-to-end comparison with `extract` is tests/sense/e2e.sh).
#include <gtest/gtest.h>

#include <string>

#include "sense/recorder.h"
#include "support/frames.h"
#include "support/temp_dir.h"

using namespace sg;
using namespace sg::sense;

namespace {

constexpr int64_t kT0 = 1'736'121'600'000'000;

FlowState flow(uint16_t cport) {
  FlowState f;
  parse_ip("198.51.100.7", f.client);
  parse_ip("192.0.2.1", f.server);
  f.client_port = cport;
  f.server_port = 80;
  return f;
}

// The SYN as TCP_SAVED_SYN gives it: IPv4 and TCP headers, options (MSS 1460, NOP, window scale 7).
sgtest::Bytes saved_syn(uint16_t cport) {
  return sgtest::ipv4({198, 51, 100, 7}, {192, 0, 2, 1}, 6,
                      sgtest::tcp(cport, 80, 1000, 0, 0x02, "", {2, 4, 0x05, 0xb4, 1, 3, 3, 7}), 52);
}

std::vector<std::string> stored(ProbeStore& store) {
  std::vector<std::string> out;
  store.for_each_probe({}, [&](const std::string& j) { out.push_back(j); });
  return out;
}

}  // namespace

TEST(Recorder, RequestInPiecesIsOneHttpProbeWithItsSynAndId) {
  sgtest::TempDir dir("sg_sense_rec");
  ProbeStore store(dir.file("s.db"));
  Recorder rec(store, "t", 16 * 1024, 1000);
  FlowState f = flow(40001);
  const auto syn = saved_syn(40001);
  rec.open(f, ByteView(syn.data(), syn.size()), kT0);
  EXPECT_TRUE(f.has_syn);
  EXPECT_FALSE(rec.data(f, as_bytes("GET / HTTP/1.1\r\nHost: a\r\n"), kT0 + 10, true));  // not whole yet
  auto r = rec.data(f, as_bytes("User-Agent: zgrab/0.x\r\n\r\n"), kT0 + 20, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->service, Service::http);
  EXPECT_FALSE(r->truncated);
  EXPECT_GT(r->id, 0);
  EXPECT_FALSE(rec.client_fin(f, kT0 + 30));  // already recorded
  rec.finish();
  auto rows = stored(store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("\"source\":\"sensor\""), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("\"user_agent\":\"zgrab/0.x\""), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("\"ttl\":52"), std::string::npos) << rows[0];
  EXPECT_NE(rows[0].find("\"mss\":1460"), std::string::npos) << rows[0];
  EXPECT_EQ(store.probe_id(Probe{}), std::nullopt);
}

TEST(Recorder, SilenceIsASynProbeAndATimeoutTruncates) {
  sgtest::TempDir dir("sg_sense_rec");
  ProbeStore store(dir.file("s.db"));
  Recorder rec(store, "t", 16 * 1024, 1000);
  FlowState quiet = flow(40002), slow = flow(40003);
  const auto s1 = saved_syn(40002), s2 = saved_syn(40003);
  rec.open(quiet, ByteView(s1.data(), s1.size()), kT0);
  rec.open(slow, ByteView(s2.data(), s2.size()), kT0);
  auto q = rec.client_fin(quiet, kT0 + 5);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->service, Service::syn);
  EXPECT_FALSE(rec.data(slow, as_bytes("GET / HTTP/1.1\r\nX: "), kT0 + 10, false));
  auto s = rec.server_reset(slow, kT0 + 10'000'000);  // the read timeout
  ASSERT_TRUE(s);
  EXPECT_EQ(s->service, Service::http);
  EXPECT_TRUE(s->truncated);
  rec.finish();
  EXPECT_EQ(stored(store).size(), 2u);
}

TEST(Recorder, WithoutTheSavedSynSilenceLeavesNothingAndTheSkipIsCounted) {
  sgtest::TempDir dir("sg_sense_rec");
  ProbeStore store(dir.file("s.db"));
  Recorder rec(store, "t", 16 * 1024, 1000);
  FlowState f = flow(40004);
  rec.open(f, {}, kT0);
  EXPECT_FALSE(f.has_syn);
  EXPECT_FALSE(rec.server_reset(f, kT0 + 1));
  EXPECT_EQ(rec.stats().skipped.count("sensor.no_saved_syn"), 1u);
  FlowState g = flow(40005);
  rec.open(g, {}, kT0);
  auto r = rec.data(g, as_bytes("SSH-2.0-Go\r\n"), kT0 + 2, false);
  rec.client_fin(g, kT0 + 3);
  rec.finish();
  auto rows = stored(store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_NE(rows[0].find("\"service\":\"ssh\""), std::string::npos) << rows[0];
  EXPECT_EQ(rows[0].find("\"syn\""), std::string::npos) << rows[0];
  (void)r;
}

TEST(Recorder, UdpRepeatsWithinAMinuteAreOneProbe) {
  sgtest::TempDir dir("sg_sense_rec");
  ProbeStore store(dir.file("s.db"));
  Recorder rec(store, "t", 16 * 1024, 1000);
  FlowState f = flow(5353);
  f.server_port = 53;
  const std::string q(
      "\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07version\x04"
      "bind\x00\x00\x10\x00\x03",
      30);
  auto first = rec.datagram(f, as_bytes(q), kT0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->service, Service::dns);
  EXPECT_FALSE(rec.datagram(f, as_bytes(q), kT0 + 1'000'000));
  rec.finish();
  EXPECT_EQ(stored(store).size(), 1u);
  EXPECT_EQ(store.captures().size(), 1u);
  EXPECT_EQ(store.captures()[0].path, "sensor:t");
  EXPECT_EQ(store.captures()[0].status, "complete");
}
