// Sessions: packets -> one probe per session (docs/FIELDS.md).
// TCP: the client's first message reassembled in sequence order up to a byte cap; UDP: the first datagram
// of a 5-tuple within an idle timeout. Idle sessions are evicted in capture time, and the table has a hard
// size limit, so memory stays bounded however long the capture runs.
#pragma once

#include <cstdint>
#include <functional>
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

  // A TCP or UDP packet's session key, its direction and the key's hash: what add() works out first.
  struct Lookup {
    FlowKey key;
    uint32_t hash = 0;
    bool from_a = false;  // the packet travels key.a -> key.b
  };
  static Lookup lookup(const Packet& p);

  void add(int64_t ts_us, const Packet& p) { add(ts_us, p, lookup(p)); }
  // The same, with lookup(p) worked out by the caller (a TCP or UDP packet).
  void add(int64_t ts_us, const Packet& p, const Lookup& l);
  // Asks the memory system early for what add(p) will read, for a caller that reads a few packets ahead:
  // prefetch_slot(l) for the index slot of the session, then, a packet later, prefetch_flow(l) for the
  // session itself. Neither changes anything; skipping them changes nothing.
  void prefetch_slot(const Lookup& l) const;
  void prefetch_flow(const Lookup& l);
  // End of input: every open session emits what it has.
  void finish();
  size_t active() const { return count_; }

  struct Flow;

 private:
  // Flows live in a pool of fixed chunks (stable addresses, no allocation per session) and are named by 32-bit
  // indexes; the three LRU lists are intrusive lists of those indexes in a dense array of links, so moving a
  // flow to the back touches 8-byte links rather than list nodes of a few hundred bytes each.
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Link {
    uint32_t prev = kNone, next = kNone;
  };
  struct List {  // least recently active first
    uint32_t head = kNone, tail = kNone;
    bool empty() const { return head == kNone; }
  };
  Flow& flow(uint32_t i);  // (inline in tracker.cc, where Flow is complete)
  uint32_t allocate();
  void push_back(List& list, uint32_t i);
  void unlink(List& list, uint32_t i);

  void add_tcp(int64_t ts, const Packet& p, const Lookup& l);
  void add_udp(int64_t ts, const Packet& p, const Lookup& l);
  uint32_t create(List& list, const FlowKey& key, uint32_t h, int64_t ts);
  void touch(List& list, uint32_t i, int64_t ts);
  void tcp_data(Flow& f, int64_t ts, uint32_t seq, ByteView payload);
  // Emits the probe when `message` (the client's bytes so far) is complete or full; false: wait for more.
  bool check_message(Flow& f, ByteView message);
  void close(Flow& f);
  void emit(Flow& f, bool truncated, ByteView message);
  void erase(List& list, uint32_t i);
  List& list_of(const Flow& f);
  void retire(uint32_t i);
  void evict_idle(int64_t now);
  // Idle eviction is looked at only once capture time passes evict_at_: a lower bound of when the oldest
  // session of any list expires (most packets then skip reading the three heads).
  void expire_no_sooner_than(int64_t t) {
    if (t < evict_at_) evict_at_ = t;
  }
  bool is_outbound(const IpAddr& client, const IpAddr& server) const;
  int client_side_without_syn(const FlowKey& key, const Packet& p, bool from_a) const;
  // The session index: open addressing with linear probing over 8-byte (hash, flow) slots, kept at most half
  // full. Every packet looks its session up here; a node-based std::unordered_map cost two cache misses per
  // lookup and was the largest single cost of `extract`.
  struct Slot {
    uint32_t hash = 0;
    uint32_t flow = kNone;  // kNone: empty
  };
  static uint32_t slot_hash(const FlowKey& key) { return static_cast<uint32_t>(FlowKeyHash{}(key)); }
  uint32_t index_find(const FlowKey& key, uint32_t h);  // the flow, or kNone
  void index_insert(uint32_t h, uint32_t i);
  void index_erase(uint32_t h, uint32_t flow_index);

  static constexpr unsigned kChunkBits = 10;  // 1,024 flows per chunk
  // The index grows by doubling from here: a short capture (or a fuzz input) does not pay for a big table.
  static constexpr size_t kInitialSlots = size_t(1) << 12;
  SessionConfig cfg_;
  Sink sink_;
  IngestStats& stats_;
  std::vector<std::unique_ptr<Flow[]>> chunks_;
  std::vector<Link> links_;     // by flow index
  std::vector<uint32_t> free_;  // released flow indexes, reused first
  uint32_t pool_size_ = 0;      // flow indexes handed out so far
  List tcp_, udp_;
  List closed_;              // TCP sessions already emitted and closed: short-lived tombstones
  std::vector<Slot> slots_;  // size a power of two
  size_t count_ = 0;
  int64_t now_ = 0;
  int64_t evict_at_ = INT64_MAX;
};

}  // namespace sg
