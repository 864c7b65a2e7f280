#include "probe/http.h"

#include <algorithm>
#include <optional>
#include <string_view>

namespace sg {

namespace {

// Methods longer than this are not seen in practice; capping keeps detection from waiting forever on a
// long run of letters.
constexpr size_t kMaxMethod = 32;
constexpr size_t kMaxHeaders = 256;

bool is_tchar(uint8_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_ws(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

size_t method_length(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && n <= kMaxMethod && is_tchar(static_cast<uint8_t>(s[n]))) ++n;
  return n;
}

// A line ends at LF; a CR just before it is part of the terminator, so CRLF and bare LF both work.
struct Line {
  std::string_view text;  // without the terminator
  size_t next = 0;        // offset just past the terminator
};

std::optional<Line> next_line(std::string_view s, size_t pos) {
  size_t lf = s.find('\n', pos);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view text = s.substr(pos, lf - pos);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return Line{text, lf + 1};
}

// Control bytes (other than HT) never appear in a request line of a real client; they mark binary data.
bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<uint8_t>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

// "HTTP/1.1", "RTSP/1.0", "HTTP/1." as sent: a protocol name, a slash, then digits and dots.
bool is_version(std::string_view t) {
  size_t slash = t.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto numeric = [](char c) { return (c >= '0' && c <= '9') || c == '.'; };
  return std::all_of(t.begin(), t.begin() + slash, alpha) && std::all_of(t.begin() + slash + 1, t.end(), numeric);
}

bool starts_with_http(std::string_view t) { return t.size() >= 5 && iequals(t.substr(0, 5), "HTTP/"); }

struct RequestLine {
  std::string_view method, uri, version;
};

// Splits "METHOD SP target [SP version]". The target may itself hold spaces (scanners send them), so the
// version is the last token when it looks like one.
RequestLine split_request_line(std::string_view line) {
  RequestLine r;
  size_t m = method_length(line);
  r.method = line.substr(0, m);
  std::string_view rest = trim(line.substr(m));
  size_t sp = rest.find_last_of(" \t");
  if (sp == std::string_view::npos) {
    // "OPTIONS HTTP/1.1": the target is missing, not the version (Zeek reads it the same way).
    if (starts_with_http(rest) && is_version(rest))
      r.version = rest;
    else
      r.uri = rest;
    return r;
  }
  std::string_view last = rest.substr(sp + 1);
  if (is_version(last)) {
    r.version = last;
    r.uri = trim(rest.substr(0, sp));
  } else {
    r.uri = rest;
  }
  return r;
}

bool is_header_line(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && is_ws(name.back())) name.remove_suffix(1);
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(c); });
}

std::string_view header_key(std::string_view name) { return trim(name); }

struct HeaderBlock {
  bool ended = false;  // an empty line closed the block
  size_t end = 0;      // offset past the block (start of the body)
};

void add_header(std::string_view line, HttpProbe& out) {
  size_t colon = line.find(':');
  out.headers.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
}

void fold_into_last(std::string_view line, HttpProbe& out) {
  std::string& v = out.headers.back().second;
  std::string_view more = trim(line);
  if (!v.empty() && !more.empty()) v += ' ';
  v += more;
}

// Reads header lines from `pos` up to the empty line that ends the block. Lines that are not headers are
// skipped, as is a fold with no stored header to continue.
HeaderBlock read_headers(std::string_view s, size_t pos, HttpProbe& out) {
  HeaderBlock block{false, pos};
  bool kept_last = false;  // whether the previous header was stored, so a fold knows where it belongs
  while (auto line = next_line(s, pos)) {
    pos = line->next;
    std::string_view text = line->text;
    if (text.empty()) return {true, pos};
    if (is_ws(text.front())) {  // obs-fold: continues the previous value
      if (kept_last) fold_into_last(text, out);
    } else if (is_header_line(text)) {
      kept_last = out.headers.size() < kMaxHeaders;
      if (kept_last) add_header(text, out);
    } else {
      kept_last = false;
    }
    block.end = pos;
  }
  return block;
}

// Whether a request line without a version is followed by a header block. libhtp (Suricata) decides it on
// the bytes that follow the line: only whitespace, or nothing yet, makes it an HTTP/0.9 request that ends
// with its line; anything else is read as headers ("Request line: missing protocol").
bool headers_follow(std::string_view s, size_t pos) {
  for (; pos < s.size(); ++pos) {
    char c = s[pos];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f') return true;
  }
  return false;
}

std::optional<std::string> first_header(const HttpProbe& h, std::string_view name) {
  for (const auto& [n, v] : h.headers)
    if (iequals(header_key(n), name)) return v;
  return std::nullopt;
}

uint64_t parse_content_length(std::string_view v) {
  v = trim(v);
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return 0;
    if (n > (UINT64_MAX - 9) / 10) return UINT64_MAX;  // absurd lengths saturate; the body caps them
    n = n * 10 + uint64_t(c - '0');
  }
  return n;
}

// The part of the stream before any line end: a CR there may be the first half of a CRLF still to come.
std::string_view pending_line(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

Match http_match(ByteView stream) {
  std::string_view s = as_chars(stream);
  size_t m = method_length(s);
  if (m == s.size()) return m <= kMaxMethod ? Match::need_more : Match::no;
  if (m == 0 || m > kMaxMethod) return Match::no;
  return s[m] == ' ' ? Match::yes : Match::no;
}

MessageState http_state(ByteView stream) {
  Match m = http_match(stream);
  if (m == Match::no) return MessageState::invalid;
  if (m == Match::need_more) return MessageState::need_more;
  std::string_view s = as_chars(stream);
  auto line = next_line(s, 0);
  if (!line) return has_control(pending_line(s)) ? MessageState::invalid : MessageState::need_more;
  if (has_control(line->text)) return MessageState::invalid;
  size_t pos = line->next;
  if (split_request_line(line->text).version.empty() && !headers_follow(s, pos)) return MessageState::complete;
  while (auto l = next_line(s, pos)) {
    if (l->text.empty()) return MessageState::complete;
    pos = l->next;
  }
  return MessageState::need_more;
}

ParseStatus parse_http_request(ByteView stream, HttpProbe& out) {
  if (http_match(stream) != Match::yes) return {"http.bad_method"};
  std::string_view s = as_chars(stream);
  auto line = next_line(s, 0);
  // Without a line end the message was cut short; the request line so far is still worth keeping.
  std::string_view text = line ? line->text : pending_line(s);
  if (has_control(text)) return {"http.bad_request_line"};
  RequestLine r = split_request_line(text);
  out = HttpProbe{};
  out.method = r.method;
  out.uri = r.uri;
  out.version = r.version;
  if (!line) return {};
  if (r.version.empty() && !headers_follow(s, line->next)) return {};  // HTTP/0.9: the line is the request
  out.headers.reserve(16);  // most requests: one allocation instead of a doubling series
  HeaderBlock block = read_headers(s, line->next, out);
  out.user_agent = first_header(out, "User-Agent");
  out.host = first_header(out, "Host");
  if (block.ended) {
    auto cl = first_header(out, "Content-Length");
    uint64_t present = s.size() - block.end;
    if (cl) out.body_length = std::min(parse_content_length(*cl), present);
  }
  return {};
}

}  // namespace sg
