// Longest-prefix index over IPv4 and IPv6 label entries. Entries are grouped by prefix length, each length
// a hash table keyed by the masked address. A lookup probes only the lengths that occur inside the
// address's IPv4 /16 (a flat array of length masks) or IPv6 /32 (a hash of them), so a miss (the common
// case for random scanner traffic) costs one array read and a hit a few hash probes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/cidr.h"
#include "labels/flat_table.h"
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
  using Key = Key128;
  using Table = FlatTable;

  static Key load(const IpAddr& a);  // the 16 address bytes as two big-endian words
  static Key mask(Key k, int bits);
  static uint32_t intern(std::vector<std::string>& names, std::unordered_map<std::string, uint32_t>& ids,
                         const std::string& name);
  template <class Keep>
  void collect(const IpAddr& ip, Keep keep, std::vector<const Entry*>& out) const;

  std::vector<Entry> entries_;
  Table v4_[33], v6_[129];
  using Mask = std::array<uint64_t, 2>;          // bit i: an entry of length base + i exists
  std::vector<uint32_t> v4_masks_;               // per /16: lengths 16..32 present there
  std::unordered_map<uint32_t, Mask> v6_masks_;  // per /32: lengths 32..128 present there
  std::vector<int> v4_short_, v6_short_;         // lengths below /16 (IPv4) or /32 (IPv6), longest first
  bool built_ = false;
  std::vector<std::string> orgs_, sources_;
  std::unordered_map<std::string, uint32_t> org_ids_, source_ids_;
};

}  // namespace sg::labels
