#include "probe/analyzer.h"

#include <algorithm>

#include "probe/dns.h"
#include "probe/http.h"
#include "probe/rdp.h"
#include "probe/ssh.h"
#include "probe/tls.h"

namespace sg {

Match detect_tcp_service(ByteView stream, Service& service) {
  struct Candidate {
    Service service;
    Match (*match)(ByteView);
  };
  // Order matters: the patterns are not disjoint (an SSH banner with a space passes the HTTP request-line
  // test), so the most specific analyzers go first.
  static const Candidate candidates[] = {{Service::tls, tls_match},
                                         {Service::ssh, ssh_match},
                                         {Service::rdp, rdp_match},
                                         {Service::http, http_match},
                                         {Service::dns, dns_tcp_match}};
  bool undecided = false;
  for (const auto& c : candidates) {
    Match m = c.match(stream);
    if (m == Match::yes) {
      service = c.service;
      return Match::yes;
    }
    undecided |= m == Match::need_more;
  }
  service = Service::other;
  return undecided ? Match::need_more : Match::no;
}

Service detect_udp_service(ByteView datagram) {
  return dns_match(datagram) == Match::yes ? Service::dns : Service::other;
}

MessageState message_state(Service service, Transport transport, ByteView stream) {
  switch (service) {
    case Service::tls:
      return tls_state(stream);
    case Service::http:
      return http_state(stream);
    case Service::ssh:
      return ssh_state(stream);
    case Service::rdp:
      return rdp_state(stream);
    case Service::dns:
      return transport == Transport::udp ? MessageState::complete : dns_tcp_state(stream);
    default:
      return MessageState::complete;
  }
}

namespace {

void fill_other(ByteView message, Probe& probe) {
  probe.service = Service::other;
  OtherProbe o;
  ByteView head = message.first(std::min(message.size(), kOtherHeadBytes));
  o.head.assign(head.begin(), head.end());
  o.length = message.size();
  probe.other = std::move(o);
}

template <class T>
ParseStatus run(ParseStatus (*parse)(ByteView, T&), ByteView message, std::optional<T>& slot) {
  T value;
  ParseStatus st = parse(message, value);
  if (st.ok()) slot = std::move(value);
  return st;
}

}  // namespace

ParseStatus analyze(Service service, ByteView message, Probe& probe) {
  probe.service = service;
  ParseStatus st;
  switch (service) {
    case Service::tls:
      st = run(parse_tls_client_hello, message, probe.tls);
      break;
    case Service::http:
      st = run(parse_http_request, message, probe.http);
      break;
    case Service::ssh:
      st = run(parse_ssh, message, probe.ssh);
      break;
    case Service::rdp:
      st = run(parse_rdp, message, probe.rdp);
      break;
    case Service::dns:
      st = run(probe.transport == Transport::udp ? parse_dns_query : parse_dns_tcp_query, message, probe.dns);
      break;
    case Service::syn:
      return {};
    case Service::other:
      fill_other(message, probe);
      return {};
  }
  if (!st.ok()) fill_other(message, probe);
  return st;
}

}  // namespace sg
