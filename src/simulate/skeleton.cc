#include "simulate/skeleton.h"

#include <zlib.h>

#include <chrono>
#include <stdexcept>
#include <string_view>

namespace sg::simulate {

namespace {

constexpr size_t kMaxProblems = 20;
constexpr int kMaxLine = 4096;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

bool digits(const std::string& s, size_t at, size_t n, int& out) {
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

bool parse_skeleton_time(const std::string& t, int64_t& ts_us) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s;
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z')
    return false;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s))
    return false;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return false;
  int64_t days_since = sys_days{ymd}.time_since_epoch().count();
  ts_us = ((days_since * 24 + h) * 60 + mi) * 60 * 1000000LL + int64_t(s) * 1000000;
  return true;
}

SkeletonReader::SkeletonReader(const std::string& path) : path_(path) {
  gz_ = gzopen(path.c_str(), "rb");  // reads plain text too
  if (!gz_) throw std::runtime_error("cannot open skeleton " + path);
}

SkeletonReader::~SkeletonReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

void SkeletonReader::skip(const std::string& why) {
  ++skipped_;
  if (problems_.size() < kMaxProblems) problems_.push_back(path_ + ":" + std::to_string(line_) + ": " + why);
}

bool SkeletonReader::parse(const std::string& line, SkeletonRow& row, std::string& why) const {
  auto f = split_tabs(line);
  if (f.size() < 4) return why = "expected at least 4 tab-separated fields", false;
  if (!parse_skeleton_time(f[0], row.ts_us)) return why = "bad time '" + f[0].substr(0, 40) + "'", false;
  if (!parse_ip(f[1], row.src)) return why = "bad address '" + f[1].substr(0, 60) + "'", false;
  if (f[2] != "http" && f[2] != "tls" && f[2] != "dns")
    return why = "unknown service '" + f[2].substr(0, 20) + "'", false;
  if (f[3].empty()) return why = "empty organisation", false;
  row.service = f[2];
  row.org = f[3];
  return true;
}

bool SkeletonReader::next(SkeletonRow& row) {
  char buf[kMaxLine];
  auto* gz = static_cast<gzFile>(gz_);
  while (gzgets(gz, buf, sizeof buf)) {
    ++line_;
    std::string line(buf);
    bool whole = !line.empty() && line.back() == '\n';
    if (!whole && !gzeof(gz)) {  // an overlong line (or one cut by a NUL byte): drop the rest of it
      while (gzgets(gz, buf, sizeof buf)) {
        std::string_view rest(buf);  // empty when the chunk starts with a NUL byte
        if (!rest.empty() && rest.back() == '\n') break;
      }
      skip("line longer than " + std::to_string(kMaxLine) + " bytes, or holding a NUL byte");
      continue;
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    if (line_ == 1 && line.rfind("ts\t", 0) == 0) continue;  // the header
    std::string why;
    if (parse(line, row, why)) return true;
    skip(why);
  }
  int err = 0;
  const char* msg = gzerror(gz, &err);
  if (err != Z_OK && err != Z_STREAM_END) throw std::runtime_error("reading skeleton " + path_ + ": " + msg);
  return false;
}

}  // namespace sg::simulate
