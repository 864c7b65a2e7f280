// Sessions: packets -> one probe per session (docs/FIELDS.md).
// TCP: the client's first message reassembled in sequence order up to a byte cap; UDP: the first datagram
// of a 5-tuple within an idle timeout. Idle sessions are evicted in capture time, and the table has a hard
// size limit, so memory stays bounded however long the capture runs.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/cidr.h"
#include "capture/packet.h"
#include "probe/probe.h"
#include "session/stats.h"

namespace sg {

struct SessionConfig {
  size_t byte_cap = 16 * 1024;            // most client bytes kept for one first message
  int64_t tcp_idle_us = 120'000'000;      // 2 min without packets ends a TCP session
  int64_t udp_idle_us = 60'000'000;       // 1 min: a later datagram on the same 5-tuple is a new session
  int64_t closed_linger_us = 10'000'000;  // a finished, closed TCP session is remembered this long so that
                                          // late retransmissions do not open a second session
  size_t max_sessions = 1'000'000;        // beyond this the least recently active session is closed
  std::vector<Cidr> sensor_nets;          // when set: the client is the side talking to these networks
  bool syn_only = true;                   // emit TCP sessions with a SYN but no payload as service `syn`
};

struct FlowKey {
  IpAddr a, b;  // canonical order: (a, pa) < (b, pb)
  uint16_t pa = 0, pb = 0;
  uint8_t proto = 0;
  bool operator==(const FlowKey&) const = default;
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const;
};

class SessionTracker {
 public:
  using Sink = std::function<void(Probe&)>;
  SessionTracker(SessionConfig config, Sink sink, IngestStats& stats);
  ~SessionTracker();

  void add(int64_t ts_us, const Packet& p);
  // End of input: every open session emits what it has.
  void finish();
  size_t active() const { return count_; }

  struct Flow;

 private:
  using FlowList = std::list<Flow>;
  void add_tcp(int64_t ts, const Packet& p);
  void add_udp(int64_t ts, const Packet& p);
  FlowList::iterator create(FlowList& list, const FlowKey& key, int64_t ts);
  void touch(FlowList& list, FlowList::iterator it, int64_t ts);
  void tcp_data(Flow& f, int64_t ts, uint32_t seq, ByteView payload);
  void check_message(Flow& f);
  void close(Flow& f);
  void emit(Flow& f, bool truncated);
  void erase(FlowList& list, FlowList::iterator it);
  FlowList& list_of(const Flow& f);
  void retire(FlowList::iterator it);
  void evict_idle(int64_t now);
  bool is_outbound(const IpAddr& client, const IpAddr& server) const;
  int client_side_without_syn(const FlowKey& key, const Packet& p, bool from_a) const;
  // The session index: open addressing with linear probing over (hash, flow) slots, kept at most half full.
  // Every packet looks its session up here; a node-based std::unordered_map cost two cache misses per
  // lookup and was the largest single cost of `extract`.
  struct Slot {
    uint64_t hash = 0;  // 0: empty (stored hashes have their top bit set)
    FlowList::iterator flow;
  };
  static uint64_t slot_hash(const FlowKey& key) { return FlowKeyHash{}(key) | (uint64_t(1) << 63); }
  bool index_find(const FlowKey& key, FlowList::iterator& out) const;
  void index_insert(const FlowKey& key, FlowList::iterator it);
  void index_erase(const FlowKey& key);

  SessionConfig cfg_;
  Sink sink_;
  IngestStats& stats_;
  FlowList tcp_, udp_;       // least recently active first
  FlowList closed_;          // TCP sessions already emitted and closed: short-lived tombstones
  std::vector<Slot> slots_;  // size a power of two
  size_t count_ = 0;
  int64_t now_ = 0;
};

}  // namespace sg
