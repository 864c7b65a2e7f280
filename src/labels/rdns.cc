#include "labels/rdns.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

#include "labels/text.h"

namespace sg::labels {

extern const char* const kBuiltinRdnsRules;  // generated from data/rdns_rules.tsv

const std::string& RdnsRules::builtin_text() {
  static const std::string text = kBuiltinRdnsRules;
  return text;
}

RdnsRules RdnsRules::builtin() { return parse(builtin_text(), "built-in rDNS rules"); }

RdnsRules RdnsRules::parse(const std::string& text, const std::string& origin) {
  RdnsRules out;
  out.text_ = text;
  size_t line_no = 0;
  for_each_line(text, [&](std::string_view raw) {
    ++line_no;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') return;
    auto cols = split(line, '\t');
    if (cols.size() != 3 || (cols[0] != "suffix" && cols[0] != "regex") || trim(cols[1]).empty() ||
        trim(cols[2]).empty())
      throw std::invalid_argument(fmt::format("{}:{}: expected suffix|regex<TAB>pattern<TAB>org", origin, line_no));
    RdnsRule r;
    r.is_regex = cols[0] == "regex";
    r.org = trim(cols[2]);
    r.pattern = trim(cols[1]);
    if (r.is_regex) {
      try {
        r.re = std::regex(r.pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
      } catch (const std::regex_error& e) {
        throw std::invalid_argument(fmt::format("{}:{}: bad regex: {}", origin, line_no, e.what()));
      }
    } else {
      r.pattern = lower(r.pattern);
      while (!r.pattern.empty() && r.pattern.front() == '.') r.pattern.erase(0, 1);
    }
    out.rules_.push_back(std::move(r));
  });
  return out;
}

std::optional<std::string> RdnsRules::match(const std::string& ptr_name) const {
  std::string name = lower(trim(ptr_name));
  while (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty() || name.size() > 253) return std::nullopt;  // longer than any DNS name
  for (const auto& r : rules_) {
    if (r.is_regex) {
      if (std::regex_match(name, r.re)) return r.org;
    } else if (name == r.pattern || (name.size() > r.pattern.size() &&
                                     name.compare(name.size() - r.pattern.size(), r.pattern.size(), r.pattern) == 0 &&
                                     name[name.size() - r.pattern.size() - 1] == '.')) {
      return r.org;
    }
  }
  return std::nullopt;
}

std::optional<std::string> reverse_lookup(const std::string& ip) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof(sockaddr_in6);
  } else {
    return std::nullopt;
  }
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
    return std::nullopt;
  return std::string(host);
}

}  // namespace sg::labels
