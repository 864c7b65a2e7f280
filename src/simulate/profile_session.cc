#include "simulate/profile_session.h"

#include <stdexcept>

namespace sg::simulate {

namespace {

template <class T>
const T& weighted(Rng& rng, const std::vector<T>& v) {
  double total = 0;
  for (const T& e : v) total += e.share;
  double x = double(rng.next() >> 11) * 0x1.0p-53 * total;
  for (const T& e : v) {
    if (x < e.share) return e;
    x -= e.share;
  }
  return v.back();
}

// Weighted choice by a fixed 32-bit key instead of the session stream: the same address picks the same.
template <class T>
const T* weighted_by_key(const std::vector<const T*>& v, uint32_t key) {
  double total = 0;
  for (const T* e : v) total += e->share;
  double x = double(key) / 4294967296.0 * total;
  for (const T* e : v) {
    if (x < e->share) return e;
    x -= e->share;
  }
  return v.back();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

std::string fill(std::string s, const std::string& host, SessionCtx& c) {
  if (s.find('{') == std::string::npos) return s;
  replace_all(s, "{host}", host);
  replace_all(s, "{ip}", to_string(c.dst));
  replace_all(s, "{time}", std::to_string(c.start_us / 1000000));
  if (s.find("{rand}") != std::string::npos) replace_all(s, "{rand}", random_label(c.rng, 10));
  return s;
}

TcpStack client_stack(SessionCtx& c, const Variant& v) {
  return stack_from(*weighted(c.rng, v.tcp).stack, c.hops, !c.src.v4);
}

uint16_t pick_port(Rng& rng, const std::vector<uint16_t>& ports) { return ports[rng.below(ports.size())]; }

void http_session(SessionCtx& c, const Variant& v, uint16_t sport, Plan& p) {
  const HttpEntry& e = weighted(c.rng, v.http);
  uint16_t port = pick_port(c.rng, e.ports);
  tcp_plan(c, p, client_stack(c, v), sport, port);
  std::string host = host_header(c.dst, port, 80);
  HttpRequest r = e.request;
  r.uri = fill(r.uri, host, c);
  for (auto& [name, value] : r.headers) value = fill(value, host, c);
  r.body = fill(r.body, host, c);
  http_probe(c, p, r);
}

void tls_session(SessionCtx& c, const Variant& v, uint16_t sport, Plan& p) {
  const TlsEntry& e = weighted(c.rng, v.tls);
  uint16_t port = pick_port(c.rng, e.ports);
  tcp_plan(c, p, client_stack(c, v), sport, port);
  ClientHello h = e.client->hello;
  if (e.sni) h.server_name = fill(*e.sni, to_string(c.dst), c);
  if (e.alpn) h.alpn = *e.alpn;
  tls_probe(c, p, std::move(h), e.session_id.value_or(e.client->session_id));
}

void dns_session(SessionCtx& c, const Variant& v, uint16_t sport, Plan& p) {
  const DnsEntry& e = weighted(c.rng, v.dns);
  DnsQuery q = e.query;
  q.id = uint16_t(c.rng.next());
  q.qname = fill(q.qname, "", c);
  if (q.edns && e.cookie) {
    Bytes cookie(8);
    c.rng.fill(cookie.data(), cookie.size());
    q.edns->options.push_back({10, cookie});
  }
  udp_plan(c, p, sport, pick_port(c.rng, e.ports));
  p.service = "dns";
  p.client = build_dns_query(q);
  p.server = dns_answer(q);
  p.spans.push_back({0, 0, 2});  // the query id, echoed by the answer
}

void ssh_session(SessionCtx& c, const Variant& v, uint16_t sport, Plan& p) {
  const SshEntry& e = weighted(c.rng, v.ssh);
  tcp_plan(c, p, client_stack(c, v), sport, pick_port(c.rng, e.ports));
  std::optional<SshKexInit> kex;
  if (e.kex) kex = e.kex->kexinit;
  ssh_probe(c, p, e.banner, kex);
}

void syn_session(SessionCtx& c, const Variant& v, uint16_t sport, Plan& p) {
  const SynEntry& e = weighted(c.rng, v.syn);
  tcp_plan(c, p, client_stack(c, v), sport, pick_port(c.rng, e.ports));
  p.tcp.syn_only = true;
  p.tcp.port_open = c.rng.chance(0.6);  // the sensor listens on most, not all, of the ports swept
  p.service = "syn";
  p.client.clear();
  p.server.clear();
}

}  // namespace

TcpStack stack_from(const TcpStackSpec& s, uint8_t hops, bool v6) {
  TcpStack t;
  t.ttl = uint8_t(s.initial_ttl > hops ? s.initial_ttl - hops : 1);
  t.df = s.df;
  t.syn_window = v6 ? s.syn_window_v6 : s.syn_window;
  t.window = s.window;
  t.mss = v6 ? 1440 : 1460;
  t.wscale = s.wscale;
  t.syn_options = s.options;
  return t;
}

const Variant& variant_for(const Profile& p, const IpAddr& src, const std::string& service) {
  uint32_t key = addr_hash(src) * 2654435761u;
  std::vector<const Variant*> all, able;
  for (const Variant& v : p.variants) {
    all.push_back(&v);
    if (service.empty() || v.has(service)) able.push_back(&v);
  }
  const Variant* own = weighted_by_key(all, key);
  if (service.empty() || own->has(service)) return *own;
  if (able.empty()) throw std::invalid_argument("profile '" + p.org + "' has no " + service + " probes");
  return *weighted_by_key(able, key ^ 0x9e3779b9u);
}

std::string draw_service(Rng& rng, const Profile& p, const Variant& v, const std::map<std::string, double>& mix) {
  struct Option {
    std::string service;
    double share;
  };
  std::vector<Option> options;
  for (const auto& [service, share] : mix.empty() ? p.activity.services : mix)
    if (share > 0 && v.has(service)) options.push_back({service, share});
  if (options.empty())
    for (const char* s : {"http", "tls", "dns", "ssh", "syn"})
      if (v.has(s)) options.push_back({s, 1.0});
  return weighted(rng, options).service;
}

void plan_profile_session(SessionCtx& c, const Variant& v, const std::string& service, uint16_t sport, Plan& p) {
  if (!v.has(service)) throw std::invalid_argument("variant '" + v.name + "' has no " + service + " probes");
  if (service == "http") return http_session(c, v, sport, p);
  if (service == "tls") return tls_session(c, v, sport, p);
  if (service == "dns") return dns_session(c, v, sport, p);
  if (service == "syn") return syn_session(c, v, sport, p);
  ssh_session(c, v, sport, p);
}

}  // namespace sg::simulate
