#include "labels/aliases.h"

#include <fmt/format.h>

#include <cctype>
#include <stdexcept>

#include "labels/text.h"

namespace sg::labels {

extern const char* const kBuiltinAliases;  // generated from data/org_aliases.tsv

namespace {

// Domain suffixes dropped when a list names an organisation by its domain (censys.io, ipip.net).
bool strip_tld(std::string& s) {
  static const char* kTlds[] = {".io", ".com", ".org", ".net", ".edu", ".de", ".ca", ".run", ".uk", ".gov.uk"};
  for (const char* t : kTlds) {
    std::string tld = t;
    if (s.size() > tld.size() && s.compare(s.size() - tld.size(), tld.size(), tld) == 0) {
      s.resize(s.size() - tld.size());
      return true;
    }
  }
  return false;
}

std::string fold(const std::string& name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u))
      out += static_cast<char>(std::tolower(u));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace

std::string Aliases::key(const std::string& name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) out += static_cast<char>(std::tolower(u));
  }
  return out;
}

const std::string& Aliases::builtin_text() {
  static const std::string text = kBuiltinAliases;
  return text;
}

Aliases Aliases::builtin() { return parse(builtin_text(), "built-in alias table"); }

Aliases Aliases::parse(const std::string& text, const std::string& origin) {
  Aliases a;
  a.text_ = text;
  size_t line_no = 0;
  for_each_line(text, [&](std::string_view raw) {
    ++line_no;
    std::string line = trim(strip_comment(raw));
    if (line.empty()) return;
    auto tab = line.find('\t');
    if (tab == std::string::npos)
      throw std::invalid_argument(fmt::format("{}:{}: expected alias<TAB>canonical", origin, line_no));
    std::string alias = trim(line.substr(0, tab)), canon = trim(line.substr(tab + 1));
    if (key(alias).empty() || canon.empty())
      throw std::invalid_argument(fmt::format("{}:{}: empty alias or canonical name", origin, line_no));
    std::string c = canon == "-" ? "-" : fold(canon);
    a.map_[key(alias)] = c;
    if (c != "-") a.map_.try_emplace(key(c), c);
  });
  return a;
}

std::optional<std::optional<std::string>> Aliases::find(const std::string& name) const {
  auto it = map_.find(key(name));
  if (it == map_.end()) return std::nullopt;
  if (it->second == "-") return std::optional<std::string>{};
  return std::optional<std::string>{it->second};
}

std::optional<std::string> Aliases::normalise(const std::string& raw) const {
  std::string name = trim(raw);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (key(name).empty()) return std::nullopt;
  if (auto hit = find(name)) return *hit;
  std::string bare = name;
  if (bare.rfind("nethash.", 0) == 0) bare = bare.substr(8);
  // ipset names such as "censys.io_ipv6": the address family is not part of the organisation.
  for (const char* fam : {"_ipv6", "_ipv4", "-ipv6", "-ipv4"})
    if (bare.size() > 5 && bare.compare(bare.size() - 5, 5, fam) == 0) bare.resize(bare.size() - 5);
  while (strip_tld(bare)) {}
  if (auto hit = find(bare)) return *hit;
  // "Rapid7 (Project Sonar)": the part before the parenthesis, then the part inside it.
  if (auto open = name.find('('); open != std::string::npos && open > 0) {
    if (auto hit = find(name.substr(0, open))) return *hit;
    auto close = name.find(')', open);
    if (close != std::string::npos)
      if (auto hit = find(name.substr(open + 1, close - open - 1))) return *hit;
  }
  return fold(bare);
}

}  // namespace sg::labels
