// libFuzzer: the sensor-log writer (simulate --logs) on arbitrary client and server bytes. It reads the
// client's message through the analyzers and the sensor's answer through its own bounded readers (HTTP
// status line, ServerHello, SSH banner and KEXINIT, DNS answer records); whatever the bytes, every log
// line must be written without a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "simulate/sensor_logs.h"

using namespace sg;
using namespace sg::simulate;

// Input: flags byte (bit 0: UDP; bits 1-2: the server side is the answer, the greeting, or both),
// a byte splitting the rest into client and server bytes.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp/sg_fuzz_logs_" + std::to_string(getpid());
  if (size < 2) return 0;
  uint8_t flags = data[0];
  size_t split = std::min<size_t>(size - 2, size_t(data[1]) * 4);
  ByteView client(data + 2, split), server(data + 2 + split, size - 2 - split);
  SessionFacts f;
  f.udp = flags & 1;
  f.flow.client.ip.b = {198, 51, 100, 7};
  f.flow.client.port = 40000;
  f.flow.server.ip.b = {192, 0, 2, 1};
  f.flow.server.port = f.udp ? 53 : 80;
  if (flags & 2) f.greeting = server;
  if (!(flags & 2) || (flags & 4)) f.server = server;
  f.client = client;
  f.probe_us = 1736121600LL * 1000000 + 40000;
  // The frames a capture of it would hold: handshake, the client's data, the answer, a close.
  int64_t t = 1736121600LL * 1000000;
  auto frame = [&](bool to_server, uint8_t tcp, size_t payload) {
    f.frames.push_back({t += 1000, to_server, f.udp ? uint8_t(0) : tcp, uint16_t(40 + payload), uint32_t(54 + payload),
                        uint32_t(t), uint32_t(payload)});
  };
  if (!f.udp) frame(true, 0x02, 0), frame(false, 0x12, 0), frame(true, 0x10, 0);
  if (!client.empty()) frame(true, 0x18, client.size());
  if (!server.empty()) frame(false, 0x18, server.size());
  if (!f.udp) frame(true, 0x11, 0), frame(false, 0x11, 0);
  SensorLogs logs(parse_log_kinds({"eve", "zeek", "zeek-json"}), "/dev/null", dir + "/zeek", dir + "/zeek-json", flags);
  logs.session(f);
  logs.finish();
  return 0;
}
