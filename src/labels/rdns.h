// Reverse-DNS rules: a PTR name -> organisation, by domain suffix or by regular expression. Applied to a PTR
// table (`ip,name` CSV), to host names in list comments (`1.2.3.4 # scanner-7.censys.io`), or to live
// reverse lookups of unlabelled probe sources.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace sg::labels {

struct RdnsRule {
  bool is_regex = false;
  std::string pattern;  // lower-case suffix without a leading dot, or the regex text
  std::regex re;
  std::string org;  // as written; normalised through the aliases by the importer
};

class RdnsRules {
 public:
  static RdnsRules builtin();
  static const std::string& builtin_text();
  // `suffix<TAB>DOMAIN<TAB>org` / `regex<TAB>RE<TAB>org` lines, '#' comments. Throws std::invalid_argument
  // naming file:line on a bad line or regex.
  static RdnsRules parse(const std::string& text, const std::string& origin);

  std::optional<std::string> match(const std::string& ptr_name) const;
  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }
  const std::string& text() const { return text_; }

 private:
  std::vector<RdnsRule> rules_;
  std::string text_;
};

// Live reverse lookup (getnameinfo, name required); nullopt when the address has no PTR name.
std::optional<std::string> reverse_lookup(const std::string& ip);

}  // namespace sg::labels
