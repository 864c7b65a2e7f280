// `sense`: the sensor (src/sense): parses the ports and limits, prints what was bound and the counts at
// the end. The sensor itself lives in src/sense.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
#include "pipeline/stop.h"
#include "sense/sensor.h"
#include "util/host.h"
#include "util/terminal.h"
#include "util/verbosity.h"

namespace sg::cli {

namespace {

struct SenseArgs {
  sense::SenseConfig cfg;
  std::vector<uint16_t> http, tls, dns, ssh;
  double read_timeout = 10, idle_timeout = 5, lifetime = 30;
};

void run_sense(SenseArgs& a) {
  sense::SenseConfig cfg = a.cfg;
  for (auto [kind, ports] : {std::pair{sense::Kind::http, &a.http}, std::pair{sense::Kind::tls, &a.tls},
                             std::pair{sense::Kind::dns, &a.dns}, std::pair{sense::Kind::ssh, &a.ssh}})
    for (uint16_t p : *ports) cfg.listeners.push_back({kind, p});
  if (cfg.sensor.empty()) cfg.sensor = host_name("sensor");
  cfg.limits.read_timeout_ms = static_cast<int64_t>(a.read_timeout * 1000);
  cfg.limits.idle_timeout_ms = static_cast<int64_t>(a.idle_timeout * 1000);
  cfg.limits.lifetime_ms = static_cast<int64_t>(a.lifetime * 1000);
  pipeline::install_stop_handlers();
  sense::Sensor sensor(cfg);
  auto bound = sensor.bind();
  fmt::print("sensor {} (tag sensor id {}){}\n", term_safe(cfg.sensor), sensor.sensor_id(),
             cfg.tag_key_file.empty() ? ", no tags" : ", tagging HTTP answers");
  for (const auto& b : bound)
    fmt::print("listening {} {} {}\n", sense::kind_name(b.kind), b.udp ? "udp" : "tcp", b.address);
  std::fflush(stdout);
  const std::string dropped = sensor.drop_privileges();
  if (chatty()) fmt::print(stderr, "sense: {}; recording into {} (SIGTERM or Ctrl-C stops)\n", dropped, cfg.db);
  sense::SenseSummary s = sensor.run(pipeline::stop_flag());
  if (chatty()) {
    fmt::print(stderr, "sense: {} connections, {} datagrams, {} probes recorded, {} answers\n", s.accepted, s.datagrams,
               s.probes, s.answers);
    for (const auto& [service, n] : s.probes_by_service) fmt::print(stderr, "  probes {}: {}\n", service, n);
    fmt::print(stderr, "  peak: {} connections, {} bytes held\n", s.peak_connections, s.peak_buffered);
    for (const auto& [what, n] : s.events) fmt::print(stderr, "  {}: {}\n", what, n);
  }
}

}  // namespace

void add_sense(CLI::App& app) {
  auto a = std::make_shared<SenseArgs>();
  auto* c = app.add_subcommand("sense", "A low-interaction sensor: answer scanners, record their first probes");
  c->footer(
      "Answers HTTP, TLS (a self-signed certificate, then HTTP inside), DNS (UDP and TCP: version.bind,\n"
      "REFUSED otherwise, rate-limited, never larger than 3x the query) and SSH (a banner) on the given\n"
      "ports, and records each session's first client message as a probe in the database, through the same\n"
      "parsers as capture ingest (source 'sensor'). With --tag-key, HTTP answers carry a Set-Cookie tag\n"
      "(sensor id, time, probe id, scanner ip; see labels find-tags). Port 0 binds any free port; the bound\n"
      "ones are printed. Started as root, it drops to --user (default nobody) after binding; unprivileged,\n"
      "give it CAP_NET_BIND_SERVICE for ports below 1024 (packaging/scannergrouper-sense.service). SIGTERM\n"
      "stops it with everything recorded. docs/SENSE.md has the limits and the deployment.\n"
      "Example:\n"
      "  scannergrouper sense --db sensor.db --http 80 --tls 443 --dns 53 --ssh 22 --tag-key sensor.key");
  c->add_option("--db", a->cfg.db,
                std::string("database (created if missing; the same store ingest writes) ") + kDbHelp)
      ->required();
  c->add_option("--http", a->http, "HTTP port (repeatable)");
  c->add_option("--tls", a->tls, "TLS port, HTTP inside (repeatable)");
  c->add_option("--dns", a->dns, "DNS port, UDP and TCP (repeatable)");
  c->add_option("--ssh", a->ssh, "SSH port (repeatable)");
  c->add_option("--bind", a->cfg.bind, "Address to listen on")->capture_default_str();
  c->add_option("--tag-key", a->cfg.tag_key_file, "Tag key (labels keygen): HTTP answers carry a tag cookie");
  c->add_option("--cookie", a->cfg.cookie, "Name of the tag cookie")->capture_default_str();
  c->add_option("--sensor", a->cfg.sensor, "Sensor name (default: the host name); a number is the tag's sensor id");
  c->add_option("--cert", a->cfg.cert_file, "TLS certificate chain (PEM; default: self-signed at start)");
  c->add_option("--key", a->cfg.key_file, "TLS private key (PEM)");
  c->add_option("--user", a->cfg.user, "User to run as after binding, when started as root (default nobody)");
  auto& l = a->cfg.limits;
  c->add_option("--max-connections", l.max_connections, "Open TCP connections (the oldest is closed for a new one)")
      ->check(CLI::Range(size_t(1), size_t(1'000'000)))
      ->capture_default_str();
  c->add_option("--max-buffered", l.max_buffered, "Client bytes held by all connections together")
      ->check(CLI::Range(size_t(64 * 1024), size_t(1) << 34))
      ->capture_default_str();
  c->add_option("--read-timeout", a->read_timeout, "Seconds for the whole first message")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  c->add_option("--idle-timeout", a->idle_timeout, "Seconds without a client byte")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  c->add_option("--lifetime", a->lifetime, "Seconds a connection may live")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  c->add_option("--rate", l.session_rate, "New sessions per second per source (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  c->add_option("--burst", l.session_burst, "Sessions a source may open at once")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  c->add_option("--dns-rate", l.dns_rate, "UDP DNS answers per second per source (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  c->callback([a] { run_sense(*a); });
}

}  // namespace sg::cli
