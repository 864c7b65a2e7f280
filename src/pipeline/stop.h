// The process's stop request: SIGINT/SIGTERM ask long work (an ingest, a live capture, `run`'s passes, a
// server) to stop at a safe point and still write what it has. Signals belong to the process, so there is
// one flag; every front end polls it through this API.
#pragma once

#include <atomic>

#include "capture/reader.h"

namespace sg::pipeline {

// The flag itself, for loops that take a pointer to poll (LoopOptions::stop, WeeklyConfig::stop).
std::atomic<bool>& stop_flag();
bool stop_requested();
// SIGINT and SIGTERM set the flag from now on (idempotent).
void install_stop_handlers();

// While it lives, a stop signal also breaks `reader`'s blocking libpcap read: a quiet interface would
// otherwise keep a live capture waiting for its next packet.
class LiveStop {
 public:
  explicit LiveStop(CaptureReader& reader);
  ~LiveStop();
  LiveStop(const LiveStop&) = delete;
  LiveStop& operator=(const LiveStop&) = delete;
};

}  // namespace sg::pipeline
