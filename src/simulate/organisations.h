// Session-plan building blocks of the simulator, and the tool archetypes (made-up scanners with SSH, RDP and
// SYN habits beyond the profiles) whose sessions the scale scenario clones. Internal to the simulator.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "capture/cidr.h"
#include "simulate/payloads.h"
#include "simulate/wire.h"

namespace sg::simulate {

// Random helpers over mt19937_64. The std distributions are avoided on purpose: their output differs
// between standard libraries, and a seed must give the same capture everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t next() { return gen_(); }
  uint64_t below(uint64_t n) { return n ? gen_() % n : 0; }
  int64_t between(int64_t lo, int64_t hi) { return lo + int64_t(below(uint64_t(hi - lo) + 1)); }  // inclusive
  bool chance(double p) { return double(gen_() >> 11) * 0x1.0p-53 < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  void fill(uint8_t* p, size_t n);

 private:
  std::mt19937_64 gen_;
};

// Bytes that differ in every session (TLS random and session id, DNS id, SSH cookie). The scale scenario
// re-randomises them when it reuses a plan; the server's echo of them (session id, DNS id) follows.
struct RandomSpan {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t client_off = 0, server_off = kNone, len = 0;
};

// One planned session together with the bytes its views point at.
struct Plan {
  bool udp = false;
  TcpSession tcp;
  UdpExchange dgram;
  const char* service = "syn";  // service of the client payload
  Bytes client, server, greeting;
  std::vector<RandomSpan> spans;
  // Points the session's views at client/server/greeting; call after filling or copying a plan.
  void bind();
};

struct SessionCtx {
  Rng& rng;
  int64_t start_us = 0;
  IpAddr src, dst;
  uint8_t hops = 0;
  int64_t rtt_us = 0;
};

struct Schedule {
  double per_day = 0;
  uint8_t weekdays = 0x7f;  // bit 0 = Monday
  int first_hour = 0, hours = 24;
};

struct Org {
  const char* name;  // empty: on no list (a scanner nobody has published)
  const char* v4;    // CIDR of its IPv4 scanners
  const char* v6;    // CIDR of its IPv6 scanners, or nullptr
  double v6_share;
  Schedule schedule;
  void (*make)(SessionCtx&, Plan&);
};

const std::vector<Org>& scale_archetypes();
const std::vector<IpAddr>& sensor_addresses(bool v6);  // 192.0.2.0/24 and 2001:db8::/64 sensors
// A source of `org`; IPv4 hosts come from the whole prefix, IPv6 ones from a few interface ids.
IpAddr pick_source(Rng& rng, const Org& org, bool v6);
// A session context for `src`: a sensor of the same family, hop count and round trip stable per source.
SessionCtx make_ctx(Rng& rng, int64_t start_us, const IpAddr& src);

// ---- building blocks of a session plan, shared by the archetypes and the profile-driven sessions ----

uint32_t addr_hash(const IpAddr& a);            // FNV-1a of the address bytes
IpAddr host_in(const Cidr& c, uint64_t index);  // adds `index` into the host bits (at most the low 64)
std::string host_header(const IpAddr& a, uint16_t port, uint16_t default_port);  // "addr[:port]"
std::string random_label(Rng& r, size_t n);
// A TCP session from c.src to c.dst with the client's stack, the sensor's stack and path quirks.
void tcp_plan(SessionCtx& c, Plan& p, TcpStack client, uint16_t sport, uint16_t dport);
void udp_plan(SessionCtx& c, Plan& p, uint16_t sport, uint16_t dport);
Bytes http_answer(const std::string& uri, int64_t ts_us);  // the sensor's web server
void http_probe(SessionCtx& c, Plan& p, const HttpRequest& r);
// Random (and session id when asked) filled per session; padding sized when the hello lists it.
void tls_probe(SessionCtx& c, Plan& p, ClientHello h, bool session_id);
void ssh_probe(SessionCtx& c, Plan& p, const std::string& banner, std::optional<SshKexInit> kex);
Bytes dns_answer(const DnsQuery& q);  // the sensor's resolver: version for CHAOS, NXDOMAIN otherwise

}  // namespace sg::simulate
