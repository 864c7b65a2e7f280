// Progress of long work for logs nobody watches live (cron, systemd, a pipe): a plain line every few
// seconds, so that the log shows the work is alive, how fast it goes and when it should end. A terminal
// gets a bar redrawn in place instead (cli/common.h); carriage returns have no place in a log file.
#pragma once

#include <chrono>
#include <string>

namespace sg {

// Seconds between two progress lines: SG_PROGRESS_SECONDS when it is a positive number, else 5.
double progress_interval_seconds();

// The clock of one piece of work: when the next line is due, its rate and what is left.
class ProgressPace {
 public:
  ProgressPace();
  // True at most once per interval, the first time one interval after the start (short work prints nothing);
  // never under -q (util/verbosity.h).
  bool due();
  // Restarts the interval: a line was printed for another reason.
  void printed();
  // "12.5 it/s, ETA 40 s" for `done` of `total` units since the start; no ETA while total is 0 (unknown).
  std::string rate(double done, double total, const char* unit) const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_, last_;
  double interval_;
};

// 1536 -> "1.5 KB", in powers of 1024 up to GB.
std::string byte_text(double bytes);

}  // namespace sg
