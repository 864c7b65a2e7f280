#include "simulate/output.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace sg::simulate {

std::string day_name(int64_t ts_us) {
  using namespace std::chrono;
  int64_t day = ts_us >= 0 ? ts_us / kDayUs : (ts_us + 1) / kDayUs - 1;
  year_month_day ymd{sys_days{days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u.pcap", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

bool wants_directory(const std::string& out) { return out.ends_with('/') || std::filesystem::is_directory(out); }

uint64_t Emitter::write(Plan& p, Attribution who) {
  p.bind();
  const Flow& flow = p.udp ? p.dgram.flow : p.tcp.flow;
  PacketSink* out = &sink;
  if (logs) {
    if (!recorder) recorder = std::make_unique<RecordingSink>(sink);
    recorder->start(flow, p.udp);
    out = recorder.get();
  }
  uint64_t n = p.udp ? writer.write(p.dgram, *out) : writer.write(p.tcp, *out);
  if (logs) {
    SessionFacts facts;
    facts.udp = p.udp;
    facts.flow = flow;
    facts.client = p.client;
    facts.server = p.server;
    facts.greeting = p.udp ? ByteView{} : ByteView(p.greeting);
    facts.probe_us = writer.probe_us();
    facts.frames = std::move(recorder->frames());
    logs->session(facts);
    recorder->frames() = std::move(facts.frames);  // its buffer, for the next session
  }
  result.packets += n;
  result.sessions += 1;
  result.sessions_by_service[p.service] += 1;
  if (truth) {
    const Flow& f = flow;
    truth->add({writer.probe_us(), p.udp ? "udp" : "tcp", to_string(f.client.ip), f.client.port, to_string(f.server.ip),
                f.server.port, p.service, std::string(who.org), std::string(who.population)});
  }
  return n;
}

}  // namespace sg::simulate
