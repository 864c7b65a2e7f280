// What a sensor's Suricata and Zeek would have logged for the simulated sessions (`simulate --logs`), so that
// log input can be tested end to end at any size. Every value is derived from the bytes that go into the
// capture: the client's message through the project's own analyzers (src/probe), the sensor's answer
// through small bounded readers, the packet counts and TCP flags from the frames themselves. Fields a log
// would fill from traffic the simulator does not produce (certificates, a finished handshake, a server's
// host key) are Zeek's unset `-` or absent in EVE, never invented.
//
// Record times (README, simulate): Zeek's `ts` is the first packet of the connection in conn.log, the first
// packet of the client's message in http/ssl/dns.log, and the first version string (the sensor's banner)
// in ssh.log; an EVE record's `timestamp` is the packet
// that completed it (the query or the answer for DNS, the last answer segment for HTTP, else the flow's last
// packet), the `flow` record its last packet. Files are streamed in time order (held back only while
// sessions are in flight, like the frames) and appear under their names only once complete.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "simulate/wire.h"
#include "util/atomic_file.h"
#include "util/bytes.h"

namespace sg::simulate {

// Which logs to write; parsed from `--logs eve,zeek,zeek-json`.
struct LogKinds {
  bool eve = false;        // DIR/eve.json: Suricata EVE JSON Lines (DNS logging v3)
  bool zeek = false;       // DIR/zeek/*.log: Zeek ASCII TSV
  bool zeek_json = false;  // DIR/zeek-json/*.log: Zeek JSON (LogAscii::use_json)
  bool any() const { return eve || zeek || zeek_json; }
};
// Throws std::invalid_argument naming the unknown kind.
LogKinds parse_log_kinds(const std::vector<std::string>& names);

// One frame of a session as the sensor saw it.
struct FrameFact {
  int64_t ts_us = 0;
  bool to_server = true;
  uint8_t flags = 0;  // TCP flags; 0 for UDP
  uint16_t ip_len = 0;
  uint32_t frame_len = 0;
  uint32_t seq = 0;
  uint32_t payload = 0;
};

// One simulated session: its addresses, the bytes each side sent and the frames that carried them.
struct SessionFacts {
  bool udp = false;
  Flow flow;
  ByteView client, server, greeting;  // client message; the sensor's answer; its greeting (SSH banner)
  int64_t probe_us = 0;               // when the capture extractor dates the probe
  std::vector<FrameFact> frames;      // in the order they were emitted
};

// Forwards frames to the capture and keeps the facts of the current session.
class RecordingSink : public PacketSink {
 public:
  explicit RecordingSink(PacketSink& out) : out_(out) {}
  void start(const Flow& flow, bool udp);
  void packet(int64_t ts_us, ByteView frame) override;
  std::vector<FrameFact>& frames() { return frames_; }

 private:
  PacketSink& out_;
  Flow flow_;
  std::vector<FrameFact> frames_;
};

class LogFile;

class SensorLogs {
 public:
  // `eve_path`: the EVE file; `zeek_dir`/`zeek_json_dir`: the folders (created) of the Zeek logs. Files
  // are written to hidden temporaries and committed by finish(); `seed` makes Zeek uids and EVE flow ids
  // reproducible.
  SensorLogs(const LogKinds& kinds, const std::string& eve_path, const std::string& zeek_dir,
             const std::string& zeek_json_dir, uint64_t seed);
  ~SensorLogs();
  SensorLogs(const SensorLogs&) = delete;
  SensorLogs& operator=(const SensorLogs&) = delete;

  void session(const SessionFacts& s);
  // No later session starts before `watermark`: records older than it are written.
  void advance(int64_t watermark);
  // Drops the records of the last session (the scale scenario takes a session back).
  void rollback_last();
  // Writes the rest, closes and commits every file; throws std::runtime_error naming a file on error.
  // Returns the files written (logs no session filled are not created, as Zeek creates a log on its first
  // record).
  std::vector<std::string> finish();

 private:
  uint64_t seed_, sessions_ = 0;
  std::unique_ptr<LogFile> eve_;
  std::vector<std::unique_ptr<LogFile>> zeek_, zeek_json_;  // conn, http, ssl, dns, ssh
};

}  // namespace sg::simulate
