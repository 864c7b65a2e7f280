#include "features/tokenize.h"

#include <algorithm>
#include <cctype>

namespace sg::features {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

class TokenSet {
 public:
  void add(std::string_view t) {
    t = trim(t);
    if (t.empty() || out_.size() >= kMaxTokensPerValue) return;
    std::string c = clip_token(t);
    if (std::find(out_.begin(), out_.end(), c) == out_.end()) out_.push_back(std::move(c));
  }
  std::vector<std::string> take() { return std::move(out_); }

 private:
  std::vector<std::string> out_;
};

bool starts_with_digit(std::string_view s) { return !s.empty() && std::isdigit(static_cast<unsigned char>(s[0])); }

// `name/version` (or `name:version` inside comments): name, name/major, whole.
void add_product(TokenSet& ts, std::string_view word, size_t sep) {
  std::string_view name = word.substr(0, sep), version = word.substr(sep + 1);
  ts.add(name);
  size_t dot = version.find('.');
  if (dot != std::string_view::npos && dot > 0)
    ts.add(std::string(word.substr(0, sep + 1)) + std::string(version.substr(0, dot)));
  ts.add(word);
}

void add_comment_item(TokenSet& ts, std::string_view item) {
  item = trim(item);
  if (item.empty()) return;
  bool url = item.find("://") != std::string_view::npos || item.front() == '+';
  size_t space = item.find(' ');
  if (!url && space == std::string_view::npos) {
    size_t sep = item.find_first_of("/:");
    if (sep != std::string_view::npos && sep > 0 && sep + 1 < item.size()) return add_product(ts, item, sep);
    return ts.add(item);
  }
  ts.add(item);
  size_t last = item.rfind(' ');
  if (!url && last != std::string_view::npos && starts_with_digit(item.substr(last + 1))) ts.add(item.substr(0, last));
}

}  // namespace

std::string clip_token(std::string_view s) { return std::string(s.substr(0, kMaxTokenBytes)); }

std::vector<std::string> split_list(std::string_view s, char sep) {
  TokenSet ts;
  while (!s.empty()) {
    size_t p = s.find(sep);
    ts.add(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return ts.take();
}

std::vector<std::string> user_agent_tokens(std::string_view ua) {
  TokenSet ts;
  size_t i = 0;
  while (i < ua.size()) {
    if (std::isspace(static_cast<unsigned char>(ua[i]))) {
      ++i;
      continue;
    }
    if (ua[i] == '(') {  // comment, nested parentheses allowed; an unclosed one runs to the end
      size_t j = i + 1;
      for (int depth = 1; j < ua.size(); ++j) {
        if (ua[j] == '(') ++depth;
        if (ua[j] == ')' && --depth == 0) break;
      }
      std::string_view body = ua.substr(i + 1, j - i - 1);
      while (!body.empty()) {
        size_t p = body.find(';');
        add_comment_item(ts, body.substr(0, p));
        if (p == std::string_view::npos) break;
        body.remove_prefix(p + 1);
      }
      i = j + 1;
      continue;
    }
    size_t j = i;
    while (j < ua.size() && !std::isspace(static_cast<unsigned char>(ua[j])) && ua[j] != '(') ++j;
    std::string_view word = ua.substr(i, j - i);
    size_t slash = word.find('/');
    if (slash != std::string_view::npos && slash > 0 && slash + 1 < word.size())
      add_product(ts, word, slash);
    else
      ts.add(word);
    i = j;
  }
  return ts.take();
}

std::vector<std::string> ssh_banner_tokens(std::string_view banner) {
  TokenSet ts;
  ts.add(banner);
  std::string_view rest = banner;
  size_t sp = rest.find(' ');
  std::string_view ident = rest.substr(0, sp);
  if (ident.substr(0, 4) == "SSH-") {
    size_t dash = ident.find('-', 4);
    if (dash != std::string_view::npos) {
      ts.add(ident.substr(0, dash));
      std::string_view software = ident.substr(dash + 1);
      size_t cut = software.find_first_of("_-");
      if (cut != std::string_view::npos && cut > 0) ts.add(software.substr(0, cut));
      ts.add(software);
    }
  }
  if (sp != std::string_view::npos) ts.add(rest.substr(sp + 1));
  return ts.take();
}

bool is_grease(uint64_t v) { return v <= 0xffff && (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

std::string code_token(uint64_t v) { return is_grease(v) ? "grease" : std::to_string(v); }

unsigned initial_ttl(unsigned ttl) {
  for (unsigned t : {32u, 64u, 128u})
    if (ttl <= t) return t;
  return 255;
}

}  // namespace sg::features
