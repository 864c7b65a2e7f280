// What the sensor's sockets saw becomes probes through the capture path: each connection's events are
// turned into the packets a capture of it would hold (the client's saved SYN, its bytes in sequence, the
// end), fed to the SessionTracker that `extract` and `ingest` use, and the probes it emits go to the same
// ProbeStore with `source` sensor. One path, so a sensor's probe equals what `extract` reads from a capture
// of the same session (tests/sense/e2e.sh checks it): the service decided by the payload, the same
// reassembly cap and truncation, the same parsers and fingerprints, the SYN signature from the SYN itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/packet.h"
#include "session/stats.h"
#include "session/tracker.h"
#include "storage/probe_store.h"

namespace sg::sense {

// One TCP connection or UDP exchange as the tracker knows it.
struct FlowState {
  IpAddr client, server;
  uint16_t client_port = 0, server_port = 0;
  uint32_t next_seq = 0;  // sequence number of the client's next byte
  bool has_syn = false;
};

// A probe the tracker emitted for the flow being fed.
struct Recorded {
  Service service = Service::other;
  bool truncated = false;
  int64_t id = 0;  // its row id, when asked for (0 when it was not stored: a duplicate)
};

class Recorder {
 public:
  // byte_cap: the first message's cap (SessionConfig::byte_cap); max_sessions bounds the tracker's table.
  Recorder(ProbeStore& store, const std::string& sensor_name, size_t byte_cap, size_t max_sessions);
  ~Recorder();

  // A new TCP connection. saved_syn: the client's SYN as the kernel kept it (IP and TCP headers,
  // TCP_SAVED_SYN), or empty when unavailable; then the session has no SYN signature, and one that sends
  // nothing is not recorded (a capture without the SYN would not record it either).
  void open(FlowState& flow, ByteView saved_syn, int64_t now_us);
  // The client's bytes, in order. want_id: store at once and return the row id (the tag needs it).
  std::optional<Recorded> data(FlowState& flow, ByteView bytes, int64_t now_us, bool want_id);
  // The client closed (FIN), or the sensor closed the connection (a timeout, an eviction: the server's RST
  // a capture would show). Emits what the client sent, if not emitted yet.
  std::optional<Recorded> client_fin(FlowState& flow, int64_t now_us);
  std::optional<Recorded> server_reset(FlowState& flow, int64_t now_us);
  // A UDP datagram (the tracker's rule: the first datagram of a 5-tuple within a minute is the probe).
  std::optional<Recorded> datagram(const FlowState& flow, ByteView payload, int64_t now_us);

  // Writes buffered probes (the event loop calls it about once a second and at the end).
  void flush();
  // Emits every open session, writes everything, closes the capture row with its counters and labels the
  // new probes. Once.
  void finish();
  IngestStats& stats() { return stats_; }
  uint64_t probes() const { return probes_; }

 private:
  std::optional<Recorded> feed(const FlowState& flow, const Packet& p, int64_t now_us, bool want_id);
  ProbeStore& store_;
  IngestStats stats_;
  SessionTracker tracker_;
  std::vector<Probe> emitted_;
  int64_t capture_id_ = 0;
  int64_t first_id_ = 0;
  uint64_t probes_ = 0;
  bool finished_ = false;
};

}  // namespace sg::sense
