#include "pipeline/stop.h"

#include <csignal>

namespace sg::pipeline {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<CaptureReader*> g_live_reader{nullptr};

void on_signal(int) {
  g_stop.store(true);
  if (CaptureReader* r = g_live_reader.load()) r->break_loop();  // pcap_breakloop is signal-safe
}

}  // namespace

std::atomic<bool>& stop_flag() { return g_stop; }

bool stop_requested() { return g_stop.load(); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

LiveStop::LiveStop(CaptureReader& reader) { g_live_reader.store(&reader); }

LiveStop::~LiveStop() { g_live_reader.store(nullptr); }

}  // namespace sg::pipeline
