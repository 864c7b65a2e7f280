// Longest-prefix index over IPv4 and IPv6 label entries. Entries are grouped by prefix length, each length
// a hash table keyed by the masked address, so a lookup costs one probe per length present; a bitmap of
// IPv4 /16s that hold any entry answers most misses (the common case for random scanner traffic) at once.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/cidr.h"
#include "labels/period.h"

namespace sg::labels {

struct Entry {
  Cidr prefix;
  uint32_t org = 0;     // index into PrefixIndex::orgs()
  uint32_t source = 0;  // index into PrefixIndex::sources()
  Period period;
};

class PrefixIndex {
 public:
  uint32_t intern_org(const std::string& name) { return intern(orgs_, org_ids_, name); }
  uint32_t intern_source(const std::string& name) { return intern(sources_, source_ids_, name); }
  void add(const Entry& e);
  // Call once after the last add(); lookups before it see nothing.
  void build();

  // Entries whose prefix holds `ip` and whose period holds `t_us`, most specific first.
  void covering(const IpAddr& ip, int64_t t_us, std::vector<const Entry*>& out) const;
  // Same, ignoring time.
  void covering_any_time(const IpAddr& ip, std::vector<const Entry*>& out) const;

  const std::vector<Entry>& entries() const { return entries_; }
  const std::string& org(uint32_t id) const { return orgs_[id]; }
  const std::string& source(uint32_t id) const { return sources_[id]; }
  const std::vector<std::string>& orgs() const { return orgs_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Key {
    uint64_t hi = 0, lo = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.hi * 0x9e3779b97f4a7c15ULL ^ (k.lo + (k.lo >> 29)); }
  };
  struct Span {
    uint32_t first = 0, count = 0;
  };
  using Table = std::unordered_map<Key, Span, KeyHash>;

  static Key masked(const IpAddr& a, int bits);
  static uint32_t intern(std::vector<std::string>& names, std::unordered_map<std::string, uint32_t>& ids,
                         const std::string& name);
  template <class Keep>
  void collect(const IpAddr& ip, Keep keep, std::vector<const Entry*>& out) const;

  std::vector<Entry> entries_;
  Table v4_[33], v6_[129];
  std::vector<int> v4_lengths_, v6_lengths_;  // lengths present, longest first
  std::vector<uint64_t> v4_slash16_;          // bit per /16 holding an entry of length >= 16
  bool v4_short_ = false;                     // any IPv4 entry shorter than /16
  std::vector<std::string> orgs_, sources_;
  std::unordered_map<std::string, uint32_t> org_ids_, source_ids_;
};

}  // namespace sg::labels
