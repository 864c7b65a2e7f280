#include "simulate/scenario.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include "simulate/organisations.h"
#include "simulate/pcap_writer.h"

namespace sg::sim {

namespace {

constexpr int64_t kDayUs = 86400LL * 1000000;
constexpr int64_t kHourUs = 3600LL * 1000000;

// ---- output ----

std::string day_name(int64_t ts_us) {
  using namespace std::chrono;
  int64_t day = ts_us >= 0 ? ts_us / kDayUs : (ts_us + 1) / kDayUs - 1;
  year_month_day ymd{sys_days{days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u.pcap", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

// One capture file, or one per UTC day (YYYY-MM-DD.pcap) when writing into a directory. Packets arrive in
// time order, so a day's file is finished when the next day starts.
class CaptureOutput : public PacketSink {
 public:
  CaptureOutput(const std::string& out, bool per_day) : out_(out), per_day_(per_day) {
    if (!per_day_) writer_ = std::make_unique<PcapWriter>(out_);
  }

  void packet(int64_t ts_us, ByteView frame) override {
    if (per_day_) {
      int64_t day = ts_us / kDayUs;
      if (!writer_ || day != day_) open_day(ts_us, day);
    }
    writer_->write(ts_us, frame);
  }

  void close(SimulateResult& r) {
    finish_file();
    r.bytes = bytes_;
    r.files = files_;
  }

 private:
  void open_day(int64_t ts_us, int64_t day) {
    finish_file();
    day_ = day;
    writer_ = std::make_unique<PcapWriter>((std::filesystem::path(out_) / day_name(ts_us)).string());
  }

  void finish_file() {
    if (!writer_) return;
    writer_->close();
    bytes_ += writer_->bytes();
    files_.push_back(writer_->path());
    writer_.reset();
  }

  std::string out_;
  bool per_day_;
  std::unique_ptr<PcapWriter> writer_;
  int64_t day_ = 0;
  uint64_t bytes_ = 0;
  std::vector<std::string> files_;
};

// Sessions overlap in time, so their frames are held back and written in timestamp order. The caller
// promises that no later frame is older than the watermark it passes to advance(); batches amortise the
// sort, and nothing is allocated per packet once the buffers have grown.
class OrderingSink : public PacketSink {
 public:
  explicit OrderingSink(PacketSink& out) : out_(out) {
    entries_.reserve(kBatch * 2);
    arena_.reserve(kBatch * 256);
    spare_.reserve(kBatch * 256);
  }

  void packet(int64_t ts_us, ByteView frame) override {
    entries_.push_back({ts_us, seq_++, arena_.size(), uint32_t(frame.size())});
    arena_.insert(arena_.end(), frame.begin(), frame.end());
  }

  void advance(int64_t watermark) {
    if (entries_.size() >= kBatch) flush(watermark);
  }
  void finish() { flush(std::numeric_limits<int64_t>::max()); }

  // Drops everything written since mark(); valid while no advance() came in between.
  size_t mark() const { return entries_.size(); }
  void rollback(size_t mark) {
    if (mark >= entries_.size()) return;
    arena_.resize(entries_[mark].off);
    entries_.resize(mark);
  }

 private:
  static constexpr size_t kBatch = 1 << 16;
  struct Entry {
    int64_t ts;
    uint64_t seq;  // emission order breaks timestamp ties
    size_t off;
    uint32_t len;
  };

  void flush(int64_t watermark) {
    auto ready = std::partition(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.ts < watermark; });
    std::sort(entries_.begin(), ready, [](const Entry& a, const Entry& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq;
    });
    for (auto it = entries_.begin(); it != ready; ++it) out_.packet(it->ts, {arena_.data() + it->off, it->len});
    spare_.clear();
    for (auto it = ready; it != entries_.end(); ++it) {
      size_t off = spare_.size();
      spare_.insert(spare_.end(), arena_.begin() + long(it->off), arena_.begin() + long(it->off + it->len));
      it->off = off;
    }
    entries_.erase(entries_.begin(), ready);
    std::swap(arena_, spare_);
  }

  PacketSink& out_;
  std::vector<Entry> entries_;
  Bytes arena_, spare_;
  uint64_t seq_ = 0;
};

bool wants_directory(const std::string& out) {
  return out.ends_with('/') || std::filesystem::is_directory(out);
}

// ---- one session ----

struct Emitter {
  SessionWriter writer;
  OrderingSink& sink;
  SimulateResult& result;

  uint64_t write(Plan& p) {
    p.bind();
    uint64_t n = p.udp ? writer.write(p.dgram, sink) : writer.write(p.tcp, sink);
    result.packets += n;
    result.sessions += 1;
    result.sessions_by_service[p.service] += 1;
    return n;
  }
};

// ---- demo ----

struct Planned {
  int64_t start_us;
  uint32_t org;
};

// The day's session count: the schedule's rate within ±20%.
int64_t sessions_on(Rng& rng, const Schedule& s) {
  double factor = 0.8 + 0.4 * double(rng.below(1001)) / 1000;
  return int64_t(s.per_day * factor + 0.5);
}

std::vector<Planned> demo_schedule(Rng& rng) {
  const auto& orgs = demo_orgs();
  std::vector<Planned> out;
  for (int day = 0; day < kDemoDays; ++day) {
    int weekday = day % 7;  // the start is a Monday
    for (uint32_t o = 0; o < orgs.size(); ++o) {
      const Schedule& s = orgs[o].schedule;
      if (!(s.weekdays >> weekday & 1)) continue;
      int64_t first = kDemoStartUs + day * kDayUs + s.first_hour * kHourUs;
      for (int64_t n = sessions_on(rng, s); n > 0; --n)
        out.push_back({first + int64_t(rng.below(uint64_t(s.hours * kHourUs))), o});
    }
  }
  std::sort(out.begin(), out.end(), [](const Planned& a, const Planned& b) {
    return a.start_us != b.start_us ? a.start_us < b.start_us : a.org < b.org;
  });
  return out;
}

void run_demo(Rng& rng, OrderingSink& sink, SimulateResult& result) {
  Emitter emit{SessionWriter{}, sink, result};
  Plan plan;
  for (const Planned& s : demo_schedule(rng)) {
    const Org& org = demo_orgs()[s.org];
    bool v6 = org.v6 && rng.chance(org.v6_share);
    SessionCtx ctx = make_ctx(rng, s.start_us, pick_source(rng, org, v6));
    org.make(ctx, plan);
    sink.advance(s.start_us);
    emit.write(plan);
  }
}

// ---- scale ----

constexpr size_t kPoolSize = 2048;
constexpr int64_t kMeanGapUs = 100;  // ~10,000 new sessions per second

// Templates from the demo organisations, weighted so that every service shows up in bulk.
std::vector<Plan> scale_pool(Rng& rng) {
  const auto& orgs = demo_orgs();
  std::vector<Plan> pool(kPoolSize);
  for (size_t i = 0; i < kPoolSize; ++i) {
    const Org& org = orgs[i % orgs.size()];
    bool v6 = org.v6 && rng.chance(org.v6_share);
    SessionCtx ctx = make_ctx(rng, kDemoStartUs, pick_source(rng, org, v6));
    org.make(ctx, pool[i]);
  }
  return pool;
}

// A fresh scanner for a template: 198.18.0.0/15 (RFC 2544 benchmarking) or 2001:db8:8000::/33.
IpAddr scale_source(Rng& rng, bool v6) {
  IpAddr a;
  a.v4 = !v6;
  uint64_t r = rng.next();
  if (!v6) {
    uint32_t host = uint32_t(198u << 24 | 18u << 16) + uint32_t(r % (1u << 17));
    for (int i = 0; i < 4; ++i) a.b[size_t(i)] = uint8_t(host >> (24 - 8 * i));
    return a;
  }
  a.b = {0x20, 0x01, 0x0d, 0xb8, uint8_t(0x80 | (r >> 56 & 0x7f)), uint8_t(r >> 48)};
  rng.fill(a.b.data() + 8, 8);
  return a;
}

void patch_spans(Rng& rng, Plan& p) {
  for (const RandomSpan& s : p.spans) {
    if (s.client_off + s.len > p.client.size()) continue;
    rng.fill(p.client.data() + s.client_off, s.len);
    if (s.server_off != RandomSpan::kNone && s.server_off + s.len <= p.server.size())
      std::copy_n(p.client.data() + s.client_off, s.len, p.server.data() + s.server_off);
  }
}

// Re-addresses a copied template: new source, ports, sequence numbers, IP ids and start time.
void rebind(Rng& rng, Plan& p, int64_t start_us) {
  bool v6 = !(p.udp ? p.dgram.flow.client.ip.v4 : p.tcp.flow.client.ip.v4);
  Flow& flow = p.udp ? p.dgram.flow : p.tcp.flow;
  flow.client.ip = scale_source(rng, v6);
  flow.client.port = uint16_t(rng.between(1024, 65535));
  if (v6) flow.flow_label = uint32_t(rng.below(1 << 20));
  patch_spans(rng, p);
  if (p.udp) {
    p.dgram.start_us = start_us;
    p.dgram.client_ip.id = uint16_t(rng.next());
    return;
  }
  TcpSession& s = p.tcp;
  s.start_us = start_us;
  s.client.isn = uint32_t(rng.next());
  s.server.isn = uint32_t(rng.next());
  s.client.ip_id = uint16_t(rng.next());
  s.client.tsval = uint32_t(rng.next());
}

// A DNS query nobody answers: one packet, used to land on exactly the requested count.
void single_query(Rng& rng, Plan& p, int64_t start_us) {
  SessionCtx ctx = make_ctx(rng, start_us, scale_source(rng, false));
  p.udp = true;
  p.service = "dns";
  p.spans.clear();
  p.dgram = UdpExchange{};
  p.dgram.flow = {{ctx.src, uint16_t(rng.between(1024, 65535))}, {ctx.dst, 53}, 0};
  p.dgram.start_us = start_us;
  p.dgram.client_ip = {uint8_t(64 - ctx.hops), false, uint16_t(rng.next())};
  DnsQuery q;
  q.id = uint16_t(rng.next());
  q.qname = "example.com";
  p.client = build_dns_query(q);
  p.server.clear();
}

void run_scale(Rng& rng, uint64_t target, OrderingSink& sink, SimulateResult& result) {
  Emitter emit{SessionWriter{}, sink, result};
  std::vector<Plan> pool = scale_pool(rng);
  Plan plan;
  int64_t t = kDemoStartUs;
  while (result.packets < target) {
    t += int64_t(rng.below(2 * kMeanGapUs + 1));
    sink.advance(t);
    plan = pool[rng.below(pool.size())];
    rebind(rng, plan, t);
    size_t mark = sink.mark();
    uint64_t n = emit.write(plan);
    if (result.packets <= target) continue;
    // The session would overshoot: take it back and fill the rest with single packets.
    sink.rollback(mark);
    result.packets -= n;
    result.sessions -= 1;
    result.sessions_by_service[plan.service] -= 1;
    while (result.packets < target) {
      single_query(rng, plan, t += 50);
      emit.write(plan);
    }
  }
}

}  // namespace

SimulateResult simulate(const SimulateOptions& o) {
  if (o.scenario != "demo" && o.scenario != "scale")
    throw std::invalid_argument("unknown scenario '" + o.scenario + "' (expected demo or scale)");
  if (o.out.empty()) throw std::invalid_argument("--out is required");
  if (o.scenario == "demo" && o.packets != 0)
    throw std::invalid_argument("--packets applies to the scale scenario only");
  bool per_day = wants_directory(o.out);
  if (per_day) std::filesystem::create_directories(o.out);

  SimulateResult result;
  CaptureOutput output(o.out, per_day);
  OrderingSink ordered(output);
  Rng rng(o.seed);
  if (o.scenario == "demo") run_demo(rng, ordered, result);
  else run_scale(rng, o.packets ? o.packets : kDefaultScalePackets, ordered, result);
  ordered.finish();
  output.close(result);
  std::erase_if(result.sessions_by_service, [](const auto& kv) { return kv.second == 0; });
  return result;
}

std::string demo_labels_tsv() {
  std::string out = "prefix\torg\tsource\tperiod\n";
  for (const Org& org : demo_orgs()) {
    if (!*org.name) continue;
    out += std::string(org.v4) + '\t' + org.name + "\tsimulate-demo\t2025_1Q\n";
    if (org.v6) out += std::string(org.v6) + '\t' + org.name + "\tsimulate-demo\t2025_1Q\n";
  }
  return out;
}

}  // namespace sg::sim
