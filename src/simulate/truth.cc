#include "simulate/truth.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "capture/packet.h"

namespace sg::simulate {

namespace {

constexpr size_t kMaxProblems = 20;
constexpr int kMaxLine = 4096;
constexpr size_t kFields = 9;
constexpr size_t kBatch = 1 << 14;  // rows held before a flush is tried

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  out = 0;
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool parse_port(std::string_view s, uint16_t& port) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || v > 65535) return false;
  port = uint16_t(v);
  return true;
}

bool valid_ip(std::string_view s) {
  IpAddr a;
  return !s.empty() && s.size() <= 64 && parse_ip(std::string(s), a);
}

std::string clip(std::string_view s) { return std::string(s.substr(0, 40)); }

}  // namespace

std::string truth_time(int64_t ts_us) {
  using namespace std::chrono;
  int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
  if (us < 0) {
    us += 1000000;
    --sec;
  }
  int64_t day = sec >= 0 ? sec / 86400 : (sec + 1) / 86400 - 1;
  int64_t rest = sec - day * 86400;
  year_month_day ymd{sys_days{days{day}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(rest / 3600), int(rest / 60 % 60), int(rest % 60), int(us));
  return buf;
}

bool parse_truth_time(std::string_view t, int64_t& ts_us) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s;
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t.back() != 'Z')
    return false;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s))
    return false;
  int64_t frac_us = 0;
  std::string_view frac = t.substr(19, t.size() - 20);
  if (!frac.empty()) {
    if (frac[0] != '.' || frac.size() < 2 || frac.size() > 10) return false;
    int64_t v = 0, scale = 1;
    for (char c : frac.substr(1)) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
      scale *= 10;
    }
    frac_us = (v * 1000000 * 2 + scale) / (2 * scale);  // rounded half up to the microsecond
  }
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return false;
  int64_t days_since = sys_days{ymd}.time_since_epoch().count();
  ts_us = ((days_since * 24 + h) * 60 + mi) * 60 * 1000000LL + int64_t(s) * 1000000 + frac_us;
  return true;
}

std::string truth_line(const TruthRow& r) {
  std::string out = truth_time(r.ts_us);
  for (const std::string* f : {&r.transport, &r.src}) out += '\t' + *f;
  out += '\t' + std::to_string(r.sport) + '\t' + r.dst + '\t' + std::to_string(r.dport);
  for (const std::string* f : {&r.service, &r.org, &r.population}) out += '\t' + *f;
  out += '\n';
  return out;
}

bool parse_truth_line(std::string_view line, TruthRow& row, std::string& why) {
  std::string_view f[kFields];
  size_t n = 0, start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    if (n == kFields) return why = "more than " + std::to_string(kFields) + " fields", false;
    f[n++] = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (n != kFields) return why = std::to_string(n) + " fields, expected " + std::to_string(kFields), false;
  if (!parse_truth_time(f[0], row.ts_us)) return why = "bad time '" + clip(f[0]) + "'", false;
  if (f[1] != "tcp" && f[1] != "udp") return why = "bad transport '" + clip(f[1]) + "'", false;
  if (!valid_ip(f[2])) return why = "bad source address '" + clip(f[2]) + "'", false;
  if (!parse_port(f[3], row.sport)) return why = "bad source port '" + clip(f[3]) + "'", false;
  if (!valid_ip(f[4])) return why = "bad destination address '" + clip(f[4]) + "'", false;
  if (!parse_port(f[5], row.dport)) return why = "bad destination port '" + clip(f[5]) + "'", false;
  for (size_t i = 6; i < kFields; ++i)
    if (f[i].empty()) return why = "empty field " + std::to_string(i + 1), false;
  row.transport = f[1];
  row.src = f[2];
  row.dst = f[4];
  row.service = f[6];
  row.org = f[7];
  row.population = f[8];
  return true;
}

TruthReadStats for_each_truth(const std::string& path, const std::function<void(const TruthRow&)>& fn) {
  gzFile gz = gzopen(path.c_str(), "rb");  // reads plain text too
  if (!gz) throw std::runtime_error("cannot open truth file " + path);
  TruthReadStats stats;
  auto skip = [&](uint64_t line, const std::string& why) {
    ++stats.skipped;
    if (stats.problems.size() < kMaxProblems) stats.problems.push_back(path + ":" + std::to_string(line) + ": " + why);
  };
  char buf[kMaxLine];
  uint64_t line_no = 0;
  TruthRow row;
  try {
    while (gzgets(gz, buf, sizeof buf)) {
      ++line_no;
      std::string_view line(buf);
      bool whole = !line.empty() && line.back() == '\n';
      if (!whole && !gzeof(gz)) {  // an overlong line: drop the rest of it
        while (gzgets(gz, buf, sizeof buf) && std::strchr(buf, '\n') == nullptr) {}
        skip(line_no, "line longer than " + std::to_string(kMaxLine) + " bytes");
        continue;
      }
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
      if (line.empty()) continue;
      if (line_no == 1 && line.starts_with("ts\t")) continue;  // the header
      std::string why;
      if (!parse_truth_line(line, row, why)) {
        skip(line_no, why);
        continue;
      }
      ++stats.rows;
      fn(row);
    }
  } catch (...) {
    gzclose(gz);
    throw;
  }
  int err = 0;
  std::string msg = gzerror(gz, &err);
  gzclose(gz);
  if (err != Z_OK && err != Z_STREAM_END) throw std::runtime_error("reading truth file " + path + ": " + msg);
  return stats;
}

std::vector<TruthRow> read_truth(const std::string& path, TruthReadStats* stats) {
  std::vector<TruthRow> rows;
  TruthReadStats s = for_each_truth(path, [&](const TruthRow& r) { rows.push_back(r); });
  if (stats) *stats = std::move(s);
  return rows;
}

TruthWriter::TruthWriter(const std::string& path) : path_(path) {
  out_ = std::fopen(path.c_str(), "wb");
  if (!out_) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  std::fwrite(kTruthHeader.data(), 1, kTruthHeader.size(), out_);
  held_.reserve(kBatch * 2);
}

TruthWriter::~TruthWriter() {
  if (out_) std::fclose(out_);
}

void TruthWriter::add(TruthRow row) { held_.push_back({seq_++, std::move(row)}); }

void TruthWriter::advance(int64_t watermark) {
  if (held_.size() >= kBatch) flush(watermark);
}

void TruthWriter::flush(int64_t watermark) {
  auto ready = std::partition(held_.begin(), held_.end(), [&](const Held& h) { return h.row.ts_us < watermark; });
  std::sort(held_.begin(), ready, [](const Held& a, const Held& b) {
    return a.row.ts_us != b.row.ts_us ? a.row.ts_us < b.row.ts_us : a.seq < b.seq;
  });
  for (auto it = held_.begin(); it != ready; ++it) {
    std::string line = truth_line(it->row);
    std::fwrite(line.data(), 1, line.size(), out_);
  }
  written_ += uint64_t(ready - held_.begin());
  held_.erase(held_.begin(), ready);
}

void TruthWriter::finish() {
  if (!out_) return;
  flush(INT64_MAX);
  bool bad = std::ferror(out_) != 0;
  bad |= std::fclose(out_) != 0;
  out_ = nullptr;
  if (bad) throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
}

}  // namespace sg::simulate
