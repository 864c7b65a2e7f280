#include "sense/answer_http.h"

#include <fmt/format.h>

#include <ctime>

namespace sg::sense {

namespace {

constexpr std::string_view kPage =
    "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n"
    "<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\n"
    "working. Further configuration is required.</p>\n</body>\n</html>\n";

constexpr std::string_view kBad =
    "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n"
    "</body>\r\n</html>\r\n";

// RFC 9110 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(int64_t now_us) {
  const time_t t = static_cast<time_t>(now_us / 1'000'000);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

std::string http_answer(bool ok, std::string_view server, std::string_view set_cookie, int64_t now_us) {
  const std::string_view body = ok ? kPage : kBad;
  std::string out = fmt::format("HTTP/1.1 {}\r\nServer: {}\r\nDate: {}\r\nContent-Type: text/html\r\n",
                                ok ? "200 OK" : "400 Bad Request", server, http_date(now_us));
  out += fmt::format("Content-Length: {}\r\nConnection: close\r\n", body.size());
  if (!set_cookie.empty()) out += fmt::format("Set-Cookie: {}\r\n", set_cookie);
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace sg::sense
