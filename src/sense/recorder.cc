#include "sense/recorder.h"

#include <fmt/format.h>
#include <pcap/dlt.h>

#include <chrono>

#include "labels/import_run.h"

namespace sg::sense {

namespace {

Packet tcp_packet(const FlowState& f, bool from_client, uint8_t flags, uint32_t seq, ByteView payload) {
  Packet p;
  p.proto = 6;
  p.src = from_client ? f.client : f.server;
  p.dst = from_client ? f.server : f.client;
  p.sport = from_client ? f.client_port : f.server_port;
  p.dport = from_client ? f.server_port : f.client_port;
  p.tcp_flags = flags;
  p.seq = seq;
  p.payload = payload;
  return p;
}

}  // namespace

Recorder::Recorder(ProbeStore& store, const std::string& sensor_name, size_t byte_cap, size_t max_sessions)
    : store_(store),
      tracker_(
          [&] {
            SessionConfig c;
            c.byte_cap = byte_cap;
            c.max_sessions = max_sessions;
            return c;
          }(),
          [this](Probe& p) { emitted_.push_back(std::move(p)); }, stats_) {
  store_.set_sensor(sensor_name);  // probes.sensor, as ingest --sensor records it
  first_id_ = labels::max_probe_id(store_.db());
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const std::string key = fmt::format("sensor:{}:{}", sensor_name, std::chrono::nanoseconds(now).count());
  capture_id_ = store_.begin_capture(key, "sensor:" + sensor_name, 0);
}

Recorder::~Recorder() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw; finish() normally ran already and reported
  }
}

void Recorder::open(FlowState& flow, ByteView saved_syn, int64_t now_us) {
  Packet syn;
  if (!saved_syn.empty() && decode_packet(DLT_RAW, saved_syn, syn) == nullptr && syn.proto == 6 &&
      (syn.tcp_flags & tcpflag::syn)) {
    // The addresses are the SYN's own (a v4 client of a dual-stack socket is v4 here, as on the wire).
    flow.client = syn.src;
    flow.server = syn.dst;
    flow.client_port = syn.sport;
    flow.server_port = syn.dport;
    flow.next_seq = syn.seq + 1;
    flow.has_syn = true;
    feed(flow, syn, now_us, false);
    return;
  }
  stats_.skip("sensor.no_saved_syn");
  flow.next_seq = 1;
}

std::optional<Recorded> Recorder::data(FlowState& flow, ByteView bytes, int64_t now_us, bool want_id) {
  if (bytes.empty()) return std::nullopt;
  ++stats_.packets;
  stats_.bytes += bytes.size();
  Packet p = tcp_packet(flow, true, tcpflag::ack | tcpflag::psh, flow.next_seq, bytes);
  flow.next_seq += static_cast<uint32_t>(bytes.size());
  return feed(flow, p, now_us, want_id);
}

std::optional<Recorded> Recorder::client_fin(FlowState& flow, int64_t now_us) {
  Packet p = tcp_packet(flow, true, tcpflag::ack | tcpflag::fin, flow.next_seq, {});
  return feed(flow, p, now_us, false);
}

std::optional<Recorded> Recorder::server_reset(FlowState& flow, int64_t now_us) {
  Packet p = tcp_packet(flow, false, tcpflag::rst, 0, {});
  return feed(flow, p, now_us, false);
}

std::optional<Recorded> Recorder::datagram(const FlowState& flow, ByteView payload, int64_t now_us) {
  ++stats_.packets;
  stats_.bytes += payload.size();
  Packet p;
  p.proto = 17;
  p.src = flow.client;
  p.dst = flow.server;
  p.sport = flow.client_port;
  p.dport = flow.server_port;
  p.payload = payload;
  return feed(flow, p, now_us, false);
}

std::optional<Recorded> Recorder::feed(const FlowState& flow, const Packet& p, int64_t now_us, bool want_id) {
  tracker_.add(now_us, p);
  std::optional<Recorded> mine;
  if (emitted_.empty()) return mine;
  const std::string client = to_string(flow.client);
  const Transport transport = p.proto == 6 ? Transport::tcp : Transport::udp;
  for (Probe& probe : emitted_) {
    probe.source = Source::sensor;
    store_.add_probe(capture_id_, probe);
    ++probes_;
    // Other flows' probes (the tracker's idle or table-full evictions) are stored and nothing more.
    if (probe.transport != transport || probe.sport != flow.client_port || probe.dport != flow.server_port ||
        probe.src != client)
      continue;
    Recorded r;
    r.service = probe.service;
    r.truncated = probe.truncated;
    if (want_id) {
      store_.flush();
      r.id = store_.probe_id(probe).value_or(0);
    }
    mine = r;
  }
  emitted_.clear();
  return mine;
}

void Recorder::flush() { store_.flush(); }

void Recorder::finish() {
  if (finished_) return;
  finished_ = true;
  tracker_.finish();
  for (Probe& probe : emitted_) {
    probe.source = Source::sensor;
    store_.add_probe(capture_id_, probe);
    ++probes_;
  }
  emitted_.clear();
  store_.finish_capture(capture_id_, stats_, "");
  labels::label_new_probes(store_.db(), first_id_);
}

}  // namespace sg::sense
