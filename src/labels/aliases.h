// Organisation names: one spelling per organisation, from the editable alias table (data/org_aliases.tsv,
// embedded at build time; a file given with --aliases replaces it).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

namespace sg::labels {

class Aliases {
 public:
  // The table compiled into the binary.
  static Aliases builtin();
  static const std::string& builtin_text();
  // `alias<TAB>canonical` lines, '#' comments. Throws std::invalid_argument naming the bad line.
  static Aliases parse(const std::string& text, const std::string& origin);

  // Canonical name; nullopt when the name means "no organisation" (`unknown`, aggregate lists).
  std::optional<std::string> normalise(const std::string& name) const;
  // "censys.io" -> "censys", "Shadow-Server" -> "shadowserver": the matching key of a name.
  static std::string key(const std::string& name);
  const std::string& text() const { return text_; }

 private:
  std::optional<std::optional<std::string>> find(const std::string& name) const;
  std::unordered_map<std::string, std::string> map_;  // key -> canonical ("-" = none)
  std::string text_;
};

}  // namespace sg::labels
