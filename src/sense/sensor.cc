#include "sense/sensor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "probe/analyzer.h"
#include "probe/http.h"
#include "sense/answer_dns.h"
#include "sense/answer_http.h"
#include "sense/limits.h"
#include "sense/recorder.h"
#include "sense/tag.h"
#include "sense/tls.h"
#include "storage/probe_store.h"

namespace sg::sense {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::http:
      return "http";
    case Kind::tls:
      return "tls";
    case Kind::dns:
      return "dns";
    case Kind::ssh:
      return "ssh";
  }
  return "http";
}

namespace {

constexpr size_t kTlsRequestCap = 8 * 1024;  // the HTTP request inside TLS (not a probe: only answered)
constexpr int64_t kDrainUs = 2'000'000;      // after the answer, the client gets this long to close
constexpr size_t kUdpMax = 4096;             // a DNS query larger than this is not answered
constexpr const char* kDnsVersion = "9.18.28-1~deb12u2-Debian";

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void sys_fail(const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", what, std::strerror(errno)));
}

// The address of a sockaddr; a v4-mapped IPv6 address is the IPv4 address it carries.
IpAddr ip_of(const sockaddr_storage& ss, uint16_t& port) {
  IpAddr a;
  if (ss.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&ss);
    std::memcpy(a.b.data(), &s->sin_addr, 4);
    port = ntohs(s->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&ss);
    port = ntohs(s->sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
      std::memcpy(a.b.data(), s->sin6_addr.s6_addr + 12, 4);
    } else {
      a.v4 = false;
      std::memcpy(a.b.data(), s->sin6_addr.s6_addr, 16);
    }
  }
  return a;
}

std::string endpoint(const IpAddr& a, uint16_t port) {
  return a.v4 ? fmt::format("{}:{}", to_string(a), port) : fmt::format("[{}]:{}", to_string(a), port);
}

struct Listener {
  int fd = -1;
  Kind kind = Kind::http;
  bool udp = false;
  IpAddr address;
  uint16_t port = 0;
};

enum class State {
  first_message,  // reading the client's first message (the probe)
  tls_handshake,  // OpenSSL answering the recorded ClientHello
  tls_request,    // reading the HTTP request inside TLS
  writing,        // sending the answer
  draining,       // answer sent and our side shut: waiting for the client to close
};

struct Conn {
  int fd = -1;
  uint64_t serial = 0;  // tells a reused fd from the connection the eviction queue remembers
  Kind kind = Kind::http;
  State state = State::first_message;
  FlowState flow;
  int64_t accepted_us = 0, deadline_us = 0;
  std::string in;  // client bytes held until the probe is recorded (and handed to OpenSSL)
  std::string out;
  size_t out_off = 0;
  bool want_out = false;     // EPOLLOUT registered
  bool read_closed = false;  // the client's FIN arrived
  bool recorded = false;     // the tracker emitted this session's probe
  int64_t record_id = 0;
  std::unique_ptr<TlsSession> tls;
  std::string plain;  // the HTTP request inside TLS
};

}  // namespace

struct Sensor::Impl {
  explicit Impl(const SenseConfig& c)
      : cfg(c),
        sessions(c.limits.session_rate, c.limits.session_burst, c.limits.max_sources),
        dns_answers(c.limits.dns_rate, c.limits.dns_burst, c.limits.max_sources) {}
  ~Impl() {
    for (auto& [fd, c] : conns) ::close(fd);
    for (const Listener& l : listeners) ::close(l.fd);
    if (epfd >= 0) ::close(epfd);
  }

  const SenseConfig& cfg;
  std::vector<Listener> listeners;
  std::optional<labels::TagKey> tag_key;
  std::unique_ptr<Tagger> tagger;
  std::unique_ptr<TlsContext> tls;
  RateLimiter sessions, dns_answers;
  int epfd = -1;
  std::unordered_map<int, std::unique_ptr<Conn>> conns;
  std::deque<std::pair<int, uint64_t>> order;  // (fd, serial) in accept order: who is evicted first
  uint64_t next_serial = 1;
  size_t buffered = 0;
  size_t max_connections = 0;
  std::unique_ptr<ProbeStore> store;
  std::unique_ptr<Recorder> recorder;
  Recorder* rec = nullptr;
  SenseSummary sum;

  void count(const char* what) {
    ++sum.events[what];
    rec->stats().skip(what);  // kept with the sensor's capture row (capture_skips)
  }

  // ---- listeners and the loop ----
  void open_listener(Kind kind, bool udp, const IpAddr& addr, uint16_t port);
  void run(const std::atomic<bool>& stop);
  void on_listener(const Listener& l, int64_t now);
  void accept_all(const Listener& l, int64_t now);
  void read_datagrams(const Listener& l, int64_t now);

  // ---- connections ----
  void on_conn(Conn& c, uint32_t events, int64_t now);
  void on_read(Conn& c, int64_t now);
  void on_probe(Conn& c, const Recorded& r, int64_t now);
  void advance_tls(Conn& c, int64_t now);
  void answer(Conn& c, std::string bytes, int64_t now);
  void try_write(Conn& c, int64_t now);
  void set_interest(Conn& c);
  void release_input(Conn& c);
  void close_conn(Conn& c, bool reset, int64_t now);
  bool evict_oldest(const Conn* keep, int64_t now);
  void sweep(int64_t now);
  std::string cookie_for(const Conn& c, int64_t now) const {
    return tagger ? tagger->set_cookie(now, static_cast<uint64_t>(c.record_id), c.flow.client) : "";
  }
};

Sensor::Sensor(SenseConfig config) : cfg_(std::move(config)), impl_(std::make_unique<Impl>(cfg_)) {}
Sensor::~Sensor() = default;

uint32_t Sensor::sensor_id() const { return sense::sensor_id(cfg_.sensor); }

void Sensor::Impl::open_listener(Kind kind, bool udp, const IpAddr& addr, uint16_t port) {
  const int family = addr.v4 ? AF_INET : AF_INET6;
  int fd = socket(family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) sys_fail("socket");
  Listener l{fd, kind, udp, addr, port};
  listeners.push_back(l);  // closed by ~Impl from here on, whatever fails below
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (!addr.v4) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (udp) {
    // The destination address of each datagram: the probe's dst when the socket listens on any address.
    if (addr.v4)
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    else
      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
  } else {
    // The kernel keeps each connection's SYN (IP and TCP headers) for TCP_SAVED_SYN: the SYN signature a
    // capture would give. Linux 4.2+; without it the probes lack `syn` (counted: sensor.no_saved_syn).
    setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof one);
  }
  sockaddr_storage ss{};
  socklen_t len;
  if (addr.v4) {
    auto* s = reinterpret_cast<sockaddr_in*>(&ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    std::memcpy(&s->sin_addr, addr.b.data(), 4);
    len = sizeof(sockaddr_in);
  } else {
    auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    std::memcpy(&s->sin6_addr, addr.b.data(), 16);
    len = sizeof(sockaddr_in6);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
    sys_fail(fmt::format("{} {} {}", kind_name(kind), udp ? "udp" : "tcp", endpoint(addr, port)));
  if (!udp && listen(fd, 4096) != 0) sys_fail("listen");
  len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  ip_of(ss, listeners.back().port);
}

std::vector<Bound> Sensor::bind() {
  IpAddr addr;
  if (!parse_ip(cfg_.bind, addr)) throw std::invalid_argument(fmt::format("'{}' is not an IP address", cfg_.bind));
  if (cfg_.listeners.empty()) throw std::invalid_argument("no port to listen on (--http, --tls, --dns or --ssh)");
  Impl& m = *impl_;
  for (const Listen& l : cfg_.listeners) {
    m.open_listener(l.kind, false, addr, l.port);
    // DNS answers on UDP and TCP, on the same port (the TCP one's when the port was 0).
    if (l.kind == Kind::dns) m.open_listener(l.kind, true, addr, m.listeners.back().port);
  }
  if (!cfg_.tag_key_file.empty()) {
    m.tag_key = labels::load_tag_key(cfg_.tag_key_file);
    m.tagger = std::make_unique<Tagger>(*m.tag_key, sensor_id(), cfg_.cookie);
  }
  for (const Listen& l : cfg_.listeners)
    if (l.kind == Kind::tls && !m.tls) m.tls = std::make_unique<TlsContext>(cfg_.cert_file, cfg_.key_file, cfg_.sensor);
  // Room for the connections: the soft descriptor limit raised to the hard one, and the connection limit
  // kept below it (listeners, the database and a margin).
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  const size_t fd_room = rl.rlim_cur > 128 ? static_cast<size_t>(rl.rlim_cur) - 64 : 64;
  m.max_connections = std::min(cfg_.limits.max_connections, fd_room);
  // The store is opened here too: a database the unprivileged user could not open (root's directory) stays
  // usable through the open handle, as the sockets do.
  m.store = std::make_unique<ProbeStore>(cfg_.db);
  // The tracker's table holds open sessions and short tombstones; UDP sessions stay a minute.
  m.recorder = std::make_unique<Recorder>(*m.store, cfg_.sensor, cfg_.limits.message_cap,
                                          std::max<size_t>(4 * m.max_connections, 65'536));
  m.rec = m.recorder.get();
  std::vector<Bound> out;
  for (const Listener& l : m.listeners) out.push_back({l.kind, l.udp, endpoint(l.address, l.port), l.port});
  return out;
}

std::string Sensor::drop_privileges() {
  std::string done;
  if (geteuid() == 0) {
    const std::string name = cfg_.user.empty() ? "nobody" : cfg_.user;
    const passwd* pw = getpwnam(name.c_str());
    if (!pw) throw std::runtime_error(fmt::format("--user: no user '{}'", name));
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    if (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0) sys_fail("dropping privileges");
    if (uid != 0 && setuid(0) == 0) throw std::runtime_error("dropping privileges: root could be regained");
    done = fmt::format("running as {} (uid {}, gid {})", name, uid, gid);
  } else if (!cfg_.user.empty()) {
    throw std::runtime_error("--user needs the sensor to start as root");
  } else {
    // Unprivileged with capabilities (the systemd unit's CAP_NET_BIND_SERVICE): none are needed once bound.
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capset, &hdr, data) != 0) sys_fail("dropping capabilities");
    done = "capabilities dropped";
  }
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);  // nothing this process could start gains privileges
  return done;
}

SenseSummary Sensor::run(const std::atomic<bool>& stop) {
  if (!impl_->rec) throw std::logic_error("Sensor::run before bind");
  Recorder& rec = *impl_->rec;
  impl_->run(stop);
  rec.finish();
  SenseSummary s = impl_->sum;
  s.probes = rec.probes();
  for (const auto& [service, n] : rec.stats().probes_by_service) s.probes_by_service[service] = n;
  return s;
}

void Sensor::Impl::run(const std::atomic<bool>& stop) {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) sys_fail("epoll_create1");
  // Listener events carry the listener's index with the top bit set; connection events carry the fd.
  constexpr uint64_t kListenerBit = uint64_t(1) << 63;
  for (size_t i = 0; i < listeners.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenerBit | i;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listeners[i].fd, &ev) != 0) sys_fail("epoll_ctl");
  }
  int64_t last_sweep = now_us(), last_flush = last_sweep;
  epoll_event events[256];
  while (!stop.load()) {
    const int n = epoll_wait(epfd, events, 256, 100);
    if (n < 0 && errno != EINTR) sys_fail("epoll_wait");
    const int64_t now = now_us();
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag & kListenerBit) {
        on_listener(listeners[tag & ~kListenerBit], now);
        continue;
      }
      auto it = conns.find(static_cast<int>(tag));
      if (it != conns.end()) on_conn(*it->second, events[i].events, now);  // gone: closed earlier in this batch
    }
    if (now - last_sweep >= 100'000) {
      sweep(now);
      last_sweep = now;
    }
    if (now - last_flush >= 1'000'000) {
      rec->flush();
      sessions.sweep(now);
      dns_answers.sweep(now);
      last_flush = now;
    }
  }
  // Stop: no new connections; what every open connection sent is recorded (as a capture would show the
  // sensor's reset), then the loop's caller writes it all.
  for (const Listener& l : listeners) epoll_ctl(epfd, EPOLL_CTL_DEL, l.fd, nullptr);
  const int64_t now = now_us();
  std::vector<int> fds;
  for (const auto& [fd, c] : conns) fds.push_back(fd);
  for (int fd : fds) close_conn(*conns.at(fd), true, now);
}

void Sensor::Impl::on_listener(const Listener& l, int64_t now) {
  if (l.udp)
    read_datagrams(l, now);
  else
    accept_all(l, now);
}

void Sensor::Impl::accept_all(const Listener& l, int64_t now) {
  for (int k = 0; k < 256; ++k) {  // bounded, so one busy listener does not starve the others
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    const int fd = accept4(l.fd, reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) count("sensor.out_of_descriptors");
      return;  // EAGAIN: none left; anything else: the next event retries
    }
    ++sum.accepted;
    uint16_t cport = 0;
    const IpAddr client = ip_of(peer, cport);
    if (!sessions.allow(client, now)) {
      count("sensor.rate_limited");
      linger lg{1, 0};  // a reset frees the socket at once
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      ::close(fd);
      continue;
    }
    while (conns.size() >= max_connections && evict_oldest(nullptr, now)) count("sensor.evicted_connection_limit");
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->serial = next_serial++;
    c->kind = l.kind;
    c->accepted_us = now;
    c->deadline_us = now + std::min(cfg.limits.read_timeout_ms, cfg.limits.idle_timeout_ms) * 1000;
    c->flow.client = client;
    c->flow.client_port = cport;
    sockaddr_storage local{};
    socklen_t llen = sizeof local;
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen);
    c->flow.server = ip_of(local, c->flow.server_port);
    uint8_t syn[512];
    socklen_t slen = sizeof syn;
    ByteView saved;
    if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &slen) == 0) saved = ByteView(syn, slen);
    rec->open(c->flow, saved, now);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(fd);
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      continue;
    }
    Conn& conn = *c;
    conns.emplace(fd, std::move(c));
    order.emplace_back(fd, conn.serial);
    sum.peak_connections = std::max(sum.peak_connections, conns.size());
    // An SSH server speaks first: the client's banner and key exchange (the probe) follow it.
    if (conn.kind == Kind::ssh) {
      conn.out = cfg.server_banner + "\r\n";
      try_write(conn, now);
    }
  }
}

void Sensor::Impl::read_datagrams(const Listener& l, int64_t now) {
  for (int k = 0; k < 256; ++k) {
    uint8_t buf[kUdpMax];
    sockaddr_storage peer{};
    iovec iov{buf, sizeof buf};
    alignas(cmsghdr) char control[128];
    msghdr msg{};
    msg.msg_name = &peer;
    msg.msg_namelen = sizeof peer;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(l.fd, &msg, MSG_DONTWAIT);
    if (n < 0) return;
    ++sum.datagrams;
    FlowState flow;
    flow.client = ip_of(peer, flow.client_port);
    flow.server = l.address;
    flow.server_port = l.port;
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
        in_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(cm), sizeof pi);
        flow.server = IpAddr{};
        std::memcpy(flow.server.b.data(), &pi.ipi_addr, 4);
      } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(cm), sizeof pi);
        flow.server = IpAddr{};
        flow.server.v4 = false;
        std::memcpy(flow.server.b.data(), &pi.ipi6_addr, 16);
      }
    }
    if (!sessions.allow(flow.client, now)) {
      count("sensor.rate_limited");
      continue;
    }
    const ByteView payload(buf, static_cast<size_t>(n));
    rec->datagram(flow, payload, now);
    if (msg.msg_flags & MSG_TRUNC) {
      count("sensor.udp_oversized");  // recorded as far as read; not answered
      continue;
    }
    if (!dns_answers.allow(flow.client, now)) {
      count("sensor.dns_answer_rate_limited");
      continue;
    }
    auto a = dns_answer(payload, kDnsVersion, payload.size() * cfg.limits.dns_amplification);
    if (!a) {
      count("sensor.dns_not_answered");
      continue;
    }
    if (sendto(l.fd, a->data(), a->size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&peer), msg.msg_namelen) > 0)
      ++sum.answers;
  }
}

void Sensor::Impl::on_conn(Conn& c, uint32_t events, int64_t now) {
  const int fd = c.fd;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_read(c, now);
  auto it = conns.find(fd);  // reading may have closed it
  if (it == conns.end() || it->second.get() != &c) return;
  if (events & EPOLLOUT) try_write(c, now);
}

void Sensor::Impl::on_read(Conn& c, int64_t now) {
  char buf[16 * 1024];
  const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    count("sensor.connection_error");
    close_conn(c, true, now);
    return;
  }
  if (n == 0) {  // the client's FIN
    c.read_closed = true;
    if (c.state == State::first_message && !c.recorded) {
      if (auto r = rec->client_fin(c.flow, now)) {
        c.recorded = true;
        const int fd = c.fd;  // on_probe may close the connection and free c
        on_probe(c, *r, now);
        if (conns.count(fd) == 0) return;
      }
    }
    if (c.out_off < c.out.size() && c.state != State::first_message) {
      set_interest(c);  // keep writing; stop reading
      return;
    }
    close_conn(c, false, now);
    return;
  }
  const ByteView bytes(reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(n));
  switch (c.state) {
    case State::first_message: {
      c.deadline_us =
          std::min(c.accepted_us + cfg.limits.read_timeout_ms * 1000, now + cfg.limits.idle_timeout_ms * 1000);
      // Held for OpenSSL (TLS) or the DNS answer, at most the message cap (what the tracker keeps too).
      const size_t take =
          std::min(bytes.size(), cfg.limits.message_cap - std::min(cfg.limits.message_cap, c.in.size()));
      c.in.append(buf, take);
      buffered += take;
      while (buffered > cfg.limits.max_buffered && evict_oldest(&c, now)) count("sensor.evicted_memory_limit");
      sum.peak_buffered = std::max(sum.peak_buffered, buffered);
      const bool want_id = tagger && (c.kind == Kind::http || c.kind == Kind::tls);
      if (auto r = rec->data(c.flow, bytes, now, want_id)) {
        c.recorded = true;
        on_probe(c, *r, now);
      }
      return;
    }
    case State::tls_handshake:
    case State::tls_request:
      c.tls->feed(bytes);
      advance_tls(c, now);
      return;
    case State::writing:
    case State::draining:
      return;  // whatever else the client sends is not read into memory
  }
}

void Sensor::Impl::on_probe(Conn& c, const Recorded& r, int64_t now) {
  c.record_id = r.id;
  c.deadline_us = c.accepted_us + cfg.limits.lifetime_ms * 1000;
  switch (c.kind) {
    case Kind::http:
      release_input(c);
      answer(c, http_answer(r.service == Service::http, cfg.http_server, cookie_for(c, now), now), now);
      return;
    case Kind::tls:
      if (r.service != Service::tls) {
        count("sensor.tls_port_not_tls");
        close_conn(c, true, now);
        return;
      }
      c.tls = std::make_unique<TlsSession>(*tls);
      c.tls->feed(as_bytes(c.in));  // the recorded ClientHello (and whatever followed it)
      release_input(c);
      c.state = State::tls_handshake;
      advance_tls(c, now);
      return;
    case Kind::dns: {
      std::optional<std::string> a;
      if (r.service == Service::dns && c.in.size() >= 2) {
        const size_t len = size_t(uint8_t(c.in[0])) << 8 | uint8_t(c.in[1]);
        if (c.in.size() >= 2 + len) a = dns_answer(as_bytes(c.in).subspan(2, len), kDnsVersion, 4096);
      }
      release_input(c);
      if (!a) {
        count("sensor.dns_not_answered");
        close_conn(c, false, now);
        return;
      }
      std::string framed;
      framed += static_cast<char>(a->size() >> 8);
      framed += static_cast<char>(a->size() & 0xff);
      answer(c, framed + *a, now);
      return;
    }
    case Kind::ssh:
      release_input(c);
      answer(c, "", now);  // the banner went out at accept; nothing more is said
      return;
  }
}

void Sensor::Impl::advance_tls(Conn& c, int64_t now) {
  if (c.state == State::tls_handshake) {
    const auto step = c.tls->handshake();
    c.tls->drain(c.out);
    if (step == TlsSession::Step::failed) {
      count("sensor.tls_handshake_failed");
      answer(c, "", now);  // the alert OpenSSL wrote, then close
      return;
    }
    if (step == TlsSession::Step::want_more) {
      try_write(c, now);
      return;
    }
    c.state = State::tls_request;
  }
  if (c.state != State::tls_request) return;
  const auto step = c.tls->read(c.plain, kTlsRequestCap);
  if (step == TlsSession::Step::failed) {
    count("sensor.tls_failed");
    close_conn(c, true, now);
    return;
  }
  const bool whole = message_state(Service::http, Transport::tcp, as_bytes(c.plain)) != MessageState::need_more;
  if (step == TlsSession::Step::want_more && !whole && c.plain.size() < kTlsRequestCap) {
    try_write(c, now);
    return;
  }
  const bool ok = http_match(as_bytes(c.plain)) == Match::yes;
  c.tls->write(http_answer(ok, cfg.http_server, cookie_for(c, now), now));
  c.tls->close_notify();
  c.tls->drain(c.out);
  std::string().swap(c.plain);
  answer(c, "", now);
}

void Sensor::Impl::answer(Conn& c, std::string bytes, int64_t now) {
  c.out += bytes;
  c.state = State::writing;
  ++sum.answers;
  try_write(c, now);
}

void Sensor::Impl::try_write(Conn& c, int64_t now) {
  while (c.out_off < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      close_conn(c, true, now);
      return;
    }
    c.out_off += static_cast<size_t>(n);
  }
  if (c.out_off == c.out.size()) {
    std::string().swap(c.out);
    c.out_off = 0;
    if (c.state == State::writing) {
      // Our side is done; the client closes its side (reading on until then avoids the reset a close with
      // unread bytes would send, which could destroy the answer in flight).
      shutdown(c.fd, SHUT_WR);
      c.state = State::draining;
      c.deadline_us = std::min(c.deadline_us, now + kDrainUs);
      if (c.read_closed) {
        close_conn(c, false, now);
        return;
      }
    }
  }
  set_interest(c);
}

void Sensor::Impl::set_interest(Conn& c) {
  const bool want_out = c.out_off < c.out.size();
  const uint32_t want = (c.read_closed ? 0u : uint32_t(EPOLLIN)) | (want_out ? uint32_t(EPOLLOUT) : 0u);
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = static_cast<uint64_t>(c.fd);
  epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_out = want_out;
}

void Sensor::Impl::release_input(Conn& c) {
  buffered -= c.in.size();
  std::string().swap(c.in);
}

void Sensor::Impl::close_conn(Conn& c, bool reset, int64_t now) {
  if (!c.recorded) {
    // What the client sent so far is its probe (truncated), or a SYN-only session when it sent nothing.
    if (c.read_closed)
      rec->client_fin(c.flow, now);
    else
      rec->server_reset(c.flow, now);
    c.recorded = true;
  }
  release_input(c);
  if (reset) {
    linger lg{1, 0};
    setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
  const int fd = c.fd;
  ::close(fd);
  conns.erase(fd);  // destroys c
}

// Closes the connection accepted longest ago (other than `keep`); false when there is none.
bool Sensor::Impl::evict_oldest(const Conn* keep, int64_t now) {
  std::optional<std::pair<int, uint64_t>> kept;
  bool evicted = false;
  while (!order.empty()) {
    auto [fd, serial] = order.front();
    order.pop_front();
    auto it = conns.find(fd);
    if (it == conns.end() || it->second->serial != serial) continue;  // closed already
    if (it->second.get() == keep) {
      kept = std::make_pair(fd, serial);
      continue;
    }
    close_conn(*it->second, true, now);
    evicted = true;
    break;
  }
  if (kept) order.push_front(*kept);
  return evicted;
}

void Sensor::Impl::sweep(int64_t now) {
  std::vector<Conn*> expired;
  for (const auto& [fd, c] : conns)
    if (now >= c->deadline_us) expired.push_back(c.get());
  for (Conn* c : expired) {
    count(c->state == State::first_message ? "sensor.read_timeout"
          : c->state == State::draining    ? "sensor.drain_timeout"
                                           : "sensor.answer_timeout");
    close_conn(*c, true, now);
  }
  // The eviction queue forgets connections closed meanwhile (from its front: the oldest close first).
  while (!order.empty()) {
    auto it = conns.find(order.front().first);
    if (it != conns.end() && it->second->serial == order.front().second) break;
    order.pop_front();
  }
}

}  // namespace sg::sense
