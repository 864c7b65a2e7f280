// `scannergrouper serve`: the JSON API (api.h) and the web page (page.h) over HTTP, through cpp-httplib.
// Read-only on the database, one connection per worker (a pool), so it runs beside `run` and `ingest`.
// Every answer carries a Content-Security-Policy that lets the page load nothing but its own script and
// style from this server; bodies over kMaxBody get 413, unknown paths a JSON 404.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace sg::serve {

struct ServeOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (port() says which)
  int threads = 8;
  size_t cache_ips = 16384;  // the ips whose answers are kept between requests (answer_cache.h); 0: none
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0" → host and port; false when malformed.
bool parse_listen(const std::string& text, std::string& host, int& port);

class HttpServer {
 public:
  // Opens the database (read-only) once to check it; throws StoreError when it cannot be read.
  explicit HttpServer(ServeOptions opt);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the port. Throws std::runtime_error when it cannot.
  int bind();
  // Serves until stop() (from another thread); bind() first.
  void run();
  void stop();
  int port() const;
  // A sentence for the operator when the file's layout is older than this program's (a read-only server
  // cannot bring it up to date, and lookups then go without the newer indexes); empty otherwise.
  std::string schema_note() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::serve
