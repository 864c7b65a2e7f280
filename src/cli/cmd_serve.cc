// `serve`: the scanner database over HTTP — a JSON API and a web page (src/serve), read-only, beside `run`.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "pipeline/stop.h"
#include "serve/http_server.h"
#include "storage/db.h"
#include "util/terminal.h"

namespace sg::cli {

namespace {

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  int threads = 8;
  size_t cache_ips = 16384;
};

void run_serve(const ServeArgs& a) {
  if (!database_exists(a.db)) throw std::runtime_error(fmt::format("{}: no such database", a.db));
  serve::ServeOptions opt;
  opt.db = a.db;
  opt.threads = a.threads;
  opt.cache_ips = a.cache_ips;
  if (!serve::parse_listen(a.listen, opt.host, opt.port))
    throw CLI::ValidationError("--listen",
                               fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080)", a.listen));
  serve::HttpServer server(opt);
  int port = server.bind();
  std::string host = opt.host.find(':') == std::string::npos ? opt.host : "[" + opt.host + "]";
  if (auto note = server.schema_note(); !note.empty()) fmt::print(stderr, "note: {}\n", term_safe(note));
  fmt::print("serving {} read-only on http://{}:{}/ (Ctrl-C stops)\n", a.db, host, port);
  std::fflush(stdout);
  pipeline::install_stop_handlers();
  std::thread t([&] { server.run(); });
  while (!pipeline::stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  t.join();
}

}  // namespace

void add_serve(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "The scanner database over HTTP: a JSON API and a web page");
  cmd->footer(
      "Serves the scanner database read-only over HTTP, safe beside a `run` or `ingest` writing it: a web\n"
      "page at / (search an ip, a CIDR, an organisation or a fingerprint; per-ip evidence and history;\n"
      "per-organisation ips, fingerprints and weekly chart; no external resources) and a JSON API:\n"
      "  GET  /v1/ip/{ip}          organisation or unknown, confidence, evidence kind and why, label lists,\n"
      "                            first/last seen, weeks, services, ports, user agents, ja3/ja4, HASSH,\n"
      "                            SYN signatures, per-week history\n"
      "  GET  /v1/ip?cidr=PREFIX   the ips of a prefix (at most /16 for IPv4, /112 for IPv6), paged\n"
      "  POST /v1/ip               {\"ips\": [\"192.0.2.1\", \"198.51.100.0/24\", ...]}: a summary each (at most "
      "1000;\n"
      "                            bodies up to 1 MiB)\n"
      "  GET  /v1/org/{org}        its ips (paged), fingerprints and weekly counts\n"
      "  GET  /v1/search?ja4=V     the ips that sent a fingerprint: ja3, ja4, sni, ua, qname or hassh\n"
      "                            (&contains=1 for a substring), paged\n"
      "  GET  /v1/stats            totals, weeks and organisations\n"
      "Paging: limit (at most 1000, default 100) and offset; answers carry total and next_offset. Errors are\n"
      "JSON ({\"error\": {\"status\", \"code\", \"message\"}}) with a 4xx status for bad input, 503 for a\n"
      "request whose queries ran over 30 s.\n"
      "The server listens on 127.0.0.1 unless told otherwise; it has no authentication of its own.\n"
      "Example: scannergrouper serve --db scanners.db --listen 127.0.0.1:8080\n"
      "         curl -s http://127.0.0.1:8080/v1/ip/198.51.100.7");
  cmd->add_option("--db", args->db, fmt::format("scanner database {}", kDbHelp))->required();
  cmd->add_option("--listen", args->listen, "address and port to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "worker threads (each with its own read-only connection)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--cache-ips", args->cache_ips,
                  "ips whose answers are kept between lookups until the database changes (any commit to it); "
                  "0 keeps none")
      ->check(CLI::Range(size_t(0), size_t(10'000'000)))
      ->capture_default_str();
  cmd->callback([args] { run_serve(*args); });
}

}  // namespace sg::cli
