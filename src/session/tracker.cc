#include "session/tracker.h"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "probe/analyzer.h"

namespace sg {

struct SessionTracker::Flow {
  // What every packet of a session reads comes first (one cache line for a session whose probe is out).
  FlowKey key;
  int64_t last_seen = 0;
  uint32_t hash = 0;       // slot_hash(key), for erasing without hashing again
  int8_t client = -1;      // 0: key.a is the client, 1: key.b; -1 not decided yet
  bool done = false;       // probe emitted (or nothing to emit): later packets are ignored
  bool in_closed = false;  // lives in the closed_ list
  bool syn_seen = false;
  bool seq_known = false;
  bool service_known = false;
  Service service = Service::other;
  uint32_t isn = 0;
  uint32_t next_seq = 0;  // sequence number of the next client byte expected in order
  int64_t first_payload_ts = 0;
  int64_t syn_ts = 0;
  SynSignature syn;
  std::string stream;                       // client bytes in order, from the first one
  std::map<uint32_t, std::string> pending;  // out-of-order segments keyed by sequence number
  size_t pending_bytes = 0;
};

namespace {

uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Byte order of the 16 address bytes (what memcmp gave), as two big-endian words: no library call per packet.
bool less_endpoint(const IpAddr& x, uint16_t px, const IpAddr& y, uint16_t py) {
  if (x.v4 != y.v4) return x.v4;
  const uint64_t x0 = load_be64(x.b.data()), y0 = load_be64(y.b.data());
  if (x0 != y0) return x0 < y0;
  const uint64_t x1 = load_be64(x.b.data() + 8), y1 = load_be64(y.b.data() + 8);
  if (x1 != y1) return x1 < y1;
  return px < py;
}

bool same_addr(const IpAddr& x, const IpAddr& y) {
  return ((load64(x.b.data()) ^ load64(y.b.data())) | (load64(x.b.data() + 8) ^ load64(y.b.data() + 8))) == 0 &&
         x.v4 == y.v4;
}

bool same_key(const FlowKey& x, const FlowKey& y) {
  return x.pa == y.pa && x.pb == y.pb && x.proto == y.proto && same_addr(x.a, y.a) && same_addr(x.b, y.b);
}

// The canonical key of a packet's 5-tuple; from_a tells whether the packet travels a -> b.
FlowKey make_key(const Packet& p, bool& from_a) {
  FlowKey k;
  k.proto = p.proto;
  from_a = less_endpoint(p.src, p.sport, p.dst, p.dport) || (p.src == p.dst && p.sport == p.dport);
  if (from_a) {
    k.a = p.src, k.pa = p.sport, k.b = p.dst, k.pb = p.dport;
  } else {
    k.a = p.dst, k.pa = p.dport, k.b = p.src, k.pb = p.sport;
  }
  return k;
}

SynSignature syn_signature(const Packet& p) {
  SynSignature s;
  s.ttl = p.ttl;
  s.window = p.window;
  s.ip_len = p.ip_len;
  s.df = p.df;
  ByteView o = p.tcp_options;
  s.options.reserve(o.size());  // at most one kind per byte: one allocation
  for (size_t i = 0; i < o.size() && s.options.size() < 40;) {
    uint8_t kind = o[i];
    s.options.push_back(kind);
    if (kind == 0) break;  // end of option list
    if (kind == 1) {       // NOP has no length byte
      ++i;
      continue;
    }
    if (i + 1 >= o.size() || o[i + 1] < 2 || i + o[i + 1] > o.size()) break;  // malformed: stop
    uint8_t len = o[i + 1];
    if (kind == 2 && len == 4) s.mss = static_cast<uint16_t>(o[i + 2] << 8 | o[i + 3]);
    if (kind == 3 && len == 3) s.wscale = o[i + 2];
    i += len;
  }
  return s;
}

// Sequence-space distance, correct across wrap-around.
int64_t seq_diff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }

}  // namespace

// Five independent multiplies and one final mix: the serial mixing chain it replaces was ~2.5% of `extract`.
size_t FlowKeyHash::operator()(const FlowKey& k) const {
  uint64_t h = (load64(k.a.b.data()) * 0x9e3779b97f4a7c15ull) ^ (load64(k.a.b.data() + 8) * 0xc2b2ae3d27d4eb4full) ^
               (load64(k.b.b.data()) * 0x165667b19e3779f9ull) ^ (load64(k.b.b.data() + 8) * 0xd6e8feb86659fd93ull) ^
               ((uint64_t(k.pa) << 24 | uint64_t(k.pb) << 8 | k.proto) * 0xff51afd7ed558ccdull);
  h ^= h >> 32;
  h *= 0x94d049bb133111ebull;
  return static_cast<size_t>(h ^ (h >> 29));
}

inline SessionTracker::Flow& SessionTracker::flow(uint32_t i) {
  return chunks_[i >> kChunkBits][i & ((1u << kChunkBits) - 1)];
}

SessionTracker::SessionTracker(SessionConfig config, Sink sink, IngestStats& stats)
    : cfg_(std::move(config)), sink_(std::move(sink)), stats_(stats) {
  slots_.resize(kInitialSlots);
}

SessionTracker::~SessionTracker() = default;

uint32_t SessionTracker::allocate() {
  if (!free_.empty()) {
    const uint32_t i = free_.back();
    free_.pop_back();
    return i;
  }
  if (pool_size_ == kNone - 1) throw std::length_error("session table: more than 2^32 sessions at once");
  if ((pool_size_ & ((1u << kChunkBits) - 1)) == 0) chunks_.push_back(std::make_unique<Flow[]>(1u << kChunkBits));
  links_.emplace_back();
  return pool_size_++;
}

void SessionTracker::push_back(List& list, uint32_t i) {
  links_[i] = Link{list.tail, kNone};
  if (list.tail != kNone)
    links_[list.tail].next = i;
  else
    list.head = i;
  list.tail = i;
}

void SessionTracker::unlink(List& list, uint32_t i) {
  const Link l = links_[i];
  if (l.prev != kNone)
    links_[l.prev].next = l.next;
  else
    list.head = l.next;
  if (l.next != kNone)
    links_[l.next].prev = l.prev;
  else
    list.tail = l.prev;
}

uint32_t SessionTracker::index_find(const FlowKey& key, uint32_t h) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.flow == kNone) return kNone;
    if (s.hash == h && same_key(flow(s.flow).key, key)) return s.flow;
  }
}

void SessionTracker::index_insert(uint32_t h, uint32_t flow_index) {
  if ((count_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.flow == kNone) continue;
      size_t i = s.hash & mask;
      while (slots_[i].flow != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].flow != kNone) i = (i + 1) & mask;
  slots_[i] = Slot{h, flow_index};
  ++count_;
}

// Backward-shift deletion: later slots of the same probe run move up, so no tombstones accumulate.
void SessionTracker::index_erase(uint32_t h, uint32_t flow_index) {
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    if (slots_[i].flow == kNone) return;
    if (slots_[i].flow == flow_index) break;
  }
  for (size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
    if (slots_[j].flow == kNone) break;
    const size_t home = slots_[j].hash & mask;
    // Slot j may move to the hole at i only if its home is not cyclically within (i, j].
    const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (stays) continue;
    slots_[i] = slots_[j];
    i = j;
  }
  slots_[i] = Slot{};
  --count_;
}

SessionTracker::Lookup SessionTracker::lookup(const Packet& p) {
  Lookup l;
  l.key = make_key(p, l.from_a);
  l.hash = slot_hash(l.key);
  return l;
}

void SessionTracker::prefetch_slot(const Lookup& l) const { __builtin_prefetch(&slots_[l.hash & (slots_.size() - 1)]); }

void SessionTracker::prefetch_flow(const Lookup& l) {
  const uint32_t h = l.hash;
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.flow == kNone) return;
    if (s.hash == h) {
      __builtin_prefetch(&flow(s.flow));
      return;
    }
  }
}

void SessionTracker::add(int64_t ts, const Packet& p, const Lookup& l) {
  if (ts > now_) {
    now_ = ts;
    if (now_ > evict_at_) evict_idle(now_);
  }
  if (p.proto == 6)
    add_tcp(ts, p, l);
  else if (p.proto == 17)
    add_udp(ts, p, l);
}

void SessionTracker::finish() {
  for (const List* list : {&tcp_, &udp_, &closed_})
    for (uint32_t i = list->head; i != kNone; i = links_[i].next) close(flow(i));
  // Then every session goes at once, rather than one by one out of the index and the lists.
  chunks_.clear();
  links_.clear();
  free_.clear();
  pool_size_ = 0;
  tcp_ = udp_ = closed_ = List{};
  slots_.assign(kInitialSlots, Slot{});
  count_ = 0;
  evict_at_ = INT64_MAX;
}

uint32_t SessionTracker::create(List& list, const FlowKey& key, uint32_t h, int64_t ts) {
  if (count_ >= cfg_.max_sessions) {
    // Tombstones go first; then the least recently active of the open sessions.
    List* oldest_open =
        tcp_.empty() || (!udp_.empty() && flow(udp_.head).last_seen < flow(tcp_.head).last_seen) ? &udp_ : &tcp_;
    List& victim = !closed_.empty() ? closed_ : *oldest_open;
    // A tombstone's probe is already out; only closing an open session early is worth counting.
    if (&victim != &closed_) stats_.skip("session.table_full_evicted");
    const uint32_t v = victim.head;
    close(flow(v));
    erase(victim, v);
  }
  const uint32_t i = allocate();
  Flow& f = flow(i);
  f.key = key;
  f.last_seen = ts;
  f.hash = h;
  push_back(list, i);
  expire_no_sooner_than(ts + (&list == &udp_ ? cfg_.udp_idle_us : cfg_.tcp_idle_us));
  index_insert(h, i);
  return i;
}

void SessionTracker::touch(List& list, uint32_t i, int64_t ts) {
  Flow& f = flow(i);
  if (ts > f.last_seen) f.last_seen = ts;
  if (links_[i].next != kNone) {  // most recently active at the back
    unlink(list, i);
    push_back(list, i);
  }
}

// The flow's index entry and list place go, and its slot in the pool is reset (its strings freed) for reuse.
void SessionTracker::erase(List& list, uint32_t i) {
  Flow& f = flow(i);
  index_erase(f.hash, i);
  unlink(list, i);
  f = Flow{};
  free_.push_back(i);
}

void SessionTracker::evict_idle(int64_t now) {
  while (!tcp_.empty() && flow(tcp_.head).last_seen + cfg_.tcp_idle_us < now) {
    const uint32_t i = tcp_.head;
    close(flow(i));
    erase(tcp_, i);
  }
  while (!closed_.empty() && flow(closed_.head).last_seen + cfg_.closed_linger_us < now) erase(closed_, closed_.head);
  while (!udp_.empty() && flow(udp_.head).last_seen + cfg_.udp_idle_us < now) {
    const uint32_t i = udp_.head;
    close(flow(i));
    erase(udp_, i);
  }
  // The next time a head can expire. A list is ordered by last activity, so its head is its oldest session;
  // touching or removing sessions only makes the head younger, so this stays a lower bound until a session
  // joins an empty list (expire_no_sooner_than).
  evict_at_ = INT64_MAX;
  if (!tcp_.empty()) expire_no_sooner_than(flow(tcp_.head).last_seen + cfg_.tcp_idle_us);
  if (!closed_.empty()) expire_no_sooner_than(flow(closed_.head).last_seen + cfg_.closed_linger_us);
  if (!udp_.empty()) expire_no_sooner_than(flow(udp_.head).last_seen + cfg_.udp_idle_us);
}

SessionTracker::List& SessionTracker::list_of(const Flow& f) {
  if (f.key.proto == 17) return udp_;
  return f.in_closed ? closed_ : tcp_;
}

// A finished TCP session that saw its FIN/RST moves to the short tombstone list.
void SessionTracker::retire(uint32_t i) {
  Flow& f = flow(i);
  if (f.in_closed || f.key.proto != 6) return;
  unlink(tcp_, i);
  push_back(closed_, i);
  expire_no_sooner_than(f.last_seen + cfg_.closed_linger_us);
  f.in_closed = true;
}

bool SessionTracker::is_outbound(const IpAddr& client, const IpAddr& server) const {
  if (cfg_.sensor_nets.empty()) return false;
  for (const Cidr& c : cfg_.sensor_nets)
    if (c.contains(server)) return false;
  for (const Cidr& c : cfg_.sensor_nets)
    if (c.contains(client)) return true;
  return false;
}

// Without a SYN the client is the side talking to a sensor network; failing that, the side with the higher
// port (servers listen on low ports); on equal ports, the sender of the first packet seen.
int SessionTracker::client_side_without_syn(const FlowKey& k, const Packet& p, bool from_a) const {
  for (const Cidr& c : cfg_.sensor_nets) {
    if (c.contains(k.b) && !c.contains(k.a)) return 0;
    if (c.contains(k.a) && !c.contains(k.b)) return 1;
  }
  if (k.pa != k.pb) return k.pa > k.pb ? 0 : 1;
  return from_a ? 0 : 1;
}

void SessionTracker::add_tcp(int64_t ts, const Packet& p, const Lookup& l) {
  const bool from_a = l.from_a;
  const FlowKey& key = l.key;
  const uint8_t fl = p.tcp_flags;
  const bool syn = fl & tcpflag::syn, ack = fl & tcpflag::ack;
  const uint32_t h = l.hash;
  uint32_t i = index_find(key, h);

  if (i != kNone) {
    Flow& old = flow(i);
    // A new client SYN with another ISN on a 5-tuple we already saw: the port was reused.
    if (syn && !ack && old.syn_seen && p.seq != old.isn && old.client == (from_a ? 0 : 1)) {
      close(old);
      erase(list_of(old), i);
      i = kNone;
    } else {
      touch(list_of(old), i, ts);
    }
  }
  if (i == kNone) {
    if (!syn && p.payload.empty()) return;  // a lone ACK/FIN/RST opens nothing
    i = create(tcp_, key, h, ts);
    ++stats_.sessions;
    Flow& f = flow(i);
    if (syn && !ack) {
      f.client = from_a ? 0 : 1;
    } else if (syn && ack) {
      f.client = from_a ? 1 : 0;  // SYN-ACK: the receiver is the client
    } else {
      f.client = static_cast<int8_t>(client_side_without_syn(key, p, from_a));
    }
    const IpAddr& client = f.client == 0 ? key.a : key.b;
    const IpAddr& server = f.client == 0 ? key.b : key.a;
    if (is_outbound(client, server)) {
      stats_.skip("session.outbound_from_sensor");
      f.done = true;
    }
  }
  Flow& f = flow(i);
  if (f.done) {
    if (fl & (tcpflag::rst | tcpflag::fin)) retire(i);
    return;
  }
  const bool from_client = (f.client == 0) == from_a;

  if (syn && !ack && from_client && !f.syn_seen) {
    f.syn_seen = true;
    f.syn = syn_signature(p);
    f.syn_ts = ts;
    f.isn = p.seq;
    f.next_seq = p.seq + 1;
    f.seq_known = true;
  } else if (syn && ack && !from_client && !f.seq_known) {
    f.next_seq = p.ack;  // the server acknowledges the client's ISN + 1
    f.seq_known = true;
  }
  if (from_client && !p.payload.empty()) {
    // Data riding on a SYN (TCP Fast Open) starts right after the SYN's sequence number.
    tcp_data(f, ts, syn ? p.seq + 1 : p.seq, p.payload);
  }
  // The client's FIN ends its message. The server's FIN does not: it closes only the server's direction
  // (half-close), and a server that sends all it has, FIN included, before the handshake completes
  // (the CVE-2018-6794 evasion) still gets the client's request after it. A client RST before any client
  // data does not end the session either: evasion tests (and some scanners) send RSTs the server ignores,
  // then the real request. A server RST aborts the connection.
  const bool fin = (fl & tcpflag::fin) && from_client;
  const bool rst = (fl & tcpflag::rst) && (!f.stream.empty() || !from_client);
  if (!f.done && (fin || rst)) {
    close(f);
    retire(i);
  }
}

void SessionTracker::tcp_data(Flow& f, int64_t ts, uint32_t seq, ByteView payload) {
  if (!f.seq_known) {
    f.next_seq = seq;  // joined mid-stream: the first client byte seen starts the message
    f.seq_known = true;
  }
  int64_t d = seq_diff(seq, f.next_seq);
  if (d > 0) {  // a hole before this segment: hold it until the hole fills
    if (d >= static_cast<int64_t>(cfg_.byte_cap) || f.pending_bytes >= cfg_.byte_cap) return;
    auto& slot = f.pending[seq];
    if (slot.size() < payload.size()) {
      f.pending_bytes += payload.size() - slot.size();
      slot.assign(payload.begin(), payload.end());
    }
    return;
  }
  if (-d >= static_cast<int64_t>(payload.size())) return;  // retransmission of bytes we have
  payload = payload.subspan(static_cast<size_t>(-d));      // keep only the new tail (first copy wins)
  if (f.stream.empty() && f.pending.empty()) {
    // Most first messages arrive whole in their first segment: judged and parsed where they lie in the
    // packet, and copied only when the message goes on in later segments.
    f.first_payload_ts = ts;
    f.next_seq += static_cast<uint32_t>(payload.size());
    const ByteView head = payload.first(std::min(cfg_.byte_cap, payload.size()));
    if (!check_message(f, head)) f.stream.assign(reinterpret_cast<const char*>(head.data()), head.size());
    return;
  }
  if (f.stream.empty()) f.first_payload_ts = ts;
  size_t room = cfg_.byte_cap - f.stream.size();
  size_t take = std::min(room, payload.size());
  f.stream.append(reinterpret_cast<const char*>(payload.data()), take);
  f.next_seq += static_cast<uint32_t>(payload.size());
  // Segments that arrived early may now continue the stream.
  while (!f.pending.empty()) {
    auto it = f.pending.begin();
    int64_t gap = seq_diff(it->first, f.next_seq);
    if (gap > 0) break;
    std::string seg = std::move(it->second);
    f.pending_bytes -= seg.size();
    f.pending.erase(it);
    if (-gap >= static_cast<int64_t>(seg.size())) continue;
    size_t skip = static_cast<size_t>(-gap);
    size_t n = std::min(cfg_.byte_cap - f.stream.size(), seg.size() - skip);
    f.stream.append(seg, skip, n);
    f.next_seq += static_cast<uint32_t>(seg.size() - skip);
  }
  check_message(f, as_bytes(f.stream));
}

bool SessionTracker::check_message(Flow& f, ByteView s) {
  const bool full = s.size() >= cfg_.byte_cap;
  if (!f.service_known) {
    Match m = detect_tcp_service(s, f.service);
    if (m == Match::need_more && !full) return false;
    f.service_known = true;  // yes, or no analyzer wants it: `other`
  }
  MessageState st = message_state(f.service, Transport::tcp, s);
  if (st == MessageState::need_more && !full) return false;
  emit(f, st == MessageState::need_more, s);
  return true;
}

// The session ends (FIN/RST, idle, table full, end of capture): emit whatever the client sent.
void SessionTracker::close(Flow& f) {
  if (f.done) return;
  if (f.key.proto == 6 && !f.stream.empty()) {
    if (!f.service_known) {
      Match m = detect_tcp_service(as_bytes(f.stream), f.service);
      if (m != Match::yes) f.service = Service::other;
      f.service_known = true;
    }
    const ByteView s = as_bytes(f.stream);
    emit(f, message_state(f.service, Transport::tcp, s) != MessageState::complete, s);
    return;
  }
  if (f.key.proto == 6 && !f.pending.empty()) stats_.skip("tcp.message_start_missing");
  if (f.key.proto == 6 && f.syn_seen && cfg_.syn_only) {
    f.service = Service::syn;
    f.first_payload_ts = f.syn_ts;
    emit(f, false, {});
    return;
  }
  f.done = true;
}

void SessionTracker::emit(Flow& f, bool truncated, ByteView message) {
  Probe p;
  p.ts_us = f.first_payload_ts;
  const bool a_client = f.client != 1;
  p.src = to_string(a_client ? f.key.a : f.key.b);
  p.dst = to_string(a_client ? f.key.b : f.key.a);
  p.sport = a_client ? f.key.pa : f.key.pb;
  p.dport = a_client ? f.key.pb : f.key.pa;
  p.transport = f.key.proto == 6 ? Transport::tcp : Transport::udp;
  p.truncated = truncated;
  if (f.syn_seen) p.syn = std::move(f.syn);  // the session is done with it
  ParseStatus st = analyze(f.service, message, p);
  if (!st.ok()) stats_.skip(st.error);
  if (truncated) stats_.skip("message.truncated_kept");
  ++stats_.probes;
  ++stats_.probes_by_service[service_name(p.service)];
  sink_(p);
  f.done = true;
  std::string().swap(f.stream);  // a finished session keeps only its key, so memory tracks open ones
  f.pending.clear();
  f.pending_bytes = 0;
}

void SessionTracker::add_udp(int64_t ts, const Packet& p, const Lookup& l) {
  const bool from_a = l.from_a;
  const FlowKey& key = l.key;
  const uint32_t h = l.hash;
  if (uint32_t i = index_find(key, h); i != kNone) {
    if (flow(i).last_seen + cfg_.udp_idle_us >= ts) {
      touch(udp_, i, ts);
      return;  // same session: answers and repeats are not new probes
    }
    erase(udp_, i);
  }
  Flow& f = flow(create(udp_, key, h, ts));
  ++stats_.sessions;
  f.client = from_a ? 0 : 1;
  f.first_payload_ts = ts;
  if (is_outbound(p.src, p.dst)) {
    stats_.skip("session.outbound_from_sensor");
    f.done = true;
    return;
  }
  f.service = detect_udp_service(p.payload);
  emit(f, false, p.payload);  // parsed where it lies in the packet
}

}  // namespace sg
