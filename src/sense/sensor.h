// `scannergrouper sense`: a low-interaction sensor. One thread, one epoll loop over non-blocking sockets
// (a sensor must see the client's raw bytes, so no HTTP library stands between it and the socket): TCP
// listeners answer HTTP, TLS (then HTTP inside it), DNS over TCP and SSH; UDP listeners answer DNS. Each
// session's first client message is recorded through the capture path (recorder.h) before it is answered.
//
// Safe by construction: nothing from a request reaches a shell or the file system (the answers are fixed
// text, a DNS answer and a tag); every connection holds at most `message_cap` client bytes and all of them
// together `max_buffered`; at most `max_connections` are open (the oldest is closed for a new one); every
// connection has read, idle and lifetime deadlines (slowloris); new sessions and UDP answers are rate-limited
// per source; privileges are dropped after binding (sensor.cc, drop_privileges).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sense/config.h"

namespace sg::sense {

struct Bound {
  Kind kind = Kind::http;
  bool udp = false;
  std::string address;  // "127.0.0.1:8080", "[::1]:53"
  uint16_t port = 0;
};

struct SenseSummary {
  uint64_t accepted = 0, datagrams = 0, probes = 0, answers = 0;
  size_t peak_connections = 0, peak_buffered = 0;
  std::map<std::string, uint64_t> probes_by_service;
  std::map<std::string, uint64_t> events;  // refusals, timeouts, evictions, TLS failures, ... by reason
};

class Sensor {
 public:
  explicit Sensor(SenseConfig config);
  ~Sensor();
  Sensor(const Sensor&) = delete;
  Sensor& operator=(const Sensor&) = delete;

  // Binds every listener, reads the tag key and the TLS certificate, opens the probe store: everything that
  // may need root.
  std::vector<Bound> bind();
  // Gives up root (to config.user, default nobody) or, unprivileged, every capability (the systemd unit's
  // CAP_NET_BIND_SERVICE included). Returns what was done, for the log.
  std::string drop_privileges();
  // Answers until `stop` is set; then stops accepting, records what every open connection sent, writes
  // everything and returns the counts.
  SenseSummary run(const std::atomic<bool>& stop);

  const SenseConfig& config() const { return cfg_; }
  uint32_t sensor_id() const;

  struct Impl;

 private:
  SenseConfig cfg_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::sense
