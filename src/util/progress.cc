#include "util/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "util/verbosity.h"

namespace sg {

double progress_interval_seconds() {
  if (const char* env = std::getenv("SG_PROGRESS_SECONDS")) {
    char* end = nullptr;
    double s = std::strtod(env, &end);
    if (end != env && *end == '\0' && s > 0) return s;
  }
  return 5.0;
}

ProgressPace::ProgressPace() : start_(Clock::now()), last_(start_), interval_(progress_interval_seconds()) {}

bool ProgressPace::due() {
  if (!chatty()) return false;  // -q: no progress lines, whoever asks
  auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_).count() < interval_) return false;
  last_ = now;
  return true;
}

void ProgressPace::printed() { last_ = Clock::now(); }

std::string ProgressPace::rate(double done, double total, const char* unit) const {
  const double s = std::chrono::duration<double>(Clock::now() - start_).count();
  const double per_s = s > 0 ? done / s : 0;
  std::string out = fmt::format("{:.1f} {}/s", per_s, unit);
  if (total > 0 && per_s > 0) out += fmt::format(", ETA {:.0f} s", std::max(0.0, total - done) / per_s);
  return out;
}

std::string byte_text(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  int u = 0;
  while (bytes >= 1024 && u < 3) {
    bytes /= 1024;
    ++u;
  }
  return u ? fmt::format("{:.1f} {}", bytes, units[u]) : fmt::format("{:.0f} B", bytes);
}

}  // namespace sg
