// Where simulated sessions go: frames put back into time order, then one capture file or one per UTC day.
// Internal to the simulator.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "simulate/organisations.h"
#include "simulate/pcap_writer.h"
#include "simulate/profile.h"
#include "simulate/scenario.h"
#include "simulate/sensor_logs.h"
#include "simulate/truth.h"
#include "simulate/wire.h"

namespace sg::simulate {

constexpr int64_t kDayUs = 86400LL * 1000000;
constexpr int64_t kHourUs = 3600LL * 1000000;

std::string day_name(int64_t ts_us);           // "YYYY-MM-DD.pcap" of the UTC day
bool wants_directory(const std::string& out);  // an existing directory, or a path ending in '/'

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
    std::sort(entries_.begin(), ready,
              [](const Entry& a, const Entry& b) { return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq; });
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

// Who is behind a session, for truth.tsv: the profile, and the tool (variant) within it; an organisation's
// one variant carries the organisation's name.
struct Attribution {
  std::string_view org, population;
};
inline Attribution attribution(const Profile& p, const Variant& v) {
  return {p.org, v.name.empty() ? std::string_view(p.org) : std::string_view(v.name)};
}

struct Emitter {
  SessionWriter writer;
  OrderingSink& sink;
  SimulateResult& result;
  TruthWriter* truth = nullptr;  // null: no truth file (the scale scenario)
  SensorLogs* logs = nullptr;    // null: no sensor logs (no --logs)

  uint64_t write(Plan& p, Attribution who = {});
  // No later session starts before `watermark`: frames, truth rows and log records older than it can be
  // written.
  void advance(int64_t watermark) {
    sink.advance(watermark);
    if (truth) truth->advance(watermark);
    if (logs) logs->advance(watermark);
  }
  // Takes back the session written last (the frames since `mark`, its log records).
  void rollback(size_t mark) {
    sink.rollback(mark);
    if (logs) logs->rollback_last();
  }

  std::unique_ptr<RecordingSink> recorder = {};  // with logs: the frames of the session being written
};

}  // namespace sg::simulate
