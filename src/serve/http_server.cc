#include "serve/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <charconv>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "serve/answer_cache.h"
#include "serve/api.h"
#include "serve/page.h"
#include "storage/schema.h"

namespace sg::serve {

namespace {

// The page may load its own script and style from this server and fetch from it; nothing inline, nothing
// from elsewhere, no frames, no plugins.
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

constexpr size_t kKeepAliveRequests = 1000;

// Read-only connections, one per request at a time; a pool, since SQLite connections are not to be shared
// between threads mid-statement and opening one per request would repeat the schema checks.
class ApiPool {
 public:
  ApiPool(std::string db, size_t cache_ips) : db_(std::move(db)), cache_(std::make_shared<AnswerCache>(cache_ips)) {}
  std::unique_ptr<Api> acquire() {
    {
      std::lock_guard<std::mutex> lock(m_);
      if (!free_.empty()) {
        auto api = std::move(free_.back());
        free_.pop_back();
        return api;
      }
    }
    return std::make_unique<Api>(db_, kQueryTimeoutMs, cache_);
  }
  void release(std::unique_ptr<Api> api) {
    std::lock_guard<std::mutex> lock(m_);
    free_.push_back(std::move(api));
  }

 private:
  std::string db_;
  std::shared_ptr<AnswerCache> cache_;  // one for every connection
  std::mutex m_;
  std::vector<std::unique_ptr<Api>> free_;
};

void send(httplib::Response& res, const Response& r) {
  res.status = r.status;
  res.set_content(r.body, "application/json; charset=utf-8");
}

}  // namespace

bool parse_listen(const std::string& text, std::string& host, int& port) {
  size_t colon;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
    if (host.find(':') != std::string::npos) return false;  // IPv6 needs brackets
  }
  if (host.empty()) return false;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, port);
  return ec == std::errc() && ptr == last && first != last && port >= 0 && port <= 65535;
}

struct HttpServer::Impl {
  ServeOptions opt;
  ApiPool pool;
  httplib::Server svr;
  int port = -1;
  int schema_version = 0;
  explicit Impl(ServeOptions o) : opt(std::move(o)), pool(opt.db, opt.cache_ips) {}
};

HttpServer::HttpServer(ServeOptions opt) : impl_(std::make_unique<Impl>(std::move(opt))) {
  {
    auto api = impl_->pool.acquire();  // the database can be read, or this throws now
    impl_->schema_version = api->schema_version();
    impl_->pool.release(std::move(api));
  }
  auto& svr = impl_->svr;
  const int threads = std::max(1, impl_->opt.threads);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  svr.set_payload_max_length(kMaxBody);
  // Answers are small: without TCP_NODELAY a keep-alive client waits out the peer's delayed ACK (40 ms
  // on Linux) for each one, which capped lookups at ~25 per second per connection.
  svr.set_tcp_nodelay(true);
  // cpp-httplib closes a keep-alive connection after 5 requests by default, so a busy client connected
  // again every 5 lookups (a TCP handshake, an accept and a hand-over to a worker each time). A worker
  // still lets go of a connection after kKeepAliveRequests, or when it idles for 5 seconds.
  svr.set_keep_alive_max_count(kKeepAliveRequests);
  svr.set_read_timeout(10, 0);
  svr.set_write_timeout(10, 0);
  svr.set_default_headers({{"Content-Security-Policy", kCsp},
                           {"X-Content-Type-Options", "nosniff"},
                           {"X-Frame-Options", "DENY"},
                           {"Referrer-Policy", "no-referrer"},
                           {"Cache-Control", "no-store"}});

  auto api = [this](const httplib::Request& req, httplib::Response& res) {
    Request r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.params) r.params.emplace(k, v);
    r.body = req.body;
    std::unique_ptr<Api> a;
    try {
      a = impl_->pool.acquire();
    } catch (const std::exception& e) {
      return send(res, error_response(503, "database_unavailable", e.what()));
    }
    send(res, a->handle(r));
    impl_->pool.release(std::move(a));
  };
  svr.Get("/v1/.*", api);
  svr.Post("/v1/.*", api);
  svr.Put("/v1/.*", api);
  svr.Delete("/v1/.*", api);
  svr.Patch("/v1/.*", api);
  for (const Asset& asset : page_assets())
    svr.Get(asset.path, [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(asset.body, asset.content_type);
    });
  // Errors the library answers itself (413, 404 for other paths, 400) read like the API's own.
  svr.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // the API's answer stands
    std::string code = res.status == 413 ? "body_too_large" : res.status == 404 ? "no_such_route" : "bad_request";
    std::string message = res.status == 413   ? fmt::format("the body is over {} bytes", kMaxBody)
                          : res.status == 404 ? "no such page or route"
                                              : fmt::format("the request was refused (HTTP {})", res.status);
    send(res, error_response(res.status, code, message));
    return httplib::Server::HandlerResponse::Handled;
  }));
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  int port = impl_->opt.port == 0 ? impl_->svr.bind_to_any_port(impl_->opt.host)
                                  : (impl_->svr.bind_to_port(impl_->opt.host, impl_->opt.port) ? impl_->opt.port : -1);
  if (port < 0)
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{} (in use, or no such address)", impl_->opt.host, impl_->opt.port));
  impl_->port = port;
  return port;
}

void HttpServer::run() { impl_->svr.listen_after_bind(); }

void HttpServer::stop() {
  if (impl_) impl_->svr.stop();
}

int HttpServer::port() const { return impl_->port; }

std::string HttpServer::schema_note() const {
  const int v = impl_->schema_version;
  if (v <= 0 || v >= schema::kVersion) return "";
  return fmt::format(
      "{} has layout version {} (this program writes {}); `serve` reads it as it is, and its lookups go "
      "without the newer indexes (slower) until a command that writes to it (ingest, run) brings it up to date",
      impl_->opt.db, v, schema::kVersion);
}

}  // namespace sg::serve
